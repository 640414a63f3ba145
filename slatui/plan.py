"""The follow-up plan (the day's work): the leads still owed an attempt, soonest due first, each with its step of
the cadence and the business time left (negative once overdue), and the one-line status for a shell prompt.

A lead is in the plan from its handoff until it is reached, closed, disqualified or has had its minimum attempts
(`slatui.store.facts.next_due`); the store keeps its `next_due_at` and an index of the plan, so reading it costs
what is owed, not the history. Leads never reached whose attempts are all done leave the plan and are only
counted (`cadence_done`).

Everything counts in business time on the agreement's calendar: a lead due at Friday's closing is due (0 left)
all weekend and overdue from Monday's opening on, as its SLA clock stands still in between.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slatui.parsing import ParseError, format_local, parse_until
from slatui.store import Store
from slatui.store.facts import Clock, next_due

# "Due soon" on the status line: within this much business time.
SOON_SECONDS = 3600
# The furthest a snooze may put a lead off (a typo such as 2099 would hide it for good).
SNOOZE_LIMIT_DAYS = 366


def business_seconds_left(calendar: Any, now_ts: float, due_ts: float) -> int:
    """Business seconds from now to `due_ts`, negative (business seconds since) once it has passed."""
    if due_ts >= now_ts:
        return round(calendar.business_seconds_between(now_ts, due_ts))
    return -round(calendar.business_seconds_between(due_ts, now_ts))


def entries(store: Store, now_ts: float, *, agreement_id: int | None = None, rep_id: int | None = None,
            limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
    """The plan's leads in due order (a page of `limit` from `offset`): each lead's row (`id`, `name`, `company`,
    `agreement`, `rep`, `handed_off_at`, `attempts`, `last_attempt_at`, `next_due_at`, `snoozed_until`, ...) with
    `step` (the attempt owed, 1-based) of `min_attempts`, `state` (first_response or follow_up), `seconds_left`
    (business time, negative once overdue), `target_seconds`, its agreement's zone `tz` and business `calendar`,
    and the words for them: `step_text` ("attempt 3 of 6") and `due_text` ("overdue 2h 10m", "due in 35m")."""
    clocks: dict[int, Callable[[float], Clock]] = {}
    result = []
    for row in store.plan_rows(agreement_id=agreement_id, rep_id=rep_id, limit=limit, offset=offset):
        picker = clocks.get(row["agreement_id"])
        if picker is None:
            picker = clocks[row["agreement_id"]] = store.clock_picker(row["agreement_id"])
        clock = picker(row["handed_off_at"])
        step = row["attempts"] + 1
        result.append(as_of({
            **row,
            "step": step,
            "min_attempts": clock.plan_length,
            "state": "first_response" if row["attempts"] == 0 else "follow_up",
            "target_seconds": clock.target,
            "tz": clock.version.tz,
            "calendar": clock.calendar,
            "step_text": step_text(step, clock.plan_length),
        }, now_ts))
    return result


def as_of(entry: dict[str, Any], now_ts: float) -> dict[str, Any]:
    """The entry (of `entries`) with what moves with the clock taken at `now_ts`: `seconds_left`, `due_text` and
    `snoozed`, from its due instant and its `calendar` (the app's countdown runs on this, without a query)."""
    left = business_seconds_left(entry["calendar"], now_ts, entry["next_due_at"])
    return {
        **entry,
        "seconds_left": left,
        "due_text": due_text(left),
        # The snooze set this due time and has not run out yet.
        "snoozed": entry["snoozed_until"] == entry["next_due_at"] and entry["next_due_at"] > now_ts,
    }


def status(store: Store, now_ts: float, agreement_id: int | None = None,
           rep_id: int | None = None) -> dict[str, Any]:
    """The plan in figures (of one agreement, or of every agreement in force; of one rep, or all): `leads` owed
    an attempt, `overdue`, `due_soon` (within a business hour, not overdue), and `next_in_seconds` (business
    time until the soonest one not yet overdue falls due) with its instant `next_due_at`. It reads the plan only
    (the status line's budget): the leads whose cadence is done are `Store.cadence_done`."""
    totals = {"leads": 0, "overdue": 0, "due_soon": 0, "next_in_seconds": None, "next_due_at": None}
    for aid in store.plan_agreement_ids():
        if agreement_id is not None and aid != agreement_id:
            continue
        calendar = store.clock(aid, now_ts).calendar
        counts = store.plan_counts(aid, calendar.last_working_instant(now_ts),
                                   calendar.deadline(now_ts, SOON_SECONDS), rep_id)
        for key in ("leads", "overdue", "due_soon"):
            totals[key] += counts[key]
        upcoming = counts["next_due_at"]
        if upcoming is not None:
            left = max(0, business_seconds_left(calendar, now_ts, upcoming))
            if totals["next_in_seconds"] is None or left < totals["next_in_seconds"]:
                totals["next_in_seconds"], totals["next_due_at"] = left, upcoming
    return totals


def status_text(counts: dict[str, Any]) -> str:
    """E.g. `SLA ▲2 overdue · 3 due <1h · next 00:12` (business hours:minutes until the next lead falls due)."""
    if not counts["leads"]:
        return "SLA ✓ nothing due"
    parts = [f"▲{counts['overdue']} overdue" if counts["overdue"] else "0 overdue"]
    if counts["due_soon"]:
        parts.append(f"{counts['due_soon']} due <1h")
    left = counts["next_in_seconds"]
    if left is not None:
        hours, minutes = divmod(left // 60, 60)
        parts.append(f"next {hours:02d}:{minutes:02d}" if hours < 100 else "next >99h")
    return "SLA " + " · ".join(parts)


def step_text(step: int, of: int) -> str:
    """Which attempt of the cadence is owed, e.g. "attempt 3 of 6"."""
    return f"attempt {step} of {of}"


def due_text(seconds_left: int) -> str:
    """The business time left in words: "due in 35m", "due now", "overdue 2h 10m"."""
    if seconds_left == 0:
        return "due now"
    words = business_duration(abs(seconds_left))
    return f"due in {words}" if seconds_left > 0 else f"overdue {words}"


def business_duration(seconds: int) -> str:
    """Whole minutes, cut down (never more time left than there is): <1m, 35m, 2h 10m, 2h, 126h."""
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes}m" if minutes else "<1m"
    return f"{hours}h {minutes}m" if minutes and hours < 100 else f"{hours}h"


def local_time(instant: float | None, tz: str) -> str:
    """An instant on the agreement's clock, short enough for a table or a message: Fri 04 Dec 09:30 CET."""
    return "–" if instant is None else format_local(instant, tz, "%a %d %b %H:%M")


def snooze(store: Store, lead_id: int, until_text: str | None, now_ts: float) -> list[str]:
    """Put off the lead's next attempt until the time `until_text` names on its agreement's clock ("in 2h",
    "tomorrow 09:00", ...), or end its snooze (None); returns what was done, in words (its first line begins
    with the lead's number). A time that cannot be read, has passed, or is not later than the cadence's due
    time raises ParseError (the command line names its option in front of it)."""
    from datetime import datetime, timezone

    row = store.lead_row(lead_id)
    clock = store.clock(row["agreement_id"], row["handed_off_at"])
    tz = clock.version.tz
    if until_text is None:
        row = store.snooze_lead(lead_id, None)
        return [f"lead {lead_id} is no longer snoozed: " + (
            f"next attempt due {local_time(row['next_due_at'], tz)}" if row["next_due_at"] else "it is not due")]
    until = int(parse_until(until_text, tz, datetime.fromtimestamp(now_ts, timezone.utc)).timestamp())
    if until <= now_ts:
        raise ParseError(f"{local_time(until, tz)} has passed; give a time to come, e.g. 'in 2h' or 'tomorrow 09:30'")
    if until - now_ts > SNOOZE_LIMIT_DAYS * 86400:
        raise ParseError(f"{format_local(until, tz, '%d %b %Y')} is more than a year away: a lead nobody will try "
                         "is closed (slatui lead close) rather than snoozed; give a nearer time")
    # What its cadence says, without a snooze it may have now (which this one replaces).
    due = next_due(clock, row["status"], row["attempt_count"], row["deadline_at"], row["last_attempt_at"], None)
    if due is not None and until <= due:
        raise ParseError(f"lead {lead_id} is not due before {local_time(due, tz)} anyway; a snooze only puts a "
                         "lead off, so give a later time")
    row = store.snooze_lead(lead_id, until)
    done = [f"lead {lead_id} snoozed: {step_text(row['attempt_count'] + 1, clock.plan_length)} due "
            f"{local_time(row['next_due_at'], tz)}"]
    if row["attempt_count"] == 0 and row["breach_at"] > now_ts:
        done.append(f"its first response still breaches the SLA after {local_time(row['breach_at'], tz)}")
    elif row["attempt_count"] == 0:  # the snooze takes it off the overdue count: say what it leaves behind
        done.append(f"its first response already breached the SLA, at {local_time(row['breach_at'], tz)}")
    return done
