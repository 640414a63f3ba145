"""The day's work plan from the shell: `slatui queue`, `slatui status` (a line for tmux or a prompt) and
`slatui lead snooze`."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import click

from slatui.cli.base import Context, cli, emit_json, pass_ctx, print_table
from slatui.cli.leads import lead
from slatui.errors import NotFound, SlatuiError

# How long the status line waits for a database another process has locked before it gives up for this time
# (its --help says so).
STATUS_WAIT_MS = 50
# What the status line says when it has nothing to say: no database, not set up, locked or unreadable.
NO_STATUS = "SLA –"


def now() -> float:
    """The current instant (epoch seconds); tests freeze it."""
    return time.time()


def _iso(instant: float | None, tz: str) -> str | None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return None if instant is None else datetime.fromtimestamp(instant, ZoneInfo(tz)).isoformat()


def _filters(store: Any, agreement_ref: str | None, rep_ref: str | None) -> tuple[int | None, int | None]:
    return (store.terms(agreement_ref).id if agreement_ref else None,
            store.rep_id(rep_ref) if rep_ref else None)


@cli.command("queue")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="Only this agreement's leads.")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Only this rep's leads (my queue).")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="At most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print the leads as JSON.")
@pass_ctx
def queue(ctx: Context, agreement_ref: str | None, rep_ref: str | None, limit: int, as_json: bool) -> None:
    """The day's work plan: leads owed an attempt, soonest due first.

    A lead is due by its first-response deadline until its first attempt, then by its agreement's cadence
    (one business day between attempts without one) until it is reached, closed, disqualified or has had its
    minimum attempts. Time left counts business time on the agreement's calendar; times are in its zone.
    """
    from slatui import plan

    store = ctx.store
    agreement_id, rep_id = _filters(store, agreement_ref, rep_ref)
    at = now()
    with store.snapshot():
        entries = plan.entries(store, at, agreement_id=agreement_id, rep_id=rep_id, limit=limit)
        counts = None if as_json else plan.status(store, at, agreement_id, rep_id)
        done = None if as_json else store.cadence_done(agreement_id, rep_id)
    if as_json:
        emit_json([{
            "lead_id": e["id"], "name": e["name"], "company": e["company"], "rep": e["rep"],
            "agreement": e["agreement"], "step": e["step"], "attempts": e["attempts"],
            "min_attempts": e["min_attempts"], "next_due": _iso(e["next_due_at"], e["tz"]),
            "seconds_left": e["seconds_left"], "state": e["state"],
            "snoozed_until": _iso(e["snoozed_until"], e["tz"]) if e["snoozed"] else None,
        } for e in entries])
        return
    done = f"{done:,} cadence done, not reached"
    if not entries:
        click.echo(f"nothing due: no lead is owed an attempt · {done}")
        return
    click.echo(f"{counts['leads']:,} leads owed an attempt: {counts['overdue']:,} overdue, "
               f"{counts['due_soon']:,} due within a business hour · {done}")
    print_table(
        ("id", "due", "left", "step", "lead", "company", "rep", "agreement"),
        [(str(e["id"]), plan.local_time(e["next_due_at"], e["tz"]), e["due_text"],
          e["step_text"] + (" (first response)" if e["state"] == "first_response" else "")
          + (" (snoozed)" if e["snoozed"] else ""),
          e["name"], e["company"], e["rep"] or "–", e["agreement"]) for e in entries],
    )
    if counts["leads"] > len(entries):
        click.echo(f"… and {counts['leads'] - len(entries):,} more (--limit)")


@cli.command("status")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="Only this agreement's leads.")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Only this rep's leads.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"], case_sensitive=False), default="text",
              show_default=True, help="One line of text, or the figures as JSON.")
@pass_ctx
def status(ctx: Context, agreement_ref: str | None, rep_ref: str | None, fmt: str) -> None:
    """One short line for a tmux status bar or a shell prompt, e.g. `SLA ▲2 overdue · 3 due <1h · next 00:12`:
    leads overdue, leads due within a business hour, and business time until the next one falls due.

    Always exits 0 and writes nothing on stderr, as it runs every few seconds: without a database it can read
    (missing, not set up, locked) it prints `SLA –`. It never creates or upgrades the file, and waits at most
    50 ms for a lock.
    """
    try:
        figures = _status_figures(ctx.db_path, agreement_ref, rep_ref, now())
    except (SlatuiError, sqlite3.Error, OSError, ValueError) as exc:
        figures = {"text": NO_STATUS, "error": str(exc)}
    if fmt.lower() == "json":
        emit_json(figures)
    else:
        click.echo(figures["text"])


def _status_figures(db_path: str | None, agreement_ref: str | None, rep_ref: str | None,
                    at: float) -> dict[str, Any]:
    from slatui import plan
    from slatui.store import Store, from_epoch

    with Store.existing(db_path, busy_timeout_ms=STATUS_WAIT_MS) as store, store.snapshot():
        # A name that is not there is worth seeing in the bar: "SLA ? no rep 'Ana'".
        try:
            agreement_id = store.terms(agreement_ref).id if agreement_ref else None
        except NotFound as exc:
            return {"text": f"SLA ? no agreement '{agreement_ref}'", "error": str(exc)}
        try:
            rep_id = store.rep_id(rep_ref) if rep_ref else None
        except NotFound as exc:
            return {"text": f"SLA ? no rep '{rep_ref}'", "error": str(exc)}
        if agreement_id is None and not store.plan_agreement_ids():
            return {"text": NO_STATUS, "error": "no agreement in force"}
        figures = plan.status(store, at, agreement_id, rep_id)
    due = figures["next_due_at"]
    return {**figures, "next_due_at": None if due is None else from_epoch(due).isoformat(),
            "text": plan.status_text(figures)}


@lead.command("snooze")
@click.argument("lead_id", type=int)
@click.option("--until", "until_text", metavar="WHEN",
              help="When to try it next, e.g. 'in 2h', tomorrow, 'tomorrow 10:00', 'monday 09:30', an ISO time.")
@click.option("--clear", is_flag=True, help="End the snooze: the lead is due when its cadence says.")
@pass_ctx
def lead_snooze(ctx: Context, lead_id: int, until_text: str | None, clear: bool) -> None:
    """Put off lead LEAD_ID's next attempt until WHEN (or end a snooze with --clear).

    The queue lists it from then on; its SLA clock does not stop (a first response still breaches on time),
    and logging an attempt ends the snooze. Kept in the change log.
    """
    from slatui import plan
    from slatui.parsing import ParseError

    if clear == (until_text is not None):
        raise SlatuiError("give --until WHEN to snooze the lead, or --clear to end its snooze")
    try:
        done = plan.snooze(ctx.store, lead_id, until_text, now())
    except ParseError as exc:
        raise SlatuiError(f"--until: {exc}") from None
    click.echo("\n".join(done))
