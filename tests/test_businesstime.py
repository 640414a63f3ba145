"""Business-time calendars: spec parsing, figures across weekends, holidays and DST, and properties."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slatui.businesstime import BusinessCalendar, HoursSpecError, format_hours_spec, parse_hours_spec

H = 3600
UTC = timezone.utc
MADRID, NEW_YORK = ZoneInfo("Europe/Madrid"), ZoneInfo("America/New_York")
TOKYO, LOS_ANGELES = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
PROPERTY = settings(max_examples=200, deadline=None)


def cal(tz: str, spec: str | None, countries: tuple[str, ...] = (), dates=frozenset()) -> BusinessCalendar:
    return BusinessCalendar(tz, parse_hours_spec(spec), countries, frozenset(dates))


def at(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold)


# --- parse_hours_spec -------------------------------------------------------------------

NINE_TO_FIVE = ((540, 1020),)


@pytest.mark.parametrize("spec", [None, "", "   ", "24x7", "24X7", " 24/7 "])
def test_always_open_specs_mean_24x7(spec):
    assert parse_hours_spec(spec) is None


@pytest.mark.parametrize(
    ("spec", "week"),
    [
        ("mon-fri 09:00-17:00", (NINE_TO_FIVE,) * 5 + ((), ())),
        ("mon-thu 09:00-17:00; fri 09:00-14:00", (NINE_TO_FIVE,) * 4 + (((540, 840),), (), ())),
        ("mon-fri 09:00-13:00,14:00-18:00", (((540, 780), (840, 1080)),) * 5 + ((), ())),
        ("sat 10:00-14:00", ((),) * 5 + (((600, 840),), ())),
        ("mon,wed,fri 9:00-12:00", (((540, 720),), (), ((540, 720),), (), ((540, 720),), (), ())),
        ("Monday-FRIDAY 09:00-17:00", (NINE_TO_FIVE,) * 5 + ((), ())),
        ("sun-thu 09:00-17:00", (NINE_TO_FIVE,) * 4 + ((), (), NINE_TO_FIVE)),
        ("fri-mon 09:00-17:00", (NINE_TO_FIVE, (), (), (), NINE_TO_FIVE, NINE_TO_FIVE, NINE_TO_FIVE)),
        ("mon-sun 00:00-24:00", (((0, 1440),),) * 7),
        ("mon - fri  09:00 - 17:00", (NINE_TO_FIVE,) * 5 + ((), ())),
        ("mon 14:00-18:00,09:00-13:00", (((540, 780), (840, 1080)),) + ((),) * 6),
        ("mon 09:00-13:00,13:00-17:00", (NINE_TO_FIVE,) + ((),) * 6),  # touching stretches join
        ("mon 09:00-17:00;", (NINE_TO_FIVE,) + ((),) * 6),
    ],
)
def test_parse_hours_spec(spec, week):
    assert parse_hours_spec(spec) == week


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "mun-fri 09:00-17:00",
            "unknown day 'mun' in 'mun-fri 09:00-17:00': use mon, tue, wed, thu, fri, sat, sun (or full names)",
        ),
        ("mon-fri 9am-5pm", "cannot read time '9am' in 'mon-fri 9am-5pm': write H:MM or HH:MM from 00:00 to 24:00"),
        ("mon 09:00-25:00", "cannot read time '25:00' in 'mon 09:00-25:00': write H:MM or HH:MM from 00:00 to 24:00"),
        ("mon 09:60-17:00", "cannot read time '09:60' in 'mon 09:60-17:00': write H:MM or HH:MM from 00:00 to 24:00"),
        ("mon 09:00-24:30", "cannot read time '24:30' in 'mon 09:00-24:30': write H:MM or HH:MM from 00:00 to 24:00"),
        ("mon 0900-1700", "cannot read time '0900' in 'mon 0900-1700': write H:MM or HH:MM from 00:00 to 24:00"),
        ("mon 09:00", "cannot read working hours '09:00' in 'mon 09:00': write start-end, e.g. 09:00-17:00"),
        ("mon-fri 17:00-09:00", "working hours 17:00-09:00 end before they start: write start-end, e.g. 09:00-17:00"),
        (
            "mon 09:00-09:00",
            "working hours 09:00-09:00 are empty: the end must come after the start, e.g. 09:00-17:00",
        ),
        (
            "mon 09:00-13:00,12:00-18:00",
            "working hours 09:00-13:00 and 12:00-18:00 overlap in 'mon 09:00-13:00,12:00-18:00': give each time once",
        ),
        (
            "mon-fri 09:00-17:00; fri 10:00-12:00",
            "fri is given twice in 'mon-fri 09:00-17:00; fri 10:00-12:00': give each day once",
        ),
        ("mon-fri,wed 09:00-17:00", "wed is given twice in 'mon-fri,wed 09:00-17:00': give each day once"),
        (";", "no working hours in ';': write them, e.g. mon-fri 09:00-17:00, or 24x7 for every hour"),
        ("mon-fri", "no working hours after 'mon-fri': add them, e.g. mon-fri 09:00-17:00"),
        ("09:00-17:00", "no days before '09:00-17:00': start with the days, e.g. mon-fri 09:00-17:00"),
    ],
)
def test_parse_hours_spec_errors(spec, message):
    with pytest.raises(HoursSpecError) as error:
        parse_hours_spec(spec)
    assert str(error.value) == message
    assert isinstance(error.value, ValueError)


# --- format_hours_spec ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (None, "24x7"),
        ("mon-fri 9:00-17:00", "mon-fri 09:00-17:00"),
        ("fri 9:00-14:00; mon-thu 9:00-17:00", "mon-thu 09:00-17:00; fri 09:00-14:00"),
        ("monday-friday 09:00-13:00, 14:00-18:00", "mon-fri 09:00-13:00,14:00-18:00"),
        ("mon,wed,fri 9:00-12:00", "mon,wed,fri 09:00-12:00"),
        ("sun-thu 08:00-16:00; fri 08:00-12:00", "sun-thu 08:00-16:00; fri 08:00-12:00"),
        ("mon-sun 00:00-24:00", "mon-sun 00:00-24:00"),
        ("sat 10:00-14:00", "sat 10:00-14:00"),
    ],
)
def test_format_hours_spec(spec, text):
    assert format_hours_spec(parse_hours_spec(spec)) == text


def _day_hours(points: list[int]) -> tuple[tuple[int, int], ...]:
    points = sorted(points)[: len(points) // 2 * 2]
    return tuple(zip(points[::2], points[1::2]))


weeks = st.tuples(*[st.lists(st.integers(0, 1440), unique=True, max_size=6).map(_day_hours)] * 7)


@PROPERTY
@given(weeks)
def test_format_then_parse_round_trips(week):
    assume(any(week))
    text = format_hours_spec(week)
    assert parse_hours_spec(text) == week
    assert format_hours_spec(parse_hours_spec(text)) == text


# --- construction -----------------------------------------------------------------------


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "madrid"])
def test_unknown_time_zone(tz):
    with pytest.raises(ValueError) as error:
        BusinessCalendar(tz=tz)
    assert str(error.value) == f"unknown time zone {tz!r}: use an IANA name like Europe/Madrid"


def test_unknown_holiday_country_and_region():
    with pytest.raises(ValueError, match=r"^unknown holiday country 'XX': use an ISO country code like ES or US"):
        BusinessCalendar(holiday_countries=("XX",))
    with pytest.raises(ValueError, match=r"^unknown region 'ZZ' for holiday country ES: use one of AN, AR, .*MD"):
        BusinessCalendar(holiday_countries=("ES-ZZ",))


def test_holiday_codes_are_normalised():
    assert BusinessCalendar(holiday_countries=("es-md", "us")).holiday_countries == ("ES-MD", "US")
    assert BusinessCalendar(holiday_countries="ES").holiday_countries == ("ES",)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (((),) * 7, "the calendar has no working time: give at least one day with hours, or use 24x7"),
        ((NINE_TO_FIVE,) * 6, "working hours need 7 days, Monday to Sunday; got 6"),
        (
            (((600, 540),),) + ((),) * 6,
            "bad working interval (600, 540) on mon: want (start_minute, end_minute) with 0 <= start < end <= 1440",
        ),
        (
            ((), ((540, 780), (700, 900))) + ((),) * 5,
            "working intervals on tue overlap or are out of order: sort them, no overlap",
        ),
    ],
)
def test_bad_hours_tables(hours, message):
    with pytest.raises(HoursSpecError) as error:
        BusinessCalendar(hours=hours)
    assert str(error.value) == message


def test_calendars_are_values():
    a = cal("Europe/Madrid", "mon-fri 10:00-18:00", ("ES",))
    assert a == cal("Europe/Madrid", "mon-fri 10:00-18:00", ("es",))
    assert hash(a) == hash(cal("Europe/Madrid", "mon-fri 10:00-18:00", ("ES",)))
    assert BusinessCalendar(hours=[[(540, 1020)]] * 7).hours == (NINE_TO_FIVE,) * 7


def test_naive_datetimes_and_negative_durations_are_refused():
    office = cal("Europe/Madrid", "mon-fri 10:00-18:00")
    with pytest.raises(ValueError, match="has no time zone"):
        office.business_seconds(datetime(2026, 3, 2, 10), at(MADRID, 2026, 3, 2, 12))
    with pytest.raises(ValueError, match="must not be negative"):
        office.add_business_seconds(at(MADRID, 2026, 3, 2, 12), -1)


def test_deadline_search_gives_up_after_ten_years():
    mondays = {date(2026, 1, 5) + timedelta(weeks=w) for w in range(600)}
    closed = cal("UTC", "mon 09:00-10:00", dates=mondays)
    with pytest.raises(ValueError, match="no deadline within 10 years"):
        closed.add_business_seconds(at(UTC, 2026, 1, 1), 1)


# --- figures: one office in Madrid, 10:00-18:00 Monday to Friday ----------------------------
# March 2026: Monday the 2nd .. Friday the 6th, weekend 7-8, Monday the 9th.

OFFICE = cal("Europe/Madrid", "mon-fri 10:00-18:00")


@pytest.mark.parametrize(
    ("start", "seconds", "deadline"),
    [
        ((2026, 3, 2, 14), 4 * H, (2026, 3, 2, 18)),  # lands exactly at closing: stays that day
        ((2026, 3, 2, 14), 4 * H + 1, (2026, 3, 3, 10, 0, 1)),
        ((2026, 3, 2, 10), 8 * H, (2026, 3, 2, 18)),
        ((2026, 3, 6, 16), 4 * H, (2026, 3, 9, 12)),  # Friday -> Monday
        ((2026, 3, 7, 11), 1 * H, (2026, 3, 9, 11)),  # Saturday: the clock starts Monday 10:00
        ((2026, 3, 2, 7), 1 * H, (2026, 3, 2, 11)),  # before opening
        ((2026, 3, 2, 19), 1 * H, (2026, 3, 3, 11)),  # after closing
        ((2026, 3, 2, 18), 1 * H, (2026, 3, 3, 11)),  # at closing
        ((2026, 3, 2, 11), 40 * H, (2026, 3, 9, 11)),  # one working week
        ((2026, 3, 2, 12, 30), 90 * 60, (2026, 3, 2, 14)),
    ],
)
def test_office_deadlines(start, seconds, deadline):
    result = OFFICE.add_business_seconds(at(MADRID, *start), seconds)
    assert result == at(MADRID, *deadline)
    assert result.tzinfo is UTC
    assert OFFICE.deadline(at(MADRID, *start).timestamp(), seconds) == at(MADRID, *deadline).timestamp()


@pytest.mark.parametrize(
    ("start", "seconds", "last"),
    [
        # DESIGN.md: a deadline at closing time stays that day, yet the lead turns breached only when the clock
        # runs again: the last instant with no more than the target gone by is the next opening.
        ((2026, 3, 2, 14), 4 * H, (2026, 3, 3, 10)),
        ((2026, 3, 6, 14), 4 * H, (2026, 3, 9, 10)),  # Friday's closing -> Monday's opening
        ((2026, 3, 2, 14), 2 * H, (2026, 3, 2, 16)),  # inside the day: the deadline itself
        ((2026, 3, 2, 10), 8 * H, (2026, 3, 3, 10)),
    ],
)
def test_last_instant_within_the_target(start, seconds, last):
    begin = at(MADRID, *start).timestamp()
    result = OFFICE.last_instant_within(begin, seconds)
    assert result == at(MADRID, *last).timestamp()
    assert OFFICE.business_seconds_between(begin, result) == seconds
    assert OFFICE.business_seconds_between(begin, result + 1) > seconds


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ((2026, 3, 2, 11, 30), 1, (2026, 3, 3, 11, 30)),  # the same time the next working day
        ((2026, 3, 6, 11), 1, (2026, 3, 9, 11)),  # Friday -> Monday
        ((2026, 3, 4, 12), 3, (2026, 3, 9, 12)),
        ((2026, 3, 2, 19, 30), 1, (2026, 3, 3, 18)),  # after closing: by the closing of that day
        ((2026, 3, 2, 8), 1, (2026, 3, 3, 10)),  # before opening: at its opening
        ((2026, 3, 7, 12), 1, (2026, 3, 9, 12)),  # from a Saturday
    ],
)
def test_adding_business_days(start, days, due):
    assert OFFICE.add_business_days(at(MADRID, *start).timestamp(), days) == at(MADRID, *due).timestamp()


def test_business_days_skip_holidays_and_are_plain_days_around_the_clock():
    office = cal("Europe/Madrid", "mon-fri 10:00-18:00", dates={date(2026, 3, 3)})
    assert office.add_business_days(at(MADRID, 2026, 3, 2, 12).timestamp(), 1) == at(MADRID, 2026, 3, 4, 12).timestamp()
    always = cal("UTC", None)
    assert always.add_business_days(1000.0, 2) == 1000.0 + 2 * 86400


@pytest.mark.parametrize(
    ("instant", "last"),
    [
        ((2026, 3, 4, 12), (2026, 3, 4, 12)),  # in working time: itself
        ((2026, 3, 4, 18), (2026, 3, 4, 18)),  # at the closing
        ((2026, 3, 4, 21), (2026, 3, 4, 18)),  # the evening: the closing
        ((2026, 3, 7, 12), (2026, 3, 6, 18)),  # the weekend: Friday's closing
        ((2026, 3, 9, 10), (2026, 3, 6, 18)),  # at Monday's opening nothing has run yet
        ((2026, 3, 9, 10, 1), (2026, 3, 9, 10, 1)),
    ],
)
def test_the_last_working_instant(instant, last):
    begin = at(MADRID, *instant).timestamp()
    result = OFFICE.last_working_instant(begin)
    assert result == at(MADRID, *last).timestamp()
    # Business time since an earlier instant is more than nothing exactly when it comes before that instant.
    assert OFFICE.business_seconds_between(result - 1, begin) > 0
    assert OFFICE.business_seconds_between(result, begin) == 0


def test_the_last_working_instant_skips_holidays_and_is_now_around_the_clock():
    office = cal("Europe/Madrid", "mon-fri 10:00-18:00", dates={date(2026, 3, 9)})
    assert office.last_working_instant(at(MADRID, 2026, 3, 9, 12).timestamp()) == at(MADRID, 2026, 3, 6, 18).timestamp()
    assert cal("UTC", None).last_working_instant(1000.0) == 1000.0


def test_adding_nothing_returns_the_start_even_outside_hours():
    saturday = at(MADRID, 2026, 3, 7, 11)
    assert OFFICE.add_business_seconds(saturday, 0) == saturday
    assert OFFICE.add_business_seconds(saturday, 0).tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "end", "seconds"),
    [
        ((2026, 3, 2, 9), (2026, 3, 2, 12), 2 * H),
        ((2026, 3, 2, 17), (2026, 3, 3, 11), 2 * H),  # overnight
        ((2026, 3, 6, 17), (2026, 3, 9, 11), 2 * H),  # over the weekend
        ((2026, 3, 7, 0), (2026, 3, 9, 0), 0),  # the weekend alone
        ((2026, 3, 2, 0), (2026, 3, 9, 0), 40 * H),
        ((2026, 3, 2, 12), (2026, 3, 2, 12), 0),
        ((2026, 3, 2, 12), (2026, 3, 2, 11), 0),  # end before start
    ],
)
def test_office_business_seconds(start, end, seconds):
    assert OFFICE.business_seconds(at(MADRID, *start), at(MADRID, *end)) == seconds


@pytest.mark.parametrize(
    ("instant", "working"),
    [
        ((2026, 3, 2, 10), True),
        ((2026, 3, 2, 9, 59, 59), False),
        ((2026, 3, 2, 17, 59, 59), True),
        ((2026, 3, 2, 18), False),
        ((2026, 3, 7, 12), False),
    ],
)
def test_office_is_working_time(instant, working):
    assert OFFICE.is_working_time(at(MADRID, *instant)) is working


def test_lunch_break():
    lunch = cal("Europe/Madrid", "mon-fri 09:00-13:00,14:00-18:00")
    assert lunch.business_seconds(at(MADRID, 2026, 3, 2, 9), at(MADRID, 2026, 3, 2, 18)) == 8 * H
    assert lunch.business_seconds(at(MADRID, 2026, 3, 2, 13, 30), at(MADRID, 2026, 3, 2, 14, 30)) == 30 * 60
    assert lunch.add_business_seconds(at(MADRID, 2026, 3, 2, 12), 2 * H) == at(MADRID, 2026, 3, 2, 15)
    assert lunch.add_business_seconds(at(MADRID, 2026, 3, 2, 12), 1 * H) == at(MADRID, 2026, 3, 2, 13)
    assert lunch.add_business_seconds(at(MADRID, 2026, 3, 2, 13, 30), 30 * 60) == at(MADRID, 2026, 3, 2, 14, 30)
    assert lunch.add_business_seconds(at(MADRID, 2026, 3, 2, 17), 2 * H) == at(MADRID, 2026, 3, 3, 10)
    assert not lunch.is_working_time(at(MADRID, 2026, 3, 2, 13))
    assert not lunch.is_working_time(at(MADRID, 2026, 3, 2, 13, 30))
    assert lunch.is_working_time(at(MADRID, 2026, 3, 2, 14))


# --- holidays ---------------------------------------------------------------------------


def test_country_holidays():
    spain = cal("Europe/Madrid", "mon-fri 10:00-18:00", ("ES",))
    assert spain.is_holiday(date(2026, 1, 1)) and spain.is_holiday(date(2026, 12, 25))
    assert not spain.is_holiday(date(2026, 1, 2))
    # New Year's Day (Thursday) is skipped: Wednesday 17:00 + 2 h is Friday 11:00.
    assert spain.add_business_seconds(at(MADRID, 2025, 12, 31, 17), 2 * H) == at(MADRID, 2026, 1, 2, 11)
    # Christmas is a Friday: Thursday 17:00 + 2 h is Monday 11:00; that week has only Thursday and Monday.
    assert spain.add_business_seconds(at(MADRID, 2026, 12, 24, 17), 2 * H) == at(MADRID, 2026, 12, 28, 11)
    assert spain.business_seconds(at(MADRID, 2026, 12, 24), at(MADRID, 2026, 12, 29)) == 16 * H
    assert not spain.is_working_time(at(MADRID, 2026, 12, 25, 12))


def test_regional_holidays():
    spain, madrid = (cal("Europe/Madrid", "mon-fri 10:00-18:00", (code,)) for code in ("ES", "ES-MD"))
    assert madrid.is_holiday(date(2026, 5, 2)) and not spain.is_holiday(date(2026, 5, 2))
    # Madrid moves All Saints' Day (a Sunday in 2026) to Monday 2 November.
    friday = at(MADRID, 2026, 10, 30, 17)
    assert spain.add_business_seconds(friday, 2 * H) == at(MADRID, 2026, 11, 2, 11)
    assert madrid.add_business_seconds(friday, 2 * H) == at(MADRID, 2026, 11, 3, 11)


def test_us_state_holidays_in_los_angeles():
    california = cal("America/Los_Angeles", "mon-fri 09:00-18:00", ("US-CA",))
    # Cesar Chavez Day, Tuesday 31 March 2026.
    monday = at(LOS_ANGELES, 2026, 3, 30, 17)
    assert california.add_business_seconds(monday, 2 * H) == at(LOS_ANGELES, 2026, 4, 1, 10)


def test_explicit_holiday_dates():
    office = cal("Europe/Madrid", "mon-fri 10:00-18:00", dates={date(2026, 3, 3)})
    assert office.is_holiday(date(2026, 3, 3))
    assert office.add_business_seconds(at(MADRID, 2026, 3, 2, 17), 2 * H) == at(MADRID, 2026, 3, 4, 11)
    assert office.business_seconds(at(MADRID, 2026, 3, 2), at(MADRID, 2026, 3, 5)) == 16 * H


def test_24x7_with_holidays_skips_whole_local_days():
    always = cal("Europe/Madrid", None, dates={date(2026, 3, 3), date(2026, 3, 29)})
    assert always.business_seconds(at(MADRID, 2026, 3, 2, 12), at(MADRID, 2026, 3, 4, 12)) == 24 * H
    assert always.add_business_seconds(at(MADRID, 2026, 3, 2, 12), 13 * H) == at(MADRID, 2026, 3, 4, 1)
    assert not always.is_working_time(at(MADRID, 2026, 3, 3, 0))
    assert always.is_working_time(at(MADRID, 2026, 3, 2, 23, 59, 59))
    # 28 to 31 March is 71 real hours (the 29th is a 23-hour DST day, and a holiday).
    assert always.business_seconds(at(MADRID, 2026, 3, 28), at(MADRID, 2026, 3, 31)) == 48 * H


# --- daylight saving time ---------------------------------------------------------------
# Madrid springs forward on Sunday 29 March 2026 (02:00 -> 03:00) and falls back on Sunday
# 25 October; New York on Sunday 8 March (02:00 -> 03:00) and Sunday 1 November (02:00 -> 01:00).


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (MADRID, (2026, 3, 29), 23),
        (MADRID, (2026, 10, 25), 25),
        (NEW_YORK, (2026, 3, 8), 23),
        (NEW_YORK, (2026, 11, 1), 25),
    ],
)
def test_dst_days(zone, day, hours):
    start, end = at(zone, *day), at(zone, *day) + timedelta(days=1)  # wall-clock midnight to midnight
    nine_to_five = cal(zone.key, "mon-sun 09:00-17:00")
    early = cal(zone.key, "mon-sun 00:00-06:00")
    assert nine_to_five.business_seconds(start, end) == 8 * H
    assert early.business_seconds(start, end) == (6 + hours - 24) * H  # holds the skipped or repeated hour
    assert early.deadline(start.timestamp(), (6 + hours - 24) * H) == at(zone, *day, 6).timestamp()
    for always in (cal(zone.key, None), cal(zone.key, None, dates={date(1990, 1, 1)})):  # fast and slow paths
        assert always.business_seconds(start, end) == hours * H
        assert always.add_business_seconds(start, hours * H) == end


def test_repeated_hour_in_new_york():
    early = cal("America/New_York", "sun 00:00-06:00")
    midnight = at(NEW_YORK, 2026, 11, 1)
    second_one_am = at(NEW_YORK, 2026, 11, 1, 1, fold=1)  # 01:00 EST, after the clocks went back
    # Compared as timestamps: Python never counts an ambiguous wall time equal across zones (PEP 495).
    assert early.add_business_seconds(midnight, 2 * H).timestamp() == second_one_am.timestamp()
    assert early.add_business_seconds(midnight, 2 * H) == datetime(2026, 11, 1, 6, tzinfo=UTC)
    assert early.business_seconds(at(NEW_YORK, 2026, 10, 31, 12), at(NEW_YORK, 2026, 11, 1, 12)) == 7 * H


def test_24x7_across_dst_equals_elapsed_time():
    for always in (cal("America/New_York", None), cal("America/New_York", None, dates={date(1990, 1, 1)})):
        assert always.business_seconds(at(NEW_YORK, 2026, 10, 31, 12), at(NEW_YORK, 2026, 11, 1, 12)) == 25 * H
        assert always.business_seconds(at(NEW_YORK, 2026, 3, 7, 12), at(NEW_YORK, 2026, 3, 8, 12)) == 23 * H


def test_intervals_in_the_skipped_hour():
    # 02:00-03:00 does not exist on 29 March in Madrid: 02:30-04:00 is one hour, 02:00-03:00 none.
    from_half_past_two = cal("Europe/Madrid", "sun 02:30-04:00")
    skipped = cal("Europe/Madrid", "sun 02:00-03:00")
    day = at(MADRID, 2026, 3, 29), at(MADRID, 2026, 3, 30)
    assert from_half_past_two.business_seconds(*day) == 1 * H
    assert from_half_past_two.add_business_seconds(day[0], 1 * H) == at(MADRID, 2026, 3, 29, 4)
    assert skipped.business_seconds(*day) == 0
    assert skipped.add_business_seconds(day[0], 1 * H) == at(MADRID, 2026, 4, 5, 3)


def test_midnight_dst_transition_in_santiago():
    # Chile springs forward at midnight (Saturday 24:00 -> Sunday 01:00, 6 September 2026).
    santiago = ZoneInfo("America/Santiago")
    always = cal("America/Santiago", None, dates={date(1990, 1, 1)})
    start, end = at(santiago, 2026, 9, 5, 12), at(santiago, 2026, 9, 6, 12)
    assert always.business_seconds(start, end) == end.timestamp() - start.timestamp() == 23 * H
    sunday = cal("America/Santiago", "sun 00:00-03:00")
    assert sunday.business_seconds(start, end) == 2 * H


# --- working hours that cross midnight UTC ----------------------------------------------


def test_tokyo_hours_cross_utc_midnight():
    tokyo = cal("Asia/Tokyo", "mon-fri 08:00-17:00")  # 23:00-08:00 UTC
    assert tokyo.add_business_seconds(at(TOKYO, 2026, 3, 2, 16), 2 * H) == datetime(2026, 3, 3, 0, tzinfo=UTC)
    assert tokyo.business_seconds(datetime(2026, 3, 2, 22, tzinfo=UTC), datetime(2026, 3, 3, 1, tzinfo=UTC)) == 2 * H
    assert tokyo.business_seconds(at(TOKYO, 2026, 3, 6, 16), at(TOKYO, 2026, 3, 9, 9)) == 2 * H
    assert tokyo.is_working_time(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # Monday 08:30 in Tokyo
    assert not tokyo.is_working_time(datetime(2026, 3, 2, 8, 30, tzinfo=UTC))


def test_los_angeles_hours_cross_utc_midnight():
    office = cal("America/Los_Angeles", "mon-fri 09:00-18:00")  # 16:00-01:00 UTC in March (PDT)
    friday = at(LOS_ANGELES, 2026, 3, 13, 17)
    assert office.add_business_seconds(friday, 2 * H) == at(LOS_ANGELES, 2026, 3, 16, 10)
    assert office.business_seconds(friday, at(LOS_ANGELES, 2026, 3, 16, 10)) == 2 * H
    assert office.business_seconds(datetime(2026, 3, 17, 0, tzinfo=UTC), datetime(2026, 3, 17, 2, tzinfo=UTC)) == H


# --- properties -------------------------------------------------------------------------

CALENDARS = [
    cal("Europe/Madrid", "mon-fri 09:00-13:00,14:00-18:00", ("ES-MD",)),
    cal("America/New_York", "mon-fri 09:00-17:00", ("US",)),
    cal("Asia/Tokyo", "mon-fri 08:00-17:00", ("JP",)),
    cal("America/Los_Angeles", "mon-thu 09:00-18:00; fri 09:00-14:00", ("US-CA",)),
    cal("America/New_York", "sun 00:00-06:00; wed 22:00-24:00"),
    cal("Australia/Lord_Howe", "mon-sun 01:00-03:00,23:30-24:00"),  # half-hour DST
    cal("Asia/Kathmandu", "sun-thu 10:00-17:00", dates={date(2026, 6, 1)}),
    cal("Europe/Madrid", None, dates={date(2026, 12, 25)}),
    cal("UTC", None),
]
calendars = st.sampled_from(CALENDARS)
instants = st.datetimes(datetime(2024, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC))
durations = st.one_of(st.integers(0, 30 * 24 * H), st.floats(0, 30 * 24 * H))
offsets = st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=40))


def reference_seconds(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business seconds the slow, obvious way: local date by local date with aware datetimes."""
    zone = ZoneInfo(calendar.tz)
    s, e = start.timestamp(), end.timestamp()
    total = 0.0
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        if not calendar.is_holiday(day):
            for a, b in ((((0, 1440),),) * 7 if calendar.hours is None else calendar.hours)[day.weekday()]:
                lo = (datetime.combine(day, time()) + timedelta(minutes=a)).replace(tzinfo=zone).timestamp()
                hi = (datetime.combine(day, time()) + timedelta(minutes=b)).replace(tzinfo=zone).timestamp()
                total += max(0.0, min(hi, e) - max(lo, s))
        day += timedelta(days=1)
    return total


@PROPERTY
@given(calendars, instants, durations)
def test_adding_then_measuring_round_trips(calendar, start, seconds):
    deadline = calendar.add_business_seconds(start, seconds)
    assert deadline >= start
    assert calendar.business_seconds(start, deadline) == pytest.approx(seconds, abs=1e-6)
    if seconds > 0:  # the earliest such instant: a moment earlier is not enough
        assert calendar.business_seconds(start, deadline - timedelta(milliseconds=1)) < seconds


@PROPERTY
@given(calendars, instants, offsets)
def test_business_time_matches_reference_and_never_exceeds_wall_time(calendar, start, offset):
    end = start + offset
    business = calendar.business_seconds(start, end)
    assert 0 <= business <= max(0.0, offset.total_seconds()) + 1e-6
    assert business == pytest.approx(reference_seconds(calendar, start, end), abs=1e-6)


@PROPERTY
@given(calendars, instants, offsets, offsets)
def test_business_time_adds_up_over_a_split_point(calendar, start, first, second):
    middle, end = start + abs(first), start + abs(first) + abs(second)
    whole = calendar.business_seconds(start, end)
    assert calendar.business_seconds(start, middle) + calendar.business_seconds(middle, end) == pytest.approx(
        whole, abs=1e-6
    )


@PROPERTY
@given(calendars, instants, offsets, durations)
def test_epoch_variants_agree_with_datetime_variants(calendar, start, offset, seconds):
    end = start + offset
    s, e = start.timestamp(), end.timestamp()
    assert calendar.business_seconds_between(s, e) == calendar.business_seconds(start, end)
    deadline = calendar.add_business_seconds(start, seconds)
    assert calendar.deadline(s, seconds) == pytest.approx(deadline.timestamp(), abs=1e-6)
    assert calendar.is_working_time(start) == (calendar.business_seconds_between(s, s + 1e-3) > 0)


# A far-away holiday forces the day-by-day path instead of the plain subtraction.
SLOW_24X7 = [
    cal(tz, None, dates={date(1990, 1, 1)})
    for tz in ("Europe/Madrid", "America/New_York", "America/Santiago", "Australia/Lord_Howe")
]


@PROPERTY
@given(st.sampled_from(SLOW_24X7), instants, instants)
def test_24x7_business_time_is_elapsed_time(slow_path, start, end):
    assert slow_path.business_seconds(start, end) == pytest.approx(max(0.0, (end - start).total_seconds()), abs=1e-6)
