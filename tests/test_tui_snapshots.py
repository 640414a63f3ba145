"""SVG snapshots of every screen at a laptop's 80×24 and at 120×40 (frozen clock, demo seed 7).

`pytest tests/test_tui_snapshots.py --snapshot-update` rewrites them; look at what changed before committing.
One app per picture, so the list stays short: each screen once per size (the charts screen shows its
bars at 80 columns and the waterfall at 120).
"""

from __future__ import annotations

import pytest

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

# Name → keys pressed from the dashboard ("action:NAME" runs an app action, as the palette does), and the
# sizes it is taken at.
SHOTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dashboard": ((), tuple(SIZES)),
    "scorecard": (("s",), tuple(SIZES)),
    "queue": (("2",), tuple(SIZES)),
    "log-attempt-form": (("2", "a"), tuple(SIZES)),
    "snooze-form": (("2", "z"), tuple(SIZES)),
    "leads": (("3",), tuple(SIZES)),
    "lead-detail": (("3", "enter"), tuple(SIZES)),
    "edit-attempt-form": (("3", "enter", "enter"), ("80x24",)),
    "close-won-form": (("3", "w"), ("80x24",)),
    "new-lead-form": (("3", "n"), tuple(SIZES)),
    "agreements": (("4",), tuple(SIZES)),
    "agreement-editor": (("4", "e"), tuple(SIZES)),
    # A goal of 1205 from August: how many past months are judged again.
    "effective-month": (("4", "e", "tab", "tab", "end", "5", "ctrl+s", "tab", *"2026-08"), tuple(SIZES)),
    "reps": (("4", "r"), tuple(SIZES)),
    "charts-speed": (("5", "c"), ("80x24",)),
    "charts-volume": (("5",), ("120x40",)),
    "calculator": (("6",), tuple(SIZES)),
    "help": (("question_mark",), tuple(SIZES)),
    "import-file": (("action:import_file",), tuple(SIZES)),
    "welcome": ((), tuple(SIZES)),  # on an empty database
}
CASES = [pytest.param(name, size, id=f"{name}-{size}") for name, (_, sizes) in SHOTS.items() for size in sizes]


@pytest.mark.parametrize(("name", "size"), CASES)
def test_snapshot(snap_compare, make_app, demo_db, empty_db, settle, name, size):
    keys, _ = SHOTS[name]

    async def run_before(pilot):
        await settle(pilot)
        for key in keys:
            if key.startswith("action:"):
                await pilot.app.run_action(key.removeprefix("action:"))
            else:
                await pilot.press(key)
            await settle(pilot)

    app = make_app(empty_db if name == "welcome" else demo_db)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
