"""The slatui Textual app."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class SlatuiApp(App):
    TITLE = "slatui"

    def __init__(self, db_path: Path):
        super().__init__()
        self.db_path = Path(db_path)
        self.sub_title = str(self.db_path)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("slatui — SLA dashboards arrive here. Press ctrl+q to quit.")
        yield Footer()


def run(db_path: Path) -> None:
    SlatuiApp(db_path).run()
