"""Seeing what happened: `slatui lead show` (a lead, its SLA facts and its attempts), `slatui history` (who changed
what, when and from where) and `slatui undo`. Quick commands: no pydantic, Rich or Textual."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import click

from slatui.cli.base import Context, Whole, cli, echo, emit_json, pass_ctx, print_table
from slatui.cli.leads import lead
from slatui.errors import NotFound, SlatuiError

# Rows of one change shown on a terminal (an import logs a row per lead): the rest are counted.
ROWS_SHOWN = 8


def local_time(epoch: int | None, tz: str) -> str:
    """An instant as the agreement's clock shows it, with the zone's abbreviation: 2026-11-20 10:00 CET."""
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(epoch, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def iso(epoch: int | None) -> str | None:
    """An instant for JSON: UTC with its offset."""
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def lead_tz(store: Any, row: Any) -> str:
    """The zone a lead's times are read and shown in: that of the terms in force at its handoff."""
    return store.clock(row["agreement_id"], row["handed_off_at"]).version.tz


def echo_change_rows(rows: list[dict[str, Any]], names: Any, *, undo: bool = False, indent: str = "  ") -> None:
    from slatui.changes import describe_row

    for row in rows[:ROWS_SHOWN]:
        echo(indent + describe_row(row, names, undo=undo))
    if len(rows) > ROWS_SHOWN:
        more = len(rows) - ROWS_SHOWN
        echo(f"{indent}… and {more:,} more row{'s' if more > 1 else ''} (`slatui history --json` lists them all)")


def facts_line(store: Any, row: Any) -> str:
    """A lead's SLA facts now, in a line, after a correction: status, attempts, speed."""
    from slatui.parsing import format_duration
    from slatui.store.aggregates import lead_speed_status

    speed = lead_speed_status(store.conn, row["id"], int(datetime.now(timezone.utc).timestamp()))
    first = "no attempt yet" if row["response_seconds"] is None else \
        f"first attempt after {format_duration(row['response_seconds'])}"
    target = format_duration(store.clock(row["agreement_id"], row["handed_off_at"]).target)
    return (f"lead #{row['id']} now: {row['status']} · {row['attempt_count']} attempt"
            f"{'s' * (row['attempt_count'] != 1)} · {first} · speed {speed} (target {target})")


# ---- lead show ------------------------------------------------------------------------------------


@lead.command("show")
@click.argument("lead_id", metavar="ID", type=Whole())
@click.option("--json", "as_json", is_flag=True, help="Print JSON (instants in UTC with their offset).")
@pass_ctx
def lead_show(ctx: Context, lead_id: int, as_json: bool) -> None:
    """Show lead ID, its SLA facts and its attempts.

    The SLA facts: deadline, speed status, response time, attempts, connection, next attempt due. The attempts
    come with their ids (for `slatui attempt edit`). Times are in the agreement's zone."""
    from slatui.store.aggregates import lead_speed_status

    store = ctx.store
    now = int(datetime.now(timezone.utc).timestamp())
    with store.snapshot():
        row = dict(store.lead_row(lead_id))
        clock = store.clock(row["agreement_id"], row["handed_off_at"])
        agreement = store.agreement_terms(row["agreement_id"]).name
        reps = {r["id"]: r for r in store.rep_rows()}
        attempts = store.attempts_of(lead_id)
        speed = lead_speed_status(store.conn, lead_id, now)
    calendar, tz = clock.calendar, clock.version.tz
    for attempt in attempts:
        attempt["after_handoff_seconds"] = round(calendar.business_seconds_between(row["handed_off_at"],
                                                                                   attempt["at"]))
    if speed == "pending":
        left = round(calendar.business_seconds_between(now, row["deadline_at"])) if now < row["deadline_at"] else 0
    elif speed == "breached" and row["first_attempt_at"] is None:
        left = -round(calendar.business_seconds_between(row["deadline_at"], now))
    else:
        left = None
    rep = reps.get(row["rep_id"])
    facts = {"speed_status": speed, "target_seconds": clock.target, "business_seconds_left": left,
             "min_attempts": clock.version.min_attempts, "tz": tz}
    if as_json:
        instants = ("handed_off_at", "closed_at", "snoozed_until", "deadline_at", "breach_at", "first_attempt_at",
                    "connected_at", "last_attempt_at", "disqualified_at", "next_due_at")
        emit_json({
            **{k: iso(v) if k in instants else v for k, v in row.items() if k != "handoff_day"},
            "connected": bool(row["connected"]),
            "agreement": {"id": row["agreement_id"], "name": agreement},
            "rep": None if rep is None else {"id": rep["id"], "name": rep["name"], "active": bool(rep["active"])},
            **facts,
            "attempts": [{**a, "at": iso(a["at"])} for a in attempts],
        })
        return
    _print_lead(row, agreement, rep, facts, clock, attempts)


def _print_lead(row: dict[str, Any], agreement: str, rep: dict[str, Any] | None, facts: dict[str, Any], clock: Any,
                attempts: list[dict[str, Any]]) -> None:
    from slatui.parsing import format_duration

    tz = facts["tz"]

    def when(epoch: int | None) -> str:
        return local_time(epoch, tz)

    target = format_duration(facts["target_seconds"])
    speed = facts["speed_status"]
    if row["response_seconds"] is not None:
        speed_text = f"{speed}: first attempt after {format_duration(row['response_seconds'])} (target {target})"
    elif speed == "pending":
        speed_text = f"pending: {format_duration(facts['business_seconds_left'])} of business time left " \
                     f"(target {target})"
    else:
        speed_text = f"breached: no attempt yet, {format_duration(-facts['business_seconds_left'])} over the " \
                     f"{target} target"
    count, minimum = row["attempt_count"], facts["min_attempts"]
    reached = f"connected {when(row['connected_at'])}" if row["connected"] else "not connected"
    if row["next_due_at"] is not None:
        due = f"{when(row['next_due_at'])} (attempt {count + 1} of {clock.plan_length})"
    elif row["status"] != "open":
        due = f"— (the lead is {row['status']})"
    else:
        due = f"— (all {clock.plan_length} planned attempts made)"
    value = "—" if row["value"] is None else f"{row['value']:,.2f}"
    lines = [
        ("company", row["company"] or "—"),
        ("email", row["email"] or "—"),
        ("tier", f"{row['tier'] or '—'} · value {value} · source {row['source']}"),
        ("agreement", f"{agreement} (#{row['agreement_id']}) · times in {tz}"),
        ("rep", "—" if rep is None else f"{rep['name']} (#{rep['id']})" + ("" if rep["active"] else ", inactive")),
        ("handed off", when(row["handed_off_at"])),
        ("status", row["status"]),
        ("deadline", f"{when(row['deadline_at'])} ({target} of business time)"),
        ("speed", speed_text),
        ("attempts", f"{count} of {minimum} minimum · {reached}"),
        ("next due", due),
    ]
    if row["snoozed_until"] is not None:
        lines.append(("snoozed", f"until {when(row['snoozed_until'])}"))
    if row["closed_as"] is not None:
        closed = f"{'won' if row['closed_as'] == 'customer' else row['closed_as']} {when(row['closed_at'])}"
        if row["revenue"] is not None:
            closed += f" · revenue {row['revenue']:,.2f}"
        if row["close_reason"]:
            closed += f" · {row['close_reason']}"
        lines.append(("closed", closed))
    echo(f"Lead #{row['id']} {row['name']}")
    for label, value in lines:
        echo(f"  {label:<11} {value}")
    if not attempts:
        echo(f"Attempts: none yet (log one with `slatui log {row['id']} --outcome OUTCOME`)")
        return
    echo(f"Attempts ({len(attempts)}):")
    print_table(("  id", "when", "after", "channel", "outcome", "rep", "note"),
                [(f"  #{a['id']}", when(a["at"]), format_duration(a["after_handoff_seconds"]), a["channel"],
                  a["outcome"].replace("_", " "), a["rep"] or "—", a["note"]) for a in attempts])


# ---- history and undo -----------------------------------------------------------------------------


@cli.command("history")
@click.option("--lead", "lead_id", type=Whole(), metavar="ID", help="Only changes to this lead (and its attempts).")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID",
              help="Only changes to this agreement and its leads.")
@click.option("--limit", type=Whole(low=1), default=20, show_default=True, help="At most this many changes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every row, instants in UTC with their offset).")
@pass_ctx
def history(ctx: Context, lead_id: int | None, agreement_ref: str | None, limit: int, as_json: bool) -> None:
    """Who changed what, when and from where.

    The newest changes first, each with when, who (the OS user), from where (a command, an app screen, an
    import) and the values before → after."""
    if lead_id is not None and agreement_ref is not None:
        raise SlatuiError("history: give --lead or --agreement, not both")
    store = ctx.store
    agreement_id = None
    if agreement_ref is not None:
        try:
            agreement_id = store.terms(agreement_ref).id
        except NotFound:
            if not agreement_ref.strip().isdigit():  # a deleted agreement keeps its history, by id
                raise
            agreement_id = int(agreement_ref)
    changes = store.history(lead_id=lead_id, agreement_id=agreement_id, limit=limit)
    if as_json:
        emit_json([_change_json(c) for c in changes])
        return
    if not changes:
        scope = f" to lead {lead_id}" if lead_id is not None else f" to agreement {agreement_ref}" \
            if agreement_ref is not None else ""
        echo(f"no changes recorded{scope}")
        return
    from slatui.changes import store_namer

    names = store_namer(store)
    for change in changes:
        _echo_change(change, names)


def _echo_change(change: dict[str, Any], names: Any) -> None:
    when = datetime.fromtimestamp(change["at"], timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    mark = f"  [undone by #{change['undone_by']}]" if change["undone_by"] else ""
    echo(f"#{change['id']}  {when}  {change['user']}  {change['origin']}{mark}")
    echo(f"  {change['summary']}")
    echo_change_rows(change["rows"], names, undo=change["undoes"] is not None, indent="    ")


def _change_json(change: dict[str, Any]) -> dict[str, Any]:
    from slatui.changes import INSTANT_COLUMNS

    def values(table: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
        instants = INSTANT_COLUMNS.get(table, ())
        return None if row is None else {k: iso(v) if k in instants else v for k, v in row.items()}

    return {**change, "at": iso(change["at"]),
            "rows": [{**r, "old": values(r["table"], r["old"]), "new": values(r["table"], r["new"])}
                     for r in change["rows"]]}


@cli.command("undo")
@pass_ctx
def undo(ctx: Context) -> None:
    """Revert the most recent change.

    Any change to the file: an edit, a close, a delete, a `log`, a `lead add`, a whole import. Says what it
    reverted. Undo goes back one change: it refuses once the last change is undone, or when the rows that change
    wrote were changed since."""
    from slatui.changes import store_namer

    store = ctx.store
    undone = store.undo()
    (change,) = store.history(change_id=undone["undone_by"])
    when = datetime.fromtimestamp(undone["at"], timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    echo(f"undid #{undone['id']} {undone['summary']} ({undone['user']}, {undone['origin']}, {when})")
    echo_change_rows(change["rows"], store_namer(store), undo=True)
