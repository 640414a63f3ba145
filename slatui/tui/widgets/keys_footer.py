"""The footer of every screen: the keys that work here, drawn as one line of text.

It looks and acts like Textual's compact `Footer` (a key and its description, a group's keys then its label, the
command palette's key flush right; a click presses the key, a dimmed key only rings the bell), but it is one
widget, not a widget per key: Textual's builds, lays out and renders some 30 widgets as each screen first
shows, 40 % of the event loop's longest turns at 1M leads (a new screen's first frame)."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


# Columns a turn of the mouse wheel scrolls the keys by.
SCROLL_STEP = 4


class Key(NamedTuple):
    """One key as shown: its columns in the line (start inclusive, end exclusive)."""

    key: str
    start: int
    end: int
    enabled: bool
    tooltip: str


class Entry(NamedTuple):
    """A key as drawn: the key, its description (empty in a group) and what it presses."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


class Group(NamedTuple):
    """Keys that share one label: `[] Agreement` (compact), `1 2 3 4 5 6 Screens`."""

    entries: list[Entry]
    label: str
    compact: bool


class KeysFooter(Widget):
    """The screen's active bindings with `show=True`, grouped as Textual's footer groups them."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keys-footer--key",
        "keys-footer--description",
        "keys-footer--label",
        "keys-footer--separator",
        "keys-footer--hover",
    }
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .keys-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .keys-footer--description, .keys-footer--label {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .keys-footer--separator {
            color: $foreground 20%;
        }
        .keys-footer--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: object = None
        self._items: list[Entry | Group] = []
        self._palette: Entry | None = None
        self._keys: list[Key] = []  # where render put each key
        self._hovered: str | None = None
        self._shift = 0  # columns scrolled past with the mouse wheel
        self._overflow = 0  # columns of keys that do not fit

    @property
    def keys(self) -> list[Key]:
        """The keys drawn, left to right (the palette's last)."""
        return self._keys

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # As Textual's footer: an app without the focus keeps the keys it had (they come back unchanged).
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self.rebuild)

    def rebuild(self) -> None:
        """Read the screen's keys again; redraw only if they changed (the same keys come back on each return to a
        screen and as the focus settles)."""
        if not self.is_attached:  # a late call once the screen is gone
            return
        bindings = self.screen.active_bindings
        palette = bindings.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        shown = [(binding, enabled, tooltip) for _, binding, enabled, tooltip in bindings.values() if binding.show]
        if (shown, palette) == self._shown:
            return
        self._shown = (shown, palette)
        self._items = self._grouped(shown)
        self._hovered, self.tooltip, self._shift = None, None, 0  # other keys, in other places
        self._palette = None
        if palette is not None:
            _, binding, enabled, _ = palette
            self._palette = self._entry(binding, enabled, binding.tooltip or binding.description, binding.description)
        self.refresh()

    def _grouped(self, shown: list[tuple[Binding, bool, str]]) -> list[Entry | Group]:
        """Textual's footer's order: a binding per action, consecutive actions of one group under its label."""
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for binding, enabled, tooltip in shown:
            by_action[binding.action].append((binding, enabled, tooltip))
        items: list[Entry | Group] = []
        firsts = (multi[0] for multi in by_action.values())
        for group, members in groupby(firsts, lambda first: first[0].group):
            members = list(members)
            if group is not None and len(members) > 1:
                entries = [self._entry(binding, enabled, tooltip or binding.description, "")
                           for binding, enabled, tooltip in members]
                items.append(Group(entries, group.description, group.compact))
            else:
                items.extend(self._entry(binding, enabled, tooltip, binding.description)
                             for binding, enabled, tooltip in members)
        return items

    def _entry(self, binding: Binding, enabled: bool, tooltip: str, description: str) -> Entry:
        return Entry(binding.key, self.app.get_key_display(binding), description, enabled, tooltip)

    def render(self) -> Text:
        width = self.size.width
        styles = {name: self.get_component_rich_style(f"keys-footer--{name}")
                  for name in ("key", "description", "label", "separator", "hover")}
        line, keys = Text(no_wrap=True, overflow="crop"), []

        def add(entry: Entry) -> None:
            start = line.cell_len
            line.append(entry.display, styles["key"])
            if entry.description:
                line.append(" " + entry.description, styles["description"])
            keys.append(Key(entry.key, start, line.cell_len, entry.enabled, entry.tooltip))

        for item in self._items:
            if isinstance(item, Group):  # a space before, the keys (side by side if compact), the label
                for entry in item.entries:
                    line.append(" " if entry is item.entries[0] or not item.compact else "")
                    add(entry)
                line.append(" " + item.label + " ", styles["label"])
            else:
                add(item)
                line.append(" ")
        palette = Text(no_wrap=True)
        if self._palette is not None:  # flush right, after a thin rule (part of its key, as on Textual's)
            palette.append("▏", styles["separator"])
            palette.append(self._palette.display, styles["key"])
            palette.append(" " + self._palette.description, styles["description"])
        room = max(0, width - palette.cell_len)
        # What does not fit is reached with the mouse wheel (the keyboard has `?`), as on Textual's footer.
        self._overflow = max(0, line.cell_len - room)
        shift = self._shift = min(self._shift, self._overflow)
        line = line[shift:]
        line.truncate(room, pad=True)
        keys = [key._replace(start=max(0, key.start - shift), end=min(room, key.end - shift))
                for key in keys if key.end - shift > 0 and key.start - shift < room]
        if self._palette is not None:
            line.append_text(palette)
            keys.append(Key(self._palette.key, room, line.cell_len, self._palette.enabled, self._palette.tooltip))
        for key in keys:
            if not key.enabled:
                line.stylize(Style(dim=True), key.start, key.end)
            if key.key == self._hovered:  # the key's colours on the hover's background
                line.stylize(Style(bgcolor=styles["hover"].bgcolor), key.start, key.end)
        self._keys = keys
        line.stylize_before(self.rich_style)
        return line

    def _key_at(self, x: int) -> Key | None:
        return next((key for key in self._keys if key.start <= x < key.end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._key_at(event.x))

    def on_leave(self) -> None:
        self._hover(None)

    def _hover(self, key: Key | None) -> None:
        if (key.key if key else None) != self._hovered:
            self._hovered = key.key if key else None
            self.tooltip = key.tooltip if key and key.tooltip else None
            self.refresh()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(SCROLL_STEP, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-SCROLL_STEP, event)

    def _scroll(self, step: int, event: events.MouseEvent) -> None:
        shift = max(0, min(self._shift + step, self._overflow))
        if shift != self._shift:
            self._shift = shift
            event.stop()
            self.refresh()
