"""Reproducible demo data: three agreements, eight reps, six months of handoffs and follow-ups.

Speed and depth vary by rep and by week (and the internal SLA slips in its last months) so
that every chart and verdict has a story to tell. Same seed and same `now`, same database.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

from slatui.models import CONNECTING_OUTCOMES, Agreement, Calendar, Contact, Party, Rep, Targets
from slatui.store import AttemptValues, LeadValues, Store

DEMO_MONTHS = 6

_FIRST = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gala", "Hugo", "Irene", "Jorge", "Lucia", "Mateo",
          "Nuria", "Olga", "Pablo", "Rosa", "Sergio", "Tania", "Victor", "Yolanda", "Ivan", "Marta", "Joana", "Rui"]
_LAST = ["Garcia", "Silva", "Lopez", "Santos", "Martin", "Costa", "Perez", "Ivanova", "Ruiz", "Pereira", "Moreno",
         "Sokolov", "Navarro", "Almeida", "Torres", "Romero", "Fernandes", "Vidal", "Popova", "Castro"]
_COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne",
              "Soylent", "Aperture", "Massive Dynamic", "Gringotts", "Monarch", "Oceanic", "Pied Piper", "Nakatomi"]
_TIERS = [("CEO", 0.15), ("Director", 0.35), ("Manager", 0.5)]
# Weighted draws by cumulative weights (see _pick).
_TIER_NAMES = [t for t, _ in _TIERS]
_TIER_CUMULATIVE = list(accumulate(w for _, w in _TIERS))
_UNANSWERED = ["no_answer", "voicemail", "email_sent"]
_UNANSWERED_CUMULATIVE = list(accumulate([5, 3, 2]))

# name, team, weekly capacity, median first response in business minutes, diligence (attempts before giving up)
_REPS = [
    ("Alicia Romero", "Inbound", 60, 12, 9),
    ("Bernardo Costa", "Inbound", 50, 18, 8),
    ("Clara Ivanova", "Inbound", 45, 30, 7),
    ("Dmitri Sokolov", "Outbound", 40, 140, 5),
    ("Emma Navarro", "Outbound", 55, 15, 8),
    ("Felipe Santos", "Key accounts", 30, 45, 7),
    ("Greta Almeida", "Key accounts", 35, 110, 4),
    ("Hector Vidal", "Service", 40, 300, 5),
]


def _agreements(start: date) -> list[tuple[Agreement, float, list[int]]]:
    """(agreement, share of the demo's leads, indexes of the reps who work it)."""
    internal = Agreement(
        name="MQL to SQL handoff",
        kind="internal",
        parties=[
            Party(name="Marketing", goals="Hand off 120 qualified leads a month",
                  requirements="Weekly pipeline status from Sales"),
            Party(name="Sales", goals="First attempt within 1 business hour on 85 % of leads; 6 attempts",
                  requirements="Leads with role, company and source filled in"),
        ],
        summary="Marketing delivers qualified leads; Sales follows every one up fast and deep.",
        contacts=[Contact(name="Marta Ruiz", role="Head of Marketing", email="marta@example.com", party="Marketing"),
                  Contact(name="Jorge Torres", role="Sales Director", email="jorge@example.com", party="Sales")],
        plan_if_missed="Mid-month review; a strike per missed month; three strikes escalate to the CRO.",
        cancellation_terms="Goals missed three months in a row.",
        effective_from=start, review_date=start + timedelta(days=180),
        targets=Targets(lead_goal=120, respond_within_seconds=3600, compliance_threshold=0.85, min_attempts=6),
        calendar=Calendar(tz="Europe/Madrid", hours="mon-fri 09:00-14:00,15:00-18:00", holiday_countries=["ES"]),
        tier_values={"CEO": 100, "Director": 50, "Manager": 40},
    )
    customer = Agreement(
        name="Northwind customer SLA",
        kind="customer",
        parties=[Party(name="Agency", goals="60 sales-ready leads a month"),
                 Party(name="Northwind", goals="Call back within 4 business hours")],
        summary="Our agency generates leads for Northwind's sales team.",
        contacts=[Contact(name="Rui Pereira", role="Account manager", email="rui@example.com", party="Agency")],
        plan_if_missed="Service credit of 10 % of the monthly fee per missed month.",
        cancellation_terms="Either side may cancel after three missed months.",
        effective_from=start + timedelta(days=31),
        targets=Targets(lead_goal=60, respond_within_seconds=4 * 3600, compliance_threshold=0.9, min_attempts=4),
        calendar=Calendar(tz="America/New_York", hours="mon-fri 09:00-17:00", holiday_countries=["US"]),
    )
    multilevel = Agreement(
        name="Revenue engine",
        kind="multilevel",
        parties=[Party(name="Marketing", goals="80 MQLs a month"),
                 Party(name="Sales", goals="Contact within 24 hours"),
                 Party(name="Customer Service", goals="Monthly customer friction report")],
        summary="RevOps SLA from first touch to renewal.",
        plan_if_missed="Joint review at the monthly RevOps meeting.",
        cancellation_terms="Renegotiated after three missed months.",
        effective_from=start,
        targets=Targets(lead_goal=80, respond_within_seconds=24 * 3600, compliance_threshold=0.95, min_attempts=3),
        calendar=Calendar(tz="America/Sao_Paulo"),
    )
    return [(internal, 0.5, [0, 1, 2, 4]), (customer, 0.2, [5, 6]), (multilevel, 0.3, [3, 4, 7])]


def generate_demo(
    store: Store, *, leads: int = 1500, seed: int = 7, now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the demo into `store`; returns counts of what was added."""
    with store.change("demo data") as change:  # all or nothing, even if the process is killed half-way
        summary = _generate(store, leads, seed, now, progress)
        change.summary = (f"demo data: {summary['agreements']} agreements, {summary['reps']} reps, "
                          f"{summary['leads']} leads")
        return summary


def _generate(store, leads, seed, now, progress) -> dict[str, int]:
    rng = random.Random(seed)
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    first_month = _months_back(now.date().replace(day=1), DEMO_MONTHS - 1)
    reps = []
    for name, team, capacity, _, _ in _REPS:
        existing = [r for r in store.list_reps() if r.name == name]
        reps.append(existing[0] if existing else store.add_rep(Rep(name=name, team=team, weekly_capacity=capacity)))
    plans = []
    for agreement, share, rep_indexes in _agreements(first_month):
        if any(a.name == agreement.name for a in store.list_agreements()):
            agreement = agreement.model_copy(update={"name": f"{agreement.name} (demo {seed})"})
        plans.append((store.add_agreement(agreement), share, rep_indexes))

    def items() -> Iterator[tuple[LeadValues, list[AttemptValues]]]:
        for agreement, share, rep_indexes in plans:
            yield from _leads_for(rng, agreement, round(leads * share), rep_indexes, reps, first_month, now)

    added, attempts = store.add_lead_rows(items(), progress=progress)
    return {"agreements": len(plans), "reps": len(reps), "leads": added, "attempts": attempts}


def _leads_for(rng, agreement, count, rep_indexes, reps, first_month, now
               ) -> Iterator[tuple[LeadValues, list[AttemptValues]]]:
    # Plain rows in epoch seconds rather than models: a million leads must not build four million models.
    # The random draws keep their order, so a seed gives the same data it always gave.
    calendar = agreement.calendar.business_calendar()
    start = datetime.combine(max(first_month, agreement.effective_from or first_month), datetime.min.time(),
                             timezone.utc).timestamp()
    now_ts = now.timestamp()
    span = now_ts - start
    internal = agreement.kind == "internal"
    # In time order, as they would have been logged: index inserts then append instead of splitting pages.
    for raw_ts in sorted(start + rng.random() * span for _ in range(count)):
        # Marketing hands off during the working day: move the handoff to the next opening.
        handoff_ts = int(calendar.deadline(raw_ts, 0 if rng.random() < 0.3 else rng.random() * 3600))
        if handoff_ts >= now_ts:
            continue
        rep_index = rng.choice(rep_indexes)
        rep_id, (_, _, _, median_minutes, diligence) = reps[rep_index].id, _REPS[rep_index]
        week = datetime.fromtimestamp(handoff_ts, timezone.utc).isocalendar().week
        # Some weeks are busy for everybody; the internal SLA slips in the second half of the demo.
        progress = (handoff_ts - start) / span
        slowdown = (1.8 if week % 5 == 0 else 1.0) * (1 + 4 * max(0.0, progress - 0.5) if internal else 1.0)
        tier = _pick(rng, _TIER_NAMES, _TIER_CUMULATIVE)
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        company = rng.choice(_COMPANIES)
        source = "marketing" if rng.random() < 0.85 else "sales"
        attempts = _attempts(rng, calendar, handoff_ts, median_minutes * 60 * slowdown,
                             diligence - round(slowdown) + 1, rep_id, now_ts)
        status, revenue, closed_at = "open", None, None
        if any(a.outcome in CONNECTING_OUTCOMES for a in attempts) and rng.random() < 0.35:
            closed = attempts[-1].at + 86400 * rng.randint(5, 45)
            if closed < now_ts:
                status, closed_at = "customer", closed
                revenue = round(agreement.tier_values.get(tier, 50) * rng.uniform(1.5, 3.0), 2)
        elif _given_up(attempts, agreement.targets.min_attempts, now_ts):
            # The rep stopped short of the minimum and, a week later, closed the lead as lost.
            status, closed_at = "lost", attempts[-1].at + _GIVE_UP_SECONDS
        yield LeadValues(agreement.id, rep_id, name, company, None, tier, source, agreement.tier_values.get(tier),
                         handoff_ts, status, revenue, closed_at), attempts


def _attempts(rng, calendar, handoff_ts, median_delay, diligence, rep_id, now_ts) -> list[AttemptValues]:
    attempts = []
    delay = rng.lognormvariate(0, 0.7) * median_delay
    at = calendar.deadline(handoff_ts, delay)
    planned = max(1, diligence + rng.randint(-1, 1))
    while len(attempts) < planned and at < now_ts:
        roll = rng.random()
        if roll < 0.04:
            outcome = "disqualified"
        elif roll < 0.26:
            outcome = rng.choice(["connected", "connected", "meeting_booked"])
        else:
            outcome = _pick(rng, _UNANSWERED, _UNANSWERED_CUMULATIVE)
        channel = "email" if outcome == "email_sent" else "meeting" if outcome == "meeting_booked" else "call"
        attempts.append(AttemptValues(int(at), channel, outcome, rep_id))
        if outcome in ("connected", "meeting_booked", "disqualified"):
            break
        at = calendar.deadline(at, rng.uniform(2, 30) * 3600)
    return attempts


# How long after their last attempt reps close a lead they gave up on (the demo's leads stay in the work plan
# until then).
_GIVE_UP_SECONDS = 7 * 86400


def _given_up(attempts: list[AttemptValues], min_attempts: int, now_ts: float) -> bool:
    if not attempts or len(attempts) >= min_attempts:
        return False
    if any(a.outcome in CONNECTING_OUTCOMES or a.outcome == "disqualified" for a in attempts):
        return False
    return attempts[-1].at + _GIVE_UP_SECONDS < now_ts


def _pick(rng: random.Random, names: list[str], cumulative: list[float]) -> str:
    """The draw of `rng.choices(names, cum_weights=cumulative)[0]` (same random number, same pick), without
    the set-up that makes that call cost seven times as much."""
    return names[bisect(cumulative, rng.random() * cumulative[-1], 0, len(names) - 1)]


def _months_back(month_start: date, months: int) -> date:
    year, month = divmod(month_start.year * 12 + month_start.month - 1 - months, 12)
    return date(year, month + 1, 1)
