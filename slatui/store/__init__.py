"""SQLite storage: the only package that speaks SQL."""

from slatui.store.connection import default_db_path
from slatui.store.database import Store
from slatui.store.rows import AttemptValues, LeadValues, from_epoch, to_epoch

__all__ = ["AttemptValues", "LeadValues", "Store", "default_db_path", "from_epoch", "to_epoch"]
