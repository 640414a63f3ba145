"""`slatui agreement add|edit|list|show`."""

from __future__ import annotations

from typing import Any

import click

from slatui.cli.base import Context, cli, emit_json, parse_option, pass_ctx, print_table
from slatui.errors import SlatuiError


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
            data[key] = parse_option(option, parse_date, opts[key]) if opts[key] else None
    for key in ("lead_goal", "min_attempts", "miss_limit", "sales_quota"):
        if opts.get(key) is not None:
            targets[key] = opts[key]
    if opts.get("respond_within") is not None:
        targets["respond_within_seconds"] = parse_option("--respond-within", parse_duration, opts["respond_within"])
    if opts.get("compliance") is not None:
        targets["compliance_threshold"] = parse_option("--compliance", parse_percent, opts["compliance"])
    if opts.get("tz") is not None:
        calendar["tz"] = opts["tz"]
    if opts.get("hours") is not None:
        calendar["hours"] = opts["hours"]
    if opts.get("holiday_countries") is not None:
        calendar["holiday_countries"] = [c for c in opts["holiday_countries"].split(",") if c.strip()]
    if opts.get("holiday_dates"):
        calendar["holiday_dates"] = [parse_option("--holiday", parse_date, d) for d in opts["holiday_dates"]]
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


def _print_agreement(agreement: dict[str, Any], as_json: bool) -> None:
    """An agreement as `Agreement.model_dump(mode="json")` has it (plain values, so `show` needs no pydantic)."""
    if as_json:
        emit_json(agreement)
        return
    from slatui.parsing import format_duration

    t, c = agreement["targets"], agreement["calendar"]
    lines = [
        f"#{agreement['id']} {agreement['name']}  ({agreement['kind']}, {agreement['status']})",
        f"  parties:     {' → '.join(p['name'] for p in agreement['parties'])}",
        f"  period:      {agreement['effective_from'] or '…'} to {agreement['effective_to'] or '…'}"
        + (f", review {agreement['review_date']}" if agreement["review_date"] else ""),
        f"  targets:     {t['lead_goal']} leads/month; first attempt within "
        f"{format_duration(t['respond_within_seconds'])} for {t['compliance_threshold']:.0%} of leads; "
        f"{t['min_attempts']} attempts; cancel after {t['miss_limit']} missed months",
        f"  clock:       {c['tz']}, {c['hours'] or '24x7'}"
        + (f", holidays {','.join(c['holiday_countries'])}" if c["holiday_countries"] else "")
        + (f" + {len(c['holiday_dates'])} dates" if c["holiday_dates"] else ""),
    ]
    for label, text in (("summary", agreement["summary"]), ("if missed", agreement["plan_if_missed"]),
                        ("cancellation", agreement["cancellation_terms"])):
        if text:
            lines.append(f"  {label + ':':<13}{text}")
    for party in agreement["parties"]:
        if party["goals"] or party["requirements"]:
            lines.append(f"  {party['name']}: goals: {party['goals'] or '-'}; needs: {party['requirements'] or '-'}")
    for contact in agreement["contacts"]:
        lines.append(f"  contact:     {contact['name']} ({contact['role'] or 'no role'}, "
                     f"{contact['party'] or 'no party'}) {contact['email'] or ''}".rstrip())
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
    if as_json:
        emit_json(created.model_dump(mode="json"))
    else:
        click.echo(f"added agreement #{created.id} {created.name}")


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
    if as_json:
        emit_json(saved.model_dump(mode="json"))
    else:
        click.echo(f"saved agreement #{saved.id} {saved.name}")


@agreement.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def agreement_list(ctx: Context, as_json: bool) -> None:
    """List agreements."""
    agreements = ctx.store.agreement_dumps()
    if as_json:
        emit_json(agreements)
        return
    if not agreements:
        click.echo("no agreements yet: add one with `slatui agreement add NAME` or try `slatui demo`")
        return
    from slatui.parsing import format_duration

    rows = [
        (f"#{a['id']}", a["name"], a["kind"], a["status"], " → ".join(p["name"] for p in a["parties"]),
         f"{t['lead_goal']}/mo · {format_duration(t['respond_within_seconds'])} · "
         f"{t['compliance_threshold']:.0%} · {t['min_attempts']} att")
        for a in agreements for t in (a["targets"],)
    ]
    print_table(("id", "name", "kind", "status", "parties", "targets"), rows)


@agreement.command("show")
@click.argument("name_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def agreement_show(ctx: Context, name_or_id: str, as_json: bool) -> None:
    """Show every section of one agreement."""
    _print_agreement(ctx.store.agreement_dump(name_or_id), as_json)
