"""`slatui rep add|list`."""

from __future__ import annotations

import click

from slatui.cli.base import Context, Whole, cli, echo, emit_json, pass_ctx, print_table, validated


@cli.group()
def rep() -> None:
    """Sales reps who follow leads up."""


@rep.command("add")
@click.argument("name")
@click.option("--team", default="Sales", show_default=True, help="The rep's team.")
@click.option("--capacity", type=Whole(), default=50, show_default=True, help="Leads a week the rep can work.")
@pass_ctx
def rep_add(ctx: Context, name: str, team: str, capacity: int) -> None:
    """Add a rep."""
    from slatui.models import Rep

    rep = validated(Rep, {"name": name, "team": team, "weekly_capacity": capacity},
                    {"name": "NAME", "team": "--team", "weekly_capacity": "--capacity"})
    created = ctx.store.add_rep(rep)
    echo(f"added rep #{created.id} {created.name}")


@rep.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def rep_list(ctx: Context, as_json: bool) -> None:
    """List reps; inactive ones are marked (they keep their history but take no new work)."""
    # The Rep model's fields, as its JSON dump has them, without loading pydantic.
    reps = [{**r, "active": bool(r["active"])} for r in ctx.store.rep_rows()]
    if as_json:
        emit_json(reps)
    elif not reps:
        echo("no reps yet: add one with `slatui rep add NAME`")
    else:
        print_table(("id", "name", "team", "capacity/week", "status"),
                    [(f"#{r['id']}", r["name"], r["team"], str(r["weekly_capacity"]),
                      "active" if r["active"] else "inactive") for r in reps])
