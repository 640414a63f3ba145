"""CRM imports (HubSpot, Salesforce, any CSV, slatui JSON) and exports (CSV, JSON).

Kept empty so that `slatui.io.commands`, imported when the CLI starts, loads nothing else.
"""
