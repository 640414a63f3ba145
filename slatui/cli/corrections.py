"""Correcting what was logged and closing the loop: `slatui lead edit|close|reopen|delete`, `slatui attempt
edit|delete` and `slatui rep edit`. Each is one logged change (`slatui history`, `slatui undo`); each checks what
was typed first (one line, exit 2, nothing written) and says what it changed, old → new."""

from __future__ import annotations

from typing import Any

import click

from slatui.cli.base import (OUTCOME_HELP, Context, Number, Whole, check_amount, check_choice, check_email,
                             check_lead_name, cli, confirm, echo, finite_number, normalise_choice, parse_at, pass_ctx)
from slatui.cli.history import echo_change_rows, facts_line, lead_tz, local_time
from slatui.cli.leads import lead
from slatui.cli.reps import rep
from slatui.errors import SlatuiError


def _echo_diff(store: Any, table: str, before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Print what changed in one row (as the change log shows it); False when nothing did."""
    from slatui.changes import store_namer
    from slatui.store.changelog import logged_values

    old, new = logged_values(table, before), logged_values(table, after)
    if old == new:
        return False
    row = {"table": table, "id": after["id"], "last_id": None, "old": old, "new": new,
           "agreement_id": after.get("agreement_id")}
    if table == "attempts":
        row["agreement_id"] = store.lead_row(after["lead_id"])["agreement_id"]
    echo_change_rows([row], store_namer(store))
    return True


def _nothing_given(command: str, options: str) -> SlatuiError:
    return SlatuiError(f"{command}: nothing to change: give at least one of {options}")


# ---- leads ----------------------------------------------------------------------------------------


@lead.command("edit")
@click.argument("lead_id", metavar="ID", type=Whole())
@click.option("--name", help="The lead's name.")
@click.option("--company", help="Company ('' for none).")
@click.option("--email", help="Email address ('' for none).")
@click.option("--tier", help="Quality tier ('' for none); the value follows the agreement's value for the tier "
                             "unless --value is given or the value was set by hand.")
@click.option("--source", type=click.Choice(["marketing", "sales"], case_sensitive=False), help="Who sourced it.")
@click.option("--value", "value_text", metavar="AMOUNT", help="Value of the lead ('' for none).")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Give the lead to this rep.")
@click.option("--no-rep", is_flag=True, help="Leave the lead without a rep.")
@click.option("--at", "when", metavar="WHEN", help="Handoff time (its deadline and response time follow).")
@click.option("--agreement", "agreement_ref", metavar="NAME_OR_ID", help="Move the lead to this agreement.")
@pass_ctx
def lead_edit(ctx: Context, lead_id: int, name: str | None, company: str | None, email: str | None,
              tier: str | None, source: str | None, value_text: str | None, rep_ref: str | None, no_rep: bool,
              when: str | None, agreement_ref: str | None) -> None:
    """Correct lead ID.

    Its SLA facts and the reports follow. Times without an offset are read in the agreement's zone."""
    from slatui.store import to_epoch

    if rep_ref is not None and no_rep:
        raise SlatuiError("lead edit: give --rep or --no-rep, not both")
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = check_lead_name(name, "--name")
    if company is not None:
        changes["company"] = company.strip()
    if email is not None:
        changes["email"] = check_email(email)
    if source is not None:
        changes["source"] = source.lower()
    if value_text is not None:
        changes["value"] = _amount("--value", value_text)
    store = ctx.store
    before = dict(store.lead_row(lead_id))
    if rep_ref is not None:  # keeping a rep who has left is fine; giving the lead to one is not
        rep_id = store.rep_id(rep_ref)
        changes["rep_id"] = rep_id if rep_id == before["rep_id"] else store.active_rep_id(rep_ref)
    elif no_rep:
        changes["rep_id"] = None
    agreement_id = store.terms(agreement_ref).id if agreement_ref is not None else before["agreement_id"]
    if agreement_ref is not None:
        changes["agreement_id"] = agreement_id
    if when is not None:
        tz = store.clock(agreement_id, before["handed_off_at"]).version.tz
        changes["handed_off_at"] = to_epoch(parse_at(when, tz))
    if tier is not None:
        changes["tier"] = tier.strip()
        if "value" not in changes:
            changes.update(_value_of_tier(store, before, agreement_id, changes["tier"]))
    if not changes:
        raise _nothing_given("lead edit", "--name, --company, --email, --tier, --source, --value, --rep, --no-rep, "
                                          "--at, --agreement")
    after = store.edit_lead(lead_id, **changes)
    echo(f"lead #{lead_id} {after['name']}")
    if _echo_diff(store, "leads", before, after):
        echo("  " + facts_line(store, after))
    else:
        echo("  nothing changed: the lead already has those values")


def _value_of_tier(store: Any, before: dict[str, Any], agreement_id: int, tier: str) -> dict[str, Any]:
    """A lead's value follows its tier (as `lead add` gives it) unless it was set by hand."""
    old_value = store.agreement_terms(before["agreement_id"]).tier_values.get(before["tier"])
    if before["value"] is not None and before["value"] != old_value:
        return {}
    return {"value": store.agreement_terms(agreement_id).tier_values.get(tier)}


def _amount(option: str, text: str) -> float | None:
    """An amount typed as text ('' for none)."""
    if not text.strip():
        return None
    try:
        return check_amount(option, finite_number(text))
    except ValueError:
        raise SlatuiError(f"{option}: '{text}' is not a number; write it like 1500 or 1500.50") from None


@lead.command("close")
@click.argument("lead_id", metavar="ID", type=Whole())
@click.option("--won", is_flag=True, help="The lead became a customer.")
@click.option("--lost", is_flag=True, help="Sales reached the lead and lost it.")
@click.option("--disqualified", is_flag=True, help="Not a fit (it leaves the depth metric).")
@click.option("--revenue", type=Number(), metavar="AMOUNT",
              help="Revenue of the deal (with --won): feeds the recalibration's deal size.")
@click.option("--reason", help="Why (a note kept with the close; closing again keeps it unless given).")
@click.option("--at", "when", metavar="WHEN", help="When it closed (default: now, or when it closed before).")
@pass_ctx
def lead_close(ctx: Context, lead_id: int, won: bool, lost: bool, disqualified: bool, revenue: float | None,
               reason: str | None, when: str | None) -> None:
    """Close lead ID as won, lost or disqualified.

    Won leads count in the recalibration's close rate and deal size
    (`slatui report`); closing again replaces the close, `slatui lead reopen` removes it."""
    from slatui.store import to_epoch

    chosen = [flag for flag, given in (("--won", won), ("--lost", lost), ("--disqualified", disqualified)) if given]
    if len(chosen) != 1:
        raise SlatuiError("lead close: give one of --won, --lost or --disqualified" +
                          (f", not {' and '.join(chosen)}" if chosen else ""))
    if revenue is not None and not won:
        raise SlatuiError("--revenue: revenue is for leads won (--won), not for leads lost or disqualified")
    check_amount("--revenue", revenue)
    closed_as = {"--won": "customer", "--lost": "lost", "--disqualified": "disqualified"}[chosen[0]]
    store = ctx.store
    before = dict(store.lead_row(lead_id))
    tz = lead_tz(store, before)
    # Closing again corrects the close: what is not given stays (its time; a won deal's revenue).
    at = to_epoch(parse_at(when, tz)) if when is not None or before["closed_at"] is None else before["closed_at"]
    if revenue is None and before["closed_as"] == closed_as:
        revenue = before["revenue"]
    reason = before["close_reason"] if reason is None and before["closed_as"] is not None else (reason or "")
    after = store.close_lead(lead_id, closed_as, at=at, revenue=revenue, reason=reason.strip())
    label = chosen[0].removeprefix("--")
    money = "" if after["revenue"] is None else f" · revenue {after['revenue']:,.2f}"
    echo(f"closed lead #{lead_id} {after['name']} as {label} at {local_time(after['closed_at'], tz)}{money}")
    if before["closed_as"] is not None:
        _echo_diff(store, "leads", before, after)
    if won and revenue is None:
        echo(f"note: no revenue given: lead #{lead_id} counts in the close rate but not in the deal size; "
                   f"add it with `slatui lead close {lead_id} --won --revenue N`", err=True)


@lead.command("reopen")
@click.argument("lead_id", metavar="ID", type=Whole())
@pass_ctx
def lead_reopen(ctx: Context, lead_id: int) -> None:
    """Reopen lead ID closed by mistake.

    It is open again (or connected, if an attempt reached it, or disqualified, if an attempt disqualified it)."""
    store = ctx.store
    before = dict(store.lead_row(lead_id))
    after = store.reopen_lead(lead_id)
    echo(f"reopened lead #{lead_id} {after['name']}: now {after['status']}")
    _echo_diff(store, "leads", before, after)


@lead.command("delete")
@click.argument("lead_id", metavar="ID", type=Whole())
@click.option("--yes", is_flag=True, help="Do not ask (needed when not on a terminal).")
@pass_ctx
def lead_delete(ctx: Context, lead_id: int, yes: bool) -> None:
    """Delete lead ID and its attempts (`slatui undo` puts them back)."""
    store = ctx.store
    row = store.lead_row(lead_id)
    what = f"lead #{lead_id} {row['name']}" + (f" and its {row['attempt_count']} attempts" if row["attempt_count"]
                                               else "")
    if not yes:
        confirm(f"Delete {what}?", f"lead delete: pass --yes to delete {what} (asked only on a terminal)")
    change_id = store.delete_lead(lead_id)
    echo(f"deleted {what} (change #{change_id}; `slatui undo` puts it back)")


# ---- attempts -------------------------------------------------------------------------------------


@cli.group()
def attempt() -> None:
    """Correct or delete follow-up attempts.

    `slatui log` adds them; `slatui lead show ID` lists a lead's attempts with their ids."""


@attempt.command("edit")
@click.argument("attempt_id", type=Whole())
@click.option("--at", "when", metavar="WHEN", help="When the attempt happened.")
@click.option("--outcome", callback=lambda c, p, v: normalise_choice(v), help=OUTCOME_HELP + ".")
@click.option("--channel", callback=lambda c, p, v: normalise_choice(v),
              help="call, email, social, sms, meeting or other.")
@click.option("--rep", "rep_ref", metavar="NAME_OR_ID", help="Rep who made it.")
@click.option("--note", help="A note ('' for none).")
@pass_ctx
def attempt_edit(ctx: Context, attempt_id: int, when: str | None, outcome: str | None, channel: str | None,
                 rep_ref: str | None, note: str | None) -> None:
    """Correct attempt ATTEMPT_ID.

    Its lead's facts (first attempt, response time, status) and the reports follow. Times without an offset are
    read in the agreement's zone."""
    from slatui.store import to_epoch
    from slatui.vocabulary import CHANNELS, OUTCOMES

    changes: dict[str, Any] = {}
    if outcome is not None:
        changes["outcome"] = check_choice("--outcome", outcome, OUTCOMES)
    if channel is not None:
        changes["channel"] = check_choice("--channel", channel, CHANNELS)
    if note is not None:
        changes["note"] = note.strip()
    store = ctx.store
    before = dict(store.attempt_row(attempt_id))
    lead_row = store.lead_row(before["lead_id"])
    if rep_ref is not None:  # an inactive rep is fine here: this corrects who made an attempt in the past
        changes["rep_id"] = store.rep_id(rep_ref)
    if when is not None:
        changes["at"] = to_epoch(parse_at(when, lead_tz(store, lead_row)))
    if not changes:
        raise _nothing_given("attempt edit", "--at, --outcome, --channel, --rep, --note")
    after = store.edit_attempt(attempt_id, **changes)
    echo(f"attempt #{attempt_id} on lead #{lead_row['id']} {lead_row['name']}")
    if _echo_diff(store, "attempts", before, after):
        echo("  " + facts_line(store, store.lead_row(lead_row["id"])))
    else:
        echo("  nothing changed: the attempt already has those values")


@attempt.command("delete")
@click.argument("attempt_id", type=Whole())
@click.option("--yes", is_flag=True, help="Do not ask (needed when not on a terminal).")
@pass_ctx
def attempt_delete(ctx: Context, attempt_id: int, yes: bool) -> None:
    """Delete attempt ATTEMPT_ID (`slatui undo` puts it back).

    Its lead's facts follow."""
    store = ctx.store
    row = store.attempt_row(attempt_id)
    lead_row = store.lead_row(row["lead_id"])
    what = (f"attempt #{attempt_id} ({row['outcome'].replace('_', ' ')}, "
            f"{local_time(row['at'], lead_tz(store, lead_row))}) on lead #{lead_row['id']} {lead_row['name']}")
    if not yes:
        confirm(f"Delete {what}?", f"attempt delete: pass --yes to delete {what} (asked only on a terminal)")
    store.delete_attempt(attempt_id)
    echo(f"deleted {what}")
    echo("  " + facts_line(store, store.lead_row(lead_row["id"])))


# ---- reps -----------------------------------------------------------------------------------------


@rep.command("edit")
@click.argument("name_or_id")
@click.option("--name", help="New name.")
@click.option("--team", help="The rep's team.")
@click.option("--capacity", type=Whole(low=0), help="Leads a week the rep can work.")
@click.option("--active/--inactive", default=None,
              help="Inactive reps keep their leads, attempts and figures but leave pick lists (no new work).")
@pass_ctx
def rep_edit(ctx: Context, name_or_id: str, name: str | None, team: str | None, capacity: int | None,
             active: bool | None) -> None:
    """Rename a rep, change their team or capacity, or (de)activate them."""
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name.strip()
        if not 0 < len(changes["name"]) <= 120:
            raise SlatuiError("--name: give the rep a name of 1 to 120 characters")
    if team is not None:
        changes["team"] = team.strip()
    if capacity is not None:
        changes["weekly_capacity"] = capacity
    if active is not None:
        changes["active"] = active
    if not changes:
        raise _nothing_given("rep edit", "--name, --team, --capacity, --active, --inactive")
    store = ctx.store
    before = store.rep_row(name_or_id)
    store.edit_rep(before["name"], **changes)
    after = store.rep_row(before["id"])
    echo(f"rep #{after['id']} {after['name']}")
    if not _echo_diff(store, "reps", before, after):
        echo("  nothing changed: the rep already has those values")
    elif before["active"] and not after["active"]:
        open_leads = store.count_leads(rep_id=after["id"], open_only=True)
        if open_leads:
            echo(f"note: {after['name']} still has {open_leads} open lead{'s' * (open_leads != 1)}: give them "
                       "to another rep with `slatui lead edit ID --rep NAME` (`slatui leads --open` lists open leads)",
                       err=True)
