"""Hostile or impossible input never shows a traceback: one line, exit code 2, the file unchanged.

Integers SQLite cannot store, inf and nan, bytes that are not UTF-8, years no one means, and times that have
not happened yet (issue 13: handoffs and attempts later than now are refused, in the zone the user typed)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from textual.widgets import Input

from slatui.models import Attempt, Lead
from slatui.store import Store
from slatui.tui.forms.attempt import AttemptForm
from slatui.tui.forms.lead import LeadForm

BIG = str(2**63)  # one past SQLite's largest integer
NOT_UTF8 = b"Jos\xe9".decode("utf-8", "surrogateescape")  # Latin-1 bytes, as Python passes them in argv


def _in_an_hour() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def db(tmp_path, monkeypatch, run):
    path = tmp_path / "hostile.db"
    monkeypatch.setenv("SLATUI_DB", str(path))
    for args in (["agreement", "add", "A", "--tz", "UTC"], ["rep", "add", "Ana"],
                 ["lead", "add", "Bob", "--agreement", "A", "--at", "2026-11-20T10:00"]):
        assert run(*args)[0] == 0
    return path


def _dump(path) -> list:
    conn = sqlite3.connect(path)
    try:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("agreements", "reps", "leads",
                                                                                   "attempts")]
    finally:
        conn.close()


def _refused(run, args, message: str) -> None:
    code, _, err = run(*args)
    assert code == 2, err
    assert message in err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(("args", "message"), [
    # Integers beyond SQLite's 64 bits: ids, limits and counts.
    (("log", BIG, "--outcome", "no_answer"), "too large"),
    (("leads", "--limit", BIG), "too large"),
    (("rep", "add", "Z", "--capacity", BIG), "too large"),
    (("agreement", "add", "Z", "--lead-goal", BIG), "too large"),
    (("agreement", "add", "Z", "--min-attempts", BIG), "too large"),
    (("agreement", "add", "Z", "--miss-limit", BIG), "too large"),
    (("agreement", "edit", "A", "--lead-goal", "9" * 40), "too large"),
    (("scorecard", "--months", BIG), "too large"),
    (("demo", "--leads", BIG, "--force"), "too large"),
    (("demo", "--seed", BIG, "--force"), "too large"),
    (("leads", "--agreement", BIG), "no agreement"),
    (("report", "--agreement", BIG), "no agreement"),
    (("agreement", "show", BIG), "no agreement"),
    (("agreement", "show", "²"), "no agreement"),  # a digit to str.isdigit(), not to int()
    (("lead", "add", "X", "--agreement", "A", "--rep", BIG), "no rep"),
    (("log", "1", "--outcome", "no_answer", "--rep", BIG), "no rep"),
    # inf and nan wherever a number is read.
    (("agreement", "add", "Z", "--quota", "inf"), "not a finite number"),
    (("agreement", "add", "Z", "--quota", "1e400"), "not a finite number"),
    (("agreement", "edit", "A", "--quota", "nan"), "not a finite number"),
    (("agreement", "add", "Z", "--tier-value", "CEO=inf"), "not a finite number"),
    (("lead", "add", "X", "--agreement", "A", "--value", "nan"), "not a finite number"),
    (("calc", "leads", "--quota", "inf", "--marketing-share", "100", "--deal-size", "100", "--close-rate", "50"),
     "not a finite number"),
    (("calc", "leads", "--quota", "1e308", "--marketing-share", "100", "--deal-size", "1e-308", "--close-rate",
      "1"), "deal size must be larger"),
    # Bytes that are not UTF-8, wherever they are.
    (("lead", "add", NOT_UTF8, "--agreement", "A"), "'Jos\\xe9' is not valid UTF-8"),
    (("log", "1", "--outcome", "no_answer", "--note", NOT_UTF8), "not valid UTF-8"),
    (("leads", "--agreement", NOT_UTF8), "not valid UTF-8"),
    (("agreement", "add", "Z", "--tz", NOT_UTF8), "not valid UTF-8"),
    # Years no one means.
    (("lead", "add", "X", "--agreement", "A", "--at", "0001-01-01"), "the year 1 is outside 1970-2100"),
    (("lead", "add", "X", "--agreement", "A", "--at", "1960-06-01T10:00"), "the year 1960 is outside"),
    (("log", "1", "--outcome", "no_answer", "--at", "9999-01-01"), "the year 9999 is outside"),
    (("report", "--as-of", "9999-01-01"), "the year 9999 is outside"),
    (("report", "--month", "9999-12"), "the year 9999 is outside"),
    (("scorecard", "--as-of", "0001-01-01"), "the year 1 is outside"),
    (("agreement", "add", "Z", "--from", "0001-01-01"), "the year 1 is outside"),
    (("agreement", "edit", "A", "--holiday", "2204-12-25"), "the year 2204 is outside"),
    # Times that have not happened: said in the zone they were typed in.
    (("log", "1", "--outcome", "no_answer", "--at", "2099-01-01"),
     "'2099-01-01' is 2099-01-01 00:00 in UTC, later than now"),
])
def test_hostile_values_get_one_line_and_change_nothing(db, run, args, message):
    before = _dump(db)
    _refused(run, args, message)
    assert _dump(db) == before


def test_a_time_later_than_now_is_refused_in_the_agreements_zone(db, run):
    assert run("agreement", "add", "Madrid", "--tz", "Europe/Madrid")[0] == 0
    before = _dump(db)
    soon = (datetime.now(UTC) + timedelta(hours=1)).astimezone().strftime("%Y-%m-%dT%H:%M%z")
    _refused(run, ["lead", "add", "X", "--agreement", "Madrid", "--at", soon], "in Europe/Madrid, later than now")
    _refused(run, ["log", "1", "--outcome", "no_answer", "--at", _in_an_hour() + "Z"], "in UTC, later than now")
    assert _dump(db) == before


def test_a_database_path_that_is_not_utf8_is_refused(db, run, monkeypatch):
    monkeypatch.setenv("SLATUI_DB", f"{db.parent}/{NOT_UTF8}.db")
    _refused(run, ["leads"], "not valid UTF-8")


async def _type(pilot, field: Input, text: str) -> None:
    field.focus()
    field.value = ""
    await pilot.press(*text)


def test_the_forms_refuse_a_time_later_than_now_inline(drive, demo_db, settle):
    with Store(demo_db) as store:
        before = _dump(demo_db)
        agreement = store.list_agreements()[0].name

    async def scenario(pilot):
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("a", "n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AttemptForm)
        await _type(pilot, form.query_one("#at", Input), _in_an_hour() + "Z")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "later than now" in str(form.query_one("#at-error").render())
        await pilot.press("escape")
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, LeadForm)
        await _type(pilot, form.query_one("#name", Input), "Future Fran")
        await _type(pilot, form.query_one("#handed_off_at", Input), "2200-01-01T09:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "the year 2200 is outside 1970-2100" in str(form.query_one("#handed_off_at-error").render())

    assert agreement
    drive(demo_db, scenario)
    assert _dump(demo_db) == before


@pytest.mark.parametrize(("model", "field", "data"), [
    (Lead, "handed_off_at", {"agreement_id": 1, "name": "X"}),
    (Attempt, "at", {"lead_id": 1, "outcome": "connected"}),
])
def test_the_models_refuse_times_that_cannot_be_true(model, field, data):
    now = datetime.now(UTC)
    model.model_validate({**data, field: now + timedelta(minutes=4)})  # another clock, a little ahead
    for when, message in ((now + timedelta(minutes=6), "later than now"), (datetime(1969, 12, 31, tzinfo=UTC),
                          "the year 1969 is outside 1970-2100"), (datetime(2101, 1, 1, tzinfo=UTC), "the year 2101")):
        with pytest.raises(ValidationError, match=message):
            model.model_validate({**data, field: when})


def test_a_stored_lead_from_before_the_rule_still_loads(db):
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE leads SET handed_off_at = ? WHERE id = 1", (int(datetime(2099, 1, 1).timestamp()),))
    conn.close()
    with Store(db) as store:
        assert store.get_lead(1).handed_off_at.year == 2099
