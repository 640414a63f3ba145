"""The command line: daily-loop flows, clean refusals of bad input, and the start-up contract."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest



@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "cli.db"
    monkeypatch.setenv("SLATUI_DB", str(path))
    return path


@pytest.fixture
def agreement(db, run):
    code, _, err = run("agreement", "add", "MQL to SQL", "--tz", "Europe/Madrid", "--hours", "mon-fri 09:00-17:00",
                       "--respond-within", "1h", "--compliance", "85", "--holidays", "ES")
    assert code == 0, err
    return "MQL to SQL"


def test_daily_loop(agreement, run):
    assert run("rep", "add", "Ana", "--capacity", "40")[0] == 0
    code, out, _ = run("lead", "add", "Bob Smith", "--agreement", agreement, "--company", "Acme", "--rep", "Ana",
                       "--at", "2026-11-20T10:00")
    assert code == 0 and out == "added lead #1 Bob Smith\n"
    assert run("log", "1", "--outcome", "no-answer", "--at", "2026-11-20T10:20")[0] == 0
    code, out, _ = run("log", "1", "--outcome", "connected", "--at", "2026-11-20T11:00", "--json")
    assert code == 0 and json.loads(out)["outcome"] == "connected"
    code, out, _ = run("leads", "--json")
    (lead,) = json.loads(out)
    assert lead["id"] == 1 and lead["agreement"] == agreement and lead["status"] == "connected"
    assert lead["attempts"] == 2
    assert lead["handed_off_at"] == "2026-11-20T09:00:00+00:00"  # read in Madrid time
    assert lead["first_attempt_at"] == "2026-11-20T09:20:00+00:00"
    assert lead["response_seconds"] == 20 * 60
    code, out, _ = run("leads")
    # The table reads on the agreement's clock, with its zone's abbreviation.
    assert "Bob Smith" in out and "20m" in out
    assert "2026-11-20 10:00 CET" in out and "2026-11-20 10:20 CET" in out and "UTC" not in out


def test_lead_add_json_has_id(agreement, run):
    code, out, _ = run("lead", "add", "Eve", "--agreement", agreement, "--json")
    assert code == 0 and json.loads(out)["id"] == 1
    assert run("lead", "add", "Fay", "--agreement", agreement, "--quiet")[:2] == (0, "2\n")


def test_report_and_scorecard_take_the_agreement_as_an_argument(agreement, run):
    assert run("lead", "add", "Bob", "--agreement", agreement, "--at", "2026-11-20T10:00")[0] == 0
    as_argument = run("report", agreement, "--month", "2026-11", "--as-of", "2026-11-21T12:00", "--format", "json")
    as_option = run("report", "--agreement", agreement, "--month", "2026-11", "--as-of", "2026-11-21T12:00",
                    "--format", "json")
    assert as_argument == as_option and json.loads(as_argument[1])["volume"]["actual"] == 1
    code, out, _ = run("scorecard", agreement, "--as-of", "2026-11-21T12:00")
    assert code == 0 and out.startswith(f"{agreement} — missed in a row")
    code, _, err = run("scorecard", agreement, "--agreement", "Other")
    assert code == 2 and "two agreements given" in err


def test_times_users_read_are_on_the_agreements_clock(agreement, run):
    assert run("lead", "add", "Bob", "--agreement", agreement, "--at", "2026-11-20T10:00")[0] == 0
    code, _, err = run("log", "1", "--outcome", "no_answer", "--at", "2026-11-20T09:00")
    assert code == 2
    assert err == ("error: at: the attempt (2026-11-20 09:00 CET) is before lead 1's handoff (2026-11-20 10:00 CET); "
                   "check the time\n")
    code, out, _ = run("report", agreement, "--month", "2026-11", "--as-of", "2026-11-21T12:00")
    assert "(as of 2026-11-21 12:00 CET)" in out


def test_lead_add_json_is_the_lead_models_dump(agreement, run, db):
    """`lead add --json` writes plain values (no pydantic): exactly what the Lead model dumps, field for field."""
    from slatui.store import Store

    code, out, err = run("lead", "add", "Eve", "--agreement", agreement, "--email", "eve@example.com", "--tier", "CEO",
                         "--value", "12.5", "--at", "2026-11-20T10:00", "--json")
    assert code == 0, err
    printed = json.loads(out)
    with Store(db) as store:
        expected = store.get_lead(printed["id"]).model_dump(mode="json")
    assert printed == expected and list(printed) == list(expected)
    assert printed["handed_off_at"] == "2026-11-20T09:00:00Z" and printed["connected"] is False


def test_agreement_list_json_is_the_agreement_models_dump(agreement, run, db):
    """`agreement list --json` (and `show --json`) read plain rows: the same JSON as the Agreement model's dump."""
    from slatui.store import Store

    code, _, err = run("agreement", "add", "Everything", "--kind", "multilevel", "--party", "Marketing", "--party",
                       "Sales", "--party", "Service", "--quota", "5000", "--from", "2026-01-01", "--to", "2026-12-31",
                       "--review", "2026-06-30", "--holiday", "2026-08-14", "--tier-value", "CEO=100",
                       "--tier-value", "Manager=40", "--summary", "all sections", "--compliance", "87.5")
    assert code == 0, err
    code, out, _ = run("agreement", "list", "--json")
    with Store(db) as store:
        expected = [a.model_dump(mode="json") for a in store.list_agreements()]
    assert code == 0 and json.loads(out) == expected and [list(a) for a in json.loads(out)] == [list(a) for a in expected]
    code, out, _ = run("agreement", "show", "Everything", "--json")
    shown = json.loads(out)
    # show adds the terms in force by month and any recompute under way.
    assert code == 0 and {k: v for k, v in shown.items() if k not in ("versions", "recomputing")} == expected[0]
    assert [v["from_month"] for v in shown["versions"]] == ["1970-01"] and shown["recomputing"] is None


def test_rep_list_json_is_the_rep_models_dump(db, run):
    from slatui.store import Store

    assert run("rep", "add", "Ana", "--team", "Inbound", "--capacity", "40")[0] == 0
    assert run("rep", "add", "Bo")[0] == 0
    code, out, _ = run("rep", "list", "--json")
    with Store(db) as store:
        assert code == 0 and json.loads(out) == [r.model_dump() for r in store.list_reps()]


def test_leads_pages_by_key_and_prints_the_next_pages_command(agreement, run, db):
    for hour in range(10, 15):
        assert run("lead", "add", f"Lead {hour}", "--agreement", agreement, "--at", f"2026-11-20T{hour}:00")[0] == 0
    assert run("lead", "add", "Same time", "--agreement", agreement, "--at", "2026-11-20T12:00")[0] == 0
    seen, command = [], ["leads", "--limit", "3", "--json"]  # the two leads at 12:00 fall on either side
    while True:
        code, out, err = run(*command)
        assert code == 0
        seen += [lead["name"] for lead in json.loads(out)]
        if not err:
            break
        # The hint is the whole command, --db and all when it was given on the command line.
        assert err.startswith("more leads: slatui leads --limit 3 --json --before ")
        command = err.split()[3:]
    assert seen == ["Lead 14", "Lead 13", "Same time", "Lead 12", "Lead 11", "Lead 10"]
    code, out, err = run("--db", str(db), "leads", "--limit", "5")
    assert code == 0 and out.count("Lead") == 4 and err.startswith(f"more leads: slatui --db {db} leads --limit 5")
    code, out, _ = run("leads", "--before", "1")
    assert code == 0 and out.strip() == "no more leads"
    code, _, err = run("leads", "--before", "99")
    assert code == 2 and "no lead with id 99" in err


def test_agreement_show_edit_and_list(agreement, run):
    code, out, _ = run("agreement", "edit", agreement, "--lead-goal", "150", "--hours", "mon-thu 09:00-17:00; fri 09:00-14:00",
                       "--json")
    assert code == 0
    data = json.loads(out)
    assert data["targets"]["lead_goal"] == 150
    assert data["calendar"]["hours"] == "mon-thu 09:00-17:00; fri 09:00-14:00"
    assert data["targets"]["compliance_threshold"] == 0.85
    code, out, _ = run("agreement", "show", "1")
    assert "150 leads/month" in out and "Europe/Madrid" in out
    code, out, _ = run("agreement", "list", "--json")
    assert [a["name"] for a in json.loads(out)] == [agreement]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("lead", "add", "X", "--agreement", "Nope"), "no agreement 'Nope'"),
        (("log", "99", "--outcome", "connected"), "no lead with id 99"),
        (("log", "1", "--outcome", "maybe"), "--outcome: 'maybe' is not allowed"),
        (("log", "1", "--outcome", "connected", "--at", "whenever"), "--at: can't read time 'whenever'"),
        (("log", "1", "--outcome", "connected", "--at", "2026-11-20T09:00"), "before lead 1's handoff"),
        (("agreement", "add", "Z", "--tz", "Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (("agreement", "add", "Z", "--kind", "weird"), "'weird' is not one of"),
        (("agreement", "add", "Z", "--hours", "mon-fri 17:00-09:00"), "end before they start"),
        (("agreement", "add", "Z", "--compliance", "120"), "--compliance: percentage must be between 0 and 100"),
        (("agreement", "add", "Z", "--lead-goal", "-5"), "error: --lead-goal must be 0 or more\n"),
        (("agreement", "add", "mql to sql"), "already exists"),
        (("agreement", "add", "Z", "--respond-within", "soon"), "--respond-within"),
        (("lead", "add", "X", "--agreement", "1", "--rep", "Nobody"), "no rep 'Nobody'"),
        (("lead", "add", "  ", "--agreement", "1"), "NAME must be 1 to 200 characters"),
        (("lead", "add", "X" * 201, "--agreement", "1"), "NAME must be 1 to 200 characters"),
        (("lead", "add", "X", "--agreement", "1", "--email", "bob@"), "--email: 'bob@' is not an email address"),
        (("lead", "add", "X", "--agreement", "1", "--value", "-3"), "--value must be 0 or more, got -3"),
        (("log", "1", "--outcome", "connected", "--channel", "fax"), "--channel: 'fax' is not allowed; use one of"),
        (("rep", "add", "Zed", "--capacity", "-1"), "error: --capacity must be 0 or more\n"),
    ],
)
def test_bad_input_is_refused_cleanly(agreement, run, db, args, message):
    assert run("lead", "add", "Bob", "--agreement", agreement, "--at", "2026-11-20T10:00")[0] == 0
    before = _dump(db)
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _dump(db) == before


def test_demo_refuses_non_empty_database(agreement, run):
    code, _, err = run("demo", "--leads", "20")
    assert code == 2 and "--force" in err


def test_demo_is_reproducible(tmp_path, run):
    outputs = []
    for name in ("a.db", "b.db"):
        path = str(tmp_path / name)
        assert run("--db", path, "demo", "--leads", "120", "--seed", "3")[0] == 0
        outputs.append(run("--db", path, "agreement", "list", "--json")[1])
    assert outputs[0] == outputs[1]


def test_locate_prints_the_database_path(db, run):
    assert run("locate")[1].strip() == str(db)


def _dump(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _subprocess(*args, env=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=120)


def test_console_entry_point_in_a_subprocess(tmp_path):
    env = {"SLATUI_DB": str(tmp_path / "sub.db")}
    result = _subprocess("-m", "slatui", "agreement", "add", "Sub SLA", "--tz", "UTC", env=env)
    assert result.returncode == 0, result.stderr
    result = _subprocess("-m", "slatui", "log", "7", "--outcome", "connected", env=env)
    assert result.returncode == 2 and result.stderr.startswith("error: lead: no lead with id 7")


def test_importing_the_cli_does_not_import_textual_or_heavy_modules():
    # Harlequin-style start-up contract: quick logging from the shell stays light.
    code = "import sys, slatui.cli; print(','.join(m for m in ('textual', 'plotext', 'pandas', 'numpy', 'rich') if m in sys.modules))"
    result = _subprocess("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


# The quick commands must not load what they do not use: pydantic alone is ≈ 100 ms of start-up.
QUICK_COMMANDS = [
    ("log", "1", "--outcome", "no_answer"),
    ("lead", "add", "Quick", "--agreement", "1", "--email", "q@example.com", "--rep", "1"),
    ("lead", "add", "Quick", "--agreement", "1", "--json"),
    ("report", "--agreement", "1", "--format", "json"),
    ("scorecard", "--format", "json"),
    ("leads", "--limit", "5"),
    ("lead", "show", "1"),
    ("lead", "close", "1", "--won", "--revenue", "100"),
    ("attempt", "edit", "1", "--note", "called back", "--at", "now"),
    ("history", "--limit", "5"),
    ("undo",),
    ("queue", "--limit", "5"),
    ("status", "--format", "json"),
    ("leads", "--open", "--limit", "5", "--before", "20", "--json"),
    ("agreement", "list"),
    ("agreement", "list", "--json"),
    ("agreement", "show", "1"),
    ("rep", "list", "--json"),
]


@pytest.fixture(scope="module")
def quick_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("quick") / "quick.db")
    assert _subprocess("-m", "slatui", "--db", db, "demo", "--leads", "30").returncode == 0
    return db


@pytest.mark.parametrize("command", QUICK_COMMANDS, ids=lambda c: " ".join(c))
def test_quick_commands_load_no_heavy_module(quick_db, command):
    heavy = ("pydantic", "textual", "plotext", "rich", "sqlite_utils", "holidays", "pandas", "numpy")
    code = (f"import sys\nfrom slatui.cli import main\ntry:\n    main({['--db', quick_db, *command]!r})\n"
            f"except SystemExit as exc:\n    assert not exc.code, exc.code\n"
            f"print('loaded:', ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)")
    result = _subprocess("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "loaded: "


def test_log_json_has_the_attempt_models_fields(agreement, run):
    from slatui.models import Attempt

    assert run("lead", "add", "Bob", "--agreement", agreement, "--at", "2026-11-20T10:00")[0] == 0
    code, out, _ = run("log", "1", "--outcome", "voicemail", "--at", "2026-11-20T10:30", "--note", " left a message ",
                       "--json")
    attempt = json.loads(out)
    assert code == 0 and list(attempt) == list(Attempt.model_fields)
    assert Attempt.model_validate(attempt).model_dump(mode="json") == attempt
    assert attempt["at"] == "2026-11-20T09:30:00Z" and attempt["note"] == "left a message"


def test_calc_leads_reproduces_the_guide(run):
    code, out, _ = run("calc", "leads", "--quota", "5000", "--marketing-share", "100", "--deal-size", "100",
                       "--close-rate", "50", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["marketing_revenue_goal"], data["customers_needed"], data["leads_needed"]) == (5000, 50, 100)
    assert "100 a month" in run("calc", "leads", "--quota", "5000", "--marketing-share", "100%", "--deal-size",
                                "100", "--close-rate", "50")[1]


def test_calc_nines(run):
    data = json.loads(run("calc", "nines", "99.999", "--json")[1])
    assert round(data["downtime_seconds_per_year"] / 60, 2) == 5.26
    data = json.loads(run("calc", "nines", "99.9999", "--json")[1])
    assert round(data["downtime_seconds_per_year"], 1) == 31.5
    assert set(data) >= {"downtime_seconds_per_month", "downtime_seconds_per_week", "downtime_seconds_per_day"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("calc", "leads", "--quota", "5000", "--marketing-share", "150", "--deal-size", "100", "--close-rate", "50"),
         "--marketing-share: percentage must be between 0 and 100"),
        (("calc", "leads", "--quota", "5000", "--marketing-share", "100", "--deal-size", "0", "--close-rate", "50"),
         "deal size"),
        (("calc", "leads", "--quota", "5000", "--marketing-share", "100", "--deal-size", "100", "--close-rate", "0"),
         "close rate"),
        (("calc", "nines", "101"), "between 0 and 100"),
    ],
)
def test_calc_refuses_out_of_range_input(run, args, message):
    code, _, err = run(*args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_report_csv_cells_are_spreadsheet_safe(db, run):
    assert run("agreement", "add", "=HYPERLINK(\"http://x\")", "--tz", "UTC")[0] == 0
    code, out, _ = run("report", "--format", "csv")
    assert code == 0
    assert "'=HYPERLINK" in out.splitlines()[1]


def test_logging_does_not_load_the_holidays_package(agreement, run, db):
    # The agreement's public holidays (ES) were saved with it; loading the package costs >100 ms.
    assert run("lead", "add", "Bob", "--agreement", agreement, "--at", "2026-11-20T10:00")[0] == 0
    code = (f"import sys; from slatui.cli import main\n"
            f"try:\n    main(['--db', {str(db)!r}, 'log', '1', '--outcome', 'voicemail'])\nexcept SystemExit: pass\n"
            f"print('holidays' in sys.modules)")
    result = _subprocess("-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
    assert json.loads(run("leads", "--json")[1])[0]["attempts"] == 1
