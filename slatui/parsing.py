"""Parsers of what people type: durations, instants, dates, months and percentages.

Shared by the CLI, the TUI and the importers. Each parser raises ParseError
with a one-line message that says what is wrong and shows what is wanted.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slatui.errors import SlatuiError
from slatui.vocabulary import CLOCK_SKEW_SECONDS, EARLIEST_YEAR, LATEST_YEAR


class ParseError(SlatuiError, ValueError):
    """Text that cannot be read; a ValueError so pydantic validators report it as a field error."""


# --- durations -------------------------------------------------------------

_DURATION_HINT = "write 90m, 2h or 1h30m"
_UNIT_SECONDS = {
    **dict.fromkeys(("d", "day", "days"), 86_400),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3_600),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
}
# One "<number> <unit>" part; [0-9] rather than \d so other scripts' digits are not read as numbers.
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-z]*)\s*")
# Caps typos such as 90000h and keeps the result far from SQLite's 64-bit limit.
_MAX_DURATION_DAYS = 3650


def parse_duration(text: str) -> int:
    """Seconds in a duration such as 90m, 2h, 1h30m, 2d4h, 1.5h, '90 min' or '2 hours'."""
    raw = text.strip()
    s = raw.lower()
    if not s:
        raise ParseError(f"duration is empty: {_DURATION_HINT}")
    if s.startswith("-"):
        raise ParseError(f"duration {raw!r} must be positive: {_DURATION_HINT}")
    total = 0.0
    pos = 0
    while pos < len(s):
        part = _DURATION_PART.match(s, pos)
        if part is None:
            raise ParseError(f"can't read duration {raw!r}: {_DURATION_HINT}")
        number, unit = part.groups()
        if not unit:
            if part.end() < len(s):
                raise ParseError(f"can't read duration {raw!r}: {_DURATION_HINT}")
            if pos == 0:
                raise ParseError(f"duration {raw!r} needs a unit: write {number}m, 2h or 1h30m")
            raise ParseError(f"duration {raw!r} ends in a number without a unit: {_DURATION_HINT}")
        if unit not in _UNIT_SECONDS:
            raise ParseError(f"unknown unit {unit!r} in duration {raw!r}: use d, h, m or s, e.g. 1h30m")
        total += float(number) * _UNIT_SECONDS[unit]
        pos = part.end()
    if total > _MAX_DURATION_DAYS * 86_400:
        raise ParseError(f"duration {raw!r} is too long: at most {_MAX_DURATION_DAYS}d")
    seconds = round(total)
    if seconds <= 0:
        raise ParseError(f"duration {raw!r} must be more than zero: {_DURATION_HINT}")
    return seconds


def format_duration(seconds: float) -> str:
    """Compact form: 45s, 1m30s, 1h05m, 24h; a leading minus when negative (e.g. time left once breached).

    Hours are never rolled into days, because SLA targets are stated in hours.
    Only the two largest units are shown and the rest is truncated toward zero,
    so parse_duration(format_duration(s)) == s for whole minutes.
    """
    if not math.isfinite(seconds):
        raise ValueError(f"cannot format duration {seconds}")
    whole = int(seconds)
    sign = "-" if whole < 0 else ""
    hours, rest = divmod(abs(whole), 3_600)
    minutes, secs = divmod(rest, 60)
    if hours:
        body = f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    elif minutes:
        body = f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
    else:
        body = f"{secs}s"
    return sign + body


# --- dates and instants ----------------------------------------------------

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# A full date, a separator and the start of a time: the only shapes handed to isoparse,
# which would otherwise also accept a bare year like "2026".
_ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE_DAY = re.compile(r"(today|yesterday)(?: ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?")
# Days to come, for the end of a snooze: tomorrow or a weekday (its next date).
_COMING_DAY = re.compile(r"(tomorrow|mon|tue|wed|thu|fri|sat|sun|"
                         rf"{'|'.join(_WEEKDAYS)})(?: ([0-9]{{1,2}}):([0-9]{{2}})(?::([0-9]{{2}}))?)?")
_WHEN_HINT = "use now, 15m ago, today 09:30, yesterday 16:00, 2026-03-01 or 2026-03-01T09:30"
_UNTIL_HINT = "use in 2h, tomorrow, tomorrow 09:30, monday 10:00, today 16:00 or 2026-03-02T09:30"


def year_problem(year: int) -> str | None:
    """Why a year cannot be meant, or None: outside 1970-2100 it is a typo (0024, 2204), and business-time
    sums over centuries would hold the write lock for seconds."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return f"the year {year} is outside {EARLIEST_YEAR}-{LATEST_YEAR}: is it a typo?"
    return None


def _check_year(year: int, raw: str) -> None:
    if problem := year_problem(year):
        raise ParseError(f"{raw!r}: {problem}")


def parse_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD, in the years 1970-2100."""
    s = text.strip()
    if _DATE.fullmatch(s):
        try:
            day = date.fromisoformat(s)
        except ValueError:
            pass
        else:
            _check_year(day.year, s)
            return day
    raise ParseError(f"{s!r} is not a date: write YYYY-MM-DD, e.g. 2026-03-01")


def parse_month(text: str) -> tuple[int, int]:
    """A month written YYYY-MM, as (year, month), in the years 1970-2100."""
    s = text.strip()
    m = _MONTH.fullmatch(s)
    if m and 1 <= int(m[2]) <= 12:
        _check_year(int(m[1]), s)
        return int(m[1]), int(m[2])
    raise ParseError(f"{s!r} is not a month: write YYYY-MM, e.g. 2026-03")


def _to_utc(moment: datetime, zone: ZoneInfo, raw: str, *, typed: bool = False) -> datetime:
    """`moment` in UTC, in the years 1970-2100; a naive one is a wall time in `zone`.

    A time of day the user `typed` that the clocks skip (a jump forward) or show twice (a jump back) is
    refused with what to give instead: stored, it would be an hour off or a guess. Otherwise (a date's
    midnight, which a few zones skip) fold=0 resolves it: the offset in force before the jump.
    """
    _check_year(moment.year, raw)
    if moment.tzinfo is None and typed:
        first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
        if first.utcoffset() != second.utcoffset():
            if first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != moment:
                jump = second.utcoffset() - first.utcoffset()  # fold=1 reads a skipped time after the jump
                raise ParseError(f"{raw!r} does not exist in {zone.key}: the clocks jump forward then; give the "
                                 f"time after the jump, e.g. {moment + jump:%H:%M}")
            raise ParseError(f"{raw!r} happens twice in {zone.key} (the clocks go back): add its offset, "
                             f"{_offset(first)} for the first or {_offset(second)} for the second")
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)).astimezone(timezone.utc)


def _offset(moment: datetime) -> str:
    text = moment.strftime("%z")  # +0200
    return f"{text[:3]}:{text[3:]}"


def parse_when(text: str, tz: str, now: datetime | None = None) -> datetime:
    """An instant as an aware UTC datetime, in the years 1970-2100.

    Accepts `now`, `<duration> ago`, `today`/`yesterday` (local midnight) with an
    optional HH:MM[:SS], a date YYYY-MM-DD (local midnight) and ISO 8601 date-times;
    wall times without an offset are read in `tz`, the agreement's zone.
    """
    return _parse_instant(text, tz, now, coming=False)


def parse_until(text: str, tz: str, now: datetime | None = None) -> datetime:
    """An instant to come (the end of a snooze): what `parse_when` reads, and `in <duration>`, `tomorrow` or a
    weekday (its next date after today; local midnight) with an optional HH:MM[:SS]. Only here: an attempt or
    a handoff logged "tomorrow" is a typo."""
    return _parse_instant(text, tz, now, coming=True)


def _parse_instant(text: str, tz: str, now: datetime | None, *, coming: bool) -> datetime:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError(f"unknown time zone {tz!r}: use an IANA name such as Europe/Madrid") from None
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    raw = text.strip()
    s = " ".join(raw.lower().split())
    unreadable = f"can't read time {raw!r}: {_UNTIL_HINT if coming else _WHEN_HINT}"

    if s == "now":
        return _to_utc(now, zone, raw)
    if s.endswith(" ago"):
        return _to_utc(now - timedelta(seconds=parse_duration(s.removesuffix(" ago"))), zone, raw)
    if coming and s.startswith("in "):
        return _to_utc(now + timedelta(seconds=parse_duration(s.removeprefix("in "))), zone, raw)
    if m := _RELATIVE_DAY.fullmatch(s) or (coming and _COMING_DAY.fullmatch(s)):
        word, hour, minute, second = m.groups()
        today = now.astimezone(zone).date()
        try:
            at = time(int(hour or 0), int(minute or 0), int(second or 0))
        except ValueError:
            raise ParseError(f"{raw!r} has no such time of day: write HH:MM, e.g. {word} 09:30") from None
        return _to_utc(datetime.combine(today + timedelta(days=_days_from_today(word, today)), at), zone, raw,
                       typed=hour is not None)
    if _DATE.fullmatch(s):
        return _to_utc(datetime.combine(parse_date(s), time(0)), zone, raw)
    if _ISO_DATETIME.match(s.upper()):
        # Imported here: only this branch needs dateutil, which costs ~25 ms at CLI start-up.
        from dateutil.parser import isoparse

        try:
            moment = isoparse(s.upper())
        except (ValueError, OverflowError):  # OverflowError: 9999-12-31T24:00 is a day past the last one
            raise ParseError(unreadable) from None
        return _to_utc(moment, zone, raw, typed=True)
    raise ParseError(unreadable)


def parse_past(text: str, tz: str, now: datetime | None = None) -> datetime:
    """parse_when for what has happened (a handoff, an attempt): not later than `now`, give or take another
    clock's skew. "today 09:30" typed at 05:08 is refused, not stored to reject every attempt logged now."""
    now = now or datetime.now(timezone.utc)
    moment = parse_when(text, tz, now)
    if moment > now + timedelta(seconds=CLOCK_SKEW_SECONDS):
        zone = ZoneInfo(tz)
        raise ParseError(f"{text.strip()!r} is {moment.astimezone(zone):%Y-%m-%d %H:%M} in {tz}, later than now "
                         f"({now.astimezone(zone):%Y-%m-%d %H:%M}): log it once it has happened")
    return moment


def format_local(epoch: float, tz: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as wall time in the zone `tz`, with the zone's abbreviation: 2026-11-18 16:30 CET."""
    return datetime.fromtimestamp(epoch, ZoneInfo(tz)).strftime(f"{pattern} %Z")


def _days_from_today(word: str, today: date) -> int:
    """today 0, yesterday -1, tomorrow 1; a weekday is its next date after today (1 to 7 days on)."""
    if word in ("today", "yesterday", "tomorrow"):
        return {"today": 0, "yesterday": -1, "tomorrow": 1}[word]
    weekday = next(i for i, name in enumerate(_WEEKDAYS) if name.startswith(word))
    return (weekday - today.weekday() - 1) % 7 + 1


# --- percentages -----------------------------------------------------------

# An optional sign is read so that "-5" gets the range message rather than "can't read".
_PERCENT = re.compile(r"([+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+))\s*%?")


def parse_percent(value: str | float) -> float:
    """A percentage as a fraction 0–1: 85, '85%' → 0.85; '85.5' or '85,5' → 0.855.

    A decimal comma is safe because no value from 0 to 100 needs a thousands
    separator. Input is always a percentage: 0.85 means 0.85 %, not 85 %.
    """
    if isinstance(value, bool):
        raise ParseError(f"can't read percentage {value!r}: write a number like 85 or 85%")
    if isinstance(value, str):
        s = value.strip()
        m = _PERCENT.fullmatch(s)
        if m is None:
            raise ParseError(f"can't read percentage {s!r}: write a number like 85 or 85%")
        number = float(m[1].replace(",", "."))
    else:
        number = float(value)
    if not 0 <= number <= 100:
        raise ParseError(f"percentage must be between 0 and 100, got {number:g}")
    return number / 100


# --- email addresses -------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(text: str) -> bool:
    """Looks like name@example.com (one @, a dot in the domain, no spaces): enough to catch a typo."""
    return bool(_EMAIL.match(text))


# --- follow-up cadences ----------------------------------------------------

_CADENCE_HINT = "write the gaps between attempts, e.g. 4h,1d,2d (h and m: business time; d: business days)"
_BUSINESS_DAYS = re.compile(r"([0-9]+)\s*(?:d|day|days)")


def parse_cadence(text: str) -> tuple[tuple[int, int], ...]:
    """Gaps between follow-up attempts such as "4h, 1d, 2d": each (business days, business seconds).

    A step is whole business days (the same time that many working days later) or business time (4h, 90m).
    """
    steps = [part.strip().lower() for part in text.split(",")]
    if not any(steps):
        raise ParseError(f"the cadence is empty: {_CADENCE_HINT}")
    gaps = []
    for step in steps:
        if not step:
            raise ParseError(f"the cadence {text.strip()!r} has an empty step: {_CADENCE_HINT}")
        days = _BUSINESS_DAYS.fullmatch(step)
        if days:
            if not 0 < int(days[1]) <= 365:
                raise ParseError(f"cadence step {step!r} must be 1 to 365 business days")
            gaps.append((int(days[1]), 0))
            continue
        if "d" in step:
            raise ParseError(f"cadence step {step!r} mixes days with hours: a step is whole days (2d) or hours (4h)")
        try:
            gaps.append((0, parse_duration(step)))
        except ParseError:
            raise ParseError(f"can't read cadence step {step!r}: {_CADENCE_HINT}") from None
    return tuple(gaps)


def format_cadence(gaps: tuple[tuple[int, int], ...]) -> str:
    """Canonical text of a cadence (round-trips through parse_cadence)."""
    return ",".join(f"{days}d" if days else format_duration(seconds) for days, seconds in gaps)
