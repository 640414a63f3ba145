"""A hand-worked March in Madrid, checked figure by figure against DESIGN.md's metric definitions.

Calendar: Europe/Madrid, mon-fri 09:00-13:00 and 14:00-18:00 (lunch break), Thursday 19 March
closed (explicit holiday); target: first attempt within 2 business hours for 75 % of leads; at
least 3 attempts on unreached leads; 10 leads a month; effective from 1 February; three missed
months allowed. Madrid moves from CET (UTC+1) to CEST (UTC+2) on Sunday 29 March.
"""

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import run_cli

from slatui import metrics
from slatui.models import Agreement, Attempt, Calendar, Lead, Rep, Targets
from slatui.store import Store

MADRID = ZoneInfo("Europe/Madrid")
AS_OF = datetime(2026, 3, 31, 17, 30, tzinfo=MADRID)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("metrics") / "scenario.db")
    agreement = store.add_agreement(Agreement(
        name="Scenario",
        effective_from="2026-02-01",
        review_date="2026-03-31",
        targets=Targets(lead_goal=10, respond_within_seconds=2 * 3600, compliance_threshold=0.75, min_attempts=3,
                        miss_limit=3),
        calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-13:00,14:00-18:00", holiday_dates=["2026-03-19"]),
    ))
    ana, ben = store.add_rep(Rep(name="Ana", weekly_capacity=5)), store.add_rep(Rep(name="Ben", weekly_capacity=5))

    def lead(name, handed_off, rep, attempts=()):
        created = store.add_lead(Lead(agreement_id=agreement.id, name=name, rep_id=rep.id, handed_off_at=handed_off))
        for at, outcome in attempts:
            store.log_attempt(Attempt(lead_id=created.id, at=at, outcome=outcome))
        return created

    # January is before the agreement's start: its miss must not count.
    lead("L0 january", local(2026, 1, 15, 10, 0), ben)
    # 23:30 on 28 February in Madrid is still February (22:30 UTC).
    lead("L8 february", local(2026, 2, 28, 23, 30), ben)
    # 00:30 on Sunday 1 March in Madrid is 23:30 UTC on 28 February, yet a March lead; clock starts Monday 09:00.
    lead("L6 month edge", local(2026, 3, 1, 0, 30), ben)
    # Monday 10:00 -> 11:30: 1h30 of business time, connected.
    lead("L1 fast", local(2026, 3, 2, 10, 0), ana, [(local(2026, 3, 2, 11, 30), "connected")])
    # Monday 12:30 -> 15:00: 30 min before lunch + 1 h after = 1h30; two unanswered attempts.
    lead("L2 lunch", local(2026, 3, 2, 12, 30), ana,
         [(local(2026, 3, 2, 15, 0), "no_answer"), (local(2026, 3, 3, 10, 0), "voicemail")])
    # Wednesday 17:00: 1 h on Wednesday, Thursday closed, 1 h on Friday -> deadline Friday 10:00, hit exactly.
    lead("L3 exactly at target", local(2026, 3, 18, 17, 0), ana,
         [(local(2026, 3, 20, 10, 0), "no_answer"), (local(2026, 3, 20, 11, 0), "no_answer"),
          (local(2026, 3, 20, 12, 0), "email_sent")])
    # Friday 17:00 CET: 1 h on Friday, DST weekend, then 09:00-11:00 CEST on Monday: 3 h, breached; disqualified.
    lead("L4 across DST", local(2026, 3, 27, 17, 0), ben, [(local(2026, 3, 30, 11, 0), "disqualified")])
    # Tuesday 16:30, report at 17:30: one business hour gone of two, nothing tried yet -> pending.
    lead("L5 pending", local(2026, 3, 31, 16, 30), ben)
    # 00:30 on 1 April in Madrid is 22:30 UTC on 31 March: an April lead.
    lead("L9 april", local(2026, 4, 1, 0, 30), ana)
    yield store, store.get_agreement(agreement.id)
    store.close()


@pytest.fixture(scope="module")
def march(scenario):
    store, agreement = scenario
    return metrics.month_report(store, agreement, 2026, 3, AS_OF)


def test_volume(march):
    assert march["volume"] == {
        "goal": 10, "actual": 6, "goal_to_date": 10.0, "met": False, "on_pace": False, "value": 0,
        # 6 leads in 30 days 16.5 real hours (one lost to DST) of a 31-day month.
        "projected": 6.1,
    }


def test_speed(march):
    speed = march["speed"]
    assert (speed["met_count"], speed["breached_count"], speed["pending_count"]) == (3, 2, 1)
    assert speed["compliance"] == pytest.approx(3 / 5)
    assert speed["met"] is False
    assert speed["target_seconds"] == 7200 and speed["threshold"] == 0.75
    # Response times 1h30, 1h30, 2h, 3h.
    assert speed["mean_seconds"] == pytest.approx(7200)
    assert speed["median_seconds"] == 6300
    assert speed["p90_seconds"] == 10800


def test_depth(march):
    # Unreached and not disqualified: L2 (2 attempts), L3 (3), L5 (0), L6 (0).
    assert march["depth"] == {
        "min_attempts": 3, "unconnected_leads": 4, "mean_attempts": 1.25, "met": False, "leads_worked": 4,
    }


def test_verdict_and_consequences(march, scenario):
    # At 17:30 on 31 March the month is not over: in progress (behind), never missed, not counted yet.
    assert march["month_status"] == "in_progress"
    assert march["month_met"] is None and march["on_track"] is False
    # February missed; January is before the start date and does not count.
    assert march["consecutive_missed_months"] == 1
    assert march["cancellation_reached"] is False
    assert march["review_due"] is True
    # Once March has ended in Madrid (00:00 on 1 April), it is judged: missed, two in a row.
    store, agreement = scenario
    judged = metrics.month_report(store, agreement, 2026, 3, local(2026, 4, 1, 0, 0))
    assert (judged["month_status"], judged["month_met"], judged["consecutive_missed_months"]) == ("missed", False, 2)
    assert judged["counts_toward_verdict"] is True


def test_cumulative_waterfall(march):
    rows = {row["date"]: row for row in march["cumulative"]}
    assert len(rows) == 31
    assert rows["2026-03-01"] == {"date": "2026-03-01", "goal": pytest.approx(10 / 31), "actual": 1}
    assert rows["2026-03-02"]["actual"] == 3
    assert rows["2026-03-18"]["actual"] == 4
    assert rows["2026-03-27"]["actual"] == 5
    assert rows["2026-03-31"] == {"date": "2026-03-31", "goal": pytest.approx(10), "actual": 6}


def test_per_rep(march):
    reps = {r["rep"]["name"]: r for r in march["reps"]}
    assert reps["Ana"]["speed"]["compliance"] == 1.0 and reps["Ana"]["leads"] == 3
    assert reps["Ben"]["speed"]["compliance"] == 0.0
    assert (reps["Ben"]["speed"]["breached_count"], reps["Ben"]["speed"]["pending_count"]) == (2, 1)
    # Week of Monday 30 March: of Ben's leads only L5 was handed to him in it (L4 came the Friday before).
    assert reps["Ben"]["load_this_week"] == 1 and reps["Ben"]["weekly_capacity"] == 5


def test_a_pending_lead_breaches_once_its_business_deadline_passes(scenario):
    store, agreement = scenario
    # L5's deadline: 16:30 + 2 business hours = 09:30 on Wednesday 1 April (after the 18:00 close).
    before = metrics.month_report(store, agreement, 2026, 3, local(2026, 4, 1, 9, 30))["speed"]
    after = metrics.month_report(store, agreement, 2026, 3, local(2026, 4, 1, 9, 31))["speed"]
    assert (before["pending_count"], before["breached_count"]) == (1, 2)
    assert (after["pending_count"], after["breached_count"]) == (0, 3)


def test_month_edges_follow_the_agreement_zone(scenario):
    store, agreement = scenario
    april = metrics.month_report(store, agreement, 2026, 4, local(2026, 4, 2, 12, 0))
    february = metrics.month_report(store, agreement, 2026, 2, local(2026, 3, 1, 12, 0))
    assert april["volume"]["actual"] == 1
    assert february["volume"]["actual"] == 1


def test_months_before_the_start_do_not_count(scenario):
    store, agreement = scenario
    january = metrics.month_report(store, agreement, 2026, 1, local(2026, 2, 1, 12, 0))
    assert january["counts_toward_verdict"] is False
    assert january["consecutive_missed_months"] == 0


def test_series_by_bucket(scenario):
    store, agreement = scenario
    first, last = metrics.month_bounds(2026, 3)
    weeks = {row["period"]: row for row in metrics.period_series(store, agreement, first, last, AS_OF, "week")}
    # ISO weeks start on Monday; 1 March is a Sunday, so its lead opens the week of 23 February.
    assert sorted(weeks) == ["2026-02-23", "2026-03-02", "2026-03-16", "2026-03-23", "2026-03-30"]
    assert weeks["2026-03-02"]["speed"]["met_count"] == 2 and weeks["2026-03-02"]["speed"]["median_seconds"] == 5400
    assert weeks["2026-03-02"]["depth"]["mean_attempts"] == 2
    days = metrics.period_series(store, agreement, first, last, AS_OF, "day")
    assert [row["period"] for row in days] == ["2026-03-01", "2026-03-02", "2026-03-18", "2026-03-27", "2026-03-31"]
    (month,) = metrics.period_series(store, agreement, first, last, AS_OF, "month")
    assert month["speed"]["compliance"] == pytest.approx(0.6)


def test_a_target_change_applies_from_its_month_on(tmp_path):
    with Store(tmp_path / "edit.db") as store:
        agreement = store.add_agreement(Agreement(name="A", targets=Targets(respond_within_seconds=3600),
                                                  calendar=Calendar(tz="UTC")))
        for day in (4, 5):  # May and June, both 10:00 with no attempt
            store.add_lead(Lead(agreement_id=agreement.id, name="x",
                                handed_off_at=datetime(2026, 4 + day - 3, day, 9, tzinfo=timezone.utc)))
        may_as_of = datetime(2026, 5, 4, 10, 30, tzinfo=timezone.utc)
        june_as_of = datetime(2026, 6, 5, 10, 30, tzinfo=timezone.utc)
        before = json.dumps(metrics.month_report(store, agreement, 2026, 5, may_as_of), sort_keys=True)
        assert metrics.month_report(store, agreement, 2026, 5, may_as_of)["speed"]["breached_count"] == 1
        two_hours = agreement.model_copy(
            update={"targets": agreement.targets.model_copy(update={"respond_within_seconds": 2 * 3600})})
        # From June on: May keeps the terms it was judged by, to the byte.
        store.update_agreement(two_hours, effective="2026-06")
        assert json.dumps(metrics.month_report(store, agreement, 2026, 5, may_as_of), sort_keys=True) == before
        june = metrics.month_report(store, store.terms(agreement.id), 2026, 6, june_as_of)
        assert (june["speed"]["breached_count"], june["speed"]["pending_count"]) == (0, 1)
        assert june["terms"]["respond_within_seconds"] == 7200 and june["terms"]["in_force_from"] == "2026-06"
        # Rewriting history on purpose: May is judged again with the new target (named: it is the one now).
        store.update_agreement(two_hours, effective="all", given={"respond_within_seconds"})
        speed = metrics.month_report(store, store.terms(agreement.id), 2026, 5, may_as_of)["speed"]
        assert (speed["breached_count"], speed["pending_count"]) == (0, 1)



def test_an_edit_that_moves_the_zone_recomputes_the_leads_its_month_now_starts_with(tmp_path):
    """A version starts at its month in its own zone: moved from Madrid to Auckland (13 h ahead in December),
    December starts on 30 November 11:00 UTC, so a lead handed off at 12:00 UTC that day is December's and
    follows the new target, while one at 10:00 UTC stays November's."""
    with Store(tmp_path / "zones.db") as store:
        agreement = store.add_agreement(Agreement(name="A", targets=Targets(respond_within_seconds=3600),
                                                  calendar=Calendar(tz="Europe/Madrid")))
        november, december = (store.add_lead(Lead(agreement_id=agreement.id, name=name, handed_off_at=datetime(
            2026, 11, 30, hour, tzinfo=timezone.utc))) for name, hour in (("november", 10), ("december", 12)))
        moved = agreement.model_copy(update={
            "targets": agreement.targets.model_copy(update={"respond_within_seconds": 2 * 3600}),
            "calendar": agreement.calendar.model_copy(update={"tz": "Pacific/Auckland"})})
        store.update_agreement(moved, effective="2026-12")
        deadline = {lead.id: store.get_lead(lead.id).deadline_at - store.get_lead(lead.id).handed_off_at
                    for lead in (november, december)}
        assert deadline == {november.id: timedelta(hours=1), december.id: timedelta(hours=2)}
        assert store.lead_row(december.id)["handoff_day"] == "2026-12-01"

def test_report_json_shape(scenario, capsys):
    store, _ = scenario
    assert run_cli("--db", str(store.path), "report", "--agreement", "Scenario", "--month", "2026-03",
                   "--as-of", "2026-03-31T17:30", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agreement"] == {"id": 1, "name": "Scenario", "kind": "internal", "status": "active"}
    assert data["month"] == "2026-03" and data["as_of"] == "2026-03-31T15:30:00+00:00"
    assert set(data["volume"]) >= {"goal", "actual", "goal_to_date", "met"}
    assert set(data["speed"]) >= {"target_seconds", "threshold", "met_count", "breached_count", "pending_count",
                                  "compliance", "mean_seconds", "median_seconds", "p90_seconds", "met"}
    assert set(data["depth"]) >= {"min_attempts", "unconnected_leads", "mean_attempts", "met"}
    assert {"month_met", "consecutive_missed_months", "cancellation_reached"} <= set(data)
    assert len(data["cumulative"]) == 31 and set(data["cumulative"][0]) == {"date", "goal", "actual"}
    assert data["speed"]["compliance"] == pytest.approx(0.6)


def test_report_lists_every_active_agreement(tmp_path, capsys):
    path = str(tmp_path / "demo.db")
    assert run_cli("--db", path, "demo", "--leads", "150") == 0
    capsys.readouterr()
    assert run_cli("--db", path, "report", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data, list) and len(data) == 3
    assert run_cli("--db", path, "report") == 0
    table = capsys.readouterr().out
    assert "First attempt within target" in table and "Revenue engine" in table


def test_scorecard_lists_counted_months_with_their_verdicts(scenario, capsys):
    store, _ = scenario
    assert run_cli("--db", str(store.path), "scorecard", "--agreement", "Scenario", "--as-of", "2026-03-31T17:30",
                   "--format", "json") == 0
    (card,) = json.loads(capsys.readouterr().out)
    # January is before the start date (1 February): not on the scorecard. March is still running.
    assert [m["month"] for m in card["months"]] == ["2026-02", "2026-03"]
    assert [m["month_status"] for m in card["months"]] == ["missed", "in_progress"]
    assert [m["month_met"] for m in card["months"]] == [False, None]
    assert card["months"][1]["speed"]["compliance"] == pytest.approx(0.6)
    assert card["consecutive_missed_months"] == 1
    assert run_cli("--db", str(store.path), "scorecard", "--agreement", "Scenario", "--as-of",
                   "2026-03-31T17:30") == 0
    out = capsys.readouterr().out
    assert "2026-03 (so far)  6/10 behind" in out and "2026-02" in out and "✗" in out
