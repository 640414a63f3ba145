"""The closed sets of values the domain uses: plain tuples, cheap to import (the CLI's option
choices need them before any model is loaded)."""

AGREEMENT_KINDS = ("internal", "customer", "multilevel")
AGREEMENT_STATUSES = ("draft", "active", "under_review", "cancelled", "expired")
LEAD_SOURCES = ("marketing", "sales")
LEAD_STATUSES = ("open", "connected", "customer", "lost", "disqualified")
# How a lead is closed by hand (or by an import): won (a customer), lost, or disqualified.
CLOSED_STATUSES = ("customer", "lost", "disqualified")
CHANNELS = ("call", "email", "social", "sms", "meeting", "other")
OUTCOMES = ("no_answer", "voicemail", "email_sent", "connected", "meeting_booked", "disqualified")
# Outcomes that mean sales reached the lead (DESIGN.md: "connected").
CONNECTING_OUTCOMES = frozenset({"connected", "meeting_booked"})
# Longest lead name the store takes (the Lead model and the quick `lead add` path both check it).
LEAD_NAME_MAX = 200
# The largest integer SQLite stores (64-bit signed): ids and counts beyond it are refused as input.
SQLITE_INT_MAX = 2**63 - 1
# Instants outside these years are typos (0024, 2204) that would also make business-time sums crawl.
EARLIEST_YEAR, LATEST_YEAR = 1970, 2100
# Handoffs and attempts may be this much later than this machine's clock (another device's clock skew).
CLOCK_SKEW_SECONDS = 300
