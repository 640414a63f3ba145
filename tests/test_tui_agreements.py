"""The agreements screen and editor: create with a fixed validation error, edit, delete, calculate goal."""

from __future__ import annotations

from conftest import FROZEN_NOW
from textual.widgets import Button, DataTable, Input, Label, RadioButton, Select

from slatui import metrics
from slatui.models import Agreement
from slatui.store import Store
from slatui.tui.forms.agreement import AgreementForm
from slatui.tui.forms.effective import EffectiveMonth
from slatui.tui.forms.base import ConfirmScreen
from slatui.tui.screens.agreements import AgreementsScreen
from slatui.tui.screens.calculator import CalculatorModal


async def _open_agreements(pilot, settle) -> None:
    await pilot.press("4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AgreementsScreen)


async def _select(pilot, settle, name: str) -> None:
    table = pilot.app.screen.query_one(DataTable)
    row = next(i for i in range(table.row_count) if table.get_row_at(i)[0] == name)
    table.move_cursor(row=row)
    await settle(pilot)


async def _fill(pilot, values: dict[str, str]) -> None:
    for field_id, value in values.items():
        pilot.app.screen.query_one(f"#{field_id}", Input).value = value
    await pilot.pause()


def _error(pilot, field_id: str) -> str:
    return str(pilot.app.screen.query_one(f"#{field_id}-error", Label).render())


def test_agreements_list_shows_targets_and_this_months_verdict(drive, demo_db):
    async def scenario(pilot):
        await pilot.press("4")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = pilot.app.screen.query_one(DataTable)
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == {"MQL to SQL handoff", "Northwind customer SLA", "Revenue engine"}
        name, status, kind, parties, targets, verdict = rows["MQL to SQL handoff"]
        assert (status, kind, parties) == ("active", "internal", "Marketing → Sales")
        assert targets == "120/mo · 1h · 85% · ≥6"
        # November, the frozen clock's month, is still running: on track or behind, never a cross.
        assert verdict == "on track" or verdict.startswith("behind: ")
        assert rows["Revenue engine"][3] == "Marketing → Sales → Customer Service"
        details = str(pilot.app.screen.query_one("#agreement-details").render())
        assert "Clock: Europe/Madrid (now 16:30 CET), mon-fri 09:00-14:00,15:00-18:00, holidays ES" in details
        assert "This month: leads " in details

    drive(demo_db, scenario)


def test_create_agreement_with_a_validation_error_then_fixed(drive, demo_db, settle):
    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementForm)
        await pilot.press(*"Partner SLA")
        await _fill(pilot, {"targets-respond_within_seconds": "fast", "targets-compliance_threshold": "120",
                            "calendar-tz": "Europe/Lisbon"})
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(pilot.app.screen, AgreementForm), "an invalid form must stay open"
        assert "can't read duration 'fast'" in _error(pilot, "targets-respond_within_seconds")
        assert "between 0 and 100" in _error(pilot, "targets-compliance_threshold")
        assert pilot.app.screen.query_one("#targets-respond_within_seconds").has_class("-invalid")
        with Store(demo_db) as store:
            assert len(store.list_agreements()) == 3

        await _fill(pilot, {"targets-respond_within_seconds": "2h", "targets-compliance_threshold": "80"})
        assert _error(pilot, "targets-respond_within_seconds") == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementsScreen)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        saved = store.get_agreement("Partner SLA")
    assert saved.targets.respond_within_seconds == 7200
    assert saved.targets.compliance_threshold == 0.8
    assert saved.calendar.tz == "Europe/Lisbon"
    assert [p.name for p in saved.parties] == ["Marketing", "Sales"]


def test_rules_across_fields_and_the_store_show_next_to_their_field(drive, demo_db, settle):
    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await pilot.press("n")
        await settle(pilot)
        await _fill(pilot, {"name": "MQL to SQL handoff", "calendar-tz": "Mars/Olympus",
                            "effective_from": "2026-05-01", "effective_to": "2026-04-01"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "unknown time zone 'Mars/Olympus'" in _error(pilot, "calendar-tz")

        await _fill(pilot, {"calendar-tz": "UTC"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "ends (2026-04-01) before it starts" in _error(pilot, "effective_to")

        await _fill(pilot, {"effective_to": ""})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "already exists" in _error(pilot, "name")
        assert isinstance(pilot.app.screen, AgreementForm)

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementsScreen)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert len(store.list_agreements()) == 3


def test_multilevel_agreement_with_an_added_party_and_contact(drive, demo_db, settle):
    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await pilot.press("n")
        await settle(pilot)
        screen = pilot.app.screen
        await _fill(pilot, {"name": "Three teams"})
        screen.query_one("#kind", Select).value = "multilevel"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "three or more parties" in _error(pilot, "parties")

        screen.query_one("#add-party", Button).press()
        await settle(pilot)
        screen.query_one("#add-contact", Button).press()
        await settle(pilot)
        await _fill(pilot, {"parties-2-name": "Customer Service", "contacts-0-name": "Ana", "contacts-0-party": "Ops"})
        assert "What Customer Service needs" in str(screen.query_one("#party-requirements .field-label").parent.parent
                                                      .query(".field-label").last().render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "party 'Ops' is not one of the parties" in _error(pilot, "contacts")

        await _fill(pilot, {"contacts-0-party": "Customer Service", "contacts-0-email": "ana@example.com"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementsScreen)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        saved = store.get_agreement("Three teams")
    assert saved.kind == "multilevel"
    assert [p.name for p in saved.parties] == ["Marketing", "Sales", "Customer Service"]
    assert saved.contacts[0].email == "ana@example.com"


def test_an_edit_asks_from_which_month_and_counts_the_months_judged_again(drive, demo_db, settle):
    with Store(demo_db) as store:
        northwind = store.get_agreement("Northwind customer SLA")
        every = store.months_judged_again(northwind.id, "1970-01", FROZEN_NOW)
        before = {m: metrics.month_report(store, store.terms(northwind.id), 2026, m, FROZEN_NOW) for m in (8, 9)}
    assert every >= 3  # the demo's months before November

    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await _select(pilot, settle, "Northwind customer SLA")
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AgreementForm)
        assert form.query_one("#targets-lead_goal", Input).value == "60"
        await _fill(pilot, {"targets-cadence": "fast"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "can't read cadence step 'fast'" in _error(pilot, "targets-cadence")
        await _fill(pilot, {"targets-lead_goal": "75", "calendar-hours": "mon-fri 08:00-12:00, 13:00-17:00",
                            "targets-cadence": "4h, 1d"})
        await pilot.press("ctrl+s")
        await settle(pilot)

        # The goal, the hours and the cadence changed: from which month? This month (the app's clock) by default.
        question = pilot.app.screen
        assert isinstance(question, EffectiveMonth)
        assert str(question.query_one("#effective-changes").render()) == (
            "Changed: 75 leads/month; follow-up gaps 4h,1d; hours mon-fri 08:00-12:00,13:00-17:00")
        assert question.query_one("#effective-this", RadioButton).label.plain == "This month, 2026-11"
        assert "No past month is judged again" in _note(question)
        await pilot.press("escape")  # back to the editor, nothing saved
        await settle(pilot)
        assert pilot.app.screen is form
        await pilot.press("ctrl+s")
        await settle(pilot)
        question = pilot.app.screen

        question.query_one("#effective-all", RadioButton).value = True
        await settle(pilot)
        assert f"History is rewritten: {every} past months judged again" in _note(question)
        await pilot.press("tab")  # the month field: typing in it picks "another month"
        await pilot.press(*"2026-9")
        await settle(pilot)
        assert question.query_one("#effective-other", RadioButton).value
        assert "Type the first month" in _note(question)
        await pilot.press("ctrl+s")  # not a month yet: the question stays and says why
        await settle(pilot)
        assert pilot.app.screen is question
        assert "is not a month" in str(question.query_one("#effective-month-error").render())
        await pilot.press("backspace", *"09")
        await settle(pilot)
        assert "2 past months (to 2026-10) judged again by the new terms; earlier months keep" in _note(question)
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(pilot.app.screen, AgreementsScreen)
        table = pilot.app.screen.query_one(DataTable)
        assert table.get_row_at(table.cursor_row)[4].startswith("75/mo")
        assert "Terms changed from 2026-09: 75 leads/month" in str(
            pilot.app.screen.query_one("#agreement-details").render())

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        edited = store.get_agreement("Northwind customer SLA")
        terms = store.terms(edited.id)
        assert store.recomputing() == {}  # the app recomputed the leads the new hours move
        after = {m: metrics.month_report(store, terms, 2026, m, FROZEN_NOW) for m in (8, 9)}
    assert [(v.from_month, v.lead_goal, v.cadence) for v in terms.versions] == [
        ("1970-01", 60, None), ("2026-09", 75, "4h,1d")]
    assert edited.calendar.hours == "mon-fri 08:00-12:00,13:00-17:00"
    assert edited.summary == "Our agency generates leads for Northwind's sales team."
    # August keeps the terms it was judged by; September is judged by the new ones.
    assert after[8] == before[8]
    assert (before[9]["terms"]["lead_goal"], after[9]["terms"]["lead_goal"]) == (60, 75)


def test_an_edit_writes_only_what_the_form_changed(drive, demo_db, settle):
    """Saved, the editor wrote every field as it had read them: a compliance target and a summary set meanwhile
    from a shell went back to their old values, unsaid."""
    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await _select(pilot, settle, "Northwind customer SLA")
        await pilot.press("e")
        await settle(pilot)
        with Store(demo_db) as store:  # another process, while the form is open
            elsewhere = store.get_agreement("Northwind customer SLA")
            store.update_agreement(elsewhere.model_copy(update={
                "summary": "Changed in a shell.",
                "targets": elsewhere.targets.model_copy(update={"compliance_threshold": 0.8})}))
        await _fill(pilot, {"targets-lead_goal": "65"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(pilot.app.screen.query_one("#effective-changes").render()) == "Changed: 65 leads/month"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementsScreen)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        saved = store.get_agreement("Northwind customer SLA")
    assert (saved.targets.lead_goal, saved.targets.compliance_threshold, saved.summary) == (
        65, 0.8, "Changed in a shell.")


def _note(question: EffectiveMonth) -> str:
    return str(question.query_one("#effective-note").render())


def test_calculate_goal_fills_the_lead_goal(drive, demo_db, settle):
    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await pilot.press("enter")
        await settle(pilot)
        await _fill(pilot, {"targets-sales_quota": "5000"})
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CalculatorModal)
        assert pilot.app.screen.query_one("#calc-quota", Input).value == "5000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementForm)
        assert pilot.app.screen.query_one("#targets-lead_goal", Input).value == "100"

    drive(demo_db, scenario)


def test_delete_agreement_with_leads_asks_and_cascades(drive, demo_db, settle):
    with Store(demo_db) as store:
        leads = store.count_leads_of_agreement(store.get_agreement("Northwind customer SLA").id)
    assert leads > 0

    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await _select(pilot, settle, "Northwind customer SLA")
        await pilot.press("x")
        await settle(pilot)
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert f"It has {leads} leads" in confirm.question
        await pilot.press("escape")  # first: change of mind
        await settle(pilot)
        assert pilot.app.screen.query_one(DataTable).row_count == 3

        await pilot.press("x")
        await settle(pilot)
        await pilot.press("tab", "enter")  # "Keep it" has focus; the cascade button is next
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementsScreen)
        table = pilot.app.screen.query_one(DataTable)
        assert [table.get_row_at(i)[0] for i in range(table.row_count)] == ["MQL to SQL handoff", "Revenue engine"]

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert [a.name for a in store.list_agreements()] == ["MQL to SQL handoff", "Revenue engine"]
        assert store.count_leads() == 300 - leads


def test_palette_edit_from_another_screen_waits_for_the_list(drive, demo_db, settle):
    async def scenario(pilot):
        await pilot.press("ctrl+p", *"agreement: edit")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AgreementForm)
        assert pilot.app.screen.original.name == "MQL to SQL handoff"

    drive(demo_db, scenario)


def test_delete_agreement_without_leads(drive, demo_db, settle):
    with Store(demo_db) as store:
        store.add_agreement(Agreement(name="Unused SLA"))

    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await _select(pilot, settle, "Unused SLA")
        await pilot.press("x")
        await settle(pilot)
        assert "It has no leads" in pilot.app.screen.question
        await pilot.press("enter")  # "Keep it" has focus: enter alone deletes nothing
        await settle(pilot)
        assert pilot.app.screen.query_one(DataTable).row_count == 4
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert pilot.app.screen.query_one(DataTable).row_count == 3

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert "Unused SLA" not in [a.name for a in store.list_agreements()]


def test_a_new_agreement_starts_from_the_guide_and_ctrl_o_jumps_to_a_section(drive, demo_db, settle):
    from slatui.models import system_zone
    from slatui.tui.forms.agreement import NO_HOURS, JumpList

    async def scenario(pilot):
        await _open_agreements(pilot, settle)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert form.query_one("#targets-compliance_threshold", Input).value == "85"
        assert form.query_one("#calendar-tz", Input).value == system_zone() != "Etc/UTC"
        hours = form.query_one("#calendar-hours", Input)
        assert (hours.value, hours.placeholder) == ("", NO_HOURS)
        # The targets come right after the name, before the guide's prose.
        sections = [section.id for section in form.query(".section")]
        assert sections[:2] == ["section-targets", "section-calendar"] and sections[-1] == "section-cancellation"

        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, JumpList)
        await pilot.press("5")
        await settle(pilot)
        assert pilot.app.screen is form and form.focused.id == "plan_if_missed"
        await pilot.press("ctrl+o", "c")
        await settle(pilot)
        assert form.focused.id == "calendar-tz"
        body = form.query_one("#form-body")
        assert form.query_one("#section-calendar").region.y == body.region.y  # its title at the top

    drive(demo_db, scenario, size=(80, 24))
