"""SQLite storage: the only package that speaks SQL."""

from slatui.store.connection import default_db_path
from slatui.store.queries import Store, from_epoch, to_epoch

__all__ = ["Store", "default_db_path", "from_epoch", "to_epoch"]
