from importing import FIXTURES, counts, lead_facts, make_store, run

from slatui.io.salesforce import sf_id

SALESFORCE = FIXTURES / "salesforce"
FILES = (SALESFORCE / "tasks_dataloader.csv", SALESFORCE / "leads_report.csv")


def test_report_leads_and_dataloader_tasks(tmp_path):
    """US report dates (3/16/2026 9:05 AM) in the agreement's zone; Data Loader times in UTC (Z);
    18-character Who Ids match 15-character Lead IDs."""
    store = make_store(tmp_path / "s.db", tz="America/New_York", hours="mon-fri 09:00-17:00")
    result = run(tmp_path / "s.db", "import", "salesforce", *FILES, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("leads: 3 added, 0 updated; attempts: 5 added; reps: 2 added (Emma Navarro, "
                                    "Felipe Santos); rows rejected: 0")
    assert "note: 1 row skipped" in result.stderr  # the "Other" task
    assert lead_facts(store) == {
        "Maria Lopez": (2, 30 * 60, False, "open"),  # 09:05 EDT handoff, voicemail 13:35Z = 09:35 EDT
        "Nuno Almeida": (2, 30 * 60, True, "customer"),  # converted; connected at 15:00 EDT after 14:30
        "Olga Popova": (1, 3600, False, "disqualified"),  # closed - not converted
    }
    nuno = store.lead_rows(text="Nuno")[0]
    assert store.get_lead(nuno["id"]).source == "sales"  # lead source Cold Call
    # Converted on 3/27 (a date alone): closed at the end of that day in New York.
    assert store.get_lead(nuno["id"]).closed_at.isoformat() == "2026-03-28T03:59:59+00:00"


def test_reimport_adds_nothing(tmp_path):
    store = make_store(tmp_path / "s.db", tz="America/New_York")
    run(tmp_path / "s.db", "import", "salesforce", *FILES, "--agreement", "SLA")
    again = run(tmp_path / "s.db", "import", "salesforce", *FILES, "--agreement", "SLA")
    assert again.stdout.startswith("leads: 0 added, 0 updated; attempts: 0 added; rows rejected: 0")
    assert counts(store) == (3, 5, 2)


def test_tasks_of_unknown_leads_are_rejected(tmp_path):
    store = make_store(tmp_path / "s.db", tz="America/New_York")
    result = run(tmp_path / "s.db", "import", "salesforce", FILES[0], "--agreement", "SLA")
    assert result.code == 2
    assert ("rejected: tasks_dataloader.csv:2: WHOID: no lead with id 00Q5g00000AbCdE in this import or in "
            "agreement 'SLA'") in result.stderr
    assert counts(store) == (0, 0, 0)


def test_salesforce_ids_match_in_both_lengths():
    assert sf_id("00Q5g00000AbCdEEAZ") == sf_id("00Q5g00000AbCdE") == "00Q5g00000AbCdE"
    assert sf_id(" L-17 ") == "L-17"


CONVERTED = (SALESFORCE / "leads_converted_report.csv", SALESFORCE / "tasks_converted_dataloader.csv")


def test_converted_leads_keep_the_tasks_of_their_contact(tmp_path):
    """A report export (title line, footers) of converted leads, and tasks re-pointed to the new contacts:
    a task whose WhoId is a lead's ConvertedContactId is an attempt on that lead."""
    store = make_store(tmp_path / "s.db", tz="America/New_York", hours="mon-fri 09:00-17:00")
    result = run(tmp_path / "s.db", "import", "salesforce", *CONVERTED, "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("leads: 3 added, 0 updated; attempts: 4 added; "
                                    "reps: 2 added (Emma Navarro, Felipe Santos); rows rejected: 0")
    assert lead_facts(store) == {
        "Paula Reyes": (2, 15 * 60, True, "customer"),  # handed off 4:15 PM, the contact called 4:30 PM
        "Rita Sousa": (1, 20 * 60, False, "customer"),
        "Quique Soto": (1, 30 * 60, False, "open"),
    }
    assert "removed users in the CRM, kept as reps (new ones inactive): Felipe Santos" in result.stderr


def test_a_conversion_date_closes_at_the_end_of_that_day_or_the_handoff(tmp_path):
    """ConvertedDate is a date: Paula, created and converted on 3/18, is closed at 23:59:59 that day in the
    file's zone; Rita's conversion is dated the day before her creation, so she closes at her handoff."""
    store = make_store(tmp_path / "s.db", tz="America/New_York")
    assert run(tmp_path / "s.db", "import", "salesforce", CONVERTED[0], "--agreement", "SLA").code == 0
    closed = {r["name"]: store.get_lead(r["id"]) for r in store.lead_rows()}
    assert closed["Paula Reyes"].closed_at.isoformat() == "2026-03-19T03:59:59+00:00"
    assert closed["Rita Sousa"].closed_at == closed["Rita Sousa"].handed_off_at


def test_report_footers_and_blank_lines_are_not_leads(tmp_path):
    store = make_store(tmp_path / "s.db", tz="America/New_York")
    result = run(tmp_path / "s.db", "import", "salesforce", CONVERTED[0], "--agreement", "SLA")
    assert result.code == 0, result.stderr
    assert "Grand Totals" not in result.stderr and "Copyright" not in result.stderr
    assert counts(store)[0] == 3


def test_every_rejection_names_its_line_and_column(tmp_path):
    make_store(tmp_path / "s.db", tz="America/New_York")
    result = run(tmp_path / "s.db", "import", "salesforce", CONVERTED[0], SALESFORCE / "tasks_orphan_contact.csv",
                 "--agreement", "SLA")
    assert result.code == 2
    assert ("rejected: tasks_orphan_contact.csv:2: WHOID: no lead with id 0035g00000ZzZzZ in this import or in "
            "agreement 'SLA' (a Salesforce contact: import it with the Lead export that has its ConvertedContactId)"
            ) in result.stderr
    assert "rejected: tasks_orphan_contact.csv:3: CALLDISPOSITION: unknown outcome 'Gatekeeper'" in result.stderr
    for line in result.stderr.splitlines():
        if line.startswith("rejected:"):
            assert line.split(": ")[2] in ("WHOID", "CALLDISPOSITION"), line
