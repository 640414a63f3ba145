"""Two `slatui log` processes on one lead at once end as one of the two serial orders would (issue 12): each
reads the lead inside its own write transaction, and the lead's status follows from all its attempts."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

from slatui.models import Agreement, Calendar, Lead
from slatui.store import Store

ROUNDS = 4


def _serial_state(tmp_path, first: str, second: str) -> tuple:
    with Store(tmp_path / f"serial-{first}-{second}.db") as store:
        agreement = store.add_agreement(Agreement(name="A", calendar=Calendar(tz="UTC")))
        lead = store.add_lead(Lead(agreement_id=agreement.id, name="L",
                                   handed_off_at=datetime(2026, 1, 5, 9, tzinfo=timezone.utc)))
        for outcome in (first, second):
            subprocess.run([sys.executable, "-m", "slatui", "--db", str(store.path), "log", str(lead.id),
                            "--outcome", outcome], check=True, capture_output=True)
        return _state(store, lead.id)


def _state(store: Store, lead_id: int) -> tuple:
    row = store.lead_row(lead_id)
    return row["status"], row["connected"], row["attempt_count"], row["next_due_at"], row["disqualified_at"] is not None


def test_disqualified_and_connected_logged_at_once_end_as_a_serial_order(tmp_path):
    serial = {_serial_state(tmp_path, "disqualified", "connected"), _serial_state(tmp_path, "connected",
                                                                                   "disqualified")}
    path = tmp_path / "race.db"
    with Store(path) as store:
        agreement = store.add_agreement(Agreement(name="A", calendar=Calendar(tz="UTC")))
        leads = [store.add_lead(Lead(agreement_id=agreement.id, name=f"L{i}",
                                     handed_off_at=datetime(2026, 1, 5, 9, tzinfo=timezone.utc))).id
                 for i in range(ROUNDS)]
    for lead_id in leads:
        racers = [subprocess.Popen([sys.executable, "-m", "slatui", "--db", str(path), "log", str(lead_id),
                                    "--outcome", outcome], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                  for outcome in ("disqualified", "connected")]
        for racer in racers:
            out, err = racer.communicate(timeout=60)
            assert racer.returncode == 0, err
            assert out.startswith("logged attempt #")
        with Store(path) as store:
            assert _state(store, lead_id) in serial
