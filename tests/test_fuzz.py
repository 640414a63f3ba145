"""No input crashes the parsers or the models: every rejection is a validation error with a message."""

import string
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from slatui.businesstime import HoursSpecError, parse_hours_spec
from slatui.models import Agreement, Attempt, Lead, describe_validation_error
from slatui.parsing import ParseError, parse_date, parse_month, parse_percent

SPEC_ALPHABET = string.ascii_letters + string.digits + " :-,;/x\n"
hours_like = st.one_of(
    st.text(),
    st.text(alphabet=SPEC_ALPHABET, max_size=40),
    st.builds(lambda d1, d2, a, b: f"{d1}-{d2} {a}-{b}",
              st.sampled_from(["mon", "tue", "fri", "sun", "xyz", ""]),
              st.sampled_from(["fri", "sat", "mon", "thu", "", "q"]),
              st.sampled_from(["09:00", "9:00", "25:00", "17:00", "24:00", "00:00", "9", "ab"]),
              st.sampled_from(["17:00", "09:00", "24:00", "12:60", "", "18:30"])),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                         st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                 st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=4)), max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(hours_like)
def test_hours_spec_raises_only_hours_spec_error(spec):
    try:
        hours = parse_hours_spec(spec)
    except HoursSpecError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert hours is None or len(hours) == 7


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.floats(), st.integers()))
def test_small_parsers_raise_only_parse_error(value):
    for parser in (parse_date, parse_month, parse_percent):
        try:
            parser(value if parser is parse_percent else str(value))
        except ParseError as exc:
            assert str(exc)


def _check_model(model, data) -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        message = describe_validation_error(exc)
        assert message and "\n" not in message


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "name": json_values, "kind": json_values, "status": json_values, "parties": json_values,
    "contacts": json_values, "effective_from": json_values, "effective_to": json_values,
    "targets": st.fixed_dictionaries({}, optional={k: json_values for k in (
        "lead_goal", "respond_within_seconds", "compliance_threshold", "min_attempts", "miss_limit")}),
    "calendar": st.fixed_dictionaries({}, optional={"tz": st.one_of(json_values, st.sampled_from(
        ["UTC", "Europe/Madrid", "Mars/Base", "../etc/passwd", ""])), "hours": st.one_of(json_values, hours_like),
        "holiday_countries": st.lists(st.sampled_from(["ES", "US-CA", "XX", "es-md", "", "ZZ-9"]), max_size=3)}),
    "tier_values": json_values,
}))
def test_agreement_model_rejects_with_messages(data):
    _check_model(Agreement, data)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({"agreement_id": json_values}, optional={
    "name": json_values, "email": json_values, "value": json_values, "status": json_values,
    "revenue": json_values, "source": json_values,
    "handed_off_at": st.one_of(json_values, st.datetimes(timezones=st.just(timezone.utc))),
    "closed_at": st.one_of(json_values, st.datetimes()),
}))
def test_lead_model_rejects_with_messages(data):
    _check_model(Lead, data)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({"lead_id": json_values, "outcome": json_values}, optional={
    "at": st.one_of(json_values, st.datetimes(), st.just(datetime(2026, 1, 1, tzinfo=timezone.utc))),
    "channel": json_values, "note": json_values,
}))
def test_attempt_model_rejects_with_messages(data):
    _check_model(Attempt, data)
