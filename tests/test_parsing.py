import re
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slatui.errors import SlatuiError
from slatui.parsing import (
    ParseError,
    format_duration,
    parse_date,
    parse_duration,
    parse_month,
    parse_past,
    parse_percent,
    parse_until,
    parse_when,
)

UTC = timezone.utc
WHEN_HINT = "use now, 15m ago, today 09:30, yesterday 16:00, 2026-03-01 or 2026-03-01T09:30"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def message(call, *args):
    with pytest.raises(ParseError) as error:
        call(*args)
    return str(error.value)


def test_parse_error_is_a_value_error_and_a_user_error():
    assert issubclass(ParseError, ValueError)
    assert issubclass(ParseError, SlatuiError)


# --- parse_duration --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90m", 5400),
        ("2h", 7200),
        ("1h30m", 5400),
        ("24h", 86400),
        ("45s", 45),
        ("1d", 86400),
        ("2d4h", 187200),
        ("1.5h", 5400),
        (".5h", 1800),
        ("90 min", 5400),
        ("2 hours", 7200),
        ("1 hour 30 minutes", 5400),
        ("1h 30m", 5400),
        ("  1H30M ", 5400),
        ("2 Days", 172800),
        ("1h05m", 3900),
        ("3 secs", 3),
        ("2 hrs", 7200),
        ("1.5s", 2),  # rounded to whole seconds
    ],
)
def test_parse_duration_accepts(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", "duration '90' needs a unit: write 90m, 2h or 1h30m"),
        (" 15 ", "duration '15' needs a unit: write 15m, 2h or 1h30m"),
        ("", "duration is empty: write 90m, 2h or 1h30m"),
        ("   ", "duration is empty: write 90m, 2h or 1h30m"),
        ("0m", "duration '0m' must be more than zero: write 90m, 2h or 1h30m"),
        ("0.1s", "duration '0.1s' must be more than zero: write 90m, 2h or 1h30m"),
        ("-5m", "duration '-5m' must be positive: write 90m, 2h or 1h30m"),
        ("3w", "unknown unit 'w' in duration '3w': use d, h, m or s, e.g. 1h30m"),
        ("2 fortnights", "unknown unit 'fortnights' in duration '2 fortnights': use d, h, m or s, e.g. 1h30m"),
        ("1h30", "duration '1h30' ends in a number without a unit: write 90m, 2h or 1h30m"),
        ("h", "can't read duration 'h': write 90m, 2h or 1h30m"),
        ("1.5.5h", "can't read duration '1.5.5h': write 90m, 2h or 1h30m"),
        ("1h-30m", "can't read duration '1h-30m': write 90m, 2h or 1h30m"),
        ("٣h", "can't read duration '٣h': write 90m, 2h or 1h30m"),  # Arabic-Indic digit
        ("3651d", "duration '3651d' is too long: at most 3650d"),
        ("9" * 400 + "d", f"duration '{'9' * 400}d' is too long: at most 3650d"),
    ],
)
def test_parse_duration_rejects(text, expected):
    assert message(parse_duration, text) == expected


def test_parse_duration_message_is_one_line():
    assert "\n" not in message(parse_duration, "1h\n2x")


# --- format_duration -------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (60, "1m"),
        (90, "1m30s"),
        (605, "10m05s"),
        (3600, "1h"),
        (3900, "1h05m"),
        (5400, "1h30m"),
        (5459, "1h30m"),  # seconds are dropped once there are hours
        (86400, "24h"),
        (187200, "52h"),  # never rolled into days
        (-3900, "-1h05m"),
        (-45, "-45s"),
        (-90.7, "-1m30s"),
        (59.9, "59s"),  # truncated toward zero
        (-0.4, "0s"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_format_duration_rejects_non_finite(value):
    with pytest.raises(ValueError, match="cannot format duration"):
        format_duration(value)


@given(st.integers(1, 100_000))
def test_parse_duration_inverts_format_duration_for_whole_minutes(minutes):
    assert parse_duration(format_duration(minutes * 60)) == minutes * 60


@given(st.integers(1, 3599))
def test_parse_duration_inverts_format_duration_under_an_hour(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.text())
def test_parse_duration_raises_only_parse_error(text):
    try:
        assert parse_duration(text) > 0
    except ParseError:
        pass


# --- parse_when ------------------------------------------------------------

NOW = utc(2026, 3, 10, 14, 0)  # 15:00 in Madrid, 10:00 in New York (both outside DST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("NOW", NOW),
        ("15m ago", utc(2026, 3, 10, 13, 45)),
        ("2h ago", utc(2026, 3, 10, 12, 0)),
        ("1h30m ago", utc(2026, 3, 10, 12, 30)),
        ("3d ago", utc(2026, 3, 7, 14, 0)),
        ("90 min  ago", utc(2026, 3, 10, 12, 30)),
        ("today", utc(2026, 3, 9, 23, 0)),  # local midnight
        ("yesterday", utc(2026, 3, 8, 23, 0)),
        ("today 09:30", utc(2026, 3, 10, 8, 30)),
        ("Today 9:30", utc(2026, 3, 10, 8, 30)),
        ("today 09:30:15", utc(2026, 3, 10, 8, 30, 15)),
        ("yesterday 16:00", utc(2026, 3, 9, 15, 0)),
        ("2026-03-01", utc(2026, 2, 28, 23, 0)),
        ("2026-03-01T09:30", utc(2026, 3, 1, 8, 30)),
        ("2026-03-01 09:30", utc(2026, 3, 1, 8, 30)),
        ("2026-03-01T09:30:45.5", utc(2026, 3, 1, 8, 30, 45, 500000)),
        ("2026-03-01T09:30Z", utc(2026, 3, 1, 9, 30)),
        ("2026-03-01t09:30z", utc(2026, 3, 1, 9, 30)),
        ("2026-03-01T09:30+00:00", utc(2026, 3, 1, 9, 30)),
        ("2026-03-01T09:30-05:00", utc(2026, 3, 1, 14, 30)),
        ("2026-07-01T09:30", utc(2026, 7, 1, 7, 30)),  # summer time, +02:00
        ("  2026-03-01T09:30  ", utc(2026, 3, 1, 8, 30)),
    ],
)
def test_parse_when_accepts(text, expected):
    result = parse_when(text, "Europe/Madrid", now=NOW)
    assert result == expected
    assert result.tzinfo is UTC


def test_parse_when_returns_utc_for_now_given_in_another_zone():
    now = datetime(2026, 3, 10, 15, 0, tzinfo=timezone(timedelta(hours=1)))
    result = parse_when("now", "Europe/Madrid", now=now)
    assert result == NOW and result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2h", utc(2026, 3, 10, 16, 0)),
        ("in 90m", utc(2026, 3, 10, 15, 30)),
        ("tomorrow", utc(2026, 3, 10, 23, 0)),  # local midnight: the opening, on a working calendar
        ("Tomorrow 9:30", utc(2026, 3, 11, 8, 30)),
        ("wednesday 10:00", utc(2026, 3, 11, 9, 0)),
        ("tue", utc(2026, 3, 16, 23, 0)),  # NOW is a Tuesday: the next one
        ("mon 08:00", utc(2026, 3, 16, 7, 0)),
        ("today 16:00", utc(2026, 3, 10, 15, 0)),
        ("2026-03-12T09:30", utc(2026, 3, 12, 8, 30)),
    ],
)
def test_parse_until_reads_times_to_come(text, expected):
    assert parse_until(text, "Europe/Madrid", now=NOW) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("next week", "can't read time 'next week': use in 2h, tomorrow, tomorrow 09:30, monday 10:00, today 16:00 or "
                  "2026-03-02T09:30"),
    ("in soon", "can't read duration 'soon'"),
    ("friday 25:00", "'friday 25:00' has no such time of day: write HH:MM, e.g. friday 09:30"),
])
def test_parse_until_says_what_it_reads(text, expected):
    assert message(parse_until, text, "Europe/Madrid", NOW).startswith(expected)


def test_parse_when_today_is_the_local_day_not_the_utc_day():
    # 22:00 on 1 March in New York is already 2 March in UTC.
    now = utc(2026, 3, 2, 3, 0)
    assert parse_when("today", "America/New_York", now=now) == utc(2026, 3, 1, 5, 0)
    assert parse_when("yesterday 16:00", "America/New_York", now=now) == utc(2026, 2, 28, 21, 0)


def test_parse_when_defaults_now_to_the_current_time():
    before = datetime.now(UTC)
    result = parse_when("now", "UTC")
    assert before <= result <= datetime.now(UTC)
    assert parse_when("today", "UTC") == datetime.combine(result.date(), datetime.min.time(), UTC)


# DST: Madrid springs forward 2026-03-29 02:00→03:00 and falls back 2026-10-25 03:00→02:00;
# New York springs forward 2026-03-08 02:00→03:00 and falls back 2026-11-01 02:00→01:00.
DST_CASES = [
    ("Europe/Madrid", date(2026, 3, 29), "03:30", utc(2026, 3, 29, 1, 30)),  # just after the gap
    ("Europe/Madrid", date(2026, 10, 25), "03:30", utc(2026, 10, 25, 2, 30)),  # after the fold
    ("America/New_York", date(2026, 11, 1), "02:30", utc(2026, 11, 1, 7, 30)),  # after the fold
]
# A typed time the clocks skip or show twice is refused with what to give instead: read as the offset before
# the jump (or the first pass), it was stored an hour off or by a guess.
DST_REFUSED = [
    ("Europe/Madrid", date(2026, 3, 29), "02:30", "does not exist in Europe/Madrid: the clocks jump forward then; "
                                                  "give the time after the jump, e.g. 03:30"),
    ("Europe/Madrid", date(2026, 10, 25), "02:30", "happens twice in Europe/Madrid (the clocks go back): add its "
                                                   "offset, +02:00 for the first or +01:00 for the second"),
    ("America/New_York", date(2026, 3, 8), "02:30", "does not exist in America/New_York"),
    ("America/New_York", date(2026, 11, 1), "01:30", "-04:00 for the first or -05:00 for the second"),
]


def _typed(form: str, day: date, clock: str) -> tuple[str, datetime]:
    """The time as typed in `form` (today, yesterday, an ISO date-time), and the `now` it is typed at."""
    afternoon = utc(day.year, day.month, day.day, 16, 0)  # of the same local day in both zones
    return {"today": (f"today {clock}", afternoon), "yesterday": (f"yesterday {clock}", afternoon + timedelta(days=1)),
            "iso": (f"{day.isoformat()}T{clock}", NOW)}[form]


@pytest.mark.parametrize("form", ["today", "yesterday", "iso"])
@pytest.mark.parametrize(("tz", "day", "clock", "expected"), DST_CASES)
def test_parse_when_across_dst(form, tz, day, clock, expected):
    text, now = _typed(form, day, clock)
    assert parse_when(text, tz, now=now) == expected


@pytest.mark.parametrize("form", ["today", "yesterday", "iso"])
@pytest.mark.parametrize(("tz", "day", "clock", "message"), DST_REFUSED)
def test_a_time_the_clocks_skip_or_repeat_is_refused(form, tz, day, clock, message):
    text, now = _typed(form, day, clock)
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_when(text, tz, now=now)


def test_an_offset_picks_either_pass_of_a_repeated_time():
    assert parse_when("2026-10-25T02:30+02:00", "Europe/Madrid", now=NOW) == utc(2026, 10, 25, 0, 30)
    assert parse_when("2026-10-25T02:30+01:00", "Europe/Madrid", now=NOW) == utc(2026, 10, 25, 1, 30)


def test_parse_when_local_midnight_on_dst_days():
    assert parse_when("2026-03-29", "Europe/Madrid", now=NOW) == utc(2026, 3, 28, 23, 0)
    assert parse_when("2026-10-26", "Europe/Madrid", now=NOW) == utc(2026, 10, 25, 23, 0)
    assert parse_when("yesterday", "Europe/Madrid", now=utc(2026, 3, 30, 10, 0)) == utc(2026, 3, 28, 23, 0)


def test_parse_when_ago_counts_elapsed_time_across_dst():
    # 04:00 CEST just after the jump; two real hours earlier was 01:00 CET.
    assert parse_when("2h ago", "Europe/Madrid", now=utc(2026, 3, 29, 2, 0)) == utc(2026, 3, 29, 0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2h", f"can't read time 'in 2h': {WHEN_HINT}"),
        ("tomorrow", f"can't read time 'tomorrow': {WHEN_HINT}"),
        ("tomorrow 09:30", f"can't read time 'tomorrow 09:30': {WHEN_HINT}"),
        ("", f"can't read time '': {WHEN_HINT}"),
        ("ago", f"can't read time 'ago': {WHEN_HINT}"),
        ("banana", f"can't read time 'banana': {WHEN_HINT}"),
        ("2026", f"can't read time '2026': {WHEN_HINT}"),
        ("2026-03", f"can't read time '2026-03': {WHEN_HINT}"),
        ("09:30", f"can't read time '09:30': {WHEN_HINT}"),
        ("2026-03-01T25:00", f"can't read time '2026-03-01T25:00': {WHEN_HINT}"),
        ("2026-03-01T09:30+99:00", f"can't read time '2026-03-01T09:30+99:00': {WHEN_HINT}"),
        ("2026-03-01 09:30 pm", f"can't read time '2026-03-01 09:30 pm': {WHEN_HINT}"),
        ("9999-12-31T24:00", f"can't read time '9999-12-31T24:00': {WHEN_HINT}"),
        ("2026-02-30", "'2026-02-30' is not a date: write YYYY-MM-DD, e.g. 2026-03-01"),
        ("today 24:00", "'today 24:00' has no such time of day: write HH:MM, e.g. today 09:30"),
        ("yesterday 9:75", "'yesterday 9:75' has no such time of day: write HH:MM, e.g. yesterday 09:30"),
        ("90 ago", "duration '90' needs a unit: write 90m, 2h or 1h30m"),
        ("-2h ago", "duration '-2h' must be positive: write 90m, 2h or 1h30m"),
        ("0001-01-01T00:30+01:00", "'0001-01-01T00:30+01:00': the year 1 is outside 1970-2100: is it a typo?"),
        ("2204-03-01", "'2204-03-01': the year 2204 is outside 1970-2100: is it a typo?"),
        ("1969-12-31T23:59", "'1969-12-31T23:59': the year 1969 is outside 1970-2100: is it a typo?"),
    ],
)
def test_parse_when_rejects(text, expected):
    assert message(parse_when, text, "Europe/Madrid", NOW) == expected


def test_parse_when_takes_the_years_1970_to_2100_as_typed():
    assert parse_when("1970-01-01", "UTC", now=NOW) == utc(1970, 1, 1)
    # The year the user typed counts, not the UTC one: the last evening of 2100 in New York is 2101 in UTC.
    assert parse_when("2100-12-31T22:00", "America/New_York", now=NOW) == utc(2101, 1, 1, 3, 0)
    assert "the year 2101" in message(parse_when, "2101-01-01T00:00Z", "UTC", NOW)
    assert "the year 2200" in message(parse_when, "now", "UTC", utc(2200, 1, 1))


@pytest.mark.parametrize(("text", "now", "expected"), [
    ("today 09:30", utc(2026, 12, 4, 4, 8), "'today 09:30' is 2026-12-04 09:30 in Europe/Madrid, later than now "
                                            "(2026-12-04 05:08): log it once it has happened"),
    ("2026-12-04T09:30", utc(2026, 12, 4, 4, 8), "'2026-12-04T09:30' is 2026-12-04 09:30 in Europe/Madrid, later "
                                                 "than now (2026-12-04 05:08): log it once it has happened"),
    ("2026-12-04T05:14", utc(2026, 12, 4, 4, 8), "'2026-12-04T05:14' is 2026-12-04 05:14 in Europe/Madrid, later "
                                                 "than now (2026-12-04 05:08): log it once it has happened"),
])
def test_parse_past_refuses_what_has_not_happened_in_the_zone_typed(text, now, expected):
    assert message(parse_past, text, "Europe/Madrid", now) == expected


def test_parse_past_allows_five_minutes_of_another_clock():
    now = utc(2026, 12, 4, 4, 8)
    assert parse_past("2026-12-04T05:13", "Europe/Madrid", now) == utc(2026, 12, 4, 4, 13)
    assert parse_past("today 05:08", "Europe/Madrid", now) == now
    assert parse_past("15m ago", "Europe/Madrid", now) == utc(2026, 12, 4, 3, 53)


def test_parse_past_defaults_now_to_the_current_time():
    assert "later than now" in message(parse_past, (datetime.now(UTC) + timedelta(hours=1)).isoformat(), "UTC")


def test_parse_when_rejects_unknown_time_zone():
    assert message(parse_when, "now", "Mars/Olympus", NOW) == (
        "unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Madrid"
    )


def test_parse_when_requires_an_aware_now():
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        parse_when("now", "UTC", now=datetime(2026, 3, 10, 14, 0))


ZONES = st.sampled_from(["UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"])
NOWS = st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
# Text shaped like the accepted forms, to reach deeper than random characters do.
NEAR_MISSES = st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9:.,+\-Zz ]{0,20})?\Z"),
    st.from_regex(r"\A(today|yesterday) ?[0-9:]{0,8}\Z"),
    st.from_regex(r"\A[0-9.]{0,5} ?[a-z]{0,8} ?[0-9.]{0,5}[a-z]{0,3} ago\Z"),
)


@given(text=st.one_of(st.text(), NEAR_MISSES), tz=ZONES, now=NOWS)
def test_parse_when_raises_only_parse_error(text, tz, now):
    try:
        result = parse_when(text, tz, now=now)
    except ParseError as error:
        assert "\n" not in str(error)
    else:
        assert result.tzinfo is UTC


# --- parse_date and parse_month --------------------------------------------


def test_parse_date():
    assert parse_date("2026-03-01") == date(2026, 3, 1)
    assert parse_date(" 2024-02-29 ") == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["2026-3-1", "20260301", "2026-02-30", "2025-02-29", "01/03/2026", "2026-W10-1", ""])
def test_parse_date_rejects(text):
    assert message(parse_date, text) == f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2026-03-01"


def test_parse_month():
    assert parse_month("2026-03") == (2026, 3)
    assert parse_month(" 2026-12 ") == (2026, 12)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-3", "202603", "2026-03-01", "March", ""])
def test_parse_month_rejects(text):
    assert message(parse_month, text) == f"{text!r} is not a month: write YYYY-MM, e.g. 2026-03"


# --- parse_percent ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fraction"),
    [
        ("85", 0.85),
        ("85%", 0.85),
        (" 85 % ", 0.85),
        ("85.5", 0.855),
        ("85,5", 0.855),
        (".5", 0.005),
        ("0", 0.0),
        ("100%", 1.0),
        ("0.85", 0.0085),  # always a percentage, never a fraction
        (85, 0.85),
        (85.5, 0.855),
        (100, 1.0),
    ],
)
def test_parse_percent(value, fraction):
    assert parse_percent(value) == pytest.approx(fraction)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", "percentage must be between 0 and 100, got 120"),
        (120, "percentage must be between 0 and 100, got 120"),
        ("-5%", "percentage must be between 0 and 100, got -5"),
        (100.5, "percentage must be between 0 and 100, got 100.5"),
        (float("nan"), "percentage must be between 0 and 100, got nan"),
        ("abc", "can't read percentage 'abc': write a number like 85 or 85%"),
        ("", "can't read percentage '': write a number like 85 or 85%"),
        ("85%%", "can't read percentage '85%%': write a number like 85 or 85%"),
        ("1e2", "can't read percentage '1e2': write a number like 85 or 85%"),
        (True, "can't read percentage True: write a number like 85 or 85%"),
    ],
)
def test_parse_percent_rejects(value, expected):
    assert message(parse_percent, value) == expected


@pytest.mark.parametrize(("parser", "text"), [
    (parse_month, "0000-01"), (parse_month, "9999-12"), (parse_month, "1969-12"),
    (parse_date, "0001-01-01"), (parse_date, "9999-12-31"), (parse_date, "2101-01-01"),
])
def test_dates_and_months_outside_1970_to_2100_are_typos(parser, text):
    assert message(parser, text).endswith("is outside 1970-2100: is it a typo?")


# --- follow-up cadences ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "gaps", "canonical"),
    [
        ("4h,1d,2d,2d,3d", ((0, 14400), (1, 0), (2, 0), (2, 0), (3, 0)), "4h,1d,2d,2d,3d"),
        (" 90m , 1 day ", ((0, 5400), (1, 0)), "1h30m,1d"),
        ("2 days", ((2, 0),), "2d"),
    ],
)
def test_cadence_steps_are_business_days_or_business_time(text, gaps, canonical):
    from slatui.parsing import format_cadence, parse_cadence

    assert parse_cadence(text) == gaps
    assert format_cadence(gaps) == canonical
    assert parse_cadence(canonical) == gaps


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty"), ("4h,,1d", "empty step"), ("1d4h", "mixes days with hours"), ("0d", "1 to 365"),
     ("soon", "can't read cadence step 'soon'"), ("-2h", "can't read cadence step")],
)
def test_bad_cadences_say_what_to_write(text, message):
    from slatui.parsing import parse_cadence

    with pytest.raises(ParseError, match=message):
        parse_cadence(text)
