"""Logging the daily loop: `slatui lead add`, `slatui log` and `slatui leads`."""

from __future__ import annotations

import click

from slatui.cli.base import (OUTCOME_HELP, Context, check_amount, check_choice, check_email, check_lead_name, cli,
                             emit_json, normalise_choice, parse_at, pass_ctx, print_table)


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
@click.option("--value", type=float, help="Value of the lead (default: its tier's value).")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Rep who owns the lead.")
@click.option("--at", "when", metavar="WHEN", help="Handoff time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the lead as JSON.")
@pass_ctx
def lead_add(ctx: Context, name: str, agreement_ref: str, company: str, email: str | None, tier: str, source: str,
             value: float | None, rep_ref: str | None, when: str | None, as_json: bool) -> None:
    """Log the handoff of lead NAME; prints its id."""
    from slatui.store import LeadValues, to_epoch

    name, company, tier, email = check_lead_name(name), company.strip(), tier.strip(), check_email(email)
    value = check_amount("value", value, "a lead's value")
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
        emit_json(store.get_lead(lead_id).model_dump(mode="json"))
    else:
        click.echo(lead_id)


@cli.command("log")
@click.argument("lead_id", type=int)
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

    check_choice("outcome", outcome, OUTCOMES)
    check_choice("channel", channel, CHANNELS)
    store = ctx.store
    terms = store.agreement_terms(store.lead_row(lead_id)["agreement_id"])
    attempt = AttemptValues(at=to_epoch(parse_at(when, terms.tz)), channel=channel, outcome=outcome,
                            rep_id=store.active_rep_id(rep_ref) if rep_ref else None, note=note.strip())
    attempt_id = store.insert_attempt(lead_id, attempt)
    if as_json:
        from slatui.store import from_epoch

        emit_json({"id": attempt_id, "lead_id": lead_id, **attempt._asdict(),
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
        emit_json([{**r, **{k: r[k] and r[k].isoformat() for k in ("handed_off_at", "first_attempt_at",
                                                                     "deadline_at")}} for r in rows])
        return
    if not rows:
        click.echo("no leads: log one with `slatui lead add NAME --agreement A`")
        return
    from slatui.parsing import format_duration

    print_table(
        ("id", "name", "agreement", "handed off (UTC)", "status", "attempts", "first attempt (UTC)", "response"),
        [(str(r["id"]), r["name"], r["agreement"], f"{r['handed_off_at']:%Y-%m-%d %H:%M}", r["status"],
          str(r["attempts"]), f"{r['first_attempt_at']:%Y-%m-%d %H:%M}" if r["first_attempt_at"] else "-",
          format_duration(r["response_seconds"]) if r["response_seconds"] is not None else "-") for r in rows],
    )
