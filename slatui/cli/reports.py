"""`slatui report` and `slatui scorecard`: a month's SLA figures and the months against each target."""

from __future__ import annotations

import click

from slatui.cli.base import Context, Whole, cli, echo, emit_json, parse_as_of, parse_option, pass_ctx
from slatui.errors import SlatuiError


def _agreement_ref(argument: str | None, option: str | None) -> str | None:
    """The agreement named as the argument (like `agreement show`) or with --agreement; not two different ones."""
    if argument and option and argument != option:
        raise SlatuiError(f"two agreements given ('{argument}' and --agreement '{option}'): name one")
    return argument or option


@cli.command("report")
@click.argument("agreement_arg", metavar="[AGREEMENT]", required=False)
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="One agreement (default: every active one).")
@click.option("--month", metavar="YYYY-MM", help="The month to report (default: this month).")
@click.option("--as-of", "as_of_text", metavar="WHEN", help="Report as of this instant (default: now).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "md", "html", "csv"]), default="table",
              show_default=True, help="Output format (md and html include the charts).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), help="Write to this file.")
@pass_ctx
def report(ctx: Context, agreement_arg: str | None, agreement_ref: str | None, month: str | None,
           as_of_text: str | None, fmt: str, out_path: str | None) -> None:
    """SLA compliance for a month of AGREEMENT (name or id; default: every active one): volume vs goal, speed,
    depth, verdict and missed months."""
    from slatui import metrics
    from slatui import report as render
    from slatui.parsing import parse_month

    agreement_ref = _agreement_ref(agreement_arg, agreement_ref)
    store = ctx.store
    agreements = [store.terms(agreement_ref)] if agreement_ref else store.list_terms(status="active")
    if not agreements:
        raise SlatuiError("no active agreements to report: add one with `slatui agreement add NAME` or name one "
                          "with --agreement")
    zone = agreements[0].tz
    as_of = parse_as_of(as_of_text, zone)
    year, month_number = parse_option("--month", parse_month, month) if month else \
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
        from slatui.files import write_private

        try:
            write_private(out_path, text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            raise SlatuiError(f"cannot write {out_path}: {exc.strerror}; nothing was written") from None
        echo(f"wrote {fmt} report to {out_path}", err=True)
    else:
        echo(text, nl=not text.endswith("\n"))


@cli.command("scorecard")
@click.argument("agreement_arg", metavar="[AGREEMENT]", required=False)
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="One agreement (default: every active one).")
@click.option("--months", type=Whole(1), default=12, show_default=True, help="How many months back.")
@click.option("--as-of", "as_of_text", metavar="WHEN", help="Up to this instant (default: now).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_ctx
def scorecard(ctx: Context, agreement_arg: str | None, agreement_ref: str | None, months: int,
              as_of_text: str | None, fmt: str) -> None:
    """Months × targets of AGREEMENT (name or id; default: every active one): which months met it, since it
    started."""
    from slatui import metrics

    agreement_ref = _agreement_ref(agreement_arg, agreement_ref)
    store = ctx.store
    cards = []
    for terms in [store.terms(agreement_ref)] if agreement_ref else store.list_terms(status="active"):
        as_of = parse_as_of(as_of_text, terms.tz)
        year, month = metrics.local_now(terms, as_of).timetuple()[:2]
        verdicts = metrics.month_verdicts(store, terms, year, month, as_of)
        cards.append({"agreement": {"id": terms.id, "name": terms.name}, "months": verdicts[-months:],
                      "consecutive_missed_months": metrics.consecutive_missed(verdicts),
                      "miss_limit": terms.miss_limit})
    if fmt == "json":
        emit_json(cards)
    else:
        from slatui.report import render_scorecard

        echo(render_scorecard(cards), nl=False)

