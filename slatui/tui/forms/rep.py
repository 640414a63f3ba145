"""A rep: added (on the Reps screen, or from a pick list's "add a rep…") or edited (name, team, weekly capacity);
and the rep pick list of the lead and attempt forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select

from slatui.models import Rep
from slatui.text import printable
from slatui.tui.forms.base import FormScreen, field_row
from slatui.tui.widgets import cells

# The value of the pick list's last choice, which opens the rep form.
ADD_REP = -1


class RepForm(FormScreen[Rep]):
    """Name, team and weekly capacity; (de)activating is a key of the Reps screen."""

    def __init__(self, rep: Rep | None = None):
        super().__init__()
        self.rep = rep

    def form_title(self) -> str:
        return f"Edit rep {cells.markup(self.rep.name)} (#{self.rep.id})" if self.rep else "New rep"

    def compose_fields(self) -> ComposeResult:
        rep, defaults = self.rep, Rep.model_fields
        team = rep.team if rep else defaults["team"].default
        capacity = rep.weekly_capacity if rep else defaults["weekly_capacity"].default
        yield Horizontal(
            field_row("Name", Input(printable(rep.name) if rep else "", id="name", placeholder="first and last")),
            field_row("Team", Input(printable(team), id="team", placeholder="e.g. Sales, SDR")),
            classes="row",
        )
        yield field_row("Weekly capacity", Input(str(capacity), id="weekly_capacity"),
                        hint="leads a week the rep can work: the depth target is bounded by it")

    def read_form(self) -> Rep:
        reader = self.reader()
        return reader.validate(Rep, {
            **(self.rep.model_dump() if self.rep else {}),
            "name": reader.text("name"), "team": reader.text("team"),
            "weekly_capacity": reader.text("weekly_capacity") or None,
        })

    def persist(self, value: Rep) -> Rep:
        with self.writing() as store:
            if value.id is None:
                return store.add_rep(value)
            return store.edit_rep(value.id, name=value.name, team=value.team, weekly_capacity=value.weekly_capacity)


def rep_choices(reps: Iterable[Mapping[str, Any]], keep: int | None) -> list[tuple[Text, int]]:
    """A pick list's reps (store rows, by name): the active ones, and `keep` (the rep already on the lead or the
    attempt) even when inactive, so that saving the form does not drop them."""
    return [(cells.text(r["name"] if r["active"] else f"{r['name']} (inactive)"), r["id"])
            for r in reps if r["active"] or r["id"] == keep]


class RepSelect(Select[int]):
    """The reps of `rep_choices`, and a last choice, "add a rep…", that opens the rep form and picks the new rep."""

    def __init__(self, reps: Iterable[Mapping[str, Any]], *, value: int | None, prompt: str, id: str):
        self._rep_choices = rep_choices(reps, value)
        self._rep_before = value
        super().__init__(self._with_add(), value=Select.NULL if value is None else value, prompt=prompt, id=id)

    def _with_add(self) -> list[tuple[Text, int]]:
        return [*self._rep_choices, (Text("add a rep…", style="italic"), ADD_REP)]

    def set_reps(self, reps: Iterable[Mapping[str, Any]], keep: int | None) -> None:
        """New choices (read after the form opened); the rep chosen stays chosen."""
        current = self.value
        self._rep_choices = rep_choices(reps, keep)
        with self.prevent(Select.Changed):
            self.set_options(self._with_add())
            if any(rep_id == current for _, rep_id in self._rep_choices):
                self.value = current

    @on(Select.Changed)
    def _add_rep(self, event: Select.Changed) -> None:
        if event.value != ADD_REP:
            self._rep_before = None if event.value is Select.NULL else event.value
            return
        event.stop()

        def added(rep: Rep | None) -> None:
            if rep is not None:
                choices = [*self._rep_choices, (cells.text(rep.name), rep.id)]
                self._rep_choices = sorted(choices, key=lambda choice: choice[0].plain)
                self.set_options(self._with_add())
            chosen = rep.id if rep is not None else self._rep_before
            self.value = Select.NULL if chosen is None else chosen

        form = RepForm()
        form.origin = getattr(self.screen, "origin", form.origin)
        self.app.push_screen(form, added)
