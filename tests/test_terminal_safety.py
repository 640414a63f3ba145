"""Names are data everywhere: never Rich or Textual markup, Markdown or HTML, and never a control character
written raw to a terminal (an OSC 8 link, a screen clear, a C1 CSI) by the app, the CLI or an error message."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from terminal import AppInTerminal

from slatui.demo import generate_demo
from slatui.report import render_html, render_markdown
from slatui.store import Store

MARKUP = "[bold red]x[/]"
LINK = "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
C1 = "\x9b2J"  # CSI as one C1 character: clears the screen on terminals that read C1 controls
HOSTILE = f"{MARKUP}{LINK}{C1}"
# What must never reach a terminal: the link's opening sequence, and the C1 character in UTF-8.
RAW = (b"\x1b]8;;http://evil", "\x9b".encode())


def _poison(db: Path) -> None:
    """Every name, note and summary the app shows starts with the hostile text."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE agreements SET name = ? || name, summary = ?", (HOSTILE, HOSTILE))
        conn.execute("UPDATE reps SET name = ? || name", (HOSTILE,))
        conn.execute("UPDATE leads SET name = ? || name, company = ?", (HOSTILE, HOSTILE))
        conn.execute("UPDATE attempts SET note = ?", (HOSTILE,))
    conn.close()


def test_the_app_writes_no_control_character_of_a_name_to_the_terminal(tmp_path):
    db = tmp_path / "hostile.db"
    with Store(db) as store:
        generate_demo(store, leads=60, seed=7)
    _poison(db)
    app = AppInTerminal(db)
    try:
        app.wait_for("active agreement")
        # Every screen, a lead's detail (its attempts' notes), the log form and the scorecard.
        for key, shown in (("3", "Leads — "), ("4", "This month:"), ("5", "goal ("), ("2", "Queue — "),
                           ("enter", "Tier · source"), ("a", "Log attempt on"), ("escape", ""), ("escape", ""),
                           ("1", "active agreement"), ("s", "missed in a row")):
            mark = app.mark()
            app.press(key)
            app.wait_for(shown, since=mark)
        assert app.quit() == 0
    finally:
        app.close()
    for raw in RAW:
        assert raw not in app.raw
    assert MARKUP + "\\x1b]8;;" in app.text()  # shown as typed, the escape visible


def test_a_name_in_markup_shows_as_typed_in_the_agreements_table(drive, demo_db, settle):
    conn = sqlite3.connect(demo_db)
    with conn:
        conn.execute("UPDATE agreements SET name = ? WHERE id = 1", (f"{MARKUP} SLA",))
    conn.close()

    async def scenario(pilot):
        await pilot.press("4")
        await settle(pilot)
        table = pilot.app.screen.query_one("DataTable")
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert any(f"{MARKUP} SLA" in line for line in lines), lines

    drive(demo_db, scenario)


@pytest.fixture
def hostile_db(tmp_path, monkeypatch, run) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("SLATUI_DB", str(db))
    for args in (["agreement", "add", HOSTILE, "--tz", "UTC", "--party", HOSTILE, "--party", "Sales",
                  "--summary", HOSTILE, "--from", "2026-11-01"],
                 ["rep", "add", HOSTILE], ["lead", "add", HOSTILE, "--agreement", "1", "--rep", "1", "--at", "2h ago"],
                 ["log", "1", "--outcome", "no_answer", "--note", HOSTILE]):
        assert run(*args)[0] == 0
    return db


def _output(run, *args: str) -> str:
    _, out, err = run(*args)
    return out + err


@pytest.mark.parametrize("args", [
    ("leads",), ("agreement", "list"), ("agreement", "show", "1"), ("rep", "list"), ("report",),
    ("report", "--format", "csv"), ("scorecard",), ("rep", "add", HOSTILE),  # "already exists", echoing the name
    ("lead", "add", "X", "--agreement", HOSTILE + "?"),  # "no agreement ...", echoing the name and the known ones
])
def test_cli_text_shows_control_characters_as_escapes(hostile_db, run, args):
    output = _output(run, *args)
    assert not any(raw.decode() in output for raw in RAW)
    assert "\\x1b]8;;http://evil.example/" in output
    if args[0] in ("report", "scorecard", "agreement", "rep"):
        assert MARKUP in output  # as typed, never read as Rich markup


@pytest.mark.parametrize("args", [("leads", "--json"), ("agreement", "list", "--json"), ("report", "--format", "json")])
def test_cli_json_escapes_control_characters_and_keeps_the_name(hostile_db, run, args):
    output = _output(run, *args)
    assert not any(raw.decode() in output for raw in RAW)
    assert HOSTILE in _strings(json.loads(output))  # the same name, losslessly


def _strings(data) -> set[str]:
    if isinstance(data, dict):
        return set().union(*map(_strings, data.values()))
    if isinstance(data, list):
        return set().union(*map(_strings, data))
    return {data} if isinstance(data, str) else set()


def test_an_import_error_quoting_a_cell_shows_its_control_characters_as_escapes(hostile_db, run, tmp_path):
    csv = tmp_path / "leads.csv"
    csv.write_text(f"name,handed_off_at\nAna,{LINK}2026-11-02\n", encoding="utf-8")
    output = _output(run, "import", "csv", str(csv), "--agreement", "1")
    assert "rejected" in output and "\\x1b]8;;http://evil.example/" in output
    assert not any(raw.decode() in output for raw in RAW)


def _report(name: str, rep: str) -> dict:
    return {
        "agreement": {"id": 1, "name": name}, "month": "2026-11", "as_of": "2026-11-18T15:30:00+00:00",
        "time_zone": "UTC", "month_status": "missed", "month_met": False, "on_track": None,
        "counts_toward_verdict": True, "consecutive_missed_months": 1,
        "miss_limit": 3, "cancellation_reached": False, "review_due": False, "review_date": None,
        "volume": {"goal": 10, "actual": 2, "goal_to_date": 5.0, "projected": 4.0, "met": False, "on_pace": False},
        "speed": {"threshold": 0.9, "target_seconds": 3600, "compliance": 0.5, "met_count": 1, "breached_count": 1,
                  "pending_count": 0, "mean_seconds": 60, "median_seconds": 60, "p90_seconds": 60, "met": False},
        "depth": {"min_attempts": 6, "mean_attempts": 1.0, "unconnected_leads": 1, "leads_worked": 1, "met": False},
        "reps": [{"rep": {"id": 1, "name": rep}, "leads": 2, "speed": {"compliance": 0.5, "median_seconds": 60},
                  "depth": {"mean_attempts": 1.0}, "load_this_week": 1, "weekly_capacity": 5}],
    }


def test_markdown_reports_escape_names():
    name, rep = "A | B <script> & *bold* [x](y)\nsecond line", "Ann | <b>x</b>"
    text = render_markdown([_report(name, rep)], {name: f"chart of {name}\n```\nnot code"})
    heading = next(line for line in text.splitlines() if line.startswith("## "))
    assert heading == ("## A \\| B &lt;script> &amp; \\*bold\\* \\[x\\](y) second line — 2026-11")
    rep_row = next(line for line in text.splitlines() if line.startswith("| Ann"))
    assert rep_row.count(" | ") == 4 and rep_row.startswith("| Ann \\| &lt;b>x&lt;/b> |")
    prose = text.split("````text")[0]  # in the chart's code block, <script> is text anyway
    assert "<script>" not in prose and "<b>" not in prose
    fence = next(line for line in text.splitlines() if line.endswith("text"))
    assert fence == "````text" and text.count("````") == 2  # the name's ``` cannot close the chart's block


def test_html_reports_escape_names_and_control_characters():
    text = render_html([_report(f"<script>alert(1)</script> & {LINK}", "<b>Ann</b>")], {})
    assert "<script>" not in text and "<b>Ann" not in text and "\x1b" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\x1b]8;;" in text and "&lt;b&gt;Ann&lt;/b&gt;" in text
