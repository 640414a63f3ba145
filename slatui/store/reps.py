"""Reps: add, edit (rename, team, capacity, active), look up by name or id, list (each write logged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput

if TYPE_CHECKING:
    from slatui.models import Rep

# Rep fields an edit may change.
EDITABLE_FIELDS = ("name", "team", "weekly_capacity", "active")
_HINT = "add one with `slatui rep add NAME`"


class RepQueries:
    """Reads and writes of the reps table (a part of `Store`)."""

    def add_rep(self, rep: Rep) -> Rep:
        self._check_rep_name(rep.name, None)
        with self.change(f"added rep {rep.name}") as change:
            cursor = self.conn.execute(
                "INSERT INTO reps (name, team, weekly_capacity, active) VALUES (?, ?, ?, ?)",
                (rep.name, rep.team, rep.weekly_capacity, int(rep.active)),
            )
            self._record("reps", cursor.lastrowid, None, self._row("reps", cursor.lastrowid))
            change.summary = f"added rep #{cursor.lastrowid} {rep.name}"
        return rep.model_copy(update={"id": cursor.lastrowid})

    def edit_rep(self, name_or_id: str | int, **changes: Any) -> Rep:
        """Change some of a rep's fields (EDITABLE_FIELDS); an inactive rep keeps its history."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        if "active" in changes:
            changes["active"] = int(changes["active"])
        with self.change(f"edited rep {name_or_id}") as change:
            before = self._by_name_or_id("reps", "rep", name_or_id, _HINT)
            change.summary = f"edited rep #{before['id']} {before['name']}"
            if "name" in changes:
                self._check_rep_name(changes["name"], before["id"])
            updates = {k: v for k, v in changes.items() if before[k] != v}
            if updates:
                self.conn.execute(f"UPDATE reps SET {', '.join(f'{k} = ?' for k in updates)} WHERE id = ?",
                                  (*updates.values(), before["id"]))
                self._record("reps", before["id"], dict(before), self._row("reps", before["id"]))
        return self.get_rep(before["id"])

    def _check_rep_name(self, name: str, rep_id: int | None) -> None:
        if self._one("SELECT 1 FROM reps WHERE name = ? COLLATE NOCASE AND id IS NOT ?", (name, rep_id)):
            raise InvalidInput(f"name: a rep called '{name}' already exists; choose another name")

    def get_rep(self, name_or_id: str | int) -> Rep:
        from slatui.models import Rep  # models load on first use: listing leads or a backup needs no pydantic

        return Rep(**self.rep_row(name_or_id))

    def rep_row(self, name_or_id: str | int) -> dict[str, Any]:
        """A rep as a plain row (no model: quick paths)."""
        return dict(self._by_name_or_id("reps", "rep", name_or_id, _HINT))

    def rep_id(self, name_or_id: str | int) -> int:
        return self.rep_row(name_or_id)["id"]

    def active_rep_id(self, name_or_id: str | int) -> int:
        """A rep to give new work to (a lead, an attempt being logged): inactive reps keep their history but are
        refused here, with the way out."""
        row = self.rep_row(name_or_id)
        if not row["active"]:
            raise InvalidInput(f"rep: {row['name']} is inactive (their history stays, new work does not go to them): "
                               f"reactivate them with `slatui rep edit {row['id']} --active` or choose another rep")
        return row["id"]

    def list_reps(self, *, active_only: bool = False) -> list[Rep]:
        from slatui.models import Rep

        return [Rep(**r) for r in self.rep_rows(active_only=active_only)]

    def rep_rows(self, *, active_only: bool = False) -> list[dict[str, Any]]:
        """Every rep (or the active ones, for pick lists) as a plain row, by name."""
        where = " WHERE active" if active_only else ""
        return [dict(r) for r in self.conn.execute(f"SELECT * FROM reps{where} ORDER BY name")]
