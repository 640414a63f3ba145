"""Figures from the stored derived facts equal figures recomputed from raw rows, on randomised databases.

Each database is written through every write path of the store (bulk loads into an empty and a non-empty
table, single handoffs and attempts, handoff edits, deletions, a clock change). The tests then recompute
each lead's facts from the attempts table, and each month's volume, speed and depth from the raw handoff
times and attempts with the businesstime module, and compare them with the lead rows and with
metrics.month_report (which reads the rollup for settled days and the derived columns for the
others), and the stored rollup with one rebuilt from the leads.
"""

import math
import random
from datetime import datetime, timedelta, timezone
from statistics import mean, median
from zoneinfo import ZoneInfo

import pytest

from slatui import metrics
from slatui.models import Agreement, Attempt, Calendar, Lead, Rep, Targets
from slatui.store import AttemptValues, LeadValues, Store, rollups
from slatui.vocabulary import CHANNELS, CONNECTING_OUTCOMES, OUTCOMES

UTC = timezone.utc
# Late February to early May 2026: New York, Madrid and Lord Howe (a 30-minute shift) all change clocks.
START = int(datetime(2026, 2, 20, tzinfo=UTC).timestamp())
END = int(datetime(2026, 5, 10, tzinfo=UTC).timestamp())
MONTHS = [(2026, 2), (2026, 3), (2026, 4), (2026, 5)]
CALENDARS = [
    Calendar(tz="UTC"),
    Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-14:00,15:00-18:00", holiday_dates=["2026-03-19", "2026-04-03"]),
    Calendar(tz="America/New_York", hours="mon-fri 09:00-17:00", holiday_countries=["US"]),
    Calendar(tz="Australia/Lord_Howe", hours="mon-sat 08:00-12:30,13:00-19:00"),
]
LEADS_PER_AGREEMENT = 120


def _attempts(rng: random.Random, handed_off_at: int) -> list[AttemptValues]:
    """0-5 attempts, some within seconds of the handoff, some days later; all at or after it."""
    at, attempts = handed_off_at, []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
        at += rng.choice([0, rng.randrange(600), rng.randrange(4 * 3600), rng.randrange(3 * 86400)])
        attempts.append(AttemptValues(at, rng.choice(CHANNELS), rng.choice(OUTCOMES)))
    return attempts


@pytest.fixture(scope="module", params=[1, 2, 3])
def store(request, tmp_path_factory):
    rng = random.Random(request.param)
    store = Store(tmp_path_factory.mktemp("rollups") / "random.db")
    reps = [store.add_rep(Rep(name=f"Rep {i}")).id for i in range(4)]
    agreements = [
        store.add_agreement(Agreement(name=f"A{i}", calendar=calendar, targets=Targets(
            respond_within_seconds=rng.choice([1800, 3600, 4 * 3600, 24 * 3600]))))
        for i, calendar in enumerate(CALENDARS)
    ]

    def plain(agreement: Agreement) -> tuple[LeadValues, list[AttemptValues]]:
        handed_off_at = rng.randrange(START, END)
        return (LeadValues(agreement.id, rng.choice([*reps, None]), "lead", "", None, "", "marketing", None,
                           handed_off_at), _attempts(rng, handed_off_at))

    share = LEADS_PER_AGREEMENT // 3
    # A bulk load into the empty table (indexes and trigger set aside), then one into a non-empty table.
    store.add_lead_rows([plain(a) for a in agreements for _ in range(share)])
    store.add_leads_with_attempts(
        (Lead(agreement_id=lead.agreement_id, rep_id=lead.rep_id, name="lead",
              handed_off_at=_instant(lead.handed_off_at)),
         [Attempt(lead_id=0, at=_instant(a.at), channel=a.channel, outcome=a.outcome) for a in attempts])
        for lead, attempts in (plain(a) for a in agreements for _ in range(share))
    )
    # One at a time, as the command line and the app write.
    for agreement in agreements:
        for _ in range(share):
            lead, attempts = plain(agreement)
            lead_id = store.add_lead(Lead(agreement_id=agreement.id, rep_id=lead.rep_id, name="lead",
                                          handed_off_at=_instant(lead.handed_off_at))).id
            for attempt in attempts:
                store.log_attempt(Attempt(lead_id=lead_id, at=_instant(attempt.at), channel=attempt.channel,
                                          outcome=attempt.outcome))
    lead_ids = [row[0] for row in store.conn.execute("SELECT id FROM leads")]
    for lead_id in rng.sample(lead_ids, 20):
        lead = store.get_lead(lead_id)
        # Earlier only: a handoff after the lead's first attempt is refused.
        store.update_lead(lead.model_copy(update={"handed_off_at": lead.handed_off_at - timedelta(
            seconds=rng.randrange(2 * 86400))}))
    for lead_id in rng.sample(lead_ids, 10):
        store.delete_lead(lead_id)
    # A clock change over the whole history recomputes every lead's handoff day, deadline and response time.
    madrid = store.get_agreement("A1")
    store.update_agreement(madrid.model_copy(update={
        "calendar": Calendar(tz="Europe/Lisbon", hours="mon-fri 08:30-16:30"),
        "targets": madrid.targets.model_copy(update={"respond_within_seconds": 7200}),
    }), effective="all")
    yield store
    store.close()


def _instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _raw_attempts(store: Store) -> dict[int, list[tuple[int, str]]]:
    attempts: dict[int, list[tuple[int, str]]] = {}
    for lead_id, at, outcome in store.conn.execute("SELECT lead_id, at, outcome FROM attempts"):
        attempts.setdefault(lead_id, []).append((at, outcome))
    return attempts


def test_lead_facts_match_their_attempts(store):
    attempts = _raw_attempts(store)
    agreements = {a.id: a for a in store.list_agreements()}
    rows = store.conn.execute("SELECT * FROM leads").fetchall()
    assert len(rows) == len(CALENDARS) * (LEADS_PER_AGREEMENT // 3) * 3 - 10
    for row in rows:
        agreement = agreements[row["agreement_id"]]
        calendar = agreement.calendar.business_calendar()
        mine = attempts.get(row["id"], [])
        outcomes = {outcome for _, outcome in mine}
        first = min((at for at, _ in mine), default=None)
        assert row["attempt_count"] == len(mine)
        assert row["first_attempt_at"] == first
        assert row["connected"] == bool(outcomes & CONNECTING_OUTCOMES)
        assert row["response_seconds"] == (None if first is None
                                           else calendar.business_seconds_between(row["handed_off_at"], first))
        assert row["status"] == ("disqualified" if "disqualified" in outcomes
                                 else "connected" if outcomes & CONNECTING_OUTCOMES else "open")
        local = datetime.fromtimestamp(row["handed_off_at"], ZoneInfo(agreement.calendar.tz))
        assert row["handoff_day"] == local.date().isoformat()
        target = agreement.targets.respond_within_seconds
        assert row["deadline_at"] == calendar.deadline(row["handed_off_at"], target)
        # The breach instant: the last one at which no more than the target has gone by.
        assert calendar.business_seconds_between(row["handed_off_at"], row["breach_at"]) == target
        assert calendar.business_seconds_between(row["handed_off_at"], row["breach_at"] + 1) > target


def _raw_month(store: Store, agreement: Agreement, year: int, month: int, as_of: int) -> dict:
    """The month's figures from handoff times and attempts only (DESIGN.md "Metric definitions")."""
    calendar = agreement.calendar.business_calendar()
    zone, target = ZoneInfo(agreement.calendar.tz), agreement.targets.respond_within_seconds
    attempts = _raw_attempts(store)
    figures = {"leads": 0, "met": 0, "breached": 0, "pending": 0, "responses": [], "unconnected": 0,
               "unconnected_attempts": 0, "reps": {}, "leads_in_month": 0}
    for lead_id, handed_off_at, rep_id in store.conn.execute(
        "SELECT id, handed_off_at, rep_id FROM leads WHERE agreement_id = ?", (agreement.id,)
    ):
        local = datetime.fromtimestamp(handed_off_at, zone)
        if (local.year, local.month) != (year, month):
            continue
        if handed_off_at > as_of:
            continue
        figures["leads_in_month"] += 1  # the recalibration's cohort
        # As of `as_of`: later attempts have not happened yet.
        mine = [(at, outcome) for at, outcome in attempts.get(lead_id, []) if at <= as_of]
        first = min((at for at, _ in mine if at <= as_of), default=None)
        if first is not None:
            response = calendar.business_seconds_between(handed_off_at, first)
            figures["responses"].append(response)
            status = "met" if response <= target else "breached"
        else:
            # Breached once more business time than the target has gone by (DESIGN.md).
            status = "breached" if calendar.business_seconds_between(handed_off_at, as_of) > target else "pending"
        figures["leads"] += 1
        figures[status] += 1
        rep = figures["reps"].setdefault(rep_id, {"leads": 0, "met": 0, "breached": 0, "pending": 0})
        rep["leads"] += 1
        rep[status] += 1
        outcomes = {outcome for _, outcome in mine}
        if not outcomes & CONNECTING_OUTCOMES and "disqualified" not in outcomes:  # as of `as_of`
            figures["unconnected"] += 1
            figures["unconnected_attempts"] += len(mine)
    return figures


def test_month_figures_match_raw_rows(store):
    rng = random.Random(0)
    for agreement in store.list_agreements():
        for as_of in (END + 30 * 86400, *(rng.randrange(START, END) for _ in range(2))):
            for year, month in MONTHS:
                report = metrics.month_report(store, agreement, year, month, _instant(as_of))
                raw = _raw_month(store, agreement, year, month, as_of)
                speed, depth = report["speed"], report["depth"]
                assert report["volume"]["actual"] == raw["leads"]
                assert (speed["met_count"], speed["breached_count"], speed["pending_count"]) == \
                    (raw["met"], raw["breached"], raw["pending"])
                responses = sorted(raw["responses"])
                assert speed["responded"] == len(responses)
                if responses:
                    assert speed["mean_seconds"] == pytest.approx(mean(responses))
                    assert speed["median_seconds"] == median(responses)
                    # Nearest rank: the ceil(0.9 n)-th smallest.
                    assert speed["p90_seconds"] == responses[math.ceil(9 * len(responses) / 10) - 1]
                else:
                    assert speed["mean_seconds"] is None and speed["median_seconds"] is None
                assert depth["unconnected_leads"] == raw["unconnected"]
                assert depth["mean_attempts"] == (raw["unconnected_attempts"] / raw["unconnected"]
                                                  if raw["unconnected"] else None)
                assert {r["rep"]["id"]: {"leads": r["leads"], "met": r["speed"]["met_count"],
                                         "breached": r["speed"]["breached_count"],
                                         "pending": r["speed"]["pending_count"]} for r in report["reps"]} == raw["reps"]
                assert report["recalibration"]["marketing_leads"] == raw["leads_in_month"]


def test_stored_rollup_equals_a_rebuild_from_the_leads(store):
    # Every write path above refreshed the groups it touched before committing.
    assert store.conn.execute("SELECT count(*) FROM lead_days_dirty").fetchone()[0] == 0
    stored = store.conn.execute("SELECT * FROM lead_days ORDER BY agreement_id, day, rep_key").fetchall()
    store.conn.execute("BEGIN")
    rollups.rebuild(store.conn)
    rebuilt = store.conn.execute("SELECT * FROM lead_days ORDER BY agreement_id, day, rep_key").fetchall()
    store.conn.execute("ROLLBACK")
    assert [tuple(r) for r in stored] == [tuple(r) for r in rebuilt]


def test_a_group_left_dirty_is_read_from_the_leads(store):
    # A write that bypasses Store.transaction() leaves its groups unrefreshed: reports must not trust them.
    agreement = store.get_agreement("A0")
    lead_id, day = store.conn.execute(
        "SELECT id, handoff_day FROM leads WHERE agreement_id = ? AND first_attempt_at IS NULL LIMIT 1", (agreement.id,)
    ).fetchone()
    store.conn.execute("UPDATE leads SET first_attempt_at = handed_off_at, response_seconds = 0, attempt_count = 1 "
                       "WHERE id = ?", (lead_id,))
    assert store.conn.execute("SELECT count(*) FROM lead_days_dirty").fetchone()[0] == 1
    year, month = int(day[:4]), int(day[5:7])
    as_of = END + 30 * 86400
    report = metrics.month_report(store, agreement, year, month, _instant(as_of))
    leads = store.conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE response_seconds <= ?) FROM leads WHERE agreement_id = ? "
        "AND substr(handoff_day, 1, 7) = ?", (agreement.targets.respond_within_seconds, agreement.id, day[:7]),
    ).fetchone()
    assert (report["volume"]["actual"], report["speed"]["met_count"]) == tuple(leads)
    assert report["recalibration"]["marketing_leads"] == leads[0]
