"""CRM imports (HubSpot, Salesforce, any CSV, slatui JSON) and exports (CSV, JSON).

Kept empty: importing one reader loads nothing else. The commands are in `slatui.cli.transfer`.
"""
