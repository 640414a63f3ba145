"""Working-hours calendars: business time between instants and business-time deadlines.

A calendar is a weekly pattern of local wall-clock intervals in one IANA time zone, minus
holidays (whole local dates). Each local date is turned once into UTC epoch intervals and
cached, so the hot paths (`business_seconds_between`, `deadline`) walk cached day lists
without building datetimes. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


WeeklyHours = tuple[tuple[tuple[int, int], ...], ...]
"""Monday..Sunday; each day a sorted tuple of non-overlapping (start_minute, end_minute), 0 <= start < end <= 1440."""

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_INDEX = {name: i for names in (DAY_NAMES, _FULL_NAMES) for i, name in enumerate(names)}
_ALL_DAY = ((0, 1440),)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DEADLINE_HORIZON_DAYS = 3653  # ~10 years: past this a deadline search gives up instead of looping
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_EXAMPLE = "e.g. mon-fri 09:00-17:00"


class HoursSpecError(ValueError):
    """A working-hours spec or table that cannot be used, with a message naming the bad part."""


# --- working-hours spec text ------------------------------------------------------------


def parse_hours_spec(spec: str | None) -> WeeklyHours | None:
    """Parse "mon-thu 09:00-17:00; fri 09:00-14:00" into weekly hours; None/""/"24x7" mean 24x7 (None)."""
    if spec is None or spec.strip().lower() in ("", "24x7", "24/7"):
        return None
    week: list[tuple[tuple[int, int], ...] | None] = [None] * 7
    for clause in (c.strip() for c in re.split(r"[;\n]", spec)):
        if not clause:
            continue
        # Days come first and hold no digits; the times start at the first digit.
        days_text, times_text = re.match(r"([^\d]*)(.*)", clause, re.S).groups()
        days_text, times_text = days_text.strip(), times_text.strip()
        if not days_text:
            raise HoursSpecError(f"no days before {times_text!r}: start with the days, {_EXAMPLE}")
        if not times_text:
            raise HoursSpecError(f"no working hours after {days_text!r}: add them, e.g. {days_text} 09:00-17:00")
        intervals = _parse_intervals(times_text, clause)
        for day in _parse_days(days_text, clause):
            if week[day] is not None:
                raise HoursSpecError(f"{DAY_NAMES[day]} is given twice in {spec.strip()!r}: give each day once")
            week[day] = intervals
    if all(day is None for day in week):
        raise HoursSpecError(f"no working hours in {spec!r}: write them, {_EXAMPLE}, or 24x7 for every hour")
    return tuple(day or () for day in week)


def _parse_days(text: str, clause: str) -> list[int]:
    days: list[int] = []
    for item in re.split(r"[,\s]+", re.sub(r"\s*([-,])\s*", r"\1", text)):
        first, sep, last = item.partition("-")
        start = _day_index(first, clause)
        if not sep:
            days.append(start)
            continue
        # Ranges may wrap around the week end: "sun-thu", "fri-mon".
        span = (_day_index(last, clause) - start) % 7
        days.extend((start + i) % 7 for i in range(span + 1))
    for i, day in enumerate(days):
        if day in days[:i]:
            raise HoursSpecError(f"{DAY_NAMES[day]} is given twice in {clause!r}: give each day once")
    return days


def _day_index(name: str, clause: str) -> int:
    try:
        return _DAY_INDEX[name.lower()]
    except KeyError:
        raise HoursSpecError(
            f"unknown day {name!r} in {clause!r}: use mon, tue, wed, thu, fri, sat, sun (or full names)"
        ) from None


def _parse_intervals(text: str, clause: str) -> tuple[tuple[int, int], ...]:
    intervals = []
    for item in re.split(r"[,\s]+", re.sub(r"\s*([-,])\s*", r"\1", text)):
        parts = item.split("-")
        if len(parts) != 2:
            raise HoursSpecError(f"cannot read working hours {item!r} in {clause!r}: write start-end, e.g. 09:00-17:00")
        start, end = (_minute(part, clause) for part in parts)
        if end < start:
            raise HoursSpecError(f"working hours {item} end before they start: write start-end, e.g. 09:00-17:00")
        if end == start:
            raise HoursSpecError(f"working hours {item} are empty: the end must come after the start, e.g. 09:00-17:00")
        intervals.append((start, end, item))
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for i, (start, end, item) in enumerate(intervals):
        if merged and start < merged[-1][1]:
            raise HoursSpecError(
                f"working hours {intervals[i - 1][2]} and {item} overlap in {clause!r}: give each time once"
            )
        if merged and start == merged[-1][1]:  # touching intervals are one stretch of work
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _minute(text: str, clause: str) -> int:
    match = _TIME.fullmatch(text)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if minute < 60 and hour * 60 + minute <= 1440:
            return hour * 60 + minute
    raise HoursSpecError(f"cannot read time {text!r} in {clause!r}: write H:MM or HH:MM from 00:00 to 24:00")


def format_hours_spec(hours: WeeklyHours | None) -> str:
    """Canonical text for weekly hours (round-trips through parse_hours_spec); None -> "24x7"."""
    if hours is None:
        return "24x7"
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for day, intervals in enumerate(hours):
        if intervals:
            groups.setdefault(tuple(intervals), []).append(day)
    return "; ".join(
        f"{_format_days(days)} {','.join(f'{_hhmm(a)}-{_hhmm(b)}' for a, b in intervals)}"
        for intervals, days in groups.items()
    )


def _format_days(days: list[int]) -> str:
    if len(days) == 7:
        return "mon-sun"
    runs = []
    for start in (d for d in days if (d - 1) % 7 not in days):
        end = start
        while (end + 1) % 7 in days:
            end = (end + 1) % 7
        runs.append(DAY_NAMES[start] if end == start else f"{DAY_NAMES[start]}-{DAY_NAMES[end]}")
    return ",".join(runs)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _checked_hours(hours: WeeklyHours) -> WeeklyHours:
    """Validate a weekly-hours table given directly (not parsed) and return it as nested tuples."""
    if len(hours) != 7:
        raise HoursSpecError(f"working hours need 7 days, Monday to Sunday; got {len(hours)}")
    week = []
    for day, intervals in zip(DAY_NAMES, hours):
        previous_end = -1
        for interval in intervals:
            start, end = interval
            if not (0 <= start < end <= 1440):
                raise HoursSpecError(
                    f"bad working interval {tuple(interval)} on {day}: want (start_minute, end_minute)"
                    " with 0 <= start < end <= 1440"
                )
            if start < previous_end:
                raise HoursSpecError(f"working intervals on {day} overlap or are out of order: sort them, no overlap")
            previous_end = end
        week.append(tuple((int(a), int(b)) for a, b in intervals))
    if not any(week):
        raise HoursSpecError("the calendar has no working time: give at least one day with hours, or use 24x7")
    return tuple(week)


# --- holidays ---------------------------------------------------------------------------


# Holiday sets by (canonical code, year). Loading the holidays package costs over 100 ms (it
# imports every country), so a store that saved the dates seeds this with `preload_holidays`
# and a quick command never loads the package at all.
_HOLIDAYS: dict[tuple[str, int], frozenset[date]] = {}
_KNOWN_CODES: set[str] = set()


def preload_holidays(code: str, year: int, days: Iterable[date]) -> None:
    """Seed the holidays of a canonical country code for a year (saved earlier by the store)."""
    _HOLIDAYS[(code, year)] = frozenset(days)
    _KNOWN_CODES.add(code)


def country_holidays(code: str, years: Iterable[int]) -> dict[int, frozenset[date]]:
    """The holidays of a canonical code for each year, computed or from the seeded cache."""
    return {year: _country_holidays(code, year) for year in years}


@lru_cache(maxsize=None)
def _canonical_country(code: str) -> str:
    """"es-md" -> "ES-MD"; raises ValueError for a country or region the holidays package lacks."""
    if code in _KNOWN_CODES:
        return code
    import holidays  # only calendars with public holidays pay for loading the package

    country, _, region = code.strip().partition("-")
    country = country.upper()
    try:
        regions = holidays.country_holidays(country).subdivisions
    except NotImplementedError:
        raise ValueError(
            f"unknown holiday country {code!r}: use an ISO country code like ES or US, or with a region like ES-MD"
        ) from None
    if not region:
        return country
    for known in regions:
        if known.lower() == region.lower():
            return f"{country}-{known}"
    raise ValueError(f"unknown region {region!r} for holiday country {country}: use one of {', '.join(regions)}")


def _country_holidays(code: str, year: int) -> frozenset[date]:
    if (code, year) not in _HOLIDAYS:
        import holidays

        country, _, region = code.partition("-")
        _HOLIDAYS[(code, year)] = frozenset(holidays.country_holidays(country, subdiv=region or None, years=year))
    return _HOLIDAYS[(code, year)]


# --- calendars --------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly working hours in one time zone, minus holidays; None hours means 24x7."""

    tz: str = "UTC"
    hours: WeeklyHours | None = None
    holiday_countries: tuple[str, ...] = ()
    holiday_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone {self.tz!r}: use an IANA name like Europe/Madrid") from None
        countries = (self.holiday_countries,) if isinstance(self.holiday_countries, str) else self.holiday_countries
        # Normalised fields keep equality and hashing meaningful; private attributes hold the caches.
        set_ = object.__setattr__
        set_(self, "hours", None if self.hours is None else _checked_hours(self.hours))
        set_(self, "holiday_countries", tuple(_canonical_country(c) for c in countries))
        set_(self, "holiday_dates", frozenset(self.holiday_dates))
        set_(self, "_zone", zone)
        set_(self, "_days", {})  # local day number (days since 1970-01-01) -> ((start_ts, end_ts), ...)
        always_open = self.hours is None or all(day == _ALL_DAY for day in self.hours)
        set_(self, "_plain", always_open and not self.holiday_countries and not self.holiday_dates)

    def is_holiday(self, day: date) -> bool:
        return day in self.holiday_dates or any(day in _country_holidays(c, day.year) for c in self.holiday_countries)

    def is_working_time(self, instant: datetime) -> bool:
        ts = _epoch(instant)
        if self._plain:
            return True
        first = int(ts // 86400) - 1
        return any(a <= ts < b for d in range(first, first + 3) for a, b in self._spans(d))

    def business_seconds(self, start: datetime, end: datetime) -> float:
        return self.business_seconds_between(_epoch(start), _epoch(end))

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The deadline: the earliest instant t >= start with business_seconds(start, t) >= seconds, in UTC."""
        return datetime.fromtimestamp(self.deadline(_epoch(start), seconds), timezone.utc)

    def business_seconds_between(self, start_ts: float, end_ts: float) -> float:
        """Business seconds between two UTC epoch instants; 0 if end_ts <= start_ts."""
        if end_ts <= start_ts:
            return 0.0
        if self._plain:
            return float(end_ts - start_ts)
        days, spans_of = self._days, self._spans
        total = 0.0
        # A local date is at most one day away from the UTC date, so these days cover [start, end].
        for d in range(int(start_ts // 86400) - 1, int(end_ts // 86400) + 2):
            spans = days.get(d)
            if spans is None:
                spans = spans_of(d)
            for a, b in spans:
                if b <= start_ts:
                    continue
                if a >= end_ts:
                    return total
                total += (b if b < end_ts else end_ts) - (a if a > start_ts else start_ts)
        return total

    def deadline(self, start_ts: float, seconds: float) -> float:
        """UTC epoch instant when `seconds` of business time have passed since start_ts (see add_business_seconds)."""
        if seconds < 0:
            raise ValueError(f"business seconds to add must not be negative, got {seconds}")
        if seconds == 0 or self._plain:
            return start_ts + seconds
        days, spans_of = self._days, self._spans
        remaining = seconds
        first = int(start_ts // 86400) - 1
        for d in range(first, first + _DEADLINE_HORIZON_DAYS):
            spans = days.get(d)
            if spans is None:
                spans = spans_of(d)
            for a, b in spans:
                if b <= start_ts:
                    continue
                if a < start_ts:
                    a = start_ts
                # >= so a deadline landing exactly at closing time stays on that day.
                if b - a >= remaining:
                    return a + remaining
                remaining -= b - a
        raise ValueError(f"no deadline within 10 years: the calendar has too little working time for {seconds} s")

    def last_instant_within(self, start_ts: float, seconds: float) -> float:
        """The last instant t with business_seconds_between(start_ts, t) <= seconds.

        That is the deadline, unless the deadline falls at a closing time: the clock then stands still until
        the next opening, so only then has more than `seconds` of business time gone by (a lead with no
        attempt turns breached at 09:00:01, and an attempt at 17:30 still measures exactly the target).
        """
        return self.next_working_instant(self.deadline(start_ts, seconds))

    def next_working_instant(self, ts: float) -> float:
        """`ts` itself when the clock runs at `ts` (working time, or the very start of it), else the next opening."""
        if self._plain:
            return ts
        first = int(ts // 86400) - 1
        for d in range(first, first + _DEADLINE_HORIZON_DAYS):
            for a, b in self._spans(d):
                if b > ts:
                    return a if a > ts else ts
        raise ValueError("no working time within 10 years: the calendar has no working hours")

    def last_working_instant(self, ts: float) -> float:
        """`ts` itself when the clock ran just before `ts`, else the last closing before it: the business time
        from an instant t to `ts` is more than nothing exactly when t comes before this instant (so a step due at
        Friday's closing is not overdue over the weekend, only from Monday's opening on)."""
        if self._plain:
            return ts
        last = int(ts // 86400) + 1
        for d in range(last, last - _DEADLINE_HORIZON_DAYS, -1):
            for a, b in reversed(self._spans(d)):
                if a < ts:
                    return b if b < ts else ts
        raise ValueError("no working time within 10 years: the calendar has no working hours")

    def add_business_days(self, start_ts: float, days: int) -> float:
        """The same local time `days` working days after `start_ts` (days with working time, holidays skipped),
        moved into that day's working hours when it falls before the opening or after the closing."""
        if days <= 0:
            return start_ts
        if self._plain:
            return start_ts + days * 86400
        local = datetime.fromtimestamp(start_ts, self._zone)
        day_number = local.date().toordinal() - _EPOCH_ORDINAL
        for _ in range(_DEADLINE_HORIZON_DAYS):
            day_number += 1
            spans = self._spans(day_number)
            if spans:
                days -= 1
                if days == 0:
                    wall = local.hour * 60 + local.minute
                    ts = self._local_ts(date.fromordinal(day_number + _EPOCH_ORDINAL), wall) + local.second
                    return min(max(ts, spans[0][0]), spans[-1][1])
        raise ValueError("no working day within 10 years: the calendar has no working hours")

    def _spans(self, day_number: int) -> tuple[tuple[int, int], ...]:
        """UTC epoch working intervals of one local date (computed once, then cached)."""
        spans = self._days.get(day_number)
        if spans is None:
            spans = self._days[day_number] = self._local_spans(date.fromordinal(day_number + _EPOCH_ORDINAL))
        return spans

    def _local_spans(self, day: date) -> tuple[tuple[int, int], ...]:
        if self.is_holiday(day):
            return ()
        intervals = _ALL_DAY if self.hours is None else self.hours[day.weekday()]
        converted = ((self._local_ts(day, a), self._local_ts(day, b)) for a, b in intervals)
        return tuple((a, b) for a, b in converted if b > a)  # an interval inside a DST gap vanishes

    def _local_ts(self, day: date, minute: int) -> int:
        """UTC epoch of a local wall-clock minute; 24:00 is the next day's 00:00.

        Repeated wall times take their first occurrence (PEP 495 fold=0). Skipped wall times
        (DST gap) map to the transition instant, keeping the mapping monotonic so intervals
        never invert and day 24:00 always equals the next day's 00:00.
        """
        day += timedelta(days=minute // 1440)
        wall = datetime(day.year, day.month, day.day, minute % 1440 // 60, minute % 60)
        zone = self._zone
        ts = int(wall.replace(tzinfo=zone).timestamp())
        if datetime.fromtimestamp(ts, zone).replace(tzinfo=None) == wall:
            return ts
        # In a gap: fold=1 uses the offset after the jump, landing before it; bisect for the jump.
        lo, hi = int(wall.replace(tzinfo=zone, fold=1).timestamp()), ts
        lo, hi = min(lo, hi), max(lo, hi)
        after = datetime.fromtimestamp(hi, zone).utcoffset()
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if datetime.fromtimestamp(mid, zone).utcoffset() == after:
                hi = mid
            else:
                lo = mid
        return hi


def _epoch(instant: datetime) -> float:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{instant.isoformat()} has no time zone: pass an aware datetime (e.g. in UTC)")
    return instant.timestamp()
