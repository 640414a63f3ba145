"""Regenerate screenshots/*.svg: every screen of the app on the demo data, 120×40, with a frozen clock.

    .venv/bin/python scripts/screenshots.py [OUT_DIR] [--size 80x24]

Another size (e.g. a laptop's 80×24) into another folder shows how the screens fold; the README's stay 120×40.

Same seed and same instant as the tests (FROZEN_NOW), so the pictures only change when the app does.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from slatui.demo import generate_demo
from slatui.store import Store
from slatui.tui.app import SlatuiApp

NOW = datetime(2026, 11, 18, 15, 30, tzinfo=timezone.utc)
SIZE = (120, 40)
OUT = Path(__file__).resolve().parent.parent / "screenshots"

# (file name, keys pressed after the previous shot; "action:NAME" runs an app action, as the palette does).
SHOTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dashboard", ("1",)),
    ("scorecard", ("s",)),
    ("import-file", ("escape", "action:import_file")),
    ("queue", ("escape", "2")),
    ("log-attempt-form", ("a",)),
    ("leads", ("escape", "3")),
    ("lead-detail", ("enter",)),
    ("agreements", ("escape", "4")),
    ("agreement-editor", ("e",)),
    # A new lead goal from August: the question, and how many past months it judges again.
    ("effective-month", ("tab", "tab", "end", "5", "ctrl+s", "tab", *"2026-08")),
    ("reps", ("escape", "escape", "r")),
    ("charts-volume", ("escape", "5")),
    ("charts-speed", ("c",)),
    ("charts-compliance", ("c",)),
    ("charts-depth", ("c",)),
    ("charts-rep-speed", ("c",)),
    ("charts-rep-depth", ("c",)),
    ("charts-rep-load", ("c",)),
    ("calculator", ("6",)),
    ("help", ("question_mark",)),
)


async def settle(pilot) -> None:
    """Database workers done, their results drawn, no blinking cursor caught half-way."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


async def shoot(db: Path, out: Path, size: tuple[int, int]) -> list[Path]:
    app = SlatuiApp(db, clock=lambda: NOW)
    saved = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for name, steps in SHOTS:
            for step in steps:
                if step.startswith("action:"):
                    await app.run_action(step.removeprefix("action:"))
                else:
                    await pilot.press(step)
                await settle(pilot)
            saved.append(Path(app.save_screenshot(f"{name}.svg", str(out))))
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT, help="folder for the SVG files")
    parser.add_argument("--size", default="x".join(map(str, SIZE)), help="terminal COLUMNSxROWS")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.db"
        with Store(db) as store:
            generate_demo(store, seed=7, now=NOW)
            # The change log's when and who, as the lead detail's history shows them: the same on every machine.
            with store.transaction() as conn:
                conn.execute("UPDATE changes SET at = ?, user = 'demo'", (int(NOW.timestamp()) - 3600,))
        for path in asyncio.run(shoot(db, args.out, size)):
            print(path)


if __name__ == "__main__":
    main()
