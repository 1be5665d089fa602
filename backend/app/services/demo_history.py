"""Sixty days of demo history behind the seed's one live incident: what a first start shows.

Deterministic: a fixed random seed draws every incident, and every time is an offset from an
anchor (the minute the seed runs), so two seedings hold the same history, shifted in time.
About 120 incidents across the seeded services, severities and owners, almost all Closed with
their RCA, runbook steps, comments and (for a third) the alert that opened them; some miss
their SLA targets; a few are still open. The Closed ones have their follow-ups (action items),
added with the RCA: most done since, some still open, a few overdue.

Everything goes through the writers the app itself uses, in rounds (opened, acknowledged,
mitigated, resolved, RCA written, closed): each round is a batch per actor, so the whole
history costs a few dozen round trips per kind of change, and every event is sealed into its
incident's hash chain with the state it left, exactly as if it had happened live.
"""

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import sla
from app.domain.action_items import ItemStatus
from app.domain.alert_payloads import AlertAction, AlertSource, NormalizedAlert
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.models import ActionItem, Incident, Rca, Runbook, Service, User
from app.services.action_items.follow_ups import item_event
from app.services.alerts.firing import Firing, fire
from app.services.alerts.integration_keys import AlertSender
from app.services.alerts.resolution import resolve
from app.services.incidents.activity import runbook_step_event
from app.services.incidents.guards import bump_version
from app.services.incidents.transitions import Move, move_many
from app.services.incidents.triage import assignment_event
from app.services.incidents.writer import MANUAL, NewEvent, NewIncident, open_incidents, record_events
from app.services.sla.pauses import resume_values

RANDOM_SEED = 20_261_128
DAYS = 60
INCIDENTS = 120
STILL_OPEN = 4  # the newest few: one Investigating, one Mitigated, two Resolved awaiting their RCA
# On-call engineers who own history incidents, besides the demo's responders.
ON_CALL = [("Sam Okafor", "sam", "responder"), ("Riley Chen", "riley", "responder")]
OWNERS = ("avery", "jordan", "sam", "riley")
SEVERITY_WEIGHTS = {Severity.SEV1: 12, Severity.SEV2: 28, Severity.SEV3: 40, Severity.SEV4: 20}
# Typical times to acknowledge and resolve, as a share of the service's SLA targets; one
# incident in TROUBLED runs long (a hard one), so some targets are missed, as in real life.
ACK_PACE, RESOLVE_PACE, TROUBLED, SLOW = 0.35, 0.4, 0.1, 3.0

TROUBLES: dict[str, list[tuple[str, str, str]]] = {
    "checkout-api": [
        ("Checkout p99 latency above {n}s", "p99 at {n}.{m}s on checkout pods after a traffic spike.",
         "A connection pool sized for last year's traffic saturated under the evening peak."),
        ("Checkout 5xx rate at {n}%", "Error budget burning; errors on POST /checkout.",
         "A deploy shipped a config with the wrong inventory-service timeout."),
        ("Basket totals wrong for {n} currencies", "Rounding errors reported by support.",
         "A currency library upgrade changed its default rounding mode."),
    ],
    "payments-gateway": [
        ("Card authorisations failing at {n}%", "Provider returns timeouts on /authorize.",
         "The primary provider degraded in one region and failover was manual."),
        ("Refunds stuck in pending", "{n} refunds queued for more than an hour.",
         "The refund worker lost its queue lease after a broker restart."),
        ("3-D Secure challenges timing out", "Customers see a spinner at the bank step.",
         "An expired intermediate certificate on the challenge callback endpoint."),
    ],
    "search-api": [
        ("Search database disk at {n}%", "Disk pressure on the search primary.",
         "A reindex job left an unused copy of the product index behind."),
        ("Search results empty for some queries", "{n}% of queries return nothing.",
         "An analyser change dropped stemming for compound words."),
        ("Search p95 latency above {n}00 ms", "Slow queries on the autocomplete endpoint.",
         "A missing index after a schema migration forced sequential scans."),
    ],
    "identity": [
        ("Login failures at {n}%", "SSO sign-ins failing with invalid_grant.",
         "The identity provider rotated its signing key before we refreshed the JWKS cache."),
        ("Password resets not delivered", "{n} reset emails bounced in the last hour.",
         "The email provider throttled us after a marketing send shared the sender domain."),
        ("Sessions expiring after {n} minutes", "Users are signed out repeatedly.",
         "A cache eviction policy change evicted live sessions under memory pressure."),
    ],
}
FACTORS = ("No alert fired on the leading signal; a customer report came first.",
           "The runbook step for this case was out of date.",
           "The change went out on a Friday evening without a canary.",
           "Dashboards showed averages, hiding the tail latency.")
ACTIONS = ("Rolled back the change and added the missing alert.",
           "Raised the limit and added a capacity review to the release checklist.",
           "Rotated the credential and automated the renewal.",
           "Fixed the configuration and added a validation test in CI.")
PREVENTION = ("Add a canary stage with automatic rollback on error-rate regressions.",
              "Page on the leading indicator, not only on customer-facing errors.",
              "Review the runbook quarterly with the on-call rotation.",
              "Load-test at twice last year's peak before the season.")
COMMENTS = ("Customer support confirms reports are dropping.",
            "Rolled the change back in one region first to confirm the cause.",
            "Status page updated.",
            "Pulled in the owning team; they are looking at the last deploy.")


FOLLOW_UPS = {
    "corrective": ("Add the missing alert on the leading signal", "Fix the retry storm in the client",
                   "Raise the connection pool limit and alert on saturation",
                   "Roll the bad config out of every region"),
    "preventive": ("Add a canary stage with automatic rollback", "Load-test the next release at 2x peak",
                   "Write a runbook step for this failure", "Rehearse the failover in a game day"),
}


@dataclass
class Planned:
    """One history incident: what it is and, as minutes after it opened, what happened."""

    title: str
    description: str
    impact: str
    severity: Severity
    service: str
    owner: str
    opened: datetime
    alert: bool
    stop: Status  # where it stands now
    ack: float
    mitigate: float
    resolve: float
    rca: float
    close: float
    steps: list[tuple[float, int]] = field(default_factory=list)  # (minute, runbook step index)
    comment: tuple[float, str] | None = None
    rca_text: dict[str, str] = field(default_factory=dict)

    def at(self, minutes: float) -> datetime:
        return self.opened + timedelta(minutes=minutes)

    def reached(self, status: Status) -> bool:
        order = list(Status)
        return order.index(self.stop) >= order.index(status)


def _draw(rng: random.Random, typical: float) -> float:
    """Minutes around `typical`: mostly near it, sometimes twice as long."""
    return max(1.0, typical * rng.lognormvariate(0, 0.45))


def plan(
    anchor: datetime, step_counts: dict[str, int], policies: dict[str, dict[Severity, sla.Target]]
) -> list[Planned]:
    """The history, oldest first; `anchor` is the minute the seed runs."""
    rng = random.Random(RANDOM_SEED)
    services = sorted(TROUBLES)
    severities = list(SEVERITY_WEIGHTS)
    weights = list(SEVERITY_WEIGHTS.values())
    out: list[Planned] = []
    for i in range(INCIDENTS):
        # Spread over DAYS days, the newest a few hours before the anchor; round minutes.
        age = (DAYS * 24 * 60 - 240) * (1 - i / INCIDENTS) ** 1.1 + 240
        opened = (anchor - timedelta(minutes=int(age + rng.uniform(-90, 90)))).replace(second=0, microsecond=0)
        service = services[i % len(services)] if i < 8 else rng.choice(services)
        severity = severities[i % 4] if i < 20 else rng.choices(severities, weights)[0]
        title, description, root_cause = rng.choice(TROUBLES[service])
        n, m = rng.randint(2, 9), rng.randint(0, 9)
        target = policies[service][severity]
        slow = SLOW if rng.random() < TROUBLED else 1.0
        ack = round(_draw(rng, target.ack_minutes * ACK_PACE * slow), 1)
        resolve_ = round(ack + _draw(rng, target.resolve_minutes * RESOLVE_PACE * slow), 1)
        mitigate = round(ack + (resolve_ - ack) * rng.uniform(0.3, 0.7), 1)
        rca = round(resolve_ + rng.uniform(120, 2880), 1)
        close = round(rca + rng.uniform(10, 240), 1)
        stop = Status.CLOSED
        newest = INCIDENTS - 1 - i
        if newest < STILL_OPEN:
            stop = (Status.INVESTIGATING, Status.MITIGATED, Status.RESOLVED, Status.RESOLVED)[newest]
        last = {Status.INVESTIGATING: ack, Status.MITIGATED: mitigate, Status.RESOLVED: resolve_}.get(stop, close)
        room = (anchor - opened).total_seconds() / 60 - 20  # everything happened before the anchor
        if last > room:
            ack, mitigate, resolve_, rca, close = (
                round(x * room / last, 1) for x in (ack, mitigate, resolve_, rca, close))
        steps = sorted(rng.sample(range(step_counts[service]), rng.randint(1, min(3, step_counts[service]))))
        step_times = sorted(round(rng.uniform(ack, mitigate), 1) for _ in steps)
        out.append(Planned(
            title=title.format(n=n, m=m), description=description.format(n=n, m=m),
            impact=rng.choice(("Some customers", "Most customers", "A few customers"))
            + f" on {service} were affected for about {int(mitigate)} minutes.",
            severity=severity, service=service, owner=OWNERS[i % len(OWNERS)] if i < 8 else rng.choice(OWNERS),
            opened=opened, alert=rng.random() < 0.25, stop=stop, ack=ack, mitigate=mitigate,
            resolve=resolve_, rca=rca, close=close, steps=list(zip(step_times, steps, strict=True)),
            comment=(round(rng.uniform(ack, mitigate), 1), rng.choice(COMMENTS)) if rng.random() < 0.5 else None,
            rca_text={"root_cause": root_cause, "contributing_factors": rng.choice(FACTORS),
                      "corrective_actions": rng.choice(ACTIONS), "prevention_actions": rng.choice(PREVENTION)},
        ))
    return out


@dataclass
class PlannedFollowUp:
    incident_id: int
    title: str
    kind: str
    owner: str
    due: date
    url: str | None
    added: datetime
    done_at: datetime | None


def plan_follow_ups(ids: dict[int, Planned], anchor: datetime) -> list[PlannedFollowUp]:
    """One or two follow-ups per Closed incident, added halfway between its RCA and its close,
    due days to weeks later; most of those already due are done (after the close, before the
    anchor), a few are overdue, and about a third of those not yet due are done early. Drawn
    from a random stream of their own, so the incidents stay as they were."""
    rng = random.Random(RANDOM_SEED + 14)
    out: list[PlannedFollowUp] = []
    for ident, p in sorted(ids.items()):
        if p.stop != Status.CLOSED:
            continue
        added, closed = p.at(p.rca + (p.close - p.rca) / 2), p.at(p.close)
        for kind in sorted(rng.sample(sorted(FOLLOW_UPS), rng.randint(1, 2))):
            due = (added + timedelta(days=rng.randint(3, 28))).date()
            owner = p.owner if rng.random() < 0.6 else rng.choice(OWNERS)
            span = anchor - timedelta(minutes=10) - closed
            done = rng.random() < (0.88 if due < anchor.date() else 0.3)
            done_at = closed + span * rng.uniform(0.05, 0.9) if done and span > timedelta(0) else None
            url = f"https://tickets.example.com/OPS-{2000 + len(out)}" if rng.random() < 0.7 else None
            out.append(PlannedFollowUp(ident, rng.choice(FOLLOW_UPS[kind]), kind, owner, due, url,
                                       added, done_at))
    return out


async def _in_batches(
    session: AsyncSession, items: Iterable[tuple[str, NewEvent]], users: dict[str, User], now: datetime
) -> None:
    """Events grouped by who wrote them, one writer batch each."""
    by_actor: dict[str, list[NewEvent]] = defaultdict(list)
    for who, event in items:
        by_actor[who].append(event)
    for who in sorted(by_actor):
        await record_events(session, by_actor[who], users[who], now)


async def _incidents(session: AsyncSession, ids: list[int]) -> dict[int, Incident]:
    """The incidents as they stand now (their versions moved since the last round)."""
    rows = await session.scalars(select(Incident).where(Incident.id.in_(ids))
                                 .execution_options(populate_existing=True))
    return {i.id: i for i in rows}


async def _moves(session: AsyncSession, ids: dict[int, Planned], target: Status, minute: str,
                 users: dict[str, User], now: datetime) -> None:
    reached = {i: p for i, p in ids.items() if p.reached(target)}
    incidents = await _incidents(session, sorted(reached))
    by_owner: dict[str, list[Move]] = defaultdict(list)
    for ident, p in sorted(reached.items()):
        by_owner[p.owner].append(Move(incidents[ident], target, None, p.at(getattr(p, minute))))
    for who in sorted(by_owner):
        await move_many(session, by_owner[who], users[who], now)


PAUSED_FOR_VENDOR = 2  # closed SEV3/SEV4 incidents whose SLA clock waited on a vendor
VENDOR_WAIT = "Waiting on the vendor: support ticket open with the provider"


async def _pauses(session: AsyncSession, ids: dict[int, Planned], work: list[tuple[float, str, NewEvent]],
                  users: dict[str, User], now: datetime) -> None:
    """A couple of incidents paused their SLA clock while waiting on a vendor, after the work
    logged so far and well before they were mitigated; the resume moves their due times as a
    live resume would (services/sla/pauses.py)."""
    last_work: dict[int, float] = {}
    for minute, _, event in work:
        last_work[event.incident_id] = max(minute, last_work.get(event.incident_id, 0.0))
    chosen = [(i, p, last_work.get(i, p.ack)) for i, p in sorted(ids.items())
              if p.stop == Status.CLOSED and p.severity in (Severity.SEV3, Severity.SEV4)
              and p.mitigate - last_work.get(i, p.ack) >= 30][:PAUSED_FOR_VENDOR]
    incidents = await _incidents(session, [i for i, _, _ in chosen])
    for ident, p, after in chosen:
        start, end = p.at(after + (p.mitigate - after) * 0.2), p.at(after + (p.mitigate - after) * 0.8)
        await bump_version(session, incidents[ident], {"sla_paused_at": start, "sla_paused_reason": VENDOR_WAIT})
        await record_events(session, [NewEvent(ident, EventType.SLA_PAUSED, f"SLA clock paused: {VENDOR_WAIT}",
                                               {"reason": VENDOR_WAIT}, start)], users[p.owner], now)
    incidents = await _incidents(session, [i for i, _, _ in chosen])
    for ident, p, after in chosen:
        end = p.at(after + (p.mitigate - after) * 0.8)
        values, event = await resume_values(session, incidents[ident], end)
        await bump_version(session, incidents[ident], values)
        await record_events(session, [event], users[p.owner], now)


async def seed_history(session: AsyncSession, password_hash: str, anchor: datetime) -> None:
    """Write the history (the caller checked there are no incidents yet)."""
    existing = set(await session.scalars(select(User.username)))
    for name, username, role in ON_CALL:
        if username not in existing:
            session.add(User(name=name, username=username, password_hash=password_hash, role=role))
    await session.flush()
    users = {u.username: u for u in await session.scalars(select(User))}
    services = {s.name: s for s in await session.scalars(select(Service))}
    runbooks = {r.service_id: r for r in await session.scalars(select(Runbook).order_by(Runbook.id))}
    runbook_of = {name: runbooks[s.id] for name, s in services.items()}
    planned = plan(anchor, {name: len(r.steps_json) for name, r in runbook_of.items()},
                   {name: sla.parse_policy(s.sla_policy) for name, s in services.items()})
    dialect = session.get_bind().dialect.name

    # Opened: by hand (owner named at once), or by an alert and then taken by its owner.
    ids: dict[int, Planned] = {}
    by_hand = [p for p in planned if not p.alert]
    opened = await open_incidents(session, [NewIncident(
        title=p.title, description=p.description, impact=p.impact, severity=p.severity,
        service_id=services[p.service].id, assignee_id=users[p.owner].id, created_at=p.opened,
    ) for p in by_hand], users["jordan"], MANUAL, anchor)
    ids.update(zip(opened, by_hand, strict=True))
    paged = [p for p in planned if p.alert]
    alert_of: dict[int, NormalizedAlert] = {}
    for n, p in enumerate(paged):
        alert = NormalizedAlert(
            source=AlertSource.ALERTMANAGER, fingerprint=f"demo-history-{n:03d}",
            action=AlertAction.TRIGGER, severity=p.severity, summary=p.title,
            description=p.description, labels={"alertname": p.title.split(" ")[0], "service": p.service},
            service_name=p.service, starts_at=p.opened)
        [ident] = (await fire(session, dialect, [Firing(alert, services[p.service].id)], None,
                              AlertSource.ALERTMANAGER.value, p.opened)).created
        ids[ident] = p
        alert_of[ident] = alert
    incidents = await _incidents(session, sorted(alert_of))
    taken = []
    for ident in sorted(alert_of):
        p, owner = ids[ident], users[ids[ident].owner]
        await bump_version(session, incidents[ident], {"assignee_id": owner.id, "impact": p.impact})
        taken.append((p.owner, assignment_event(ident, None, owner, p.at(min(1.0, p.ack / 2)))))
    await _in_batches(session, taken, users, anchor)

    # Acknowledged, then the runbook steps and comments while investigating.
    await _moves(session, ids, Status.INVESTIGATING, "ack", users, anchor)
    work: list[tuple[float, str, NewEvent]] = []
    for ident, p in ids.items():
        runbook = runbook_of[p.service]
        for minute, index in p.steps:
            work.append((minute, p.owner, runbook_step_event(ident, runbook, index, at=p.at(minute))))
        if p.comment is not None:
            work.append((p.comment[0], p.owner, NewEvent(ident, EventType.COMMENT, p.comment[1], {},
                                                         p.at(p.comment[0]))))
    work.sort(key=lambda w: (w[2].incident_id, w[0]))
    await _in_batches(session, ((who, e) for _, who, e in work), users, anchor)
    await _pauses(session, ids, work, users, anchor)

    # Mitigated; the alerts that opened them stop firing a few minutes later.
    await _moves(session, ids, Status.MITIGATED, "mitigate", users, anchor)
    for ident in sorted(alert_of):
        p = ids[ident]
        if p.reached(Status.MITIGATED):
            await resolve(session, [(alert_of[ident], services[p.service].id)], AlertSender(),
                          p.at(p.mitigate + min(3.0, (p.resolve - p.mitigate) / 2)))
    await _moves(session, ids, Status.RESOLVED, "resolve", users, anchor)

    # The RCA, written by the owner, then Closed.
    written = {i: p for i, p in ids.items() if p.stop == Status.CLOSED}
    await session.execute(insert(Rca), [{
        "incident_id": i, **p.rca_text, "updated_at": p.at(p.rca), "updated_by": users[p.owner].id,
    } for i, p in sorted(written.items())])
    incidents = await _incidents(session, sorted(written))
    notes = []
    for ident, p in sorted(written.items()):
        await bump_version(session, incidents[ident], {})
        notes.append((p.owner, NewEvent(
            ident, EventType.RCA_UPDATED, "RCA updated: " + ", ".join(n.replace("_", " ") for n in p.rca_text),
            {"fields": list(p.rca_text)}, p.at(p.rca))))
    await _in_batches(session, notes, users, anchor)

    # Their follow-ups, added with the RCA; then Closed; then the follow-ups done since.
    follow_ups = plan_follow_ups(ids, anchor)
    items = [ActionItem(incident_id=f.incident_id, title=f.title, kind=f.kind, owner_id=users[f.owner].id,
                        due_date=f.due, url=f.url, status=ItemStatus.OPEN.value, created_at=f.added,
                        created_by=users[ids[f.incident_id].owner].id) for f in follow_ups]
    session.add_all(items)
    await session.flush()
    await _in_batches(session, [(ids[f.incident_id].owner, item_event(item, "added", users[f.owner], [], f.added))
                                for f, item in zip(follow_ups, items, strict=True)], users, anchor)
    await _moves(session, ids, Status.CLOSED, "close", users, anchor)
    done = sorted((f.done_at, f.incident_id, n) for n, f in enumerate(follow_ups) if f.done_at is not None)
    rounds: list[list[tuple[str, NewEvent]]] = []
    seen: dict[int, int] = defaultdict(int)
    for at, ident, n in done:  # the k-th completion of each incident in round k: in time order
        item, f = items[n], follow_ups[n]
        item.status, item.completed_at = ItemStatus.DONE.value, at
        if len(rounds) <= seen[ident]:
            rounds.append([])
        rounds[seen[ident]].append((f.owner, item_event(item, "completed", users[f.owner], ["status"], at)))
        seen[ident] += 1
    await session.flush()
    for batch in rounds:
        await _in_batches(session, batch, users, anchor)
