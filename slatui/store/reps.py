"""Reps: add, look up by name or id, list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slatui.errors import InvalidInput

if TYPE_CHECKING:
    from slatui.models import Rep


class RepQueries:
    """Reads and writes of the reps table (a part of `Store`)."""

    def add_rep(self, rep: Rep) -> Rep:
        if self._one("SELECT 1 FROM reps WHERE name = ? COLLATE NOCASE", (rep.name,)):
            raise InvalidInput(f"name: a rep called '{rep.name}' already exists")
        with self.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO reps (name, team, weekly_capacity) VALUES (?, ?, ?)",
                (rep.name, rep.team, rep.weekly_capacity),
            )
        return rep.model_copy(update={"id": cursor.lastrowid})

    def get_rep(self, name_or_id: str | int) -> Rep:
        from slatui.models import Rep  # models load on first use: listing leads or a backup needs no pydantic

        return Rep(**dict(self._by_name_or_id("reps", "rep", name_or_id, "add one with `slatui rep add NAME`")))

    def rep_id(self, name_or_id: str | int) -> int:
        return self._by_name_or_id("reps", "rep", name_or_id, "add one with `slatui rep add NAME`")["id"]

    def list_reps(self) -> list[Rep]:
        from slatui.models import Rep

        return [Rep(**r) for r in self.rep_rows()]

    def rep_rows(self) -> list[dict[str, Any]]:
        """Every rep as a plain row (id, name, team, weekly_capacity), by name."""
        return [dict(r) for r in self.conn.execute("SELECT * FROM reps ORDER BY name")]
