"""The agreement editor: every field of the model; the targets and the clock first, then period and review and
the guide's six sections; ctrl+o jumps to a section. Saving a change of targets, cadence or clock asks from which
month it applies (forms.effective); the leads it moves are recomputed by the app afterwards, in a worker."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from slatui.metrics import local_now
from slatui.models import AGREEMENT_KINDS, AGREEMENT_STATUSES, Agreement, Calendar, system_zone
from slatui.parsing import format_duration, parse_date, parse_duration, parse_percent
from slatui.terms import describe_version
from slatui.text import printable
from slatui.tui.forms.base import FieldReader, FormScreen, field_row, widget_id
from slatui.tui.forms.effective import EffectiveMonth
from slatui.tui.screens.base import footer
from slatui.tui.screens.calculator import CalculatorModal, parse_amount
from slatui.tui.widgets.cells import markup

# Rules that span several fields report no field; send their message to the field it is about.
# (where pydantic put it, a word of the message, the field to show it under)
_RULE_FIELDS = (
    ("calendar", "zone", "calendar.tz"),
    ("calendar", "country", "calendar.holiday_countries"),
    ("", "contact", "contacts"),
    ("", "part", "parties"),
    ("", "ends", "effective_to"),
)
_CONTACT_FIELDS = (("name", "Name"), ("role", "Role"), ("email", "Email"), ("party", "Party"))


def parse_dates(text: str) -> list[date]:
    return [parse_date(part) for part in text.replace(";", ",").split(",") if part.strip()]


def parse_tier_values(text: str) -> dict[str, float]:
    """CEO=100, Director=50 → {"CEO": 100.0, "Director": 50.0}."""
    values = {}
    for pair in filter(str.strip, text.split(",")):
        tier, sep, worth = pair.partition("=")
        if not sep or not tier.strip():
            raise ValueError(f"'{pair.strip()}' is not TIER=VALUE: write e.g. CEO=100, Director=50")
        values[tier.strip()] = parse_amount(worth.strip())
    return values


def _text_area(text: str, key: str) -> TextArea:
    return TextArea(printable(text, keep="\n\t"), id=widget_id(key), soft_wrap=True, show_line_numbers=False)


def _input(value: object, key: str, placeholder: str = "") -> Input:
    # Examples go in a hint under the field: a grey example inside it looks like a value.
    return Input("" if value is None else printable(str(value)), placeholder=placeholder, id=widget_id(key))


def _row(*fields: Widget, classes: str = "") -> Horizontal:
    return Horizontal(*fields, classes=f"row {classes}")


# The jump list (ctrl+o): section id, its key in the list, its title. The numbers come first (what a lead
# changes most), then the guide's six sections of prose.
SECTIONS = (
    ("targets", "t", "Targets: lead goal, response time, compliance, attempts"),
    ("calendar", "c", "Calendar: the clock response time is measured on"),
    ("period", "p", "Period and review"),
    ("summary", "1", "Summary: what service, to whom, how success is measured"),
    ("goals", "2", "Goals of each party"),
    ("requirements", "3", "Requirements of each party: what each needs from the others"),
    ("contacts", "4", "Points of contact: who is responsible, who reports to whom"),
    ("plan", "5", "Plan if goals are not met: consequences, service credits, strikes"),
    ("cancellation", "6", "Cancellation conditions"),
)
# The guide's sections keep its numbers in their titles.
_TITLES = {section: f"{key} · {title}" if key.isdigit() else title for section, key, title in SECTIONS}
NO_HOURS = "24×7 (no working hours)"


def _section(section: str, *children: Widget) -> Vertical:
    """A section of the form: its title, then its fields; `section-<id>` is where the jump list goes."""
    return Vertical(Static(_TITLES[section], classes="section-title"), *children, id=f"section-{section}",
                    classes="section")


class JumpList(ModalScreen[str | None]):
    """The sections of the agreement editor: a key (or the arrows and enter) picks one; escape stays put."""

    CSS_PATH = FormScreen.CSS_PATH
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="jump.close"),
        *(Binding(key, f"dismiss('{section}')", title, show=False, id=f"jump.{section}")
          for section, key, title in SECTIONS),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-frame"):
            yield Static("Jump to a section", classes="screen-title")
            yield OptionList(*(Option(Text.assemble((key, "bold"), f"  {title}"), id=section)
                               for section, key, title in SECTIONS), id="jump-list")
        yield footer()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class AgreementForm(FormScreen[Agreement]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "jump", "Sections", id="agreement.jump"),
        Binding("ctrl+g", "calculate_goal", "Calculate goal", id="agreement.calculate_goal"),
    ]

    def __init__(self, agreement: Agreement | None = None):
        super().__init__()
        self.original = agreement
        # A new agreement starts from the model's defaults (the guide's example; the name is left blank below).
        self.initial = agreement or Agreement(name="new", calendar=Calendar(tz=system_zone()))
        # From which month changed terms apply ("YYYY-MM" or "all"), once the user has said.
        self.effective: str | None = None
        self.parties: list[dict[str, str]] = [p.model_dump() for p in self.initial.parties]
        self.contacts: list[dict[str, str]] = [
            {k: v or "" for k, v in c.model_dump().items()} for c in self.initial.contacts
        ]

    def form_title(self) -> str:
        title = f"Edit agreement '{markup(self.original.name)}'" if self.original else "New agreement"
        return f"{title}  [$text-muted](ctrl+o jumps to a section)[/]"

    # ---- layout -----------------------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        a, t, c = self.initial, self.initial.targets, self.initial.calendar
        yield _row(
            field_row("Name", _input(a.name if self.original else "", "name"),
                      hint="" if self.original else "e.g. MQL to SQL handoff"),
            field_row("Status", Select([(s, s) for s in AGREEMENT_STATUSES], value=a.status, allow_blank=False,
                                       id="status")),
            classes="name-row",
        )
        yield _section(
            "targets",
            _row(
                field_row("Lead goal a month", _input(t.lead_goal, "targets.lead_goal")),
                Button("Calculate goal (ctrl+g)", id="calculate-goal"),
            ),
            _row(
                field_row("Respond within", _input(format_duration(t.respond_within_seconds),
                                                   "targets.respond_within_seconds"),
                          hint="business time, e.g. 1h or 90m"),
                field_row("Compliance (% of leads in time)",
                          _input(f"{t.compliance_threshold * 100:g}", "targets.compliance_threshold")),
            ),
            _row(
                field_row("Minimum attempts", _input(t.min_attempts, "targets.min_attempts"),
                          hint="before giving up on a lead"),
                field_row("Follow-up cadence", _input(t.cadence, "targets.cadence", "a business day"),
                          hint="gaps between attempts, e.g. 4h,1d,2d"),
            ),
            _row(
                field_row("Sales quota a month ($)",
                          _input(None if t.sales_quota is None else f"{t.sales_quota:g}", "targets.sales_quota",
                                 "none"), hint="optional, for the goal"),
                field_row("Lead value by tier", _input(", ".join(f"{k}={v:g}" for k, v in a.tier_values.items()),
                                                       "tier_values", "none"), hint="e.g. CEO=100, Director=50"),
            ),
        )
        yield _section(
            "calendar",
            _row(
                field_row("Time zone", _input(c.tz, "calendar.tz"), hint="IANA name, e.g. Europe/Madrid"),
                field_row("Working hours", _input(c.hours, "calendar.hours", NO_HOURS),
                          hint="e.g. mon-fri 09:00-17:00"),
            ),
            _row(
                field_row("Holiday countries", _input(", ".join(c.holiday_countries), "calendar.holiday_countries",
                                                      "none"), hint="e.g. ES, US-NY"),
                field_row("Extra closed dates", _input(", ".join(map(str, c.holiday_dates)),
                                                       "calendar.holiday_dates", "none"),
                          hint="e.g. 2026-12-24, 2026-12-31"),
            ),
        )
        yield _section(
            "period",
            _row(
                field_row("Effective from", _input(a.effective_from, "effective_from", "YYYY-MM-DD")),
                field_row("Effective to", _input(a.effective_to, "effective_to", "YYYY-MM-DD")),
                field_row("Review date", _input(a.review_date, "review_date", "YYYY-MM-DD")),
            ),
        )
        yield _section("summary", field_row("Summary", _text_area(a.summary, "summary")))
        yield _section(
            "goals",
            field_row("Kind", Select([(k, k) for k in AGREEMENT_KINDS], value=a.kind, allow_blank=False, id="kind"),
                      hint="multilevel: three or more parties"),
            Vertical(id="party-goals", classes="rows"),
            Label("", id="parties-error", classes="error"),
            Button("Add party", id="add-party"),
        )
        yield _section("requirements", Vertical(id="party-requirements", classes="rows"))
        yield _section(
            "contacts",
            Vertical(id="contact-rows", classes="rows"),
            Label("", id="contacts-error", classes="error"),
            Button("Add contact", id="add-contact"),
        )
        yield _section("plan", field_row("Plan if missed", _text_area(a.plan_if_missed, "plan_if_missed")))
        yield _section(
            "cancellation",
            field_row("Cancellation terms", _text_area(a.cancellation_terms, "cancellation_terms")),
            field_row("Missed months in a row that allow cancellation", _input(t.miss_limit, "targets.miss_limit")),
        )

    def action_jump(self) -> None:
        def jump(section: str | None) -> None:
            if section is None:
                return
            target = self.query_one(f"#section-{section}")
            self.query_one("#form-body").scroll_to_widget(target, top=True, animate=False)
            field = next((w for w in target.query("*") if w.focusable), None)
            if field is not None:
                field.focus(scroll_visible=False)

        self.app.push_screen(JumpList(), jump)

    async def on_mount(self) -> None:
        await self._render_parties()
        await self._render_contacts()

    async def _render_parties(self) -> None:
        # Rows are rebuilt on add/remove so widget ids stay equal to list positions (pydantic's error locations).
        goals, needs = self.query_one("#party-goals"), self.query_one("#party-requirements")
        await goals.remove_children()
        await needs.remove_children()
        await goals.mount_all(
            _row(
                field_row(f"Party {i + 1}", _input(p["name"], f"parties.{i}.name", "Marketing")),
                field_row("Goals", _text_area(p["goals"], f"parties.{i}.goals")),
                Button("Remove", name=str(i), classes="remove-party"),
            )
            for i, p in enumerate(self.parties)
        )
        await needs.mount_all(
            field_row(self._needs_label(p["name"]), _text_area(p["requirements"], f"parties.{i}.requirements"))
            for i, p in enumerate(self.parties)
        )

    async def _render_contacts(self) -> None:
        rows = self.query_one("#contact-rows")
        await rows.remove_children()
        await rows.mount_all(
            _row(
                *(field_row(label, _input(c[key], f"contacts.{i}.{key}")) for key, label in _CONTACT_FIELDS),
                Button("Remove", name=str(i), classes="remove-contact"),
            )
            for i, c in enumerate(self.contacts)
        )

    @staticmethod
    def _needs_label(party: str) -> str:
        return f"What {party or 'this party'} needs from the others"

    @on(Input.Changed, "#party-goals Input")
    def _rename_needs(self, event: Input.Changed) -> None:
        index = event.input.id.split("-")[1]
        for needs in self.query(f"#parties-{index}-requirements"):  # absent while the rows are rebuilt
            needs.parent.query_one(".field-label", Label).update(self._needs_label(event.value.strip()))

    # ---- add / remove rows ------------------------------------------------------------------

    def _read_rows(self) -> None:
        reader = FieldReader(self)
        self.parties = [
            {k: reader.text(f"parties.{i}.{k}") for k in ("name", "goals", "requirements")}
            for i in range(len(self.parties))
        ]
        self.contacts = [
            {key: reader.text(f"contacts.{i}.{key}") for key, _ in _CONTACT_FIELDS} for i in range(len(self.contacts))
        ]

    @on(Button.Pressed, "#add-party")
    async def _add_party(self) -> None:
        self._read_rows()
        self.parties.append({"name": "", "goals": "", "requirements": ""})
        await self._render_parties()
        self.query_one(f"#parties-{len(self.parties) - 1}-name").focus()

    @on(Button.Pressed, ".remove-party")
    async def _remove_party(self, event: Button.Pressed) -> None:
        self._read_rows()
        del self.parties[int(event.button.name)]
        await self._render_parties()

    @on(Button.Pressed, "#add-contact")
    async def _add_contact(self) -> None:
        self._read_rows()
        self.contacts.append({key: "" for key, _ in _CONTACT_FIELDS})
        await self._render_contacts()
        self.query_one(f"#contacts-{len(self.contacts) - 1}-name").focus()

    @on(Button.Pressed, ".remove-contact")
    async def _remove_contact(self, event: Button.Pressed) -> None:
        self._read_rows()
        del self.contacts[int(event.button.name)]
        await self._render_contacts()

    # ---- goal calculator --------------------------------------------------------------------

    @on(Button.Pressed, "#calculate-goal")
    def action_calculate_goal(self) -> None:
        try:
            quota = parse_amount(FieldReader(self).text("targets.sales_quota"))
        except ValueError:
            quota = None

        def use(leads: int | None) -> None:
            if leads is not None:
                self.query_one("#targets-lead_goal", Input).value = str(leads)

        self.app.push_screen(CalculatorModal(quota), use)

    # ---- save -------------------------------------------------------------------------------

    def read_form(self) -> Agreement:
        self._read_rows()
        r = self.reader()
        data: dict[str, Any] = {
            "id": self.original.id if self.original else None,
            "name": r.text("name"),
            "kind": r.choice("kind"),
            "status": r.choice("status"),
            "summary": r.text("summary"),
            "parties": self.parties,
            "contacts": [{**c, "email": c["email"] or None} for c in self.contacts],
            "plan_if_missed": r.text("plan_if_missed"),
            "cancellation_terms": r.text("cancellation_terms"),
            "effective_from": r.parse("effective_from", parse_date),
            "effective_to": r.parse("effective_to", parse_date),
            "review_date": r.parse("review_date", parse_date),
            "targets": {
                "lead_goal": r.text("targets.lead_goal") or None,
                "respond_within_seconds": r.parse("targets.respond_within_seconds", parse_duration, required=True),
                "compliance_threshold": r.parse("targets.compliance_threshold", parse_percent, required=True),
                "min_attempts": r.text("targets.min_attempts") or None,
                "miss_limit": r.text("targets.miss_limit") or None,
                "sales_quota": r.parse("targets.sales_quota", parse_amount),
                "cadence": r.text("targets.cadence") or None,
            },
            "calendar": {
                "tz": r.text("calendar.tz"),
                "hours": r.text("calendar.hours") or None,
                "holiday_countries": [code for code in r.text("calendar.holiday_countries").split(",") if code.strip()],
                "holiday_dates": r.parse("calendar.holiday_dates", parse_dates) or [],
            },
            "tier_values": r.parse("tier_values", parse_tier_values) or {},
        }
        return r.validate(Agreement, data)

    def show_errors(self, errors: dict[str, str]) -> None:
        placed = {}
        for key, message in errors.items():
            field = next((f for at, word, f in _RULE_FIELDS if key == at and word in message.lower()), key)
            placed.setdefault(field, message)
        super().show_errors(placed)

    def save(self, value: Agreement) -> None:
        """Ask from which month changed targets, cadence or clock apply, then save (escape goes back to the form)."""
        if self.original is None:
            super().save(value)
            return
        before, after = self.original.terms().current_version(), value.terms().current_version()
        if before == after:  # nothing effective-dated changed (a closed day is a correction: it applies anywhere)
            super().save(value)
            return

        def answered(month: str | None) -> None:
            if month is not None:
                self.effective = month
                super(AgreementForm, self).save(value)

        this_month = local_now(self.original, self.app.now()).strftime("%Y-%m")
        self.app.push_screen(EffectiveMonth(self.original.id, this_month, describe_version(after, before)), answered)

    def persist(self, value: Agreement) -> Agreement:
        with self.app.data.store() as store:
            if value.id is None:
                return store.add_agreement(value)
            saved = store.update_agreement(value, effective=self.effective, since=self.original, recompute=False)
        # The leads the edit moved are recomputed in batches by the app, the agreements list showing progress.
        self.app.call_from_thread(self.app.recompute_leads)
        return saved
