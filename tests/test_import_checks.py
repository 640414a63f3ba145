"""The importer checks leads and attempts on plain values (a million models would cost more than the rest of
an import): its rules must be the models' (issue 16). Each sample is judged by both."""

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from slatui.io.batch import check_attempt, check_lead
from slatui.models import Attempt, Lead

NOW = int(datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp())
HANDOFF = int(datetime(2026, 3, 2, 9, tzinfo=timezone.utc).timestamp())
LEAD = {"agreement_id": 1, "rep_id": None, "name": "Ana", "company": "", "email": None, "tier": "",
        "source": "marketing", "value": None, "handed_off_at": HANDOFF, "status": "open", "revenue": None,
        "closed_at": None, "external_id": None}

LEADS = [
    {}, {"name": ""}, {"name": "x" * 201}, {"name": "x" * 200}, {"email": "ana@example.com"}, {"email": "nope"},
    {"source": "sales"}, {"source": "web"}, {"status": "customer"}, {"status": "won"}, {"value": 1500.5},
    {"value": -1.0}, {"value": 3}, {"status": "customer", "revenue": 10.0, "closed_at": HANDOFF + 60},
    {"revenue": 10.0}, {"closed_at": HANDOFF + 60}, {"status": "customer", "closed_at": HANDOFF - 60},
    {"status": "disqualified"}, {"company": "Acme", "tier": "CEO", "external_id": "L-1"}, {"external_id": ""},
]
ATTEMPTS = [
    {}, {"channel": "sms"}, {"channel": "fax"}, {"outcome": "connected"}, {"outcome": "won"}, {"note": "hello"},
    {"external_id": "A-1"}, {"channel": "meeting", "outcome": "meeting_booked"},
]


def _instant(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc)


def _model_accepts(model, values, instants):
    try:
        model.model_validate({k: _instant(v) if k in instants and v is not None else v for k, v in values.items()})
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("change", LEADS)
def test_lead_rules_are_the_models(change):
    row = {**LEAD, **change}
    assert (check_lead(row, NOW) == []) == _model_accepts(Lead, row, ("handed_off_at", "closed_at"))


@pytest.mark.parametrize("change", ATTEMPTS)
def test_attempt_rules_are_the_models(change):
    fields = {"at": HANDOFF, "outcome": "no_answer", **change}
    assert (check_attempt(fields, NOW) == []) == _model_accepts(Attempt, {**fields, "lead_id": 1}, ("at",))


def test_the_importer_also_refuses_what_no_model_can_tell():
    """Times outside 1970-2100 or in the future, and amounts that are not finite, are import rules."""
    assert check_lead({**LEAD, "handed_off_at": NOW + 3600}, NOW)[0][0] == "handed_off_at"
    assert check_lead({**LEAD, "handed_off_at": -86400}, NOW)[0][1].startswith("the year 1969 is outside 1970-2100")
    assert check_lead({**LEAD, "value": float("inf")}, NOW) == [("value", "inf is not a finite number")]
    assert check_attempt({"at": NOW + 200, "outcome": "no_answer"}, NOW) == []  # a fast clock is allowed for
