"""CRM imports (HubSpot, Salesforce, any CSV or .xlsx sheet, slatui JSON) and exports (CSV, .xlsx, JSON).

Kept empty: importing one reader loads nothing else (openpyxl only when a workbook is read or written).
The commands are in `slatui.cli.transfer`.
"""
