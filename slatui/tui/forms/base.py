"""Shared pieces of every modal form: save/cancel keys, field rows and inline errors.

A form reads its inputs into a model in `read_form` (run on ctrl+s), then `persist` saves it in a
thread worker. Problems come back as {field key: message}; a key is the model path with dots
("targets.lead_goal", "parties.0.name") and the field's widget id is that key with dashes
("targets-lead_goal"). Each message lands in the error label under the nearest field, or at the
top of the form when no field matches, and nothing is dismissed until the form is valid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from slatui.errors import SlatuiError
from slatui.models import problem_message
from slatui.tui.screens.base import footer

if TYPE_CHECKING:
    from slatui.store import Store

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

FORM_ERROR_ID = "form-error"


class FormErrors(Exception):
    """Problems found while reading a form, by field key."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def widget_id(key: str) -> str:
    return key.replace(".", "-")


def field_row(label: str, field: Widget, *, hint: str = "") -> Vertical:
    """A label, the field and its (initially empty) error label, stacked; `field` must have an id."""
    assert field.id, "a form field needs an id: its error label is found through it"
    parts: list[Widget] = [Label(label, classes="field-label"), field]
    if hint:
        parts.append(Static(hint, classes="field-hint"))
    parts.append(Label("", id=f"{field.id}-error", classes="error"))
    return Vertical(*parts, classes="field")


def validation_errors(error: ValidationError) -> dict[str, str]:
    """Pydantic's problems by field key (list positions kept, so each party row gets its own message)."""
    errors: dict[str, str] = {}
    for item in error.errors():
        errors.setdefault(".".join(str(part) for part in item["loc"]), problem_message(item))
    return errors


def message_errors(message: str) -> dict[str, str]:
    """A store message such as "name: an agreement called 'X' already exists" keyed by its field."""
    field, sep, rest = message.partition(": ")
    if sep and field.replace("_", "").replace(".", "").isalnum():
        return {field: rest}
    return {"": message}


class FieldReader:
    """Reads a form's inputs by key and collects parse errors instead of stopping at the first one."""

    def __init__(self, node: DOMNode):
        self.node = node
        self.errors: dict[str, str] = {}

    def text(self, key: str) -> str:
        field = self.node.query_one(f"#{widget_id(key)}")
        return (field.text if isinstance(field, TextArea) else field.value).strip()

    def choice(self, key: str) -> Any:
        value = self.node.query_one(f"#{widget_id(key)}", Select).value
        return None if value is Select.NULL else value

    def parse(self, key: str, parser: Callable[[str], Any], *, required: bool = False) -> Any:
        """`parser(text)`, or None when blank (an error if required) or when it raises ValueError."""
        text = self.text(key)
        if not text:
            if required:
                self.errors[key] = "required"
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.errors[key] = str(exc)
            return None

    def check(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)

    def validate(self, model: type[M], data: dict[str, Any]) -> M:
        """`model` built from `data`; raises FormErrors with the parse errors and the model's own, together."""
        try:
            value = model.model_validate(data)
        except ValidationError as exc:
            # A field that failed to parse was passed as None; its parse message says more than pydantic's.
            raise FormErrors({**validation_errors(exc), **self.errors}) from None
        self.check()
        return value


class FormScreen(ModalScreen[T | None]):
    """A modal form: ctrl+s validates and saves (dismissing with the saved value), escape cancels."""

    # Absolute, so subclasses in other modules find it too.
    CSS_PATH = Path(__file__).parent.parent / "forms.tcss"
    # Not a priority binding: those run before the keys typed just ahead of them reach the field.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]
    FORM_TITLE: ClassVar[str] = ""
    # Where the change log says a save comes from (the opener sets its screen's), and the change the save made
    # (None: it changed nothing), for the opener's undo.
    origin = "app"
    change_id: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="form-frame"):
            yield Static(self.form_title(), id="form-title", classes="screen-title")
            yield Label("", id=FORM_ERROR_ID, classes="error")
            # Not focusable itself: tab goes from field to field, and the first field gets focus on open.
            with VerticalScroll(id="form-body", can_focus=False):
                yield from self.compose_fields()
        yield footer()

    def on_mount(self) -> None:
        # Focusing the first field on open can scroll the body past the first section's title.
        self.call_after_refresh(self.query_one("#form-body").scroll_home, animate=False)

    def form_title(self) -> str:
        """The title line (markup: escape names in it)."""
        return self.FORM_TITLE

    def compose_fields(self) -> ComposeResult:
        """The form's fields, usually built with `field_row`."""
        raise NotImplementedError

    def read_form(self) -> T:
        """Build the value from the inputs; raise FormErrors or pydantic's ValidationError."""
        raise NotImplementedError

    def persist(self, value: T) -> T:
        """Save `value` (runs in a thread worker; take the store with `self.app.data.store()`)."""
        return value

    def reader(self) -> FieldReader:
        return FieldReader(self)

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """The store for `persist`'s writes: logged from `origin`, the change they made kept in `change_id`."""
        with self.app.data.store(self.origin) as store:
            yield store
            self.change_id = store.last_change

    def action_save(self) -> None:
        clear_field_errors(self)
        try:
            value = self.read_form()
        except FormErrors as exc:
            self.show_errors(exc.errors)
            return
        except ValidationError as exc:
            self.show_errors(validation_errors(exc))
            return
        self.save(value)

    def save(self, value: T) -> None:
        """Save a valid value (a form may ask something first, then call this)."""
        self._persist(value)

    @work(thread=True, exclusive=True, group="form-save")
    def _persist(self, value: T) -> None:
        try:
            saved = self.persist(value)
        except SlatuiError as exc:
            self.app.call_from_thread(self.show_errors, message_errors(str(exc)))
        else:
            self.app.call_from_thread(self.dismiss, saved)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put each message under its field (or at the top of the form) and focus the first bad field."""
        general = [f"{key}: {message}" if key else message for key, message in show_field_errors(self, errors).items()]
        form_error = self.query_one(f"#{FORM_ERROR_ID}", Label)
        form_error.update("\n".join(general) or "Fix the fields marked below, then press ctrl+s.")
        form_error.add_class("-shown")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _forget_error(self, event: Input.Changed | TextArea.Changed | Select.Changed) -> None:
        # Editing a field takes its complaint away; the next ctrl+s checks everything again.
        if event.control.id:
            clear_field_errors(self, [event.control.id])


def show_field_errors(node: DOMNode, errors: dict[str, str], *, focus: bool = True) -> dict[str, str]:
    """Show each message in the error label of its field key, or of the nearest enclosing key.

    Marks the fields -invalid, focuses the first one (unless `focus` is False, e.g. while the user
    types elsewhere) and returns the messages no label took.
    """
    unplaced: dict[str, str] = {}
    first: Widget | None = None
    first_label: Label | None = None
    for key, message in errors.items():
        label = _error_label(node, key)
        if label is None:
            unplaced[key] = message
            continue
        label.update(message)
        label.add_class("-shown")
        first_label = first_label or label
        for field in node.query(f"#{label.id.removesuffix('-error')}"):
            field.add_class("-invalid")
            first = first or field
    if focus and first is not None and first.focusable and not first.has_focus:
        first.focus()
    if first_label is not None:
        # Focus scrolls the field into view, not its message under it (below the fold of a short terminal):
        # once the message is laid out, its whole row is brought into view.
        row = first_label.parent or first_label
        node.call_after_refresh(row.scroll_visible, animate=False)
    return unplaced


def _error_label(node: DOMNode, key: str) -> Label | None:
    parts = key.split(".") if key else []
    while parts:
        try:
            return node.query_one(f"#{widget_id('.'.join(parts))}-error", Label)
        except NoMatches:
            parts.pop()
    return None


def clear_field_errors(node: DOMNode, field_ids: Iterable[str] | None = None) -> None:
    """Empty the error labels of `field_ids` (all of them when None) and unmark their fields."""
    if field_ids is None:
        labels, fields = list(node.query(".error.-shown")), list(node.query(".-invalid"))
    else:
        labels = [label for i in field_ids for label in node.query(f"#{i}-error.-shown")]
        fields = [field for i in field_ids for field in node.query(f"#{i}.-invalid")]
    for label in labels:
        label.update("")
        label.remove_class("-shown")
    for field in fields:
        field.remove_class("-invalid")


class ConfirmScreen(ModalScreen[str | None]):
    """A question with a few answers as buttons; dismisses with the chosen answer's id, None on escape."""

    CSS_PATH = FormScreen.CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="confirm.cancel")]

    def __init__(self, question: str, answers: list[tuple[str, str]], *, danger: str | None = None):
        """`question` is markup; `answers` are (id, label) pairs, the `danger` one red; the first has focus."""
        super().__init__()
        self.question = question
        self.answers = answers
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-frame"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                for answer, label in self.answers:
                    yield Button(label, id=f"answer-{answer}", variant="error" if answer == self.danger else "default")
        yield footer()

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id.removeprefix("answer-"))

    def action_cancel(self) -> None:
        self.dismiss(None)
