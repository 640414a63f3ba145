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
