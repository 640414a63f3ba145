"""Logging the daily loop: `slatui lead add`, `slatui log` and `slatui leads`."""

from __future__ import annotations

import shlex

import click
from click.core import ParameterSource

from slatui.cli.base import (
    OUTCOME_HELP,
    Context,
    Number,
    Whole,
    check_amount,
    check_choice,
    check_email,
    check_lead_name,
    cli,
    echo,
    emit_json,
    normalise_choice,
    parse_at,
    pass_ctx,
    print_table,
)


@cli.group()
def lead() -> None:
    """Log, show, correct and close leads."""


@lead.command("add")
@click.argument("name")
@click.option("--agreement", "agreement_ref", required=True, metavar="NAME_OR_ID", help="The lead's agreement.")
@click.option("--company", default="", help="Company.")
@click.option("--email", help="Email address.")
@click.option("--tier", default="", help="Quality tier, e.g. CEO or A.")
@click.option("--source", type=click.Choice(["marketing", "sales"], case_sensitive=False), default="marketing",
              show_default=True, help="Who sourced the lead.")
@click.option("--value", type=Number(), help="Value of the lead (default: its tier's value).")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Rep who owns the lead.")
@click.option("--at", "when", metavar="WHEN", help="Handoff time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the lead as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the new lead's id (for scripts).")
@pass_ctx
def lead_add(ctx: Context, name: str, agreement_ref: str, company: str, email: str | None, tier: str, source: str,
             value: float | None, rep_ref: str | None, when: str | None, as_json: bool, quiet: bool) -> None:
    """Log the handoff of lead NAME: "added lead #ID NAME" (--quiet: the id alone)."""
    from slatui.store import LeadValues, to_epoch

    # The Lead model's rules, checked here because loading pydantic would double this command's time.
    name, company, tier, email = check_lead_name(name), company.strip(), tier.strip(), check_email(email)
    value = check_amount("--value", value)
    store = ctx.store
    terms = store.terms(agreement_ref)
    if value is None and tier:
        value = terms.tier_values.get(tier)
    lead_id = store.insert_lead(LeadValues(
        agreement_id=terms.id, rep_id=store.active_rep_id(rep_ref) if rep_ref else None, name=name, company=company,
        email=email, tier=tier, source=source.lower(), value=value,
        handed_off_at=to_epoch(parse_at(when, terms.tz)),
    ))
    if as_json:
        emit_json(store.lead_dump(lead_id))
    elif quiet:
        echo(str(lead_id))
    else:
        echo(f"added lead #{lead_id} {name}")


@cli.command("log")
@click.argument("lead_id", type=Whole(1))
@click.option("--outcome", required=True, callback=lambda c, p, v: normalise_choice(v), help=OUTCOME_HELP + ".")
@click.option("--channel", default="call", show_default=True, callback=lambda c, p, v: normalise_choice(v),
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
    check_choice("--outcome", outcome, OUTCOMES)
    check_choice("--channel", channel, CHANNELS)
    store = ctx.store
    terms = store.agreement_terms(store.lead_row(lead_id)["agreement_id"])
    attempt = AttemptValues(at=to_epoch(parse_at(when, terms.tz)), channel=channel, outcome=outcome,
                            rep_id=store.active_rep_id(rep_ref) if rep_ref else None, note=note.strip())
    attempt_id = store.insert_attempt(lead_id, attempt)
    if as_json:
        from slatui.store.rows import iso_utc

        emit_json({"id": attempt_id, "lead_id": lead_id, **attempt._asdict(), "at": iso_utc(attempt.at)})
    else:
        echo(f"logged attempt #{attempt_id} on lead {lead_id} ({outcome.replace('_', ' ')})")


@cli.command("leads")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="Only this agreement's leads.")
@click.option("--open", "open_only", is_flag=True, help="Only leads still being worked (open or connected).")
@click.option("--limit", type=Whole(1), help="At most this many (newest first).")
@click.option("--before", "before_id", type=Whole(), metavar="ID",
              help="Start after lead ID in the list (handed off before it): the next page after a --limit.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def leads(ctx: Context, agreement_ref: str | None, open_only: bool, limit: int | None, before_id: int | None,
          as_json: bool) -> None:
    """List leads, newest handoff first, with attempts and first attempt time (in each agreement's zone; the
    JSON gives UTC instants).

    With --limit, a page: when more leads follow, the command that prints the next page goes to stderr."""
    store = ctx.store
    agreement_id = store.terms(agreement_ref).id if agreement_ref else None
    before = store.lead_key(before_id) if before_id is not None else None
    # One lead past the page tells whether another page follows, without counting them all.
    rows = store.lead_rows(agreement_id=agreement_id, open_only=open_only, before=before,
                           limit=None if limit is None else limit + 1)
    more = limit is not None and len(rows) > limit
    rows = rows[:limit]
    if as_json:
        from slatui.store import from_epoch

        instants = ("handed_off_at", "first_attempt_at", "deadline_at", "next_due_at")
        emit_json([{**r, "connected": bool(r["connected"]),
                    **{k: None if r[k] is None else from_epoch(r[k]).isoformat() for k in instants}}
                   for r in rows])
    elif not rows:
        echo("no more leads" if before_id is not None else
             "no leads: log one with `slatui lead add NAME --agreement A`")
    else:
        _print_leads(rows)
    if more:
        next_page = [*(["--agreement", agreement_ref] if agreement_ref else []), *(["--open"] if open_only else []),
                     "--limit", str(limit), *(["--json"] if as_json else []), "--before", str(rows[-1]["id"])]
        echo(f"more leads: {_command_line('leads', next_page)}", err=True)


def _command_line(command: str, options: list[str]) -> str:
    """The command to type for `command` with `options`, keeping a --db given on the command line."""
    root = click.get_current_context().find_root()
    db = ["--db", root.params["db_path"]] if root.get_parameter_source("db_path") == ParameterSource.COMMANDLINE else []
    return shlex.join(["slatui", *db, command, *options])


def _print_leads(rows: list[dict]) -> None:
    from slatui.parsing import format_duration, format_local

    def local(epoch: int | None, tz: str) -> str:
        return "-" if epoch is None else format_local(epoch, tz)

    print_table(
        ("id", "name", "agreement", "handed off", "status", "attempts", "first attempt", "response"),
        [(str(r["id"]), r["name"], r["agreement"], local(r["handed_off_at"], r["tz"]), r["status"],
          str(r["attempts"]), local(r["first_attempt_at"], r["tz"]),
          format_duration(r["response_seconds"]) if r["response_seconds"] is not None else "-") for r in rows],
    )
