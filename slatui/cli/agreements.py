"""`slatui agreement add|edit|list|show`."""

from __future__ import annotations

from typing import Any

import click

from slatui.cli.base import (
    Context,
    Number,
    Whole,
    cli,
    echo,
    emit_json,
    finite_number,
    parse_option,
    pass_ctx,
    print_table,
    recompute_progress,
    validated,
)
from slatui.errors import SlatuiError
from slatui.terms import describe_version


def _agreement_options(fn):
    """Options shared by `agreement add` and `agreement edit` (edit changes only what is given)."""
    from slatui.vocabulary import AGREEMENT_KINDS, AGREEMENT_STATUSES

    options = [
        click.option("--kind", type=click.Choice(AGREEMENT_KINDS, case_sensitive=False), help="Kind of SLA."),
        click.option("--status", type=click.Choice(AGREEMENT_STATUSES, case_sensitive=False), help="Status."),
        click.option("--party", "parties", multiple=True, metavar="TEAM",
                     help="A party (team); repeat for each. Default: Marketing and Sales."),
        click.option("--lead-goal", type=Whole(), help="Qualified leads a month marketing hands off."),
        click.option("--respond-within", metavar="DUR", help="Business time to the first attempt, e.g. 1h."),
        click.option("--compliance", metavar="PCT", help="Share of leads to reach in time, in % (default 85)."),
        click.option("--min-attempts", type=Whole(), help="Attempts before giving up on an unreached lead."),
        click.option("--miss-limit", type=Whole(), help="Missed months in a row that allow cancellation (3)."),
        click.option("--cadence", metavar="GAPS",
                     help="Business-time gaps between follow-up attempts, e.g. 4h,1d,2d ('' for one business day)."),
        click.option("--quota", "sales_quota", type=Number(),
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


# The option (or argument) each field of the Agreement model comes from, for its validation messages.
AGREEMENT_OPTIONS = {
    "name": "NAME", "kind": "--kind", "status": "--status", "parties": "--party", "parties.name": "--party",
    "summary": "--summary", "plan_if_missed": "--plan", "cancellation_terms": "--cancellation",
    "effective_from": "--from", "effective_to": "--to", "review_date": "--review",
    "targets.lead_goal": "--lead-goal", "targets.respond_within_seconds": "--respond-within",
    "targets.compliance_threshold": "--compliance", "targets.min_attempts": "--min-attempts",
    "targets.miss_limit": "--miss-limit", "targets.sales_quota": "--quota", "targets.cadence": "--cadence",
    "calendar.tz": "--tz",
    "calendar.hours": "--hours", "calendar.holiday_countries": "--holidays", "calendar.holiday_dates": "--holiday",
    "tier_values": "--tier-value",
}


# The options that set a target or the clock (effective-dated: `agreement edit --effective`), with their field in
# the terms.
VERSIONED_OPTIONS = {
    "lead_goal": "lead_goal", "respond_within": "respond_within_seconds", "compliance": "compliance_threshold",
    "min_attempts": "min_attempts", "miss_limit": "miss_limit", "cadence": "cadence", "tz": "tz", "hours": "hours",
    "holiday_countries": "holiday_countries",
}


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
    if opts.get("cadence") is not None:
        targets["cadence"] = opts["cadence"].strip() or None
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
        if not sep or not tier.strip():
            raise SlatuiError(f"--tier-value: '{pair}' is not TIER=VALUE (e.g. CEO=100)")
        try:
            values[tier.strip()] = finite_number(value)
        except ValueError as exc:
            reason = exc if "finite" in str(exc) else "is not TIER=VALUE"
            raise SlatuiError(f"--tier-value: '{pair}': {reason} (e.g. CEO=100)") from None
    return values


def _print_agreement(store: Any, agreement: dict[str, Any], as_json: bool) -> None:
    """An agreement as `Agreement.model_dump(mode="json")` has it (plain values, so `show` needs no pydantic), with
    its terms by month and any recompute of its leads under way."""
    terms = store.terms(agreement["id"])
    recomputing = store.recomputing().get(agreement["id"])
    if as_json:
        emit_json({**agreement, "versions": [_version_json(v) for v in terms.versions],
                   "recomputing": None if recomputing is None else {"done": recomputing[0], "total": recomputing[1]}})
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
        f"  follow-up:   {'every business day' if not t['cadence'] else 'gaps ' + t['cadence']} "
        f"until {max(1, t['min_attempts'])} attempts",
        f"  clock:       {c['tz']}, {c['hours'] or '24x7'}"
        + (f", holidays {','.join(c['holiday_countries'])}" if c["holiday_countries"] else "")
        + (f" + {len(c['holiday_dates'])} dates" if c["holiday_dates"] else ""),
    ]
    if len(terms.versions) > 1:
        lines.append("  versions:    the terms in force by month:")
        previous = None
        for version in terms.versions:
            start = "since the start" if previous is None else f"from {version.from_month}"
            lines.append(f"    {start + ':':<17}{describe_version(version, previous)}")
            previous = version
    if recomputing is not None:
        lines.append(f"  recomputing: {recomputing[0]} of {recomputing[1]} leads (`slatui agreement show` again to "
                     "follow; any command finishes it)")
    for label, text in (("summary", agreement["summary"]), ("if missed", agreement["plan_if_missed"]),
                        ("cancellation", agreement["cancellation_terms"])):
        if text:
            lines.append(f"  {label + ':':<14}{text}")
    for party in agreement["parties"]:
        if party["goals"] or party["requirements"]:
            lines.append(f"  {party['name']}: goals: {party['goals'] or '-'}; needs: {party['requirements'] or '-'}")
    for contact in agreement["contacts"]:
        lines.append(f"  contact:     {contact['name']} ({contact['role'] or 'no role'}, "
                     f"{contact['party'] or 'no party'}) {contact['email'] or ''}".rstrip())
    echo("\n".join(lines))


def _version_json(version: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {**asdict(version), "holiday_countries": list(version.holiday_countries)}


@cli.group()
def agreement() -> None:
    """Define and inspect agreements."""


@agreement.command("add")
@click.argument("name")
@_agreement_options
@pass_ctx
def agreement_add(ctx: Context, name: str, as_json: bool, **opts: Any) -> None:
    """Create the agreement NAME (defaults: Marketing and Sales, 100 leads, 1h, 85 %, 6 attempts, this computer's
    time zone, 24×7)."""
    from slatui.models import Agreement, system_zone

    data = _apply_agreement_options({"name": name, "calendar": {"tz": system_zone()}}, opts)
    created = ctx.store.add_agreement(validated(Agreement, data, AGREEMENT_OPTIONS))
    if as_json:
        _print_agreement(ctx.store, ctx.store.agreement_dump(created.id), as_json)
    else:
        echo(f"added agreement #{created.id} {created.name}")


@agreement.command("edit")
@click.argument("name_or_id")
@click.option("--name", "new_name", help="Rename the agreement.")
@click.option("--effective", metavar="YYYY-MM|all",
              help="Month from which changed targets, cadence and clock apply (default: this month in the "
                   "agreement's zone); earlier months keep the terms they were judged by. 'all' rewrites history.")
@_agreement_options
@pass_ctx
def agreement_edit(ctx: Context, name_or_id: str, new_name: str | None, effective: str | None, as_json: bool,
                   **opts: Any) -> None:
    """Change the given fields of an agreement. Targets and clock are effective-dated: they change from a month
    on, and the leads handed off since then follow (in short batches, so the app and `log` never wait long)."""
    from slatui.models import Agreement

    month = _effective(effective)
    store = ctx.store
    current = store.get_agreement(name_or_id)
    data = _apply_agreement_options(current.model_dump(), opts)
    if new_name:
        data["name"] = new_name
    given = {field for option, field in VERSIONED_OPTIONS.items() if opts.get(option) is not None}
    versions = store.terms(current.id).versions
    with recompute_progress() as progress:
        judged_again = store.months_judged_again(current.id, month) if month and month != "all" else 0
        saved = store.update_agreement(validated(Agreement, data, {**AGREEMENT_OPTIONS, "name": "--name"}),
                                       effective=month, given=given, progress=progress)
    if store.terms(current.id).versions == versions:  # no target or clock changed: no month is judged again
        judged_again, month = 0, None
    if as_json:
        _print_agreement(store, store.agreement_dump(saved.id), as_json)
        return
    echo(f"saved agreement #{saved.id} {saved.name}")
    if month == "all":
        echo("  changed targets and clock apply to every month (history rewritten)")
    elif judged_again:
        echo(f"  changed targets and clock apply from {month} on: {judged_again} past month"
             f"{'s' * (judged_again != 1)} judged again")


def _effective(text: str | None) -> str | None:
    if text is None or text.strip().lower() == "all":
        return None if text is None else "all"
    from slatui.parsing import parse_month

    year, month = parse_option("--effective", parse_month, text)
    if not 1970 <= year <= 2100:
        raise SlatuiError(f"--effective: {text.strip()} is outside 1970-2100; give a month such as 2026-03, or all")
    return f"{year:04d}-{month:02d}"


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
        echo("no agreements yet: add one with `slatui agreement add NAME` or try `slatui demo`")
        return
    from slatui.parsing import format_duration

    recomputing = ctx.store.recomputing()

    def status(a: dict[str, Any]) -> str:
        if a["id"] not in recomputing:
            return a["status"]
        done, total = recomputing[a["id"]]
        return f"{a['status']} (recomputing {done * 100 // max(total, 1)}%)"

    rows = [
        (f"#{a['id']}", a["name"], a["kind"], status(a), " → ".join(p["name"] for p in a["parties"]),
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
    _print_agreement(ctx.store, ctx.store.agreement_dump(name_or_id), as_json)
