"""The guide's calculators: `slatui calc leads` and `slatui calc nines` (no database)."""

from __future__ import annotations

import click

from slatui.cli.base import Number, cli, emit_json, parse_option
from slatui.errors import SlatuiError


@cli.group()
def calc() -> None:
    """The guide's calculators: leads needed, and availability nines."""


@calc.command("leads")
@click.option("--quota", type=Number(), required=True, help="Monthly sales quota (revenue).")
@click.option("--marketing-share", required=True, metavar="PCT", help="% of revenue from marketing leads.")
@click.option("--deal-size", type=Number(), required=True, help="Average deal size.")
@click.option("--close-rate", required=True, metavar="PCT", help="% of leads that become customers.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def calc_leads(quota: float, marketing_share: str, deal_size: float, close_rate: str, as_json: bool) -> None:
    """Leads marketing must hand off a month: quota × share ÷ deal size ÷ close rate."""
    from slatui.goals import leads_needed
    from slatui.parsing import parse_percent

    share = parse_option("--marketing-share", parse_percent, marketing_share)
    rate = parse_option("--close-rate", parse_percent, close_rate)
    try:
        result = leads_needed(quota, share, deal_size, rate)
    except ValueError as exc:
        raise SlatuiError(str(exc)) from None
    if as_json:
        emit_json(result.__dict__)
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

    fraction = parse_option("PCT", parse_percent, availability)
    result = allowed_downtime(fraction * 100)
    data = {"availability_pct": result.availability_pct,
            "downtime_seconds_per_year": result.seconds_per_year,
            "downtime_seconds_per_month": result.seconds_per_month,
            "downtime_seconds_per_week": result.seconds_per_week,
            "downtime_seconds_per_day": result.seconds_per_day}
    if as_json:
        emit_json(data)
        return
    click.echo(f"{result.availability_pct:g} % available allows this much downtime:")
    for period in ("year", "month", "week", "day"):
        seconds = data[f"downtime_seconds_per_{period}"]
        click.echo(f"  per {period:<5} {format_duration(seconds) if seconds >= 1 else f'{seconds:.3f}s':>10}"
                   f"  ({seconds:,.2f} s)")
