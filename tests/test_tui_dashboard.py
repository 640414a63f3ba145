"""Dashboard (1): a card per active agreement, the one in trouble marked, breach counts linking to the
queue; the scorecard and exports from it; the palette's file import."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import FROZEN_NOW
from textual.widgets import Checkbox, DataTable, Input

from slatui import metrics
from slatui.models import Agreement, Calendar, Lead
from slatui.store import Store
from slatui.tui.app import SlatuiApp
from slatui.tui.screens.charts import ChartsScreen
from slatui.tui.forms.base import ConfirmScreen
from slatui.tui.screens.import_file import ImportForm
from slatui.tui.screens.queue import QueueScreen
from slatui.tui.screens.scorecard import ScorecardScreen
from slatui.tui.widgets.agreement_card import AgreementCard

FIXTURES = Path(__file__).parent / "fixtures"
# Fresh handoffs on the Madrid agreement (1 business hour; FROZEN_NOW is Wednesday 16:30 there).
FRESH = [("Olivia Ok", 10), ("Dario Due", 50), ("Bea Breached", 180), ("Bruno Breached", 240)]


@pytest.fixture
def dashboard_db(demo_db):
    """The demo with leads awaiting a first attempt, and the multilevel SLA's goal cut so it is on track."""
    with Store(demo_db) as store:
        agreement = store.get_agreement("MQL to SQL handoff")
        for name, minutes_ago in FRESH:
            store.add_lead(Lead(agreement_id=agreement.id, name=name,
                                handed_off_at=FROZEN_NOW - timedelta(minutes=minutes_ago)))
        revenue = store.get_agreement("Revenue engine")
        store.update_agreement(revenue.model_copy(update={"targets": revenue.targets.model_copy(
            update={"lead_goal": 10})}), effective="all")
    return demo_db


def hand_count(db: Path) -> dict[str, tuple[int, int]]:
    """(overdue, due within a business hour) per agreement from the plan's due instants at FROZEN_NOW."""
    counts: dict[str, tuple[int, int]] = {}
    now = FROZEN_NOW.timestamp()
    with Store(db) as store:
        for agreement in store.list_agreements(status="active"):
            soon = agreement.calendar.business_calendar().deadline(now, 3600)
            dues = [row["next_due_at"] for row in store.plan_rows(agreement_id=agreement.id)]
            counts[agreement.name] = (sum(due <= now for due in dues), sum(now < due <= soon for due in dues))
    return counts


def card_text(card: AgreementCard) -> str:
    return "\n".join(str(static.render()) for static in card.query(".card-body, .card-queue"))


async def press(pilot, settle, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def test_cards_flag_the_agreement_in_trouble_and_count_breaches(drive, dashboard_db, settle, tmp_path,
                                                                 monkeypatch):
    expected = hand_count(dashboard_db)
    # Bea (breached) and Dario (due within the hour) among the plan's overdue follow-ups.
    assert expected["MQL to SQL handoff"] == (5, 2)
    monkeypatch.chdir(tmp_path)

    async def scenario(pilot):
        screen = pilot.app.screen
        cards = list(screen.query(AgreementCard))
        assert [c.border_title for c in cards] == ["MQL to SQL handoff", "Northwind customer SLA", "Revenue engine"]
        assert [c.standing for c in cards] == ["trouble", "trouble", "ok"]
        assert cards[0].has_class("-trouble") and not cards[2].has_class("-trouble")
        assert cards[0].border_subtitle == "✗ in trouble" and cards[2].border_subtitle == "on track"
        for card in cards:
            breached, due = expected[card.border_title]
            assert f"Queue   {breached} overdue /\n        {due} due within the hour ›" in card_text(card)
        assert "cancellation condition reached" in card_text(cards[0])
        assert "cancellation condition reached" not in card_text(cards[2])
        summary = str(screen.query_one("#dashboard-summary").render())
        overdue, due = (sum(counts) for counts in zip(*expected.values()))
        assert f"3 active agreements · 2 in trouble · queue: {overdue} overdue / {due} due within the hour" in summary
        assert screen.focused is cards[0]

        await press(pilot, settle, "ctrl+e")
        assert (tmp_path / f"slatui-report-mql-to-sql-handoff-{FROZEN_NOW:%Y-%m}.md").is_file()

        # The queue line is a link to the queue.
        await pilot.click(cards[0].query_one(".card-queue"), offset=(10, 0))
        await settle(pilot)
        assert isinstance(pilot.app.screen, QueueScreen)
        await press(pilot, settle, "1")

        await press(pilot, settle, "down", "s")
        assert isinstance(pilot.app.screen, ScorecardScreen)
        assert str(pilot.app.screen.query_one("#scorecard-header").render()).startswith("Northwind customer SLA")
        await press(pilot, settle, "escape", "enter")
        assert isinstance(pilot.app.screen, ChartsScreen)
        assert pilot.app.screen.view.agreement_id == cards[1].agreement_id

    drive(dashboard_db, scenario)


def test_palette_import_shows_rejected_rows_then_imports_a_csv(drive, demo_db, settle):
    with Store(demo_db) as store:
        before = store.count_leads()

    async def scenario(pilot):
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"import file")
        await pilot.pause(0.3)
        await settle(pilot)  # the palette's search is done before enter picks its first hit
        await press(pilot, settle, "enter")
        form = pilot.app.screen
        assert isinstance(form, ImportForm)

        await press(pilot, settle, "ctrl+s")
        assert "required" in str(form.query_one("#import-path-error").render())

        # Attempts for leads this agreement does not have: rejected, nothing written, rows named.
        form.query_one("#import-path", Input).value = str(FIXTURES / "csv" / "attempts_only.csv")
        await press(pilot, settle, "ctrl+s")
        error = str(form.query_one("#form-error").render())
        assert error.startswith("4 rows rejected, nothing written")
        assert "attempts_only.csv:2: lead_id: no lead with id L-1" in error
        assert pilot.app.screen is form

        # Dates that read either way: the form's own date format field settles it (no CLI option named).
        form.query_one("#import-path", Input).value = str(FIXTURES / "csv" / "attempt_log.csv")
        form.query_one("#import-map", Input).value = "Handed off=handed_off_at, Attempt at=at, Lead=name"
        await press(pilot, settle, "ctrl+s")
        error = str(form.query_one("#import-date_format-error").render())
        assert "could be day-first or month-first: choose day first or month first" in error
        assert "--" not in error + str(form.query_one("#form-error").render())

        form.query_one("#import-path", Input).value = str(FIXTURES / "csv" / "leads_tab.csv")
        form.query_one("#import-map", Input).value = ""
        form.query_one("#import-skip", Checkbox).value = True
        # The file's zone, when it is not the agreement's: named as a zone, then used and said.
        form.query_one("#import-tz", Input).value = "Mars/Olympus"
        await press(pilot, settle, "ctrl+s")
        assert "unknown time zone 'Mars/Olympus'" in str(form.query_one("#import-tz-error").render())
        form.query_one("#import-tz", Input).value = "America/New_York"
        await press(pilot, settle, "ctrl+s")
        # The summary stays until it is dismissed.
        summary = pilot.app.screen
        assert isinstance(summary, ConfirmScreen)
        assert ("Imported: leads: 2 added, 0 updated; attempts: 0 added; rows rejected: 0; duplicates merged: 1; "
                "times without an offset read in America/New_York" in str(summary.query_one("#confirm-question").render()))
        await pilot.pause(1)
        assert pilot.app.screen is summary
        await press(pilot, settle, "enter")
        assert not isinstance(pilot.app.screen, (ConfirmScreen, ImportForm))

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert store.count_leads() == before + 2
        assert [r["agreement"] for r in store.lead_rows(text="tania@example.com")] == ["MQL to SQL handoff"]


def test_without_agreements_every_key_says_what_to_do(drive, empty_db, settle):
    async def scenario(pilot):
        await press(pilot, settle, "escape")  # the welcome screen: start empty
        assert "No active agreements" in str(pilot.app.screen.query_one("#dashboard-summary").render())
        await press(pilot, settle, "ctrl+e", "5")
        assert str(pilot.app.screen.query_one("#charts-header").render()).startswith("No agreements yet")
        await press(pilot, settle, "right_square_bracket", "left", "p", "s", "c", "ctrl+e", "o")
        assert isinstance(pilot.app.screen, ScorecardScreen)
        assert str(pilot.app.screen.query_one("#scorecard-header").render()).startswith("No agreements yet")
        messages = [str(n.message) for n in pilot.app._notifications]
        assert messages == ["Nothing to export yet: no agreement is shown."] * 2

    drive(empty_db, scenario)


def _quiet_agreements(db: Path) -> None:
    """Two active agreements with no closed month: one tracked since a lead this month (breached, never tried),
    one with no lead at all."""
    with Store(db) as store:
        fresh = store.add_agreement(Agreement(name="Fresh SLA", calendar=Calendar(tz="UTC")))
        store.add_agreement(Agreement(name="Quiet SLA", calendar=Calendar(tz="UTC")))
        store.add_lead(Lead(agreement_id=fresh.id, name="Ada", handed_off_at=FROZEN_NOW - timedelta(hours=2)))


def test_the_month_in_progress_is_on_track_or_behind_never_missed(drive, demo_db, settle):
    _quiet_agreements(demo_db)

    async def scenario(pilot):
        cards = {card.border_title: card for card in pilot.app.screen.query(AgreementCard)}
        fresh, quiet = cards["Fresh SLA"], cards["Quiet SLA"]
        # November is running: its breached lead and its pace put it behind, which is no missed month.
        assert fresh.data["report"]["month_status"] == "in_progress"
        assert (fresh.standing, fresh.border_subtitle) == ("risk", "behind") and fresh.has_class("-risk")
        text = card_text(fresh)
        assert "behind  on leads, speed, depth" in text
        assert "Speed   0% in time (target 85%)" in text and "Missed  0 months in a row" in text
        assert "✗" not in text + fresh.border_subtitle
        # No lead yet: no data, not behind.
        assert (quiet.standing, quiet.border_subtitle) == ("idle", "no data") and quiet.has_class("-idle")
        assert "no data  no lead handed off yet" in card_text(quiet)
        assert "in trouble" not in fresh.border_subtitle + quiet.border_subtitle

        await press(pilot, settle, "4")
        table = pilot.app.screen.query_one(DataTable)
        verdicts = {table.get_row_at(i)[0]: table.get_row_at(i)[-1] for i in range(table.row_count)}
        assert (verdicts["Fresh SLA"], verdicts["Quiet SLA"]) == ("behind: leads, speed, depth", "— no data")

    drive(demo_db, scenario)


def test_on_the_first_of_a_month_the_new_one_runs_and_the_last_is_judged(demo_db, settle):
    first = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)  # 09:00 in Madrid
    with Store(demo_db) as store:
        terms = store.terms("MQL to SQL handoff")
        november = metrics.month_report(store, terms, 2026, 11, first)
        december = metrics.month_report(store, terms, 2026, 12, first)
    assert november["month_status"] == "missed" and december["month_status"] == "in_progress"

    async def main():
        app = SlatuiApp(demo_db, clock=lambda: first)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            card = next(c for c in app.screen.query(AgreementCard) if c.border_title == "MQL to SQL handoff")
            text = card_text(card)
            assert card.data["report"]["month"] == "2026-12"
            assert "behind  on leads" in text and "✗ missed" not in text
            # November counts toward cancellation; December, a day old, does not.
            missed = december["consecutive_missed_months"]
            assert missed == november["consecutive_missed_months"] >= 1
            assert f"Missed  {missed} months in a row" in text

            await press(pilot, settle, "s")
            table = app.screen.query_one(DataTable)
            months = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            assert months[-2:] == ["2026-11", "2026-12 (so far)"]
            assert str(table.get_row_at(table.row_count - 2)[-1]) == "✗ missed"
            assert str(table.get_row_at(table.row_count - 1)[-1]) in ("· on track", "! behind")

    asyncio.run(main())


def test_import_form_reads_a_workbooks_sheet_and_adds_new_reps_only_when_asked(drive, demo_db, settle, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Notes"
    sheet = workbook.create_sheet("Leads")
    sheet.append(["lead_id", "name", "handed_off_at", "rep"])
    sheet.append(["X-1", "Nadia Quint", "2026-03-02 09:00", "Quentin Newrep"])
    path = tmp_path / "leads.xlsx"
    workbook.save(path)

    async def scenario(pilot):
        await pilot.app.run_action("import_file")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ImportForm)
        form.query_one("#import-path", Input).value = str(path)
        form.query_one("#import-sheet", Input).value = "Leads"
        await press(pilot, settle, "ctrl+s")
        # A rep the file names and the database does not know: refused, unless the form is told to add it.
        assert "no rep named 'Quentin Newrep'" in str(form.query_one("#form-error").render())
        form.query_one("#import-create_reps", Checkbox).value = True
        await press(pilot, settle, "ctrl+s")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        assert "leads: 1 added" in str(pilot.app.screen.query_one("#confirm-question").render())

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert [r["rep"] for r in store.lead_rows(text="Nadia Quint")] == ["Quentin Newrep"]
