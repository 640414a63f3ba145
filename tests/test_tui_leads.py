"""The Leads screen (3): new handoff, edit, delete + undo, filter, paging, lead detail."""

from __future__ import annotations

from datetime import timedelta

from conftest import FROZEN_NOW
from textual.widgets import Input, Select

from slatui.errors import NotFound
from slatui.store import Store
from slatui.tui.forms.lead import LeadForm
from slatui.tui.screens.lead_detail import LeadDetailScreen
from slatui.tui.screens.leads import FILTER_DELAY
from slatui.tui.widgets.lead_table import LeadTable


async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def fill(pilot, field_id: str, text: str) -> None:
    """Set a form input as if typed (its Changed is handled before the next key)."""
    pilot.app.screen.query_one(f"#{field_id}", Input).value = text
    await pilot.pause()


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_leads(pilot, settle) -> LeadTable:
    await pilot.press("3")
    await settle(pilot)
    return pilot.app.screen.query_one(LeadTable)


def test_new_handoff_with_a_bad_time_shows_the_error_then_saves(drive, demo_db, settle):
    with Store(demo_db) as store:
        before = store.count_leads()

    async def scenario(pilot):
        await open_leads(pilot, settle)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, LeadForm)
        await fill(pilot, "name", "Zoe Quintana")
        await fill(pilot, "company", "Initech")
        await fill(pilot, "handed_off_at", "yesterday 25:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is form, "an invalid form stays open"
        error = form.query_one("#handed_off_at-error")
        assert error.has_class("-shown") and "25:00" in str(error.render())
        with Store(demo_db) as store:
            assert store.count_leads() == before

        await fill(pilot, "handed_off_at", "15m ago")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, LeadForm)
        assert "Saved lead Zoe Quintana" in " ".join(toasts(pilot.app))
        table = pilot.app.screen.query_one(LeadTable)
        assert any(row["name"] == "Zoe Quintana" for row in table.rows_by_id.values())

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert store.count_leads() == before + 1
        (row,) = store.lead_rows(text="Zoe Quintana")
        assert row["handed_off_at"] == int((FROZEN_NOW - timedelta(minutes=15)).timestamp())
        assert row["agreement"] == "MQL to SQL handoff"  # the first agreement by name is the default
        assert row["company"] == "Initech"


def test_edit_keeps_the_handoff_instant_and_saves_the_change(drive, demo_db, settle):
    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        lead_id = table.selected["id"]
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, LeadForm) and form.lead.id == lead_id
        await fill(pilot, "company", "Globex")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, LeadForm)
        assert table.rows_by_id[lead_id]["company"] == "Globex"
        return lead_id

    with Store(demo_db) as store:
        before = store.get_lead(store.lead_rows(limit=1)[0]["id"])
    drive(demo_db, scenario)
    with Store(demo_db) as store:
        after = store.get_lead(before.id)
    assert after.company == "Globex"
    assert after.handed_off_at == before.handed_off_at  # the seconds the form's text drops are kept
    assert after.model_copy(update={"company": before.company}) == before


def test_delete_then_undo_restores_the_lead_and_its_attempts(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = next(r["id"] for r in store.lead_rows(limit=20) if r["attempts"] >= 1)
        lead = store.get_lead(lead_id)
        attempts = store.attempts_of(lead_id)

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        table.move_cursor(row=table.get_row_index(str(lead_id)))
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#answer-delete")
        await settle(pilot)
        with Store(demo_db) as store:
            try:
                store.get_lead(lead_id)
                raise AssertionError("the lead should be gone")
            except NotFound:
                pass
        assert f"Deleted lead {lead.name} — press u to undo" in toasts(pilot.app)
        assert lead_id not in table.rows_by_id

        await pilot.press("u")
        await settle(pilot)
        assert lead_id in table.rows_by_id
        assert f"Undid: deleted lead #{lead_id} {lead.name}" in toasts(pilot.app)

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert store.get_lead(lead_id) == lead
        assert store.attempts_of(lead_id) == attempts


def test_enter_on_the_confirmation_keeps_the_lead(drive, demo_db, settle):
    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        lead_id = table.selected["id"]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("enter")  # the focus starts on "Keep"
        await settle(pilot)
        assert lead_id in table.rows_by_id
        with Store(demo_db) as store:
            assert store.get_lead(lead_id).id == lead_id

    drive(demo_db, scenario)


def test_filter_by_text_narrows_the_table(drive, demo_db, settle):
    with Store(demo_db) as store:
        expected = store.count_leads(text="romero")
        total = store.count_leads()
    assert 0 < expected < total

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        await pilot.press("slash")
        assert pilot.app.focused.id == "filter-text"
        await type_text(pilot, "romero")
        await pilot.pause(FILTER_DELAY + 0.2)
        await settle(pilot)
        assert table.row_count == expected
        assert all("romero" in f"{r['name']} {r['company']} {r['email']}".lower() for r in table.rows_by_id.values())
        assert table.total == expected
        await pilot.press("enter")  # back to the table
        assert pilot.app.focused is table

    drive(demo_db, scenario)


def test_filter_by_agreement_and_status(drive, demo_db, settle):
    with Store(demo_db) as store:
        agreement = store.get_agreement("Revenue engine")
        expected = store.count_leads(agreement_id=agreement.id, status="connected")

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        pilot.app.screen.query_one("#filter-agreement", Select).value = agreement.id
        pilot.app.screen.query_one("#filter-status", Select).value = "connected"
        await settle(pilot)
        assert table.row_count == expected
        assert {(r["agreement"], r["status"]) for r in table.rows_by_id.values()} == {("Revenue engine", "connected")}

    drive(demo_db, scenario)


def test_paging_loads_the_next_page_when_the_cursor_reaches_the_end(drive, demo_db, settle):
    with Store(demo_db) as store:
        total = store.count_leads()
    assert total > LeadTable.PAGE_SIZE

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        assert table.row_count == LeadTable.PAGE_SIZE
        assert f"200 of {total} leads shown" in str(pilot.app.screen.query_one("#leads-status").render())
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert table.row_count == total
        assert len(table.rows_by_id) == total
        assert str(pilot.app.screen.query_one("#leads-status").render()) == f"{total} leads"

    drive(demo_db, scenario)


def test_enter_opens_the_lead_detail_where_a_logs_an_attempt(drive, demo_db, settle):
    with Store(demo_db) as store:
        lead_id = next(r["id"] for r in store.lead_rows(limit=20) if r["attempts"] >= 2)
        attempts = store.attempts_of(lead_id)

    async def scenario(pilot):
        table = await open_leads(pilot, settle)
        table.move_cursor(row=table.get_row_index(str(lead_id)))
        await pilot.press("enter")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, LeadDetailScreen)
        assert detail.query_one("#timeline").row_count == len(attempts)
        await pilot.press("a", "v", "ctrl+s")  # log a voicemail from the detail
        await settle(pilot)
        assert pilot.app.screen is detail
        assert detail.query_one("#timeline").row_count == len(attempts) + 1
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen.query_one(LeadTable) is table
        assert table.rows_by_id[lead_id]["attempts"] == len(attempts) + 1

    drive(demo_db, scenario)
