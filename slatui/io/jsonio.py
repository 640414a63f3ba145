"""Reading a slatui JSON export back (`slatui import json FILE`).

Agreements and reps are matched by name (a stored one is kept as it is), leads by external
id or else by name and handoff time, attempts by external id or else by time, channel and
outcome: importing the same export twice adds nothing. Derived facts are recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slatui.errors import SlatuiError
from slatui.io.batch import AttemptRecord, Batch, LeadRecord
from slatui.io.export import FORMAT, VERSION
from slatui.models import Agreement, Rep, describe_validation_error

_LEAD_KEYS = ("external_id", "name", "company", "email", "tier", "source", "value", "handed_off_at", "status",
              "revenue", "closed_at")
_ATTEMPT_KEYS = ("at", "channel", "outcome", "note", "external_id")


def read_batch(path: Path) -> Batch:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise SlatuiError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SlatuiError(f"{path.name} is not UTF-8 text: is it a slatui JSON export?") from None
    except json.JSONDecodeError as exc:
        raise SlatuiError(f"{path.name}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise SlatuiError(f"{path.name}: nested too deeply to be a slatui export") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SlatuiError(f"{path.name} is not a slatui JSON export (made by `slatui export --format json`)")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise SlatuiError(f"{path.name} comes from a newer slatui (export version {data.get('version')!r}): upgrade")
    batch = Batch()
    agreements = set()
    for where, entry in _entries(batch, path, data, "agreements"):
        try:
            agreement = Agreement.model_validate({k: v for k, v in entry.items() if k != "id"})
        except ValidationError as exc:
            batch.reject(where, "", describe_validation_error(exc))
            continue
        batch.agreements.append(agreement)
        agreements.add(agreement.name.casefold())
    for where, entry in _entries(batch, path, data, "reps"):
        try:
            batch.reps.append(Rep.model_validate({k: v for k, v in entry.items() if k != "id"}))
        except ValidationError as exc:
            batch.reject(where, "", describe_validation_error(exc))
    leads: dict[Any, LeadRecord] = {}
    for where, entry in _entries(batch, path, data, "leads"):
        agreement, rep = entry.get("agreement"), entry.get("rep")
        if not isinstance(agreement, str) or agreement.casefold() not in agreements:
            batch.reject(where, "agreement", f"{agreement!r} is not one of the export's agreements")
        elif not isinstance(rep, (str, type(None))) or not isinstance(entry.get("external_id"), (str, type(None))):
            batch.reject(where, "", "rep and external_id are text or null")
        else:
            fields = {k: entry[k] for k in _LEAD_KEYS if k in entry}
            if "closed_as" in entry:  # how the lead was closed by hand; its status also follows its attempts
                fields["status"] = entry["closed_as"] or "open"
            record = LeadRecord(where, agreement, fields, owner=rep or "")
            batch.leads.append(record)
            if _key(entry.get("id")) is not None:
                leads.setdefault(_key(entry.get("id")), record)
    for where, entry in _entries(batch, path, data, "attempts"):
        lead, rep = leads.get(_key(entry.get("lead_id"))), entry.get("rep")
        if lead is None:
            batch.reject(where, "lead_id", f"no lead with id {entry.get('lead_id')!r} in the export")
        elif not isinstance(rep, (str, type(None))):
            batch.reject(where, "rep", "rep is text or null")
        else:
            batch.attempts.append(AttemptRecord(where, lead.agreement, lead,
                                                {k: entry[k] for k in _ATTEMPT_KEYS if k in entry}, owner=rep))
    return batch


def _key(value: Any) -> Any:
    # JSON ids are ints; anything unhashable can never match one.
    return value if isinstance(value, (int, str)) else None


def _entries(batch: Batch, path: Path, data: dict[str, Any], table: str):
    entries = data.get(table, [])
    if not isinstance(entries, list):
        raise SlatuiError(f"{path.name}: {table} is not a list")
    for i, entry in enumerate(entries):
        where = f"{path.name}: {table}[{i}]"
        if isinstance(entry, dict):
            yield where, entry
        else:
            batch.reject(where, "", "is not an object")
