"""The query plans of every list: a first page never reads the whole history (EXPLAIN QUERY PLAN).

SQLite picks a plan from the statistics that bulk loads gather (`refresh_statistics`); on the demo they have
the proportions of the 1M-lead benchmark (3 agreements, 8 reps, 4 statuses), which gives the same plans.
A page of leads must walk an index in the list's order and stop at the page: no sort of the leads
(`USE TEMP B-TREE`), no scan of the table itself.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from slatui.store import Store
from slatui.store.connection import refresh_statistics

FILTERS = {
    "agreement_id": (None, 1),
    "rep_id": (None, 2),
    "status": (None, "open"),
    "open_only": (False, True),
    "text": (None, "ar"),
}
COMBINATIONS = [dict(zip(FILTERS, values)) for values in itertools.product(*FILTERS.values())]


def _label(filters: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in filters.items() if v) or "none"


@pytest.fixture(scope="module")
def store(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    with Store(demo_template) as template:
        path = template.backup(tmp_path_factory.mktemp("plans") / "plans.db")
    with Store(path) as s:
        yield s


def plans(store: Store, call: Callable[[], object]) -> list[list[str]]:
    """The plan of each statement `call` runs, as the lines EXPLAIN QUERY PLAN prints."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)  # the SQL with its parameters filled in
    try:
        call()
    finally:
        store.conn.set_trace_callback(None)
    return [[row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
            for sql in statements if sql.lstrip().upper().startswith("SELECT")]


def reads_whole_table(plan: list[str]) -> bool:
    return any(line in ("SCAN l", "SCAN leads") for line in plan)


def sorts(plan: list[str]) -> bool:
    return any("TEMP B-TREE" in line for line in plan)


def test_bulk_loads_gather_statistics(store):
    (analysed,) = store.conn.execute("SELECT max(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = 'leads'").fetchone()
    assert analysed == store.count_leads()


@pytest.mark.parametrize("filters", COMBINATIONS, ids=_label)
def test_a_page_of_leads_walks_an_index_in_order(store, filters):
    first = store.lead_rows(**filters, limit=20)
    before = (first[-1]["handed_off_at"], first[-1]["id"]) if first else (2**40, 0)
    for limit, key in ((20, None), (20, before)):
        (plan,) = plans(store, lambda: store.lead_rows(**filters, limit=limit, before=key))  # noqa: B023
        assert not sorts(plan) and not reads_whole_table(plan), plan
        # Its first step reads the leads through an index, in the list's order.
        assert any(line.startswith(("SEARCH l USING INDEX", "SCAN l USING INDEX")) for line in plan), plan


def test_pages_follow_each_other_without_gaps_or_repeats(store):
    everything = [row["id"] for row in store.lead_rows(open_only=True)]
    paged, before = [], None
    while page := store.lead_rows(open_only=True, limit=7, before=before):
        paged += [row["id"] for row in page]
        before = store.lead_key(page[-1]["id"])
    assert paged == everything and len(everything) > 7


@pytest.mark.parametrize("filters", COMBINATIONS, ids=_label)
def test_counts_read_an_index_not_the_table(store, filters):
    (plan,) = plans(store, lambda: store.count_leads(**filters))
    # A text filter alone (LIKE '%…%') can use no index: the leads screen counts after its first page is up.
    alone = filters["text"] and not any(filters[k] for k in ("agreement_id", "rep_id", "status", "open_only"))
    assert reads_whole_table(plan) == bool(alone), plan
    assert not sorts(plan), plan


def test_the_plan_is_read_from_its_own_index_in_due_order(store):
    reps = [row["id"] for row in store.rep_rows()]
    for filters in ({}, {"agreement_id": 1}, {"rep_id": reps[0]}, {"agreement_id": 1, "rep_id": reps[0]}):
        (plan,) = plans(store, lambda: store.plan_rows(**filters, limit=50))  # noqa: B023
        assert not reads_whole_table(plan) and any("leads_plan" in line for line in plan), plan
        # One rep's leads owed an attempt across agreements are sorted (a few hundred); the others walk in order.
        assert not sorts(plan) or filters == {"rep_id": reps[0]}, plan


def test_lead_detail_reps_and_agreements_read_by_index(store):
    lead_id = store.lead_rows(limit=1)[0]["id"]
    for call in (lambda: store.attempts_of(lead_id), lambda: store.count_leads_of_agreement(1)):
        for plan in plans(store, call):
            assert not sorts(plan) and not reads_whole_table(plan), plan
    # Reps and agreements are a handful of rows: read in name order from their unique index.
    for call in (store.rep_rows, store.list_terms):
        for plan in plans(store, call):
            assert not sorts(plan), plan


def _without_statistics(demo_template: Path, path: Path) -> Path:
    with Store(demo_template) as template:
        template.backup(path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE sqlite_stat1")
    conn.commit()
    conn.close()
    return path


def _analysed_tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {table for (table,) in conn.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
    finally:
        conn.close()


def test_without_statistics_an_open_leads_page_would_sort_every_open_lead(tmp_path, demo_template):
    """Why the store keeps statistics: without them SQLite reads every open lead through the status index and
    sorts them (0.5 s at 1M)."""
    with Store(_without_statistics(demo_template, tmp_path / "bare.db")) as bare:
        (plan,) = plans(bare, lambda: bare.lead_rows(open_only=True, limit=20))
        assert sorts(plan), plan
        refresh_statistics(bare.conn)
        (plan,) = plans(bare, lambda: bare.lead_rows(open_only=True, limit=20))
        assert not sorts(plan), plan


def test_closing_gathers_every_tables_statistics_once_the_leads_outgrew_them(tmp_path, demo_template):
    """A database from before this version (or grown lead by lead) gets statistics when a store closes: of every
    table, for partial ones mislead the planner (see refresh_statistics); then closing costs a lookup."""
    path = _without_statistics(demo_template, tmp_path / "bare.db")
    with Store(path) as store:
        store.lead_rows(limit=1)
    assert {"leads", "attempts", "agreements", "reps", "lead_days"} <= _analysed_tables(path)
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'reps'")  # so that another ANALYZE would show
    conn.commit()
    conn.close()
    with Store(path) as store:
        store.lead_rows(limit=1)
    assert "reps" not in _analysed_tables(path)


def test_a_small_old_agreements_page_reads_the_agreement_handoff_index(tmp_path, demo_template):
    """The leads of an agreement with few, old leads. Without `leads_by_agreement_handoff` the first page walks
    the handoff index through every newer lead (1.6 s for 100 leads under 1M); with it, it reads just the page."""
    from slatui.models import Agreement

    with Store(demo_template) as template:
        path = template.backup(tmp_path / "skewed.db")
    with Store(path) as store:
        old = store.add_agreement(Agreement(name="Old and small")).id
        with store.transaction() as conn:
            conn.execute("UPDATE leads SET agreement_id = ? WHERE id IN (SELECT id FROM leads ORDER BY handed_off_at "
                         "LIMIT 5)", (old,))

    def steps(store: Store) -> int:
        """Virtual machine steps (in hundreds) of the agreement's first page: the work, whatever the machine."""
        count = [0]
        store.conn.set_progress_handler(lambda: count.__setitem__(0, count[0] + 1), 100)
        try:
            assert len(store.lead_rows(agreement_id=old, limit=20)) == 5
        finally:
            store.conn.set_progress_handler(None, 0)
        return count[0]

    with Store(path) as store:
        store.conn.execute("ANALYZE")
        (plan,) = plans(store, lambda: store.lead_rows(agreement_id=old, limit=20))
        assert any("leads_by_agreement_handoff (agreement_id=?)" in line for line in plan) and not sorts(plan), plan
        indexed = steps(store)
        store.conn.execute("DROP INDEX leads_by_agreement_handoff")
        walking = steps(store)
        assert indexed * 3 < walking, (indexed, walking)


def test_a_writes_rollup_refresh_reads_only_the_groups_it_touched(store):
    """The dirty groups' table is empty whenever statistics are gathered: SQLite must not take it for a big table
    and index every lead at each write (an automatic index: 1-3 s a write at 1M leads)."""
    from slatui.store import rollups

    statements: list[str] = []
    store.conn.execute("BEGIN")
    try:
        # The leads' statistics of the 1M-lead demo (where the plan went wrong), read by the planner at once.
        store.conn.execute("UPDATE sqlite_stat1 SET stat = ? WHERE tbl = 'leads' AND idx = 'leads_by_agreement_day'",
                           ("999905 333302 2263 738 1 1 1 1 1 1 1 1 1 1 1 1",))
        store.conn.execute("ANALYZE sqlite_schema")
        store.conn.execute("INSERT INTO lead_days_dirty SELECT agreement_id, handoff_day, coalesce(rep_id, 0) "
                           "FROM leads LIMIT 1")
        store.conn.set_trace_callback(statements.append)
        rollups.refresh(store.conn)
        store.conn.set_trace_callback(None)
        (insert,) = [sql for sql in statements if sql.lstrip().startswith("INSERT INTO lead_days")]
        plan = [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {insert}")]
    finally:
        store.conn.set_trace_callback(None)
        store.conn.execute("ROLLBACK")
        store.conn.execute("ANALYZE sqlite_schema")  # the planner back on the file's own statistics
    assert not any("AUTOMATIC" in line or line == "SCAN l" for line in plan), plan
    assert any(line.startswith("SEARCH l USING INDEX leads_by_agreement_day") for line in plan), plan
