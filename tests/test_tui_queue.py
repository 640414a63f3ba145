"""The Queue screen (2): quick-log in three keys, outcome letters, countdown maths."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import FROZEN_NOW
from textual.widgets import Input, Select

from slatui import plan
from slatui.businesstime import BusinessCalendar, parse_hours_spec
from slatui.models import OUTCOMES, Lead
from slatui.parsing import format_duration
from slatui.store import Store, to_epoch
from slatui.tui.forms.attempt import AttemptForm
from slatui.tui.screens.queue import QueueScreen
from slatui.tui.widgets import cells
from slatui.tui.widgets.outcome_list import OutcomeList
from slatui.tui.widgets.queue_table import QueueTable, queue_entries

# Fresh handoffs on the Madrid agreement (1 business hour; FROZEN_NOW is Wednesday 16:30 there):
# one within its hour, one in its last quarter, one breached across the lunch break.
FRESH = [("Olivia Ok", 10), ("Dario Due", 50), ("Bea Breached", 180)]


@pytest.fixture
def queue_db(demo_db):
    """The demo plus three leads awaiting their first attempt: ok, due soon and breached."""
    with Store(demo_db) as store:
        agreement = store.get_agreement("MQL to SQL handoff")
        rep = store.get_rep("Alicia Romero")
        for name, minutes_ago in FRESH:
            store.add_lead(Lead(agreement_id=agreement.id, rep_id=rep.id, name=name, company="Fresh Co",
                                handed_off_at=FROZEN_NOW - timedelta(minutes=minutes_ago)))
    return demo_db


async def open_queue(pilot, settle) -> QueueTable:
    await pilot.press("2")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QueueScreen)
    return pilot.app.screen.query_one(QueueTable)


def test_the_queue_follows_the_plan_soonest_due_first_with_its_countdown(drive, queue_db, settle):
    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        entries = list(table.rows_by_id.values())
        assert [e["next_due_at"] for e in entries] == sorted(e["next_due_at"] for e in entries)
        fresh = {e["name"]: (e["urgency"], e["left"]) for e in entries if e["name"] in dict(FRESH)}
        assert fresh == {"Bea Breached": ("breached", -3600), "Dario Due": ("due", 600), "Olivia Ok": ("ok", 3000)}
        assert {e["urgency"] for e in entries if e["state"] == "follow_up"} <= {"working", "due"}
        bea = list(table.rows_by_id).index(next(e["id"] for e in entries if e["name"] == "Bea Breached"))
        line = table.get_cell_at((bea, 0)).plain
        assert line.startswith("overdue 1h ")
        assert "Bea Breached" in line and "attempt 1 of " in line
        summary = str(pilot.app.screen.query_one("#queue-summary").render())
        with Store(queue_db) as store:
            counts = plan.status(store, to_epoch(FROZEN_NOW))
            done = store.cadence_done()
        assert summary.startswith(f"{counts['overdue']} overdue / {counts['due_soon']} due within the hour · "
                                  f"{counts['leads']} owed an attempt · cadence done, not reached: {done}")

    drive(queue_db, scenario)


def test_when_more_leads_are_owed_than_shown_the_summary_says_so(drive, queue_db, settle, monkeypatch):
    """The table holds the soonest due (a page); its last row is not the end of the work, as the command line's
    "… and N more" says too."""
    page = plan.entries
    monkeypatch.setattr(plan, "entries", lambda *args, **kwargs: page(*args, **kwargs, limit=2))

    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        assert table.row_count == 2
        summary = str(pilot.app.screen.query_one("#queue-summary").render())
        assert " owed an attempt (2 shown) · " in summary

    drive(queue_db, scenario)
    monkeypatch.undo()

    async def all_shown(pilot):
        await open_queue(pilot, settle)
        assert "shown" not in str(pilot.app.screen.query_one("#queue-summary").render())

    drive(queue_db, all_shown)


def test_at_80x24_a_field_s_message_is_shown_whole_under_it(drive, queue_db, settle):
    """The message went below the fold of the form (focus scrolls to the field, not to what is under it) and
    was cut at the field's edge: 'the attempt (2020-01-01 10:00 CET) i'."""
    async def scenario(pilot):
        await open_queue(pilot, settle)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("c")
        pilot.app.screen.query_one("#at", Input).value = "2020-01-01 10:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = pilot.app.screen.query_one("#at-error")
        assert str(error.render()).endswith("check the time") and error.size.height > 1
        assert pilot.app.screen.query_one("#form-body").region.contains_region(error.region)

    drive(queue_db, scenario, size=(80, 24))


def test_a_c_ctrl_s_logs_connected_on_the_top_lead_and_it_leaves_the_queue(drive, queue_db, settle):
    top: dict = {}

    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        assert table.cursor_row == 0
        top.update(table.selected)
        following = list(table.rows_by_id.values())[1]["name"]
        await pilot.press("a", "c", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        toasts = [str(n.message) for n in pilot.app._notifications]
        assert f"Logged connected on {top['name']} — press u to undo" in toasts
        assert top["id"] not in table.rows_by_id
        assert table.cursor_row == 0
        assert table.selected["name"] == following

    drive(queue_db, scenario)
    with Store(queue_db) as store:
        attempt = store.attempts_of(top["id"])[-1]
        assert attempt["outcome"] == "connected"
        assert attempt["at"] == to_epoch(FROZEN_NOW)
        assert attempt["channel"] == "call"
        assert store.get_lead(top["id"]).status == "connected"
        assert top["id"] not in {row["id"] for row in store.plan_rows()}


def test_the_palette_command_logs_on_the_top_queue_lead(drive, queue_db, settle):
    async def scenario(pilot):
        await pilot.app.run_action("run_on('queue', 'log_attempt')")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AttemptForm)
        with Store(queue_db) as store:
            assert form.lead["name"] == store.plan_rows(limit=1)[0]["name"]

    drive(queue_db, scenario)


def test_the_form_opens_on_the_outcome_list_and_letters_pick_outcomes(drive, demo_db, settle):
    async def scenario(pilot):
        await open_queue(pilot, settle)
        await pilot.press("a")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AttemptForm)
        outcomes = form.query_one(OutcomeList)
        assert pilot.app.focused is outcomes
        assert outcomes.outcome is None
        for outcome in OUTCOMES:
            await pilot.press(outcome[0])
            assert outcomes.outcome == outcome
        await pilot.press("up")
        assert outcomes.outcome == "meeting_booked"
        # In the note, the same letters are text, not picks.
        form.query_one("#note").focus()
        await pilot.press("n", "v")
        assert form.query_one("#note").value == "nv"
        assert outcomes.outcome == "meeting_booked"

    drive(demo_db, scenario)


def test_saving_without_an_outcome_shows_an_error_and_escape_cancels(drive, demo_db, settle):
    with Store(demo_db) as store:
        attempts_before = store.conn.execute("SELECT count(*) FROM attempts").fetchone()[0]

    async def scenario(pilot):
        await open_queue(pilot, settle)
        await pilot.press("a", "ctrl+s")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AttemptForm)
        assert form.query_one("#outcome-error").has_class("-shown")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert store.conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == attempts_before


def test_a_bad_time_in_the_attempt_form_is_an_inline_error(drive, demo_db, settle):
    async def scenario(pilot):
        await open_queue(pilot, settle)
        await pilot.press("a", "v")
        form = pilot.app.screen
        form.query_one("#at").value = "last tuesday"
        await pilot.pause()  # let the edit's Changed pass before saving (it clears the field's error)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "can't read time" in str(form.query_one("#at-error").render())

    drive(demo_db, scenario)


def test_the_queue_reloads_itself_on_its_countdown_interval(drive, queue_db, settle, monkeypatch):
    monkeypatch.setattr(QueueScreen, "REFRESH_SECONDS", 0.2)

    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        with Store(queue_db) as store:
            lead_id = store.conn.execute("SELECT id FROM leads WHERE name = 'Bea Breached'").fetchone()[0]
            store.close_lead(lead_id, "disqualified", at=to_epoch(FROZEN_NOW))
            expected = {row["id"] for row in store.plan_rows()}
        assert set(table.rows_by_id) != expected
        await pilot.pause(0.5)
        await settle(pilot)
        assert set(table.rows_by_id) == expected

    drive(queue_db, scenario)


# ---- the countdown and its colours --------------------------------------------------------------

OFFICE = BusinessCalendar(tz="UTC", hours=parse_hours_spec("mon-fri 09:00-17:00"))


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def test_time_left_counts_business_time_and_goes_negative_once_breached():
    friday_4pm, monday_10am = _ts("2026-11-20T16:00"), _ts("2026-11-23T10:00")
    assert cells.time_left(monday_10am, friday_4pm, OFFICE) == 2 * 3600  # 1 h on Friday, 1 h on Monday
    assert cells.time_left(friday_4pm, monday_10am, OFFICE) == -2 * 3600
    assert format_duration(cells.time_left(friday_4pm, monday_10am, OFFICE)) == "-2h"


def test_urgency_is_due_in_the_last_quarter_and_breached_only_past_the_deadline():
    assert cells.urgency(3600, 3600) == "ok"
    assert cells.urgency(901, 3600) == "ok"
    assert cells.urgency(900, 3600) == "due"
    assert cells.urgency(0, 3600) == "due"  # equal to the target still counts as met
    assert cells.urgency(-1, 3600) == "breached"


def test_queue_entries_count_first_responses_down_to_their_deadline_and_follow_ups_to_their_step():
    entry = {"target_seconds": 3600, "state": "first_response"}
    entries = queue_entries([
        {**entry, "id": 3, "seconds_left": -1800},  # breached 30 min ago
        {**entry, "id": 4, "seconds_left": 600},  # due soon
        {**entry, "id": 1, "seconds_left": 3000},  # ok
        {**entry, "id": 2, "state": "follow_up", "seconds_left": -60},  # next attempt overdue
        {**entry, "id": 5, "state": "follow_up", "seconds_left": 7200},  # next attempt later
    ])
    assert [(e["id"], e["urgency"], e["left"]) for e in entries] == [
        (3, "breached", -1800), (4, "due", 600), (1, "ok", 3000), (2, "due", -60), (5, "working", 7200),
    ]


# ---- the day's plan: countdown, filters, snooze, overdue notice ------------------------------------------


def _row_named(table: QueueTable, name: str) -> tuple[int, dict]:
    lead_id = next(lead_id for lead_id, row in table.rows_by_id.items() if row["name"] == name)
    return table.get_row_index(str(lead_id)), table.rows_by_id[lead_id]


def _line(table: QueueTable, name: str) -> str:
    return table.get_cell_at((_row_named(table, name)[0], 0)).plain


def _later(pilot, minutes: float) -> None:
    """Move the app's clock on (the queue's tick reads it)."""
    pilot.app._clock = lambda: FROZEN_NOW + timedelta(minutes=minutes)


def test_the_countdown_ticks_from_the_rows_in_hand_without_a_query(drive, queue_db, settle, monkeypatch):
    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        assert _line(table, "Dario Due").startswith("due in 10m ")
        assert _line(table, "Olivia Ok").startswith("due in 50m ")

        def no_query(*args, **kwargs):
            raise AssertionError("the tick read the store")

        monkeypatch.setattr(plan, "entries", no_query)
        monkeypatch.setattr(plan, "status", no_query)
        _later(pilot, 4.5)
        pilot.app.screen.tick()
        await pilot.pause()
        assert _line(table, "Dario Due").startswith("due in 5m ")
        assert _line(table, "Olivia Ok").startswith("due in 45m ")
        assert _line(table, "Bea Breached").startswith("overdue 1h 4m ")

    drive(queue_db, scenario)


def _overdue_notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == "Overdue"]


def test_a_lead_falling_overdue_is_announced_once_and_rings_the_bell_only_when_turned_on(
        drive, queue_db, settle, monkeypatch):
    async def scenario(pilot):
        rings = []
        monkeypatch.setattr(pilot.app, "bell", lambda: rings.append(1))
        table = await open_queue(pilot, settle)
        screen = pilot.app.screen
        assert _overdue_notices(pilot.app) == []  # Bea was overdue already: nothing fell overdue
        dario = _row_named(table, "Dario Due")[1]["id"]

        _later(pilot, 9)
        screen.tick()
        await pilot.pause()
        assert _overdue_notices(pilot.app) == []
        _later(pilot, 11)
        screen.tick()
        await pilot.pause()
        assert _overdue_notices(pilot.app) == [f"Dario Due (#{dario}) is now overdue: its first response"]
        assert rings == []  # the bell is off unless turned on
        assert _line(table, "Dario Due").startswith("overdue 1m ")
        summary = str(screen.query_one("#queue-summary").render())
        # Once, even across later ticks and a reload.
        _later(pilot, 12)
        screen.tick()
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        assert len(_overdue_notices(pilot.app)) == 1
        assert summary.split(" overdue")[0] != "0"

        pilot.app.overdue_bell = True
        _later(pilot, 51)
        screen.tick()
        await pilot.pause()
        assert _overdue_notices(pilot.app)[-1].startswith("Olivia Ok")
        assert rings == [1]

    drive(queue_db, scenario)


def test_an_undo_that_brings_back_an_overdue_lead_announces_nothing(drive, queue_db, settle):
    """An attempt logged on a lead long overdue, then undone: 'Bea Breached is now overdue' was announced, as if
    it had just fallen due."""
    from slatui.models import Attempt

    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        bea = _row_named(table, "Bea Breached")[1]["id"]
        with Store(queue_db) as store:  # from a shell
            store.log_attempt(Attempt(lead_id=bea, at=FROZEN_NOW, outcome="no_answer"))
        await pilot.press("r")
        await settle(pilot)
        assert _row_named(table, "Bea Breached")[1]["seconds_left"] >= 0  # its next step is later
        with Store(queue_db) as store:
            store.undo()
        await pilot.press("r")
        await settle(pilot)
        assert _row_named(table, "Bea Breached")[1]["seconds_left"] < 0
        assert _overdue_notices(pilot.app) == []

    drive(queue_db, scenario)


def test_the_overdue_bell_is_toggled_from_the_palette_and_remembered(drive, demo_db, settle):
    from slatui.tui.app import BELL_SETTING

    async def turn_on(pilot):
        assert pilot.app.overdue_bell is False
        await pilot.app.run_action("toggle_bell")
        await settle(pilot)
        assert pilot.app.overdue_bell is True

    async def check(pilot):
        assert pilot.app.overdue_bell is True

    drive(demo_db, turn_on)
    with Store(demo_db) as store:
        assert store.setting(BELL_SETTING) == "on"
    drive(demo_db, check)


def test_the_agreement_and_rep_filters_are_remembered_between_runs(drive, queue_db, settle):
    with Store(queue_db) as store:
        agreement = store.get_agreement("MQL to SQL handoff")
        rep = store.get_rep("Alicia Romero")
        expected = [e["id"] for e in plan.entries(store, to_epoch(FROZEN_NOW), agreement_id=agreement.id,
                                                  rep_id=rep.id)]
        everyone = len(plan.entries(store, to_epoch(FROZEN_NOW)))
    assert 0 < len(expected) < everyone

    async def choose(pilot):
        table = await open_queue(pilot, settle)
        assert len(table.rows_by_id) == everyone
        screen = pilot.app.screen
        screen.query_one("#queue-agreement", Select).value = agreement.id
        await settle(pilot)
        screen.query_one("#queue-rep", Select).value = rep.id
        await settle(pilot)
        assert list(table.rows_by_id) == expected

    async def reopen(pilot):
        table = await open_queue(pilot, settle)
        screen = pilot.app.screen
        assert screen.query_one("#queue-agreement", Select).value == agreement.id
        assert screen.query_one("#queue-rep", Select).value == rep.id
        assert list(table.rows_by_id) == expected
        # Back to everyone's queue, remembered too.
        screen.query_one("#queue-rep", Select).clear()
        screen.query_one("#queue-agreement", Select).clear()
        await settle(pilot)
        assert len(table.rows_by_id) == everyone

    async def everyones(pilot):
        table = await open_queue(pilot, settle)
        assert pilot.app.screen.query_one("#queue-rep", Select).value is Select.NULL
        assert len(table.rows_by_id) == everyone

    drive(queue_db, choose)
    drive(queue_db, reopen)
    drive(queue_db, everyones)


def test_z_snoozes_the_selected_lead_and_bad_times_are_inline_errors(drive, queue_db, settle):
    from slatui.tui.forms.snooze import SnoozeForm

    snoozed: dict = {}

    async def scenario(pilot):
        table = await open_queue(pilot, settle)
        index = _row_named(table, "Olivia Ok")[0]  # due in 50m
        table.move_cursor(row=index)
        lead = table.selected
        snoozed.update(lead)
        await pilot.press("z")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, SnoozeForm)
        assert pilot.app.focused is form.query_one("#until")
        for text, error in (("", "give a time"), ("next blue moon", "can't read"),
                            ("yesterday 10:00", "has passed"), ("in 10m", "not due before")):
            form.query_one("#until", Input).value = text
            await pilot.pause()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert pilot.app.screen is form, text
            assert error in str(form.query_one("#until-error").render()), text
        form.query_one("#until", Input).value = "tomorrow 12:00"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any(n.startswith(f"lead {lead['id']} snoozed: attempt 1 of ") and "still breaches the SLA" in n
                   for n in notices)
        assert table.cursor_row == index  # on the lead that came next, not on the one put off
        assert table.selected["id"] != lead["id"]
        row = table.rows_by_id[lead["id"]]
        assert row["snoozed"] and _line(table, lead["name"]).startswith(f"{row['due_text']} z ")

    drive(queue_db, scenario)
    with Store(queue_db) as store:
        row = store.lead_row(snoozed["id"])
        assert row["snoozed_until"] == row["next_due_at"] > to_epoch(FROZEN_NOW)
