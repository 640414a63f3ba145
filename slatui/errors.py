"""User-facing errors: each carries a one-line message that says what is wrong and how to fix it."""


class SlatuiError(Exception):
    """An error meant for the person at the keyboard (exit code 2 on the CLI)."""

    exit_code = 2


class NotFound(SlatuiError):
    """A named agreement, rep or lead does not exist."""


class InvalidInput(SlatuiError):
    """Input that breaks a rule of the domain (e.g. an attempt before its lead's handoff)."""


class DatabaseError(SlatuiError):
    """The database file cannot be used (not SQLite, newer schema, unwritable, ...)."""
