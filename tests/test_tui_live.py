"""A screen shows what the file holds now: the scorecard, the charts and the dashboard reload when another
connection commits; key 5 opens the charts from every screen and viewer; the app finishes a recompute that an
interrupted edit left."""

from __future__ import annotations

import time
from datetime import timedelta

from conftest import FROZEN_NOW
from textual.widgets import DataTable, Input

from slatui.models import Attempt, Lead
from slatui.store import Store
from slatui.store.agreements import RECOMPUTE_HEARTBEAT
from slatui.tui.forms.agreement import AgreementForm
from slatui.tui.screens.agreements import agreement_row
from slatui.tui.screens.charts import ChartsScreen
from slatui.tui.screens.dashboard import DashboardScreen
from slatui.tui.screens.scorecard import ScorecardScreen
from slatui.tui.widgets.agreement_card import AgreementCard

AGREEMENT = "MQL to SQL handoff"


def _hand_off(db, count: int) -> None:
    """Leads handed off now, written as another process would: through a connection of its own."""
    with Store(db) as store:
        agreement_id = store.get_agreement(AGREEMENT).id
        for i in range(count):
            store.add_lead(Lead(agreement_id=agreement_id, name=f"Walk-in {i}",
                                handed_off_at=FROZEN_NOW - timedelta(minutes=5)))


def _leave_a_recompute(db) -> dict[int, tuple[int, int]]:
    """What a killed `agreement edit` leaves: new hours saved, its leads' facts not yet recomputed."""
    with Store(db) as store:
        agreement = store.get_agreement(AGREEMENT)
        store.update_agreement(agreement.model_copy(update={"calendar": agreement.calendar.model_copy(
            update={"hours": None})}), effective="all", recompute=False)
        # Killed a minute ago: the job's last stamp is old (a fresh one means a process is still at it).
        store.conn.execute("UPDATE settings SET value = ? WHERE key = ?", (repr(time.time() - 60), RECOMPUTE_HEARTBEAT))
        return store.recomputing()


async def _look(pilot, settle) -> None:
    """What the app's timer does every DATA_POLL_SECONDS, without waiting for it."""
    pilot.app.check_data()
    await settle(pilot)


def test_scorecard_charts_and_dashboard_reload_when_the_file_changes(drive, demo_db, settle):
    async def scenario(pilot):
        await pilot.press("s")
        await settle(pilot)
        scorecard = pilot.app.screen
        assert isinstance(scorecard, ScorecardScreen)
        table = scorecard.query_one(DataTable)
        leads = int(str(table.get_row_at(table.row_count - 1)[1]).split()[1].split("/")[0])

        _hand_off(demo_db, 2)
        await _look(pilot, settle)
        assert str(table.get_row_at(table.row_count - 1)[1]).split()[1] == f"{leads + 2}/120"

        await pilot.press("5")
        await settle(pilot)
        charts = pilot.app.screen
        assert isinstance(charts, ChartsScreen) and charts.data.report["volume"]["actual"] == leads + 2
        _hand_off(demo_db, 1)
        await _look(pilot, settle)
        assert charts.data.report["volume"]["actual"] == leads + 3

        await pilot.press("1")
        await settle(pilot)
        dashboard = pilot.app.screen
        cards = list(dashboard.query(AgreementCard))
        assert cards[0].data["report"]["volume"]["actual"] == leads + 3
        await _look(pilot, settle)  # nothing changed: the cards stay as they are
        assert list(dashboard.query(AgreementCard)) == cards
        _hand_off(demo_db, 1)
        await _look(pilot, settle)
        assert dashboard.query(AgreementCard).first().data["report"]["volume"]["actual"] == leads + 4

    drive(demo_db, scenario)


def test_5_opens_the_charts_from_every_screen_and_viewer_and_1_the_dashboard(drive, demo_db, settle):
    async def scenario(pilot):
        async def press(*keys: str) -> None:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)

        # The scorecard and the help are viewers: 5 closes them and shows the charts, even over the charts.
        for before in ((), ("s",), ("question_mark",), ("5", "o"), ("5", "question_mark"), ("2",), ("3",), ("4",),
                       ("6",)):
            await press(*before, "5")
            assert isinstance(pilot.app.screen, ChartsScreen), before
            await press("1")
            assert isinstance(pilot.app.screen, DashboardScreen), before  # no viewer left over it
        # A form keeps the key for its field.
        await press("4", "e")
        form = pilot.app.screen
        assert isinstance(form, AgreementForm) and isinstance(pilot.app.focused, Input)
        await press("end", "5")
        assert pilot.app.screen is form and pilot.app.focused.value.endswith("5")

    drive(demo_db, scenario)


def test_the_app_finishes_a_recompute_an_interrupted_edit_left(drive, demo_db, settle):
    waiting = _leave_a_recompute(demo_db)
    with Store(demo_db) as store:
        agreement = store.get_agreement(AGREEMENT)
        assert list(waiting) == [agreement.id] and waiting[agreement.id][0] == 0
        # Meanwhile the agreements list says how far it got instead of a verdict not yet settled.
        cells, details = agreement_row(store, agreement, FROZEN_NOW, (250, 1000))
        assert cells[-1] == "recomputing 25%" and "250 of 1000 done" in details

    async def scenario(pilot):
        messages = [str(n.message) for n in pilot.app._notifications]
        assert messages[0] == (f"Finishing an interrupted recompute of {waiting[agreement.id][1]} leads after an "
                               "agreement's edit (4: Agreements shows progress).")
        assert messages[1] == "Recompute finished: every lead follows its agreement's terms."
        await pilot.press("4")
        await settle(pilot)
        table = pilot.app.screen.query_one(DataTable)
        assert not any(str(table.get_row_at(i)[-1]).startswith("recomputing") for i in range(table.row_count))

    drive(demo_db, scenario)
    with Store(demo_db) as store:
        assert store.recomputing() == {}


def test_the_bare_command_leaves_an_interrupted_recompute_to_the_app(demo_db, monkeypatch):
    from slatui.cli import main

    waiting = _leave_a_recompute(demo_db)
    opened = []
    monkeypatch.setattr("slatui.tui.app.run", opened.append)
    main(["--db", str(demo_db)])
    assert opened == [demo_db]
    with Store(demo_db) as store:
        assert store.recomputing() == waiting  # no progress bar before the screen: the app finishes it in a worker


def test_the_queue_and_the_leads_reload_when_another_process_logs(drive, demo_db, settle):
    """`slatui log` in a shell, the app open: the lead reached leaves the queue at the next look at the file
    (it used to wait for the queue's own refresh, every 30 s), and the leads list shows its new attempt count."""
    async def scenario(pilot):
        await pilot.press("2")
        await settle(pilot)
        queue = pilot.app.screen
        table = queue.query_one(DataTable)
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        with Store(demo_db) as store:
            store.log_attempt(Attempt(lead_id=int(first), at=FROZEN_NOW - timedelta(minutes=1), outcome="connected"))
        await _look(pilot, settle)
        assert first not in {key.value for key in table.rows}

        await pilot.press("3")
        await settle(pilot)
        leads = pilot.app.screen.query_one(DataTable)
        newest = leads.coordinate_to_cell_key((0, 0)).row_key.value
        _hand_off(demo_db, 1)
        await _look(pilot, settle)
        assert leads.coordinate_to_cell_key((0, 0)).row_key.value != newest

    drive(demo_db, scenario)
