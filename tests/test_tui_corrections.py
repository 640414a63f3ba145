"""Correcting and closing in the app: edit a lead or an attempt, close as won/lost/disqualified, reopen, delete an
attempt, undo (u), the lead's history, the Reps screen and the rep pick lists."""

from __future__ import annotations

import io

from conftest import FROZEN_NOW
from rich.console import Console
from textual.widgets import Input, Select

from slatui.parsing import format_duration, format_local, parse_when
from slatui.store import Store, from_epoch, to_epoch
from slatui.tui.forms.attempt import AttemptForm, when_text
from slatui.tui.forms.base import ConfirmScreen
from slatui.tui.forms.close import CloseForm
from slatui.tui.forms.lead import LeadForm
from slatui.tui.forms.rep import ADD_REP, RepForm
from slatui.tui.screens.lead_detail import LeadDetailScreen
from slatui.tui.screens.leads import LeadsScreen
from slatui.tui.screens.queue import QueueScreen
from slatui.tui.screens.reps import RepsScreen, RepTable
from slatui.tui.widgets.queue_table import QueueTable


def toasts(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def shown(screen, selector: str) -> str:
    """What a Static shows, as plain text (a Rich table's cells too)."""
    console = Console(width=200, file=io.StringIO())
    with console.capture() as capture:
        console.print(screen.query_one(selector).content)
    return capture.get()


async def fill(pilot, values: dict[str, str]) -> None:
    for field_id, value in values.items():
        pilot.app.screen.query_one(f"#{field_id}", Input).value = value
    await pilot.pause()


async def open_detail(pilot, settle, lead_id: int) -> LeadDetailScreen:
    await pilot.press("3")
    await settle(pilot)
    detail = LeadDetailScreen(lead_id)
    await pilot.app.push_screen(detail)
    await settle(pilot)
    return detail


def rep_choices(form) -> list[str]:
    return [str(prompt) for prompt, _ in form.query_one("#rep_id", Select)._options]


def test_moving_the_first_attempt_changes_the_response_time_the_detail_and_its_history(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = next(r["id"] for r in store.lead_rows(agreement_id=store.terms("MQL to SQL handoff").id)
                       if r["attempts"] >= 3)
        first, second = store.attempts_of(lead_id)[:2]
        tz = store.clock(store.lead_row(lead_id)["agreement_id"], first["at"]).version.tz
    moved_to = when_text(from_epoch(second["at"] + 60), tz)  # after the second attempt
    moved_at = to_epoch(parse_when(moved_to, tz))

    async def scenario(pilot):
        detail = await open_detail(pilot, settle, lead_id)
        assert pilot.app.focused.id == "timeline" and detail.query_one("#timeline").cursor_row == 0
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AttemptForm) and form.attempt["id"] == first["id"]
        assert form.query_one("#at", Input).value == when_text(from_epoch(first["at"]), tz)
        assert form.query_one("#outcome").outcome == first["outcome"]
        await fill(pilot, {"at": moved_to})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is detail
        assert f"Saved attempt #{first['id']} — press u to undo" in toasts(pilot.app)
        with Store(demo_db) as store:
            lead = store.lead_row(lead_id)
        # The old second attempt is the first now: the speed fact and the timeline follow.
        assert lead["first_attempt_at"] == second["at"]
        assert f"first attempt after {format_duration(lead['response_seconds'])}" in shown(detail, "#detail-facts")
        timeline = detail.query_one("#timeline")
        assert timeline.coordinate_to_cell_key((0, 0)).row_key.value == str(second["id"])
        history = shown(detail, "#history").splitlines()
        assert "app: lead details · edited attempt" in history[0]
        assert history[1].strip() == (f"attempt #{first['id']}: at {format_local(first['at'], tz)} → "
                                      f"{format_local(moved_at, tz)}")

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        (change,) = store.history(lead_id=lead_id, limit=1)
        assert change["origin"] == "app: lead details" and change["summary"] == f"edited attempt #{first['id']}"


def test_close_as_won_then_reopen_then_undo_the_reopen(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = next(r["id"] for r in store.lead_rows(status="open") if r["handed_off_at"] < to_epoch(FROZEN_NOW))

    async def scenario(pilot):
        detail = await open_detail(pilot, settle, lead_id)
        assert not detail.check_action("reopen", ())  # an open lead: nothing to reopen
        await pilot.press("w")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CloseForm) and form.closed_as == "customer"
        assert form.query_one("#closed_at", Input).value == "now"
        await fill(pilot, {"revenue": "lots"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form and "can't read 'lots'" in str(form.query_one("#revenue-error").render())
        await fill(pilot, {"revenue": "1,500"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is detail
        assert "Closed lead" in toasts(pilot.app) and "as won — press u to undo" in toasts(pilot.app)
        facts = shown(detail, "#detail-facts")
        assert "customer" in facts and "won · " in facts and "revenue 1,500.00" in facts
        with Store(demo_db) as store:
            lead = store.lead_row(lead_id)
            assert (lead["closed_as"], lead["revenue"], lead["closed_at"]) == ("customer", 1500, to_epoch(FROZEN_NOW))

        await pilot.press("o")
        await settle(pilot)
        assert "Reopened lead" in toasts(pilot.app)
        with Store(demo_db) as store:
            assert store.lead_row(lead_id)["closed_as"] is None
        assert "won · " not in shown(detail, "#detail-facts")

        await pilot.press("u")  # undoes the reopen: the lead is won again
        await settle(pilot)
        assert "Undid: reopened lead" in toasts(pilot.app)
        assert not detail.check_action("undo", ())  # one change back only
        with Store(demo_db) as store:
            assert store.lead_row(lead_id)["closed_as"] == "customer"
        assert "revenue 1,500.00" in shown(detail, "#detail-facts")

    drive(demo_db, scenario)


def test_delete_an_attempt_after_confirming_then_undo(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = next(r["id"] for r in store.lead_rows() if r["attempts"] >= 2)
        attempts = store.attempts_of(lead_id)
        before = dict(store.lead_row(lead_id))

    async def scenario(pilot):
        detail = await open_detail(pilot, settle, lead_id)
        timeline = detail.query_one("#timeline")
        timeline.move_cursor(row=1)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("enter")  # "Keep" has the focus
        await settle(pilot)
        assert timeline.row_count == len(attempts)
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#answer-delete")
        await settle(pilot)
        assert timeline.row_count == len(attempts) - 1
        assert f"Deleted attempt #{attempts[1]['id']}" in toasts(pilot.app)
        assert "deleted attempt #" in shown(detail, "#history").splitlines()[1]
        with Store(demo_db) as store:
            assert store.lead_row(lead_id)["attempt_count"] == len(attempts) - 1
        await pilot.press("u")
        await settle(pilot)
        assert timeline.row_count == len(attempts)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert store.attempts_of(lead_id) == attempts
        assert dict(store.lead_row(lead_id)) == before


def test_close_as_lost_from_the_queue_with_a_reason_and_undo(drive, demo_db, settle):
    async def scenario(pilot):
        await pilot.press("2")
        await settle(pilot)
        table = pilot.app.screen.query_one(QueueTable)
        top = table.selected
        await pilot.press("l")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CloseForm) and form.closed_as == "lost" and form.lead.id == top["id"]
        await fill(pilot, {"close_reason": "went with a competitor"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        assert top["id"] not in table.rows_by_id
        with Store(demo_db) as store:
            lead = store.lead_row(top["id"])
            assert (lead["status"], lead["close_reason"]) == ("lost", "went with a competitor")
            assert store.history(lead_id=top["id"], limit=1)[0]["origin"] == "app: queue"
        await pilot.press("u")
        await settle(pilot)
        assert top["id"] in table.rows_by_id

    drive(demo_db, scenario)


def test_deactivated_reps_leave_the_pick_lists_but_stay_on_their_own_leads(drive, demo_db, settle):
    with Store(demo_db) as store:
        rep = store.rep_row("Emma Navarro")
        open_leads = store.count_leads(rep_id=rep["id"], open_only=True)
        own_lead = store.lead_rows(rep_id=rep["id"], limit=1)[0]
        other_lead = next(r for r in store.lead_rows(limit=50) if r["rep_id"] not in (None, rep["id"]))
    assert open_leads > 0

    async def scenario(pilot):
        await pilot.app.run_action("go('reps')")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RepsScreen)
        table = screen.query_one(RepTable)
        table.move_cursor(row=table.get_row_index(str(rep["id"])))
        await pilot.pause()
        await pilot.press("d")
        await settle(pilot)
        assert f"{open_leads} open leads are still theirs" in toasts(pilot.app)
        assert screen.reps[str(rep["id"])]["active"] == 0
        assert screen.check_action("set_active", (True,)) and not screen.check_action("set_active", (False,))

        await pilot.press("3")  # the pick lists, from the Leads screen
        await settle(pilot)
        assert isinstance(pilot.app.screen, LeadsScreen)
        for lead, expected in ((other_lead, False), (own_lead, True)):
            pilot.app.screen.open_lead_form(lead["id"])
            await settle(pilot)
            form = pilot.app.screen
            assert isinstance(form, LeadForm)
            choices = rep_choices(form)
            assert ("Emma Navarro (inactive)" in choices) is expected and "Emma Navarro" not in choices
            assert choices[-1] == "add a rep…"
            await pilot.press("escape")
            await settle(pilot)
        table = pilot.app.screen.query_one("#leads-table")
        for lead, expected in ((other_lead, []), (own_lead, ["Emma Navarro (inactive)"])):
            table.move_cursor(row=table.get_row_index(str(lead["id"])))
            await pilot.press("a")  # the attempt form's list, read after it opens
            await settle(pilot)
            form = pilot.app.screen
            assert isinstance(form, AttemptForm)
            assert [c for c in rep_choices(form) if c.startswith("Emma")] == expected
            assert form.query_one("#rep_id", Select).value == lead["rep_id"]
            await pilot.press("escape")
            await settle(pilot)

    drive(demo_db, scenario)


def test_a_lead_edit_writes_only_what_the_form_changed_and_a_move_keeps_the_handoff(drive, demo_db, settle):
    """Saved, the form wrote every field as it had read them (a rep set meanwhile from a shell went back); moved
    to an agreement in another zone, the handoff's wall time was read again there, six hours later."""
    with Store(demo_db) as store:
        madrid, new_york = (store.get_agreement(name).id for name in ("MQL to SQL handoff", "Northwind customer SLA"))
        lead = store.lead_rows(agreement_id=madrid, limit=1)[0]
        other_rep = next(rep["id"] for rep in store.rep_rows() if rep["id"] != lead["rep_id"])

    async def scenario(pilot):
        await pilot.press("3")
        await settle(pilot)
        pilot.app.screen.open_lead_form(lead["id"])
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, LeadForm)
        with Store(demo_db) as store:  # another process, while the form is open
            store.edit_lead(lead["id"], rep_id=other_rep)
        await fill(pilot, {"name": "Renamed Here"})
        form.query_one("#agreement_id", Select).value = new_york
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, LeadForm)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        saved = store.lead_row(lead["id"])
    assert (saved["name"], saved["rep_id"], saved["agreement_id"], saved["handed_off_at"]) == (
        "Renamed Here", other_rep, new_york, lead["handed_off_at"])


def test_the_lead_forms_add_a_rep_choice_adds_and_picks_the_rep(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = store.lead_rows(limit=1)[0]["id"]  # the top row of the Leads screen

    async def scenario(pilot):
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        form.query_one("#rep_id", Select).value = ADD_REP
        await settle(pilot)
        assert isinstance(pilot.app.screen, RepForm)
        await fill(pilot, {"name": "Nina Kowalski", "team": "Outbound", "weekly_capacity": "many"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in str(pilot.app.screen.query_one("#weekly_capacity-error").render())
        await fill(pilot, {"weekly_capacity": "25"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form
        assert "Nina Kowalski" in rep_choices(form)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LeadsScreen)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        rep = store.rep_row("Nina Kowalski")
        assert (rep["team"], rep["weekly_capacity"], rep["active"]) == ("Outbound", 25, 1)
        assert store.lead_row(lead_id)["rep_id"] == rep["id"]
        assert [c["origin"] for c in store.history(limit=2)] == ["app: leads", "app: leads"]


def test_palette_commands_reach_the_lead_and_rep_forms(drive, demo_db, settle):
    async def scenario(pilot):
        await pilot.app.run_action("on_lead('close(\"customer\")')")  # from the dashboard: the Leads' top lead
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, CloseForm) and form.closed_as == "customer"
        assert pilot.app.screen_stack[0].title == "Leads"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("x")  # x on Leads: disqualify, no longer delete
        await settle(pilot)
        assert isinstance(pilot.app.screen, CloseForm) and pilot.app.screen.closed_as == "disqualified"
        await pilot.press("escape")
        await pilot.app.run_action("on_lead('edit_attempt')")  # not on the Leads screen: a hint
        await settle(pilot)
        assert "Open a lead first" in toasts(pilot.app)
        await pilot.app.run_action("run_on('reps', 'new')")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RepForm)
        assert isinstance(pilot.app.screen_stack[0], RepsScreen)

    drive(demo_db, scenario)


def test_every_palette_command_runs_an_action_that_exists():
    from importlib import import_module

    from textual.actions import parse

    from slatui.tui.app import SlatuiApp
    from slatui.tui.commands import COMMANDS

    def has(cls: type, action: str) -> bool:
        return hasattr(cls, f"action_{parse(action)[1]}")

    for name, _, action in COMMANDS:
        _, target, params = parse(action)
        assert has(SlatuiApp, action), name
        if target == "run_on":
            mode, screen_action = params
            module, screen = SlatuiApp.MODE_SCREENS[mode]
            assert has(getattr(import_module(f"slatui.tui.screens.{module}"), screen), screen_action), name
        elif target == "on_lead" and params[0] not in ("edit_attempt", "delete_attempt", "delete"):
            assert all(has(screen, params[0]) for screen in (LeadDetailScreen, LeadsScreen, QueueScreen)), name
        elif target == "on_lead":
            assert has(LeadDetailScreen if "attempt" in params[0] else LeadsScreen, params[0]), name
