"""Demo data: three people, four services with SLA policies (SEV3/SEV4 in an "Office hours"
calendar) and runbooks, one live incident,
and (SEED_DEMO_HISTORY, on by default) sixty days of history behind it (demo_history.py).

Idempotent: each row is added only when missing, so restarts and replicas change nothing; the
incidents only into a database that has none.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.domain.severity import Severity
from app.domain.sla import DEFAULT_POLICY, Target, policy_to_json
from app.models import BusinessCalendar, Incident, Runbook, Service, User
from app.services.demo_history import seed_history
from app.services.incidents.writer import NewIncident, open_incidents

DEMO_PASSWORD = "demo123"
USERS = [("Jordan Lee", "jordan", "admin"), ("Avery Patel", "avery", "responder"),
         ("Morgan Diaz", "morgan", "viewer")]

# The demo's business-hours calendar: SEV3 and SEV4 clocks run in it, SEV1 and SEV2 stay 24x7.
OFFICE_HOURS = ("Office hours", "Europe/Berlin",
                {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
                ["2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31", "2027-01-01"])
STRICT = {**DEFAULT_POLICY, Severity.SEV1: Target(5, 30), Severity.SEV2: Target(10, 120)}
# A runbook step: title, detail and, where they are not the defaults, its flags (kind, destructive).
DemoStep = tuple[str, str] | tuple[str, str, dict[str, Any]]
SERVICES: list[tuple[str, str, dict[Severity, Target], str, list[DemoStep]]] = [
    ("checkout-api", "Payments", STRICT, "Checkout latency or errors", [
        ("Check the checkout dashboard", "Compare p99 latency and 5xx rate with the last 24h."),
        ("Roll back the latest deploy", "Run `deployctl rollback checkout-api` if a deploy went out in the last hour."),
        ("Scale out checkout pods", "`kubectl scale deploy/checkout-api --replicas=+4`.",
         {"destructive": True}),
        ("Confirm recovery", "Watch p99 below 1s for 10 minutes before mitigating.", {"kind": "manual"}),
    ]),
    ("payments-gateway", "Payments", DEFAULT_POLICY, "Payment provider errors", [
        ("Check provider status pages", "Stripe and Adyen status; note any open provider incident."),
        ("Fail over to the secondary provider", "Flip `payments.primary` in the feature-flag console."),
        ("Replay failed authorisations", "Run the `replay-auth` job for the affected window."),
    ]),
    ("search-api", "Discovery", DEFAULT_POLICY, "Search database disk pressure", [
        ("Find the largest tables", "`SELECT relname, pg_total_relation_size(oid) ...` on the primary."),
        ("Vacuum and drop stale indexes", "Run `VACUUM (VERBOSE)`; drop indexes unused for 30 days."),
        ("Grow the volume", "Expand the EBS volume by 20% and resize the filesystem."),
    ]),
    ("identity", "Platform", DEFAULT_POLICY, "Login failures", [
        ("Check the identity provider", "Look for SAML/OIDC errors in the IdP console."),
        ("Rotate signing keys if expired", "Follow the key-rotation checklist."),
        ("Purge the session cache", "`redis-cli -n 3 FLUSHDB` on the session cache."),
    ]),
]


async def seed_demo_data(session: AsyncSession, password_hash: str, history: bool = False) -> None:
    existing = set(await session.scalars(select(User.username)))
    for name, username, role in USERS:
        if username not in existing:
            session.add(User(name=name, username=username, password_hash=password_hash, role=role))
    office = await _office_hours(session)
    known = set(await session.scalars(select(Service.name)))
    for service_name, team, policy, runbook_title, steps in SERVICES:
        if service_name in known:
            continue
        in_office = {sev: replace(t, calendar_id=office) if sev in (Severity.SEV3, Severity.SEV4) else t
                     for sev, t in policy.items()}
        service = Service(name=service_name, owner_team=team, sla_policy=policy_to_json(in_office))
        session.add(service)
        await session.flush()
        session.add(Runbook(service_id=service.id, title=runbook_title,
                            steps_json=[{"title": t, "detail": d, **dict(*flags)} for t, d, *flags in steps]))
    await session.flush()
    if await session.scalar(select(func.count()).select_from(Incident)) == 0:
        now = utcnow()
        if history:
            await seed_history(session, password_hash, now.replace(second=0, microsecond=0))
        await _seed_incident(session, now)


async def _office_hours(session: AsyncSession) -> int:
    name, zone, hours, holidays = OFFICE_HOURS
    existing = await session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.name == name))
    if existing is not None:
        return existing
    now = utcnow()
    calendar = BusinessCalendar(name=name, timezone=zone, hours=hours, holidays=holidays,
                                created_at=now, updated_at=now)
    session.add(calendar)
    await session.flush()
    return calendar.id


async def _seed_incident(session: AsyncSession, now: datetime) -> None:
    service = await session.scalar(select(Service).where(Service.name == "checkout-api"))
    avery = await session.scalar(select(User).where(User.username == "avery"))
    assert service is not None and avery is not None
    await open_incidents(session, [NewIncident(
        title="Checkout p99 latency above 3s",
        description="Customers report slow checkout; p99 latency is 3.4s on checkout-7d9f.",
        impact="Some customers wait over 3 s to pay; a few abandon their basket.",
        severity=Severity.SEV2, service_id=service.id, assignee_id=avery.id,
    )], None, "seed", now - timedelta(minutes=3))
