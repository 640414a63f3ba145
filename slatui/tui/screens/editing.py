"""What the screens that change data share: writes in a thread worker, logged as coming from "app: <screen>",
a toast for each, and `u` to undo the last change made on the screen; and the keys of the screens that show
leads (lead details, Leads, Queue): edit, close as won, lost or disqualified, reopen."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.binding import Binding

from slatui.errors import SlatuiError
from slatui.store import to_epoch

if TYPE_CHECKING:
    from slatui.store import Store
    from slatui.tui.forms.base import FormScreen

T = TypeVar("T")

CLOSE_KEYS = Binding.Group("Close")


def lead_bindings(prefix: str) -> list[Binding]:
    """The keys on a lead (`prefix`: the screen's, for the binding ids)."""
    return [
        Binding("e", "edit", "Edit", id=f"{prefix}.edit"),
        Binding("w", "close('customer')", "Close as won", id=f"{prefix}.won", group=CLOSE_KEYS),
        Binding("l", "close('lost')", "Close as lost", id=f"{prefix}.lost", group=CLOSE_KEYS),
        Binding("x", "close('disqualified')", "Close as disqualified", id=f"{prefix}.disqualified", group=CLOSE_KEYS),
    ]


def undo_binding(prefix: str) -> Binding:
    return Binding("u", "undo", "Undo", id=f"{prefix}.undo")


class Edits:
    """Mixed into a screen (first in its bases). `u` undoes the last change made there, if nothing came after it:
    the change log's undo goes back one change."""

    _last_change: int | None = None

    @property
    def origin(self) -> str:
        """Where the change log says this screen's changes come from."""
        return f"app: {self.TITLE.lower()}"

    def changed(self) -> None:
        """Show the data as a change left it (reload)."""
        raise NotImplementedError

    def on_data_changed(self) -> None:
        self.changed()  # another process wrote to the file (`slatui log` in a shell): the queue must not wait for
        # its own half-minute refresh, nor the leads and reps for the next visit

    def open_form(self, form: FormScreen, saved: Callable[[Any], str]) -> None:
        """Push `form`; a save is confirmed with the toast `saved(value)` (the screen reloads when resumed)."""
        form.origin = self.origin

        def closed(value: Any) -> None:
            if value is not None:
                self._done(form.change_id, saved(value), reload=False)

        self.app.push_screen(form, closed)

    @work(thread=True, group="edits")
    def write(self, change: Callable[[Store], T], done: Callable[[T], str], *, undoable: bool = True) -> None:
        """Run `change(store)` (one logged change); then the toast `done(its result)` and a reload."""
        try:
            with self.app.data.store(self.origin) as store:
                result = change(store)
                change_id = store.last_change if undoable else None
        except SlatuiError as exc:
            self.failed(exc)
            return
        self.app.call_from_thread(self._done, change_id, done(result))

    def failed(self, error: SlatuiError) -> None:
        """From a worker thread: the store's refusal as an error toast."""
        self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)

    def _done(self, change_id: int | None, message: str, *, reload: bool = True) -> None:
        if change_id is not None:
            self._last_change = change_id
            self.refresh_bindings()
            message += " — press u to undo"
        self.notify(message, markup=False, timeout=10)
        if reload:
            self.changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self._last_change is not None
        return super().check_action(action, parameters)

    def action_undo(self) -> None:
        if self._last_change is None:
            return
        change_id, self._last_change = self._last_change, None
        self.refresh_bindings()
        self.write(lambda store: store.undo(change_id), lambda undone: f"Undid: {undone['summary']}", undoable=False)


class LeadEdits(Edits):
    """The lead keys (`lead_bindings`) on the lead a screen shows or highlights."""

    def current_lead(self) -> Mapping[str, Any] | None:
        """The lead the keys act on (a store row with its id and name); None, with a toast, when there is none."""
        raise NotImplementedError

    def action_edit(self) -> None:
        if (lead := self.current_lead()) is not None:
            self.open_lead_form(lead["id"])

    @work(thread=True, group="lead-form")
    def open_lead_form(self, lead_id: int | None, agreement_id: int | None = None) -> None:
        """Read fresh choices (and the lead to edit), then open the lead form: also right after a mode switch."""
        from slatui.tui.forms.lead import LeadForm

        try:
            with self.app.data.store() as store:
                agreements, reps = store.list_agreements(), store.rep_rows()
                lead = store.get_lead(lead_id) if lead_id is not None else None
        except SlatuiError as exc:  # deleted elsewhere meanwhile
            self.failed(exc)
            return
        if not agreements:
            self.app.call_from_thread(self.notify, "Create an agreement first (4, then n).", severity="warning")
            return
        form = LeadForm(agreements, reps, lead, agreement_id=agreement_id)
        self.app.call_from_thread(self.open_form, form, lambda saved: f"Saved lead {saved.name} (#{saved.id})")

    def action_close(self, closed_as: str) -> None:
        if (lead := self.current_lead()) is not None:
            self._open_close_form(lead["id"], closed_as)

    @work(thread=True, group="lead-form")
    def _open_close_form(self, lead_id: int, closed_as: str) -> None:
        from slatui.tui.forms.close import CLOSES, CloseForm

        try:
            with self.app.data.store() as store:
                lead = store.get_lead(lead_id)
                tz = store.clock(lead.agreement_id, to_epoch(lead.handed_off_at)).version.tz
        except SlatuiError as exc:
            self.failed(exc)
            return
        form = CloseForm(lead, closed_as, tz)
        self.app.call_from_thread(self.open_form, form,
                                  lambda saved: f"Closed lead {saved.name} as {CLOSES[closed_as]}")

    def action_reopen(self) -> None:
        if (lead := self.current_lead()) is not None:
            self.write(lambda store: store.reopen_lead(lead["id"]),
                       lambda row: f"Reopened lead {row['name']}: now {row['status']}")
