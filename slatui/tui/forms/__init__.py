"""Modal forms: each returns the saved model, or None when cancelled."""
