"""The one-widget footer on its own: what Textual's footer does with the mouse, it does (issue 17 replaced
Textual's widget per key with it)."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.events import MouseScrollDown

from slatui.tui.widgets.keys_footer import KeysFooter

WORDS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett"]


class KeysApp(App[None]):
    """Ten keys a-j that note themselves, and x, shown but disabled (its check says None: dimmed)."""

    BINDINGS = [Binding(word[0].lower(), f"note('{word[0].lower()}')", word) for word in WORDS] + [
        Binding("x", "off", "Off")]

    def __init__(self) -> None:
        super().__init__()
        self.pressed: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield KeysFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "off" else True

    def action_note(self, key: str) -> None:
        self.pressed.append(key)

    def bell(self) -> None:
        self.bells += 1


def drive(width: int, scenario) -> None:
    async def main() -> None:
        app = KeysApp()
        async with app.run_test(size=(width, 10)) as pilot:
            await pilot.pause()
            await scenario(pilot, app, app.screen.query_one(KeysFooter))

    asyncio.run(main())


def keys(footer: KeysFooter) -> dict:
    return {key.key: key for key in footer.keys}


def test_a_click_presses_the_key_and_a_disabled_key_is_dimmed_and_rings_the_bell():
    async def scenario(pilot, app, footer):
        shown = keys(footer)
        await pilot.click(KeysFooter, offset=(shown["c"].start, 0))
        assert app.pressed == ["c"]
        off = shown["x"]
        assert not off.enabled
        line = footer.render()
        assert line.get_style_at_offset(app.console, off.start).dim
        assert not line.get_style_at_offset(app.console, shown["c"].start).dim
        await pilot.click(KeysFooter, offset=(off.start, 0))
        assert app.bells == 1 and app.pressed == ["c"]

    drive(160, scenario)


def test_the_palette_key_takes_its_rule_too():
    async def scenario(pilot, app, footer):
        palette = keys(footer)["ctrl+p"]
        assert palette.end == footer.size.width
        assert footer.render().plain[palette.start] == "▏"  # Textual's draws it as the key's left border
        await pilot.click(KeysFooter, offset=(palette.start, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)

    drive(160, scenario)


def test_keys_that_do_not_fit_are_reached_with_the_wheel_and_a_cut_one_still_works():
    async def scenario(pilot, app, footer):
        shown = keys(footer)
        assert "j" not in shown  # under the palette, 60 columns wide
        cut = footer.keys[-2]  # the last before the palette, cut short by it
        assert cut.end == shown["ctrl+p"].start
        await pilot.click(KeysFooter, offset=(cut.end - 1, 0))
        assert app.pressed == [cut.key]
        for _ in range(30):
            footer.post_message(MouseScrollDown(footer, 1, 0, 0, 0, 0, False, False, False))
            await pilot.pause()
        shown = keys(footer)
        assert "j" in shown and "a" not in shown
        await pilot.click(KeysFooter, offset=(shown["j"].start, 0))
        assert app.pressed[-1] == "j"

    drive(60, scenario)


def test_new_keys_forget_the_hovered_one():
    async def scenario(pilot, app, footer):
        await pilot.hover(KeysFooter, offset=(keys(footer)["b"].start, 0))
        assert footer._hovered == "b"
        app.bind("z", "note('z')", description="Zulu")
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert "z" in keys(footer) and footer._hovered is None and footer.tooltip is None

    drive(160, scenario)
