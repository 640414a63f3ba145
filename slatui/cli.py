"""The `slatui` command line. Only the bare `slatui` command (the TUI) imports Textual."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime
from typing import Any

import click

from slatui.errors import SlatuiError

OUTCOME_HELP = "no_answer, voicemail, email_sent, connected, meeting_booked or disqualified"


class Context:
    """Opens the store on first use, so `--help` and parse errors never touch the file."""

    def __init__(self, db_path: str | None):
        self.db_path = db_path
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from slatui.store import Store

            self._store = Store(self.db_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


pass_ctx = click.make_pass_decorator(Context)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def _parse_option(option: str, parser: Any, text: str, *args: Any) -> Any:
    """Run a parser, naming the option in its error so the user knows which value to fix."""
    from slatui.parsing import ParseError

    try:
        return parser(text, *args)
    except ParseError as exc:
        raise SlatuiError(f"{option}: {exc}") from None


def _when(text: str | None, tz: str) -> datetime:
    from slatui.parsing import parse_when

    return _parse_option("--at", parse_when, text or "now", tz)


def _normalise_choice(value: str | None) -> str | None:
    # "no-answer" and "No Answer" are what people type for no_answer.
    return None if value is None else value.strip().lower().replace("-", "_").replace(" ", "_")


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    envvar="SLATUI_DB",
    type=click.Path(dir_okay=False),
    help="SQLite file to use (default: slatui.db in your user data folder; env SLATUI_DB).",
)
@click.version_option(package_name="slatui")
@click.pass_context
def cli(click_ctx: click.Context, db_path: str | None) -> None:
    """slatui: sales & marketing SLAs in your terminal.

    Run without a command to open the app. Times (WHEN) are ISO 8601 (read in the
    agreement's zone when they carry no offset), `now`, `15m ago`, `2h ago`,
    `today 09:30` or `yesterday 16:00`. Durations (DUR) are like 90m, 2h, 1h30m.
    """
    click_ctx.obj = Context(db_path)
    click_ctx.call_on_close(click_ctx.obj.close)
    if click_ctx.invoked_subcommand is None:
        store = click_ctx.obj.store  # fail here, before the screen changes, if the file is unusable
        path = store.path
        store.close()
        from slatui.tui.app import run

        run(path)


# ---- agreements ---------------------------------------------------------------------------------


def _agreement_options(fn):
    """Options shared by `agreement add` and `agreement edit` (edit changes only what is given)."""
    from slatui.vocabulary import AGREEMENT_KINDS, AGREEMENT_STATUSES

    options = [
        click.option("--kind", type=click.Choice(AGREEMENT_KINDS, case_sensitive=False), help="Kind of SLA."),
        click.option("--status", type=click.Choice(AGREEMENT_STATUSES, case_sensitive=False), help="Status."),
        click.option("--party", "parties", multiple=True, metavar="TEAM",
                     help="A party (team); repeat for each. Default: Marketing and Sales."),
        click.option("--lead-goal", type=int, help="Qualified leads a month marketing hands off."),
        click.option("--respond-within", metavar="DUR", help="Business time to the first attempt, e.g. 1h."),
        click.option("--compliance", metavar="PCT", help="Share of leads to reach in time, in %, e.g. 90."),
        click.option("--min-attempts", type=int, help="Attempts before giving up on an unreached lead."),
        click.option("--miss-limit", type=int, help="Missed months in a row that allow cancellation (3)."),
        click.option("--quota", "sales_quota", type=float,
                     help="Monthly sales quota (revenue), used to recalibrate the lead goal."),
        click.option("--tz", help="IANA time zone of the agreement's clock, e.g. Europe/Madrid."),
        click.option("--hours", metavar="SPEC", help="Working hours, e.g. 'mon-fri 09:00-17:00'; '24x7' for none."),
        click.option("--holidays", "holiday_countries", metavar="CC",
                     help="Public holidays of these countries, e.g. ES or ES-MD,PT ('' for none)."),
        click.option("--holiday", "holiday_dates", multiple=True, metavar="DATE", help="An extra closed date."),
        click.option("--from", "effective_from", metavar="DATE", help="First day the agreement applies."),
        click.option("--to", "effective_to", metavar="DATE", help="Last day the agreement applies."),
        click.option("--review", "review_date", metavar="DATE", help="Date of the next review."),
        click.option("--summary", help="What service, to whom, how success is measured."),
        click.option("--plan", "plan_if_missed", help="What happens when goals are missed."),
        click.option("--cancellation", "cancellation_terms", help="When the agreement may be cancelled."),
        click.option("--tier-value", "tier_values", multiple=True, metavar="TIER=VALUE",
                     help="Value of a lead tier, e.g. CEO=100; repeat for each."),
        click.option("--json", "as_json", is_flag=True, help="Print the agreement as JSON."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _apply_agreement_options(base: dict[str, Any], opts: dict[str, Any]) -> dict[str, Any]:
    """Merge the given options into an agreement's data (a plain dict validated afterwards)."""
    from slatui.parsing import parse_date, parse_duration, parse_percent

    data = dict(base)
    targets, calendar = dict(data.get("targets", {})), dict(data.get("calendar", {}))
    for key in ("kind", "status", "summary", "plan_if_missed", "cancellation_terms"):
        if opts.get(key) is not None:
            data[key] = opts[key].lower() if key in ("kind", "status") else opts[key]
    if opts.get("parties"):
        existing = {p["name"].casefold(): p for p in data.get("parties", [])}
        data["parties"] = [existing.get(name.casefold(), {"name": name}) for name in opts["parties"]]
    for key, option in (("effective_from", "--from"), ("effective_to", "--to"), ("review_date", "--review")):
        if opts.get(key) is not None:
            data[key] = _parse_option(option, parse_date, opts[key]) if opts[key] else None
    for key in ("lead_goal", "min_attempts", "miss_limit", "sales_quota"):
        if opts.get(key) is not None:
            targets[key] = opts[key]
    if opts.get("respond_within") is not None:
        targets["respond_within_seconds"] = _parse_option("--respond-within", parse_duration, opts["respond_within"])
    if opts.get("compliance") is not None:
        targets["compliance_threshold"] = _parse_option("--compliance", parse_percent, opts["compliance"])
    if opts.get("tz") is not None:
        calendar["tz"] = opts["tz"]
    if opts.get("hours") is not None:
        calendar["hours"] = opts["hours"]
    if opts.get("holiday_countries") is not None:
        calendar["holiday_countries"] = [c for c in opts["holiday_countries"].split(",") if c.strip()]
    if opts.get("holiday_dates"):
        calendar["holiday_dates"] = [_parse_option("--holiday", parse_date, d) for d in opts["holiday_dates"]]
    if opts.get("tier_values"):
        data["tier_values"] = _tier_values(opts["tier_values"])
    data["targets"], data["calendar"] = targets, calendar
    return data


def _tier_values(pairs: tuple[str, ...]) -> dict[str, float]:
    values = {}
    for pair in pairs:
        tier, sep, value = pair.partition("=")
        try:
            values[tier.strip()] = float(value)
        except ValueError:
            raise SlatuiError(f"--tier-value: '{pair}' is not TIER=VALUE (e.g. CEO=100)") from None
        if not sep or not tier.strip():
            raise SlatuiError(f"--tier-value: '{pair}' is not TIER=VALUE (e.g. CEO=100)")
    return values


def _print_agreement(agreement, as_json: bool) -> None:
    if as_json:
        _emit_json(agreement.model_dump(mode="json"))
        return
    from slatui.parsing import format_duration

    t, c = agreement.targets, agreement.calendar
    lines = [
        f"#{agreement.id} {agreement.name}  ({agreement.kind}, {agreement.status})",
        f"  parties:     {' → '.join(p.name for p in agreement.parties)}",
        f"  period:      {agreement.effective_from or '…'} to {agreement.effective_to or '…'}"
        + (f", review {agreement.review_date}" if agreement.review_date else ""),
        f"  targets:     {t.lead_goal} leads/month; first attempt within {format_duration(t.respond_within_seconds)} "
        f"for {t.compliance_threshold:.0%} of leads; {t.min_attempts} attempts; cancel after {t.miss_limit} missed months",
        f"  clock:       {c.tz}, {c.hours or '24x7'}"
        + (f", holidays {','.join(c.holiday_countries)}" if c.holiday_countries else "")
        + (f" + {len(c.holiday_dates)} dates" if c.holiday_dates else ""),
    ]
    for label, text in (("summary", agreement.summary), ("if missed", agreement.plan_if_missed),
                        ("cancellation", agreement.cancellation_terms)):
        if text:
            lines.append(f"  {label + ':':<13}{text}")
    for party in agreement.parties:
        if party.goals or party.requirements:
            lines.append(f"  {party.name}: goals: {party.goals or '-'}; needs: {party.requirements or '-'}")
    for contact in agreement.contacts:
        lines.append(f"  contact:     {contact.name} ({contact.role or 'no role'}, {contact.party or 'no party'}) "
                     f"{contact.email or ''}".rstrip())
    click.echo("\n".join(lines))


@cli.group()
def agreement() -> None:
    """Define and inspect agreements."""


@agreement.command("add")
@click.argument("name")
@_agreement_options
@pass_ctx
def agreement_add(ctx: Context, name: str, as_json: bool, **opts: Any) -> None:
    """Create the agreement NAME (defaults: Marketing and Sales, 100 leads, 1h, 90 %, 6 attempts)."""
    from slatui.models import Agreement, system_zone

    data = _apply_agreement_options({"name": name, "calendar": {"tz": system_zone()}}, opts)
    created = ctx.store.add_agreement(Agreement.model_validate(data))
    _print_agreement(created, as_json) if as_json else click.echo(f"added agreement #{created.id} {created.name}")


@agreement.command("edit")
@click.argument("name_or_id")
@click.option("--name", "new_name", help="Rename the agreement.")
@_agreement_options
@pass_ctx
def agreement_edit(ctx: Context, name_or_id: str, new_name: str | None, as_json: bool, **opts: Any) -> None:
    """Change the given fields of an agreement; leads' SLA facts follow clock changes."""
    from slatui.models import Agreement

    current = ctx.store.get_agreement(name_or_id)
    data = _apply_agreement_options(current.model_dump(), opts)
    if new_name:
        data["name"] = new_name
    saved = ctx.store.update_agreement(Agreement.model_validate(data))
    _print_agreement(saved, as_json) if as_json else click.echo(f"saved agreement #{saved.id} {saved.name}")


@agreement.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def agreement_list(ctx: Context, as_json: bool) -> None:
    """List agreements."""
    agreements = ctx.store.list_agreements()
    if as_json:
        _emit_json([a.model_dump(mode="json") for a in agreements])
        return
    if not agreements:
        click.echo("no agreements yet: add one with `slatui agreement add NAME` or try `slatui demo`")
        return
    from slatui.parsing import format_duration

    rows = [
        (f"#{a.id}", a.name, a.kind, a.status, " → ".join(p.name for p in a.parties),
         f"{a.targets.lead_goal}/mo · {format_duration(a.targets.respond_within_seconds)} · "
         f"{a.targets.compliance_threshold:.0%} · {a.targets.min_attempts} att")
        for a in agreements
    ]
    _print_table(("id", "name", "kind", "status", "parties", "targets"), rows)


@agreement.command("show")
@click.argument("name_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def agreement_show(ctx: Context, name_or_id: str, as_json: bool) -> None:
    """Show every section of one agreement."""
    _print_agreement(ctx.store.get_agreement(name_or_id), as_json)


# ---- reps ---------------------------------------------------------------------------------------


@cli.group()
def rep() -> None:
    """Sales reps who follow leads up."""


@rep.command("add")
@click.argument("name")
@click.option("--team", default="Sales", show_default=True, help="The rep's team.")
@click.option("--capacity", type=int, default=50, show_default=True, help="Leads a week the rep can work.")
@pass_ctx
def rep_add(ctx: Context, name: str, team: str, capacity: int) -> None:
    """Add a rep."""
    from slatui.models import Rep

    created = ctx.store.add_rep(Rep(name=name, team=team, weekly_capacity=capacity))
    click.echo(f"added rep #{created.id} {created.name}")


@rep.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def rep_list(ctx: Context, as_json: bool) -> None:
    """List reps."""
    reps = ctx.store.list_reps()
    if as_json:
        _emit_json([r.model_dump() for r in reps])
    elif not reps:
        click.echo("no reps yet: add one with `slatui rep add NAME`")
    else:
        _print_table(("id", "name", "team", "capacity/week"),
                     [(f"#{r.id}", r.name, r.team, str(r.weekly_capacity)) for r in reps])


# ---- leads and attempts -------------------------------------------------------------------------


@cli.group()
def lead() -> None:
    """Log lead handoffs."""


@lead.command("add")
@click.argument("name")
@click.option("--agreement", "agreement_ref", required=True, metavar="NAME_OR_ID", help="The lead's agreement.")
@click.option("--company", default="", help="Company.")
@click.option("--email", help="Email address.")
@click.option("--tier", default="", help="Quality tier, e.g. CEO or A.")
@click.option("--source", type=click.Choice(["marketing", "sales"], case_sensitive=False), default="marketing",
              show_default=True, help="Who sourced the lead.")
@click.option("--value", type=float, help="Value of the lead (default: its tier's value).")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Rep who owns the lead.")
@click.option("--at", "when", metavar="WHEN", help="Handoff time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the lead as JSON.")
@pass_ctx
def lead_add(ctx: Context, name: str, agreement_ref: str, company: str, email: str | None, tier: str, source: str,
             value: float | None, rep_ref: str | None, when: str | None, as_json: bool) -> None:
    """Log the handoff of lead NAME; prints its id."""
    from slatui.parsing import is_email
    from slatui.store import LeadValues, to_epoch
    from slatui.vocabulary import LEAD_NAME_MAX

    # The Lead model's rules, checked here because loading pydantic would double this command's time.
    name, company, tier, email = name.strip(), company.strip(), tier.strip(), (email or "").strip() or None
    if not 0 < len(name) <= LEAD_NAME_MAX:
        raise SlatuiError(f"name: give the lead a name of 1 to {LEAD_NAME_MAX} characters")
    if email and not is_email(email):
        raise SlatuiError(f"email: '{email}' is not an email address (want name@example.com)")
    if value is not None and not value >= 0:
        raise SlatuiError(f"value: {value} is negative; a lead's value is 0 or more")
    store = ctx.store
    terms = store.terms(agreement_ref)
    if value is None and tier:
        value = terms.tier_values.get(tier)
    lead_id = store.insert_lead(LeadValues(
        agreement_id=terms.id, rep_id=store.rep_id(rep_ref) if rep_ref else None, name=name, company=company,
        email=email, tier=tier, source=source.lower(), value=value,
        handed_off_at=to_epoch(_when(when, terms.tz)),
    ))
    if as_json:
        _emit_json(store.get_lead(lead_id).model_dump(mode="json"))
    else:
        click.echo(lead_id)


@cli.command("log")
@click.argument("lead_id", type=int)
@click.option("--outcome", required=True, callback=lambda c, p, v: _normalise_choice(v), help=OUTCOME_HELP + ".")
@click.option("--channel", default="call", show_default=True, callback=lambda c, p, v: _normalise_choice(v),
              help="call, email, social, sms, meeting or other.")
@click.option("--at", "when", metavar="WHEN", help="When the attempt happened (default: now).")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Rep who made it (default: the lead's rep).")
@click.option("--note", default="", help="A note.")
@click.option("--json", "as_json", is_flag=True, help="Print the attempt as JSON.")
@pass_ctx
def log_attempt(ctx: Context, lead_id: int, outcome: str, channel: str, when: str | None, rep_ref: str | None,
                note: str, as_json: bool) -> None:
    """Log a follow-up attempt on lead LEAD_ID."""
    from slatui.store import AttemptValues, to_epoch
    from slatui.vocabulary import CHANNELS, OUTCOMES

    # The Attempt model's rules, checked here because loading pydantic would double this command's time.
    for field, value, allowed in (("outcome", outcome, OUTCOMES), ("channel", channel, CHANNELS)):
        if value not in allowed:
            raise SlatuiError(f"{field}: '{value}' is not allowed; use one of {', '.join(allowed)}")
    store = ctx.store
    terms, _ = store.clock(store.lead_row(lead_id)["agreement_id"])
    attempt = AttemptValues(at=to_epoch(_when(when, terms.tz)), channel=channel, outcome=outcome,
                            rep_id=store.rep_id(rep_ref) if rep_ref else None, note=note.strip())
    attempt_id = store.insert_attempt(lead_id, attempt)
    if as_json:
        from slatui.store import from_epoch

        _emit_json({"id": attempt_id, "lead_id": lead_id, **attempt._asdict(),
                    "at": from_epoch(attempt.at).isoformat().replace("+00:00", "Z")})
    else:
        click.echo(f"logged attempt #{attempt_id} on lead {lead_id} ({outcome.replace('_', ' ')})")


@cli.command("leads")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="Only this agreement's leads.")
@click.option("--open", "open_only", is_flag=True, help="Only leads still being worked (open or connected).")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (newest first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def leads(ctx: Context, agreement_ref: str | None, open_only: bool, limit: int | None, as_json: bool) -> None:
    """List leads, newest handoff first, with attempts and first attempt time."""
    from slatui.store import from_epoch

    store = ctx.store
    agreement_id = store.terms(agreement_ref).id if agreement_ref else None
    rows = store.lead_rows(agreement_id=agreement_id, open_only=open_only, limit=limit)
    for row in rows:
        for key in ("handed_off_at", "first_attempt_at", "deadline_at"):
            row[key] = from_epoch(row[key])
        row["connected"] = bool(row["connected"])
    if as_json:
        _emit_json([{**r, **{k: r[k] and r[k].isoformat() for k in ("handed_off_at", "first_attempt_at",
                                                                     "deadline_at")}} for r in rows])
        return
    if not rows:
        click.echo("no leads: log one with `slatui lead add NAME --agreement A`")
        return
    from slatui.parsing import format_duration

    _print_table(
        ("id", "name", "agreement", "handed off (UTC)", "status", "attempts", "first attempt (UTC)", "response"),
        [(str(r["id"]), r["name"], r["agreement"], f"{r['handed_off_at']:%Y-%m-%d %H:%M}", r["status"],
          str(r["attempts"]), f"{r['first_attempt_at']:%Y-%m-%d %H:%M}" if r["first_attempt_at"] else "-",
          format_duration(r["response_seconds"]) if r["response_seconds"] is not None else "-") for r in rows],
    )


# ---- reports and calculators --------------------------------------------------------------------


@cli.command("report")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="One agreement (default: every active one).")
@click.option("--month", metavar="YYYY-MM", help="The month to report (default: this month).")
@click.option("--as-of", "as_of_text", metavar="WHEN", help="Report as of this instant (default: now).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md", "html", "csv"]), default="table",
              show_default=True, help="Output format (md and html include the charts).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
@pass_ctx
def report(ctx: Context, agreement_ref: str | None, month: str | None, as_of_text: str | None, fmt: str,
           out_path: str | None) -> None:
    """SLA compliance for a month: volume vs goal, speed, depth, verdict and missed months."""
    from slatui import metrics
    from slatui import report as render
    from slatui.parsing import parse_month

    store = ctx.store
    agreements = [store.terms(agreement_ref)] if agreement_ref else store.list_terms(status="active")
    if not agreements:
        raise SlatuiError("no active agreements to report: add one with `slatui agreement add NAME` or name one "
                          "with --agreement")
    zone = agreements[0].tz
    as_of = _parse_option("--as-of", _when_parser(), as_of_text or "now", zone)
    year, month_number = _parse_option("--month", parse_month, month) if month else \
        metrics.local_now(agreements[0], as_of).timetuple()[:2]
    reports = metrics.reports(store, agreements, year, month_number, as_of)
    if fmt in ("md", "html"):
        first, last = metrics.month_bounds(year, month_number)
        charts = {a.name: render.chart_text(r, metrics.period_series(store, a, first, last, as_of, "week"))
                  for a, r in zip(agreements, reports)}
        text = (render.render_markdown if fmt == "md" else render.render_html)(reports, charts)
    elif fmt == "json":
        text = render.render_json(reports, single=agreement_ref is not None)
    elif fmt == "csv":
        text = render.render_csv(reports)
    else:
        text = render.render_table(reports)
    if out_path:
        from pathlib import Path

        Path(out_path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"wrote {fmt} report to {out_path}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


@cli.command("scorecard")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="One agreement (default: every active one).")
@click.option("--months", type=click.IntRange(min=1), default=12, show_default=True, help="How many months back.")
@click.option("--as-of", "as_of_text", metavar="WHEN", help="Up to this instant (default: now).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def scorecard(ctx: Context, agreement_ref: str | None, months: int, as_of_text: str | None, fmt: str) -> None:
    """Months × targets: which months met the agreement, since it started."""
    from slatui import metrics

    store = ctx.store
    cards = []
    for terms in [store.terms(agreement_ref)] if agreement_ref else store.list_terms(status="active"):
        as_of = _parse_option("--as-of", _when_parser(), as_of_text or "now", terms.tz)
        year, month = metrics.local_now(terms, as_of).timetuple()[:2]
        verdicts = metrics.month_verdicts(store, terms, year, month, as_of)
        cards.append({"agreement": {"id": terms.id, "name": terms.name}, "months": verdicts[-months:],
                      "consecutive_missed_months": metrics.consecutive_missed(verdicts),
                      "miss_limit": terms.miss_limit})
    if fmt == "json":
        _emit_json(cards)
    else:
        from slatui.report import render_scorecard

        click.echo(render_scorecard(cards), nl=False)


def _when_parser():
    from slatui.parsing import parse_when

    return parse_when


@cli.group()
def calc() -> None:
    """The guide's calculators: leads needed, and availability nines."""


@calc.command("leads")
@click.option("--quota", type=float, required=True, help="Monthly sales quota (revenue).")
@click.option("--marketing-share", required=True, metavar="PCT", help="% of revenue from marketing leads.")
@click.option("--deal-size", type=float, required=True, help="Average deal size.")
@click.option("--close-rate", required=True, metavar="PCT", help="% of leads that become customers.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def calc_leads(quota: float, marketing_share: str, deal_size: float, close_rate: str, as_json: bool) -> None:
    """Leads marketing must hand off a month: quota × share ÷ deal size ÷ close rate."""
    from slatui.goals import leads_needed
    from slatui.parsing import parse_percent

    share = _parse_option("--marketing-share", parse_percent, marketing_share)
    rate = _parse_option("--close-rate", parse_percent, close_rate)
    try:
        result = leads_needed(quota, share, deal_size, rate)
    except ValueError as exc:
        raise SlatuiError(str(exc)) from None
    if as_json:
        _emit_json(result.__dict__)
        return
    click.echo(f"marketing revenue goal: {result.marketing_revenue_goal:,.2f} ({quota:,.2f} × {share:.0%})\n"
               f"customers needed:       {result.customers_needed} (÷ deal size {deal_size:,.2f})\n"
               f"leads needed:           {result.leads_needed} a month (÷ close rate {rate:.0%})")


@calc.command("nines")
@click.argument("availability", metavar="PCT")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def calc_nines(availability: str, as_json: bool) -> None:
    """Allowed downtime for an availability such as 99.9 (%)."""
    from slatui.goals import allowed_downtime
    from slatui.parsing import format_duration, parse_percent

    fraction = _parse_option("PCT", parse_percent, availability)
    result = allowed_downtime(fraction * 100)
    data = {"availability_pct": result.availability_pct,
            "downtime_seconds_per_year": result.seconds_per_year,
            "downtime_seconds_per_month": result.seconds_per_month,
            "downtime_seconds_per_week": result.seconds_per_week,
            "downtime_seconds_per_day": result.seconds_per_day}
    if as_json:
        _emit_json(data)
        return
    click.echo(f"{result.availability_pct:g} % available allows this much downtime:")
    for period in ("year", "month", "week", "day"):
        seconds = data[f"downtime_seconds_per_{period}"]
        click.echo(f"  per {period:<5} {format_duration(seconds) if seconds >= 1 else f'{seconds:.3f}s':>10}"
                   f"  ({seconds:,.2f} s)")


# ---- import and export (their own module; it loads nothing heavy until a command runs) -------------

from slatui.io.commands import export_cli, import_cli  # noqa: E402

cli.add_command(import_cli)
cli.add_command(export_cli)


# ---- housekeeping -------------------------------------------------------------------------------


@cli.command("demo")
@click.option("--leads", "lead_count", type=click.IntRange(min=10), default=1500, show_default=True,
              help="About how many leads to generate.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed (same seed, same data).")
@click.option("--force", is_flag=True, help="Add the demo even if the database already has data.")
@pass_ctx
def demo(ctx: Context, lead_count: int, seed: int, force: bool) -> None:
    """Fill the database with six months of realistic demo data."""
    from slatui.demo import generate_demo

    store = ctx.store
    if not force and not store.is_empty():
        raise SlatuiError(f"{store.path} already has data: use --force to add the demo anyway, or --db another file")
    with click.progressbar(length=lead_count, label="Generating demo leads", file=sys.stderr) as bar:
        summary = generate_demo(store, leads=lead_count, seed=seed, progress=bar.update)
    click.echo(f"demo ready in {store.path}: {summary['agreements']} agreements, {summary['reps']} reps, "
               f"{summary['leads']} leads, {summary['attempts']} attempts")


@cli.command("backup")
@click.argument("dest", required=False, type=click.Path(dir_okay=False))
@pass_ctx
def backup(ctx: Context, dest: str | None) -> None:
    """Copy the database to DEST (default: a dated file beside it), safely even while the app writes."""
    import time
    from pathlib import Path

    store = ctx.store
    target = Path(dest) if dest else store.path.with_name(f"{store.path.stem}-{time.strftime('%Y%m%d-%H%M%S')}.db")
    if target.exists():
        raise SlatuiError(f"{target} already exists: choose another name or delete it first")
    if not target.parent.is_dir():
        raise SlatuiError(f"folder {target.parent} does not exist: create it first")
    click.echo(f"backed up {store.path} to {store.backup(target)}")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the current database (it is backed up first).")
@pass_ctx
def restore(ctx: Context, source: str, force: bool) -> None:
    """Replace the database with the backup SOURCE (refuses without --force)."""
    from pathlib import Path

    from slatui.store import Store, default_db_path

    target = Path(ctx.db_path) if ctx.db_path else default_db_path()
    with Store(source, create_parent=False) as backup_store:  # refuses files that are not slatui databases
        if target.exists() and target.stat().st_size > 0 and not force:
            raise SlatuiError(f"{target} exists: add --force to replace it (a copy of it is kept first)")
        if target.exists() and target.stat().st_size > 0:
            import time

            with Store(target) as current:
                kept = current.backup(target.with_name(f"{target.stem}-before-restore-{time.strftime('%Y%m%d-%H%M%S')}.db"))
            click.echo(f"kept the replaced database as {kept}")
        with Store(target, create_parent=True) as current:
            # The backup API writes the whole file under SQLite's locks: readers never see half of it.
            backup_store.conn.backup(current.conn)
    click.echo(f"restored {target} from {source}")


@cli.command("locate")
@pass_ctx
def locate(ctx: Context) -> None:
    """Print the database path."""
    from slatui.store import default_db_path

    click.echo(ctx.db_path or default_db_path())


def _print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _validation_error() -> tuple[type[Exception], ...]:
    """pydantic's ValidationError once pydantic is loaded. Until then nothing can raise it, so commands
    that build no model (`--help`, `calc`, `locate`) never pay the ~100 ms of importing pydantic."""
    pydantic = sys.modules.get("pydantic")
    return () if pydantic is None else (pydantic.ValidationError,)


def main(args: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        code = cli.main(args=args, prog_name="slatui", standalone_mode=False)
        if isinstance(code, int):
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except _validation_error() as exc:
        from slatui.models import describe_validation_error

        click.echo(f"error: {describe_validation_error(exc)}", err=True)
        sys.exit(2)
    except SlatuiError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except sqlite3.DatabaseError as exc:
        click.echo(f"error: the database cannot be read ({exc}): restore a backup with `slatui restore FILE`, "
                   "or choose another file with --db", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
