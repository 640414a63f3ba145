"""ctrl+e on the dashboard, charts and scorecard: an agreement's month report as Markdown with its
charts (what `slatui report --format md` writes), saved in the current directory."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from textual.dom import DOMNode

from slatui import metrics
from slatui.errors import SlatuiError
from slatui.files import write_private
from slatui.report import chart_text, render_markdown
from slatui.store import Store


def report_path(folder: Path, agreement_name: str, year: int, month: int) -> Path:
    slug = re.sub(r"[\W_]+", "-", agreement_name.casefold()).strip("-") or "agreement"
    return folder / f"slatui-report-{slug}-{year:04d}-{month:02d}.md"


def write_month_report(store: Store, agreement_id: int, year: int, month: int, as_of: datetime,
                       folder: Path) -> Path:
    terms = store.terms(agreement_id)
    report = metrics.month_report(store, terms, year, month, as_of)
    first, last = metrics.month_bounds(year, month)
    weekly = metrics.period_series(store, terms, first, last, as_of, "week")
    path = report_path(folder, terms.name, year, month)
    write_private(path, render_markdown([report], {terms.name: chart_text(report, weekly)}))
    return path


def export_report(node: DOMNode, agreement_id: int | None, period: tuple[int, int] | None) -> None:
    """Write the report in a thread worker, then say in a toast where it went (or why it did not)."""
    app = node.app
    if agreement_id is None or period is None:
        app.notify("Nothing to export yet: no agreement is shown.", severity="warning")
        return

    def write() -> None:
        try:
            with app.data.store() as store:
                path = write_month_report(store, agreement_id, *period, app.now(), Path.cwd())
        except (SlatuiError, OSError) as exc:
            app.call_from_thread(app.notify, f"Export failed: {exc}", severity="error", markup=False)
            return
        app.call_from_thread(app.notify, f"Report written to {path}", title="Exported", markup=False)

    # A group per report: in a group only the latest load's result reaches the screen (SlatuiApp), and
    # every export's message must.
    node.run_worker(write, thread=True, group=f"export-{agreement_id}-{period}")
