"""`slatui rep add|list`."""

from __future__ import annotations

import click

from slatui.cli.base import Context, cli, emit_json, pass_ctx, print_table


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
    reps = ctx.store.rep_rows()  # the Rep model's fields, without loading pydantic
    if as_json:
        emit_json(reps)
    elif not reps:
        click.echo("no reps yet: add one with `slatui rep add NAME`")
    else:
        print_table(("id", "name", "team", "capacity/week"),
                     [(f"#{r['id']}", r["name"], r["team"], str(r["weekly_capacity"])) for r in reps])
