"""Verdicts a team lead can act on (issue 13): the month in progress is never missed, months before tracking
are not tracked, a breach is final, every figure honours --as-of, and terms are effective-dated."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import run_cli

from slatui import metrics
from slatui.models import Agreement, Attempt, Calendar, Lead, Targets
from slatui.store import Store

MADRID = ZoneInfo("Europe/Madrid")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "verdicts.db") as store:
        yield store


def _office(store: Store, **targets) -> Agreement:
    return store.add_agreement(Agreement(
        name="Office", targets=Targets(**{"lead_goal": 1, "respond_within_seconds": 3600, "min_attempts": 1,
                                          **targets}),
        calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-17:00"),
    ))


def _lead(store: Store, agreement: Agreement, at: datetime, *attempts: tuple[datetime, str]) -> int:
    lead_id = store.add_lead(Lead(agreement_id=agreement.id, name="lead", handed_off_at=at)).id
    for when, outcome in attempts:
        store.log_attempt(Attempt(lead_id=lead_id, at=when, outcome=outcome))
    return lead_id


def _speed(store: Store, agreement: Agreement, as_of: datetime) -> tuple[int, int, int]:
    speed = metrics.month_report(store, agreement, as_of.year, as_of.month, as_of)["speed"]
    return speed["met_count"], speed["breached_count"], speed["pending_count"]


# ---- a breach is final ------------------------------------------------------------------------------


def test_a_deadline_at_closing_time_stays_pending_overnight_and_breaches_after_the_opening(store):
    agreement = _office(store)
    # Tuesday 16:00 + 1 business hour = 17:00, closing time: the clock stands still until Wednesday 09:00.
    lead_id = _lead(store, agreement, local(2026, 3, 3, 16, 0))
    assert store.lead_row(lead_id)["deadline_at"] == local(2026, 3, 3, 17, 0).timestamp()
    for as_of, counts in ((local(2026, 3, 3, 17, 0), (0, 0, 1)), (local(2026, 3, 3, 23, 0), (0, 0, 1)),
                          (local(2026, 3, 4, 9, 0), (0, 0, 1)), (local(2026, 3, 4, 9, 0, 1), (0, 1, 0))):
        assert _speed(store, agreement, as_of) == counts, as_of


def test_an_attempt_after_closing_still_measures_the_target_and_never_turns_a_breach_into_a_met(store):
    agreement = _office(store)
    lead_id = _lead(store, agreement, local(2026, 3, 3, 16, 0), (local(2026, 3, 3, 17, 30), "no_answer"))
    assert store.lead_row(lead_id)["response_seconds"] == 3600
    # Met as of then, and as of every later instant: nothing was ever breached.
    for as_of in (local(2026, 3, 3, 17, 30), local(2026, 3, 4, 9, 0, 1), local(2026, 3, 20, 12)):
        assert _speed(store, agreement, as_of) == (1, 0, 0)
    # A lead left alone past the breach instant stays breached, whenever an attempt comes.
    late = _lead(store, agreement, local(2026, 3, 5, 16, 0))
    assert _speed(store, agreement, local(2026, 3, 6, 9, 30))[1] == 1
    store.log_attempt(Attempt(lead_id=late, at=local(2026, 3, 6, 10, 0), outcome="connected"))
    assert _speed(store, agreement, local(2026, 3, 6, 10, 0)) == (1, 1, 0)


def test_depth_and_recalibration_ignore_what_came_after_as_of(store):
    agreement = _office(store, min_attempts=3)
    lead_id = _lead(store, agreement, local(2026, 3, 2, 10, 0), (local(2026, 3, 2, 10, 30), "no_answer"),
                    (local(2026, 3, 3, 10, 0), "no_answer"), (local(2026, 3, 10, 10, 0), "connected"))
    store.close_lead(lead_id, "customer", at=int(local(2026, 3, 20, 12).timestamp()), revenue=500.0)
    before = metrics.month_report(store, agreement, 2026, 3, local(2026, 3, 5, 12))
    assert before["depth"]["unconnected_leads"] == 1 and before["depth"]["mean_attempts"] == 2
    assert before["recalibration"]["customers"] == 0
    after = metrics.month_report(store, agreement, 2026, 3, local(2026, 3, 25, 12))
    assert after["depth"]["unconnected_leads"] == 0 and after["recalibration"]["customers"] == 1
    # A lead handed off after as-of does not exist for that report.
    _lead(store, agreement, local(2026, 3, 6, 10, 0))
    assert metrics.month_report(store, agreement, 2026, 3, local(2026, 3, 5, 12))["volume"]["actual"] == 1


# ---- the month in progress, months not tracked ------------------------------------------------------


@pytest.mark.parametrize("day", [1, 4])
def test_the_month_in_progress_is_never_missed_nor_counted(store, day):
    agreement = _office(store, lead_goal=30)
    for month in (9, 10, 11):  # three months that miss the goal of 30
        _lead(store, agreement, local(2026, month, 2, 10), (local(2026, month, 2, 10, 5), "connected"))
    as_of = local(2026, 12, day, 12)
    report = metrics.month_report(store, agreement, 2026, 12, as_of)
    assert report["month_status"] == "in_progress" and report["month_met"] is None
    assert report["on_track"] is False and report["volume"]["on_pace"] is False
    # Only the three closed months count: the limit is reached by them, not by December.
    assert report["consecutive_missed_months"] == 3 and report["cancellation_reached"] is True
    november = metrics.month_report(store, agreement, 2026, 11, as_of)
    assert november["month_status"] == "missed" and november["consecutive_missed_months"] == 3
    october = metrics.month_report(store, agreement, 2026, 10, as_of)
    assert october["consecutive_missed_months"] == 2


def test_a_new_agreement_on_an_empty_file_raises_no_alarm(tmp_path, capsys):
    db = str(tmp_path / "new.db")
    assert run_cli("--db", db, "agreement", "add", "New", "--from", "2026-01-01", "--tz", "Europe/Madrid") == 0
    capsys.readouterr()
    assert run_cli("--db", db, "report", "--agreement", "New", "--month", "2026-12", "--as-of",
                   "2026-12-04T10:00", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["consecutive_missed_months"] == 0 and report["cancellation_reached"] is False
    assert report["month_status"] == "not_tracked"


def test_months_before_the_first_lead_are_not_tracked_and_an_empty_month_after_it_is_missed(store):
    agreement = store.add_agreement(Agreement(name="Adopted late", effective_from="2026-01-01",
                                              targets=Targets(lead_goal=1, min_attempts=0),
                                              calendar=Calendar(tz="Europe/Madrid")))
    _lead(store, agreement, local(2026, 10, 5, 10), (local(2026, 10, 5, 10, 1), "connected"))
    as_of = local(2026, 12, 4, 12)
    assert metrics.month_report(store, agreement, 2026, 6, as_of)["month_status"] == "not_tracked"
    verdicts = metrics.month_verdicts(store, agreement, 2026, 12, as_of)
    assert [(v["month"], v["month_status"]) for v in verdicts] == [
        ("2026-10", "met"), ("2026-11", "missed"), ("2026-12", "in_progress")]
    assert metrics.consecutive_missed(verdicts) == 1


def test_a_month_not_begun_has_no_verdict_and_the_months_before_it_still_count(store):
    """A report of next month (or of this month as of a day in the last) said "in progress: on track"."""
    agreement = _office(store, lead_goal=30)
    for month in (9, 10, 11):
        _lead(store, agreement, local(2026, month, 2, 10), (local(2026, month, 2, 10, 5), "connected"))
    as_of = local(2026, 12, 4, 12)
    january = metrics.month_report(store, agreement, 2027, 1, as_of)
    assert january["month_status"] == "not_tracked" and january["on_track"] is None
    assert january["consecutive_missed_months"] == 3
    december_seen_in_november = metrics.month_report(store, agreement, 2026, 12, local(2026, 11, 15, 12))
    assert december_seen_in_november["month_status"] == "not_tracked"
    assert december_seen_in_november["consecutive_missed_months"] == 2


def test_a_month_not_tracked_shows_no_verdict_on_any_target(tmp_path, capsys):
    """Its footer said "not tracked" while its rows said MISSED; the scorecard of an agreement without leads
    was a header alone."""
    db = str(tmp_path / "new.db")
    assert run_cli("--db", db, "agreement", "add", "New", "--tz", "UTC", "--lead-goal", "10") == 0
    capsys.readouterr()
    assert run_cli("--db", db, "report", "--agreement", "New", "--month", "2026-11", "--as-of",
                   "2026-12-04T10:00") == 0
    text = capsys.readouterr().out
    verdicts = [line.split("│")[-2].strip() for line in text.splitlines() if line.startswith("│")]
    assert "Month not tracked" in text and verdicts == ["—", "—", "", "—"]
    assert run_cli("--db", db, "scorecard", "--agreement", "New") == 0
    assert "no month tracked yet" in capsys.readouterr().out


# ---- effective-dated terms --------------------------------------------------------------------------


def test_an_edit_from_a_month_on_leaves_earlier_reports_byte_identical(tmp_path, capsys):
    db = str(tmp_path / "terms.db")
    assert run_cli("--db", db, "agreement", "add", "A", "--tz", "UTC", "--respond-within", "1h",
                   "--lead-goal", "1", "--min-attempts", "1") == 0
    for day in ("2026-07-06T09:00", "2026-08-03T09:00"):
        assert run_cli("--db", db, "lead", "add", "L", "--agreement", "A", "--at", day) == 0
        assert run_cli("--db", db, "log", "1" if day.startswith("2026-07") else "2", "--outcome", "no_answer",
                       "--at", day[:11] + "10:30") == 0
    capsys.readouterr()

    def july() -> str:
        assert run_cli("--db", db, "report", "--agreement", "A", "--month", "2026-07", "--as-of",
                       "2026-09-01T00:00", "--format", "json") == 0
        return capsys.readouterr().out

    before = july()
    assert json.loads(before)["month_status"] == "missed"  # 1h30 against 1h
    assert run_cli("--db", db, "agreement", "edit", "A", "--respond-within", "2h", "--effective", "2026-08") == 0
    capsys.readouterr()
    assert july() == before
    assert run_cli("--db", db, "report", "--agreement", "A", "--month", "2026-08", "--as-of",
                   "2026-09-01T00:00", "--format", "json") == 0
    august = json.loads(capsys.readouterr().out)
    assert august["month_status"] == "met" and august["speed"]["target_seconds"] == 7200
    assert august["terms"]["in_force_from"] == "2026-08"
    assert run_cli("--db", db, "agreement", "show", "A") == 0
    assert "from 2026-08:    first attempt within 2h" in capsys.readouterr().out
    # On purpose, for every month: July is judged again.
    assert run_cli("--db", db, "agreement", "edit", "A", "--respond-within", "2h", "--effective", "all") == 0
    capsys.readouterr()
    assert json.loads(july())["month_status"] == "met"


def test_an_edit_from_a_past_month_changes_only_the_terms_it_names(tmp_path, capsys):
    """A later version's other terms (the goal set from this month) stayed out of the past months: changing the
    response time from September also cut September's goal to this month's. A term named with the value it has
    now still changes the past; an edit that changes nothing judges no month again."""
    db = str(tmp_path / "terms.db")
    assert run_cli("--db", db, "agreement", "add", "H", "--tz", "UTC", "--lead-goal", "4",
                   "--respond-within", "2h", "--from", "2026-09-01") == 0
    assert run_cli("--db", db, "lead", "add", "L", "--agreement", "H", "--at", "2026-09-07T10:00") == 0
    assert run_cli("--db", db, "agreement", "edit", "H", "--lead-goal", "2") == 0  # from this month
    assert run_cli("--db", db, "agreement", "edit", "H", "--respond-within", "30m", "--effective", "2026-09") == 0
    with Store(db) as store:
        terms = store.terms("H")
    september, december = terms.version_for_month(2026, 9), terms.current_version()
    assert (september.lead_goal, september.respond_within_seconds) == (4, 1800)
    assert (december.lead_goal, december.respond_within_seconds) == (2, 1800)
    capsys.readouterr()
    assert run_cli("--db", db, "agreement", "edit", "H", "--effective", "2026-10") == 0
    assert "judged again" not in capsys.readouterr().out
    assert run_cli("--db", db, "agreement", "edit", "H", "--lead-goal", "2", "--effective", "2026-09") == 0
    with Store(db) as store:
        assert store.terms("H").version_for_month(2026, 9).lead_goal == 2


def test_the_months_judged_again_start_at_the_agreement_s_start(store):
    """A lead handed off the day before the agreement starts made "6 past months judged again" of five."""
    agreement = store.add_agreement(Agreement(name="A", effective_from="2026-07-01", calendar=Calendar(tz="UTC")))
    store.add_lead(Lead(agreement_id=agreement.id, name="early",
                        handed_off_at=datetime(2026, 6, 30, 10, tzinfo=timezone.utc)))
    december = datetime(2026, 12, 4, tzinfo=timezone.utc)
    assert store.months_judged_again(agreement.id, "1970-01", december) == 5  # July to November
    assert len([v for v in metrics.month_verdicts(store, agreement, 2026, 11, december)]) == 5


def test_effective_must_be_a_month_or_all(tmp_path, capsys):
    db = str(tmp_path / "bad.db")
    assert run_cli("--db", db, "agreement", "add", "A", "--tz", "UTC") == 0
    assert run_cli("--db", db, "agreement", "edit", "A", "--lead-goal", "5", "--effective", "soon") == 2
    assert "--effective" in capsys.readouterr().err
    with Store(db) as store:
        assert store.get_agreement("A").targets.lead_goal == 100


def test_a_clock_change_for_all_history_is_resumable_after_a_kill(store):
    agreement = _office(store)
    start = local(2026, 3, 2, 9).timestamp()
    store.add_lead_rows([(store_lead(agreement.id, start + i * 600), []) for i in range(500)])
    # A job queued and left half done, as a killed `agreement edit` would leave it.
    with store.transaction():
        store.conn.execute("UPDATE agreement_terms SET respond_within_seconds = 7200 WHERE agreement_id = ?",
                           (agreement.id,))
        store._queue_recompute(agreement.id, 0)
    store.forget_clock(agreement.id)
    assert store.recomputing() == {agreement.id: (0, 500)}
    store.run_recompute_jobs(batch_seconds=0.0001)
    assert store.recomputing() == {}
    clock = store.clock(agreement.id, start)
    for row in store.conn.execute("SELECT handed_off_at, deadline_at FROM leads"):
        assert row["deadline_at"] == int(clock.calendar.deadline(row["handed_off_at"], 7200))


def test_a_command_leaves_a_recompute_under_way_to_its_process_and_finishes_a_killed_ones(store, run):
    from slatui.store.agreements import RECOMPUTE_ALIVE_SECONDS, RECOMPUTE_HEARTBEAT

    agreement = _office(store)
    start = local(2026, 3, 2, 9).timestamp()
    store.add_lead_rows([(store_lead(agreement.id, start + i * 600), []) for i in range(50)])
    with store.transaction():
        store._queue_recompute(agreement.id, 0)  # as a process about to run it leaves it: stamped just now
    assert store.recompute_running()
    # Another command (a quick `log`) does not take turns at it: that would make it wait for the whole job.
    assert run("--db", store.path, "agreement", "show", "Office")[0] == 0
    assert store.recomputing() == {agreement.id: (0, 50)}
    # The process was killed: once its last stamp is old, the next command finishes the job.
    with store.transaction():
        store.conn.execute("UPDATE settings SET value = ? WHERE key = ?",
                           (repr(time.time() - RECOMPUTE_ALIVE_SECONDS - 1), RECOMPUTE_HEARTBEAT))
    assert not store.recompute_running()
    assert run("--db", store.path, "agreement", "show", "Office")[0] == 0
    assert store.recomputing() == {} and not store.recompute_running()


def store_lead(agreement_id: int, at: float):
    from slatui.store import LeadValues

    return LeadValues(agreement_id, None, "bulk", "", None, "", "marketing", None, int(at))


def test_report_as_of_the_past_sees_no_later_lead(store):
    agreement = _office(store)
    _lead(store, agreement, local(2026, 3, 2, 10))
    as_of = local(2026, 3, 2, 9)
    report = metrics.month_report(store, agreement, 2026, 3, as_of)
    assert report["volume"]["actual"] == 0 and report["speed"]["pending_count"] == 0
    assert report["as_of"] == as_of.astimezone(timezone.utc).isoformat()


def test_report_figures_beside_a_verdict_never_round_across_it(store):
    from slatui.report import key_figures, render_scorecard

    agreement = _office(store, lead_goal=120, compliance_threshold=0.85, min_attempts=6)
    report = metrics.month_report(store, agreement, 2026, 3, local(2026, 3, 4, 12))
    report["volume"].update(actual=15, goal_to_date=15.48, on_pace=False)
    report["speed"].update(compliance=0.8496, met=False)
    report["depth"].update(mean_attempts=5.96, met=False)
    leads, in_time, _, depth = key_figures({**report, "month_status": "in_progress"})
    assert leads[2].startswith("15 (to date goal 16,") and leads[3] == "behind"
    assert (in_time[1], in_time[2].split()[0], in_time[3]) == ("85% within 1h", "84.96%", "behind")
    assert (depth[2].split()[0], depth[3]) == ("5.96", "behind")
    month = {"month": "2026-02", "month_status": "missed", "month_met": False, "on_track": None,
             "volume": report["volume"], "speed": report["speed"], "depth": {**report["depth"], "min_attempts": 6}}
    text = render_scorecard([{"agreement": {"name": "Office"}, "consecutive_missed_months": 1, "miss_limit": 3,
                              "months": [month]}])
    assert "84.96% ✗" in text and "5.96 ✗" in text
