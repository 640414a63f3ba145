"""Store round-trips, derived lead facts, migrations and refusals, on temporary files."""

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from slatui.errors import DatabaseError, InvalidInput, NotFound
from slatui.models import Agreement, Attempt, Calendar, Lead, Rep, Targets
from slatui.store import Store
from slatui.store import rollups, schema

UTC = timezone.utc


def _agreement(**changes) -> Agreement:
    base = dict(
        name="MQL to SQL",
        targets=Targets(respond_within_seconds=3600),
        calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-17:00"),
    )
    return Agreement(**{**base, **changes})


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s.db") as s:
        yield s


def test_agreement_round_trip_keeps_every_section(store):
    original = _agreement(
        kind="multilevel",
        parties=[{"name": "Marketing", "goals": "100 leads"}, {"name": "Sales", "requirements": "pipeline report"},
                 {"name": "Service"}],
        summary="s", plan_if_missed="p", cancellation_terms="c",
        contacts=[{"name": "Marta", "role": "CMO", "email": "m@example.com", "party": "Marketing"}],
        effective_from="2026-01-01", review_date="2026-06-30", tier_values={"CEO": 100},
        calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-14:00,15:00-18:00", holiday_countries=["ES"],
                          holiday_dates=["2026-08-14"]),
    )
    saved = store.add_agreement(original)
    assert store.get_agreement("mql to sql") == saved
    assert store.get_agreement(str(saved.id)) == saved
    assert saved.model_dump(exclude={"id"}) == original.model_dump(exclude={"id"})


def test_duplicate_agreement_name_is_refused(store):
    store.add_agreement(_agreement())
    with pytest.raises(InvalidInput, match="already exists"):
        store.add_agreement(_agreement(name="mql TO sql"))


def test_attempt_updates_derived_facts_in_business_time(store):
    agreement = store.add_agreement(_agreement())
    # Friday 16:30 Madrid (15:30 UTC): 30 business minutes on Friday, then Monday from 09:00.
    handoff = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
    lead = store.add_lead(Lead(agreement_id=agreement.id, name="Bob", handed_off_at=handoff))
    assert lead.attempt_count == 0 and lead.first_attempt_at is None
    row = store.lead_rows()[0]
    assert row["deadline_at"] == int(datetime(2026, 11, 23, 8, 30, tzinfo=UTC).timestamp())

    store.log_attempt(Attempt(lead_id=lead.id, at=datetime(2026, 11, 23, 8, 15, tzinfo=UTC), outcome="no_answer"))
    store.log_attempt(Attempt(lead_id=lead.id, at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC), outcome="connected"))
    lead = store.get_lead(lead.id)
    assert lead.attempt_count == 2
    assert lead.first_attempt_at == datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
    assert lead.response_seconds == 30 * 60 + 15 * 60
    assert lead.connected and lead.status == "connected"


def test_attempt_before_handoff_is_refused_and_nothing_written(store):
    agreement = store.add_agreement(_agreement())
    lead = store.add_lead(Lead(agreement_id=agreement.id, name="Bob", handed_off_at=datetime(2026, 11, 20, 9, tzinfo=UTC)))
    with pytest.raises(InvalidInput, match="before lead"):
        store.log_attempt(Attempt(lead_id=lead.id, at=datetime(2026, 11, 20, 8, tzinfo=UTC), outcome="connected"))
    assert store.attempts_of(lead.id) == []
    # The trigger refuses it even past the Python check.
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("INSERT INTO attempts (lead_id, at, channel, outcome) VALUES (?, ?, 'call', 'connected')",
                           (lead.id, 0))


def test_disqualified_attempt_closes_the_lead(store):
    agreement = store.add_agreement(_agreement())
    lead = store.add_lead(Lead(agreement_id=agreement.id, name="Bob", handed_off_at=datetime(2026, 11, 20, 9, tzinfo=UTC)))
    store.log_attempt(Attempt(lead_id=lead.id, at=datetime(2026, 11, 20, 10, tzinfo=UTC), outcome="disqualified"))
    assert store.get_lead(lead.id).status == "disqualified"
    assert store.plan_rows() == []


def test_clock_change_recomputes_existing_leads(store):
    agreement = store.add_agreement(_agreement())
    lead = store.add_lead(Lead(agreement_id=agreement.id, name="Bob",
                               handed_off_at=datetime(2026, 11, 20, 15, 30, tzinfo=UTC)))
    store.log_attempt(Attempt(lead_id=lead.id, at=datetime(2026, 11, 23, 8, 15, tzinfo=UTC), outcome="no_answer"))
    assert store.get_lead(lead.id).response_seconds == 45 * 60
    store.update_agreement(agreement.model_copy(update={"calendar": Calendar(tz="UTC")}), effective="all")
    lead = store.get_lead(lead.id)
    assert lead.response_seconds == int(timedelta(days=2, hours=16, minutes=45).total_seconds())
    assert store.lead_rows()[0]["deadline_at"] == int(datetime(2026, 11, 20, 16, 30, tzinfo=UTC).timestamp())


def test_delete_and_undo_lead_with_attempts(store):
    agreement = store.add_agreement(_agreement())
    lead = store.add_lead(Lead(agreement_id=agreement.id, name="Bob", handed_off_at=datetime(2026, 11, 20, 9, tzinfo=UTC)))
    store.log_attempt(Attempt(lead_id=lead.id, at=datetime(2026, 11, 20, 10, tzinfo=UTC), outcome="voicemail"))
    before = dict(store.lead_row(lead.id))
    change_id = store.delete_lead(lead.id)
    with pytest.raises(NotFound):
        store.get_lead(lead.id)
    store.undo(change_id)
    assert dict(store.lead_row(lead.id)) == before
    assert len(store.attempts_of(lead.id)) == 1


def test_agreement_with_leads_is_deleted_only_with_cascade(store):
    agreement = store.add_agreement(_agreement())
    store.add_lead(Lead(agreement_id=agreement.id, name="Bob", handed_off_at=datetime(2026, 11, 20, 9, tzinfo=UTC)))
    with pytest.raises(InvalidInput, match="has 1 leads"):
        store.delete_agreement(agreement.id)
    store.delete_agreement(agreement.id, cascade=True)
    assert store.list_agreements() == [] and store.lead_rows() == []


def test_unknown_rep_and_lead_say_how_to_fix(store):
    store.add_rep(Rep(name="Ana"))
    with pytest.raises(NotFound, match=r"no rep 'Bo' \(known: Ana\)"):
        store.get_rep("Bo")
    with pytest.raises(NotFound, match="slatui leads"):
        store.get_lead(42)


def test_new_file_is_owner_only_and_migrated(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    with pytest.raises(DatabaseError, match="newer slatui"):
        Store(path)


@pytest.mark.parametrize("content", [b"hello, I am a text file", b"SQLite format 3\x00" + b"\x00" * 50])
def test_non_sqlite_or_corrupt_file_is_refused(tmp_path, content):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseError):
        Store(path)
    assert path.read_bytes() == content


def test_missing_folder_is_refused_for_explicit_paths(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist"):
        Store(tmp_path / "nope" / "x.db")


def test_migration_backs_up_an_older_database(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    Store(path).close()
    current = schema.SCHEMA_VERSION
    # Pretend a next schema version was released: an existing file must be copied first.
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, lambda conn: conn.execute("CREATE TABLE extra (x)")])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", current + 1)
    Store(path).close()
    backups = list(tmp_path.glob(f"old.db.v{current}-*.bak"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("PRAGMA user_version").fetchone()[0] == current
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == current + 1


def test_clock_follows_edits_made_through_another_connection(tmp_path):
    path = tmp_path / "two.db"
    with Store(path) as app_store, Store(path) as cli_store:
        agreement = app_store.add_agreement(_agreement())
        assert app_store.clock(agreement.id, 0).calendar.tz == "Europe/Madrid"
        cli_store.update_agreement(agreement.model_copy(update={"calendar": Calendar(tz="America/New_York")}),
                                   effective="all")
        assert app_store.clock(agreement.id, 0).calendar.tz == "America/New_York"


def test_every_released_schema_opens_with_its_data(tmp_path):
    # One fixture per released schema version (tests/fixtures/schemas/vN.db): each must open, migrate
    # (with a backup of the original) and keep every lead and attempt.
    import shutil
    from pathlib import Path

    fixtures = sorted(Path(__file__).parent.glob("fixtures/schemas/v*.db"))
    assert [f.stem for f in fixtures] == [f"v{n}" for n in range(1, schema.SCHEMA_VERSION + 1)]
    for fixture in fixtures:
        copy = tmp_path / fixture.name
        shutil.copy(fixture, copy)
        before = sqlite3.connect(fixture)
        counts = [before.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("agreements", "leads", "attempts")]
        before.close()
        with Store(copy) as store:
            assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
            assert [store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("agreements", "leads", "attempts")] == counts
            assert all(store.get_agreement(a.id) for a in store.list_agreements())
            assert _rollup(store) == _rollup(store, rebuilt=True)
        if fixture.stem != f"v{schema.SCHEMA_VERSION}":
            assert list(tmp_path.glob(f"{fixture.name}.{fixture.stem}-*.bak"))


def _rollup(store: Store, *, rebuilt: bool = False) -> list[tuple]:
    """The stored per-day rollup, or what rebuilding it from the leads gives (rolled back)."""
    store.conn.execute("SAVEPOINT rebuild")
    try:
        if rebuilt:
            rollups.rebuild(store.conn)
        return store.conn.execute("SELECT * FROM lead_days ORDER BY agreement_id, day, rep_key").fetchall()
    finally:
        store.conn.execute("ROLLBACK TO rebuild")
        store.conn.execute("RELEASE rebuild")


def test_terms_read_from_the_row_equal_the_models(tmp_path):
    # Quick commands read an agreement's Terms from its row; the app and tests may pass the model instead.
    with Store(tmp_path / "terms.db") as store:
        store.add_agreement(Agreement(
            name="Full", calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-17:00", holiday_countries=["es"],
                                           holiday_dates=["2026-12-24"]),
            targets=Targets(lead_goal=80, respond_within_seconds=1800, sales_quota=5000.0),
            effective_from="2026-01-01", review_date="2026-07-01", tier_values={"CEO": 100.0},
        ))
        store.add_agreement(Agreement(name="Plain"))
        for agreement in store.list_agreements():
            # The store's terms carry their versions (here one, since the start); the model's are those in force.
            assert store.terms(agreement.name) == replace(agreement.terms(),
                                                          versions=(agreement.terms().current_version(),))
            assert store.terms(agreement.id).business_calendar() == agreement.calendar.business_calendar()
