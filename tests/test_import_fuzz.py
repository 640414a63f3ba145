"""Whatever a file holds, an import either reports rows it rejects or stops with one
SlatuiError message: never a traceback (issue 8, item 5)."""

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slatui.errors import SlatuiError
from slatui.io import generic, hubspot, jsonio, salesforce
from slatui.io.batch import run_import
from slatui.io.csvread import DateReader
from slatui.models import Agreement, Calendar
from slatui.store import Store

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def place():
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "fuzz.db")
        agreement = store.add_agreement(
            Agreement(name="SLA", calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-18:00")))
        yield store, agreement, Path(folder)
        store.close()


def _aliases(*specs):
    return sorted({alias for spec in specs for aliases in spec.values() for alias in aliases})


CELLS = st.one_of(
    st.sampled_from(["", "101", "102", "Ana", "ana@x.io", "not an email", "Customer", "Unqualified", "Connected",
                     "Busy", "Gatekeeper", "CALL", "NOTE", "Meeting", "Other", "call", "connected", "no_answer",
                     "open", "marketing", "1.500,50", "-3", "2026-03-02 10:00", "2026-03-02T10:00:00Z",
                     "02/03/2026 09:00", "31/03/2026", "3/16/2026 9:05 AM", "9999-12-31 23:59", "0001-01-01",
                     "1969-12-31", "2026-02-30", "=1+1", "x" * 300, "00Q5g00000AbCdEEAZ"]),
    st.text(max_size=12),
)


@st.composite
def csv_texts(draw, columns):
    """CSV-shaped text: known and unknown headers, any delimiter, good and broken quoting."""
    if draw(st.booleans()):
        return draw(st.text(max_size=200))
    header = draw(st.lists(st.sampled_from(columns) | st.text(max_size=8), min_size=1, max_size=10))
    rows = draw(st.lists(st.lists(CELLS, max_size=len(header) + 2), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
        return buffer.getvalue()
    return "\n".join(delimiter.join(row) for row in [header, *rows])


def _import(place, read, text, skip, date_format=None):
    store, agreement, folder = place
    path = folder / "fuzz.csv"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    try:
        batch = read(path, agreement, DateReader(agreement.calendar.tz, date_format))
        summary = run_import(store, batch, dry_run=True, skip_bad_rows=skip)
    except SlatuiError as exc:
        assert str(exc)
        return
    assert all(error.message for error in summary.errors)
    assert store.count_leads_of_agreement(agreement.id) == 0  # dry run


@FUZZ
@given(text=csv_texts(_aliases(hubspot.CONTACT_COLUMNS, hubspot.ACTIVITY_COLUMNS)), skip=st.booleans())
def test_hubspot_never_crashes(place, text, skip):
    _import(place, lambda path, agreement, dates: hubspot.read_batch([path], agreement, dates), text, skip)


@FUZZ
@given(text=csv_texts(_aliases(salesforce.LEAD_COLUMNS, salesforce.TASK_COLUMNS)), skip=st.booleans())
def test_salesforce_never_crashes(place, text, skip):
    _import(place, lambda path, agreement, dates: salesforce.read_batch([path], agreement, dates), text, skip)


@FUZZ
@given(text=csv_texts(list(generic.FIELDS)), skip=st.booleans(),
       date_format=st.sampled_from([None, "dd/mm/yyyy", "mm/dd/yyyy", "iso", "%d.%m.%Y"]))
def test_generic_csv_never_crashes(place, text, skip, date_format):
    _import(place, lambda path, agreement, dates: generic.read_batch(path, agreement, dates, {}), text, skip,
            date_format)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    | st.sampled_from(["SLA", "2026-03-02T10:00:00+01:00", "2026-03-02T10:00:00", "connected", "call"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
ENTRY_KEYS = ["id", "lead_id", "agreement", "name", "rep", "external_id", "handed_off_at", "at", "outcome",
              "channel", "status", "email", "value", "closed_at", "calendar", "team"]
ENTRIES = st.lists(st.one_of(JSON_VALUES, st.dictionaries(st.sampled_from(ENTRY_KEYS), JSON_VALUES, max_size=6)),
                   max_size=4)


@FUZZ
@given(body=st.one_of(
    st.text(max_size=100),
    st.fixed_dictionaries({"format": st.just("slatui-export"), "version": st.just(1)},
                          optional={t: ENTRIES for t in ("agreements", "reps", "leads", "attempts")}).map(json.dumps),
), skip=st.booleans())
def test_json_never_crashes(place, body, skip):
    _import(place, lambda path, agreement, dates: jsonio.read_batch(path), body, skip)
