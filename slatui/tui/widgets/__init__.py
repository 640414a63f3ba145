"""Widgets and cell formatting shared by the lead screens (Leads, Queue, lead detail) and their forms."""

from pathlib import Path

# The stylesheet of the lead screens and forms (a Screen's CSS_PATH is read app-wide once loaded).
LEADS_CSS = Path(__file__).parent.parent / "leads.tcss"
