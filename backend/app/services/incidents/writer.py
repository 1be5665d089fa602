"""The one writer of incidents and timeline events: set-based, whatever the number of rows.

Manual creation passes one incident, alert intake a thousand; every change to an incident
passes its events here. The same statements either way (a round trip or two per batch, not per
row), the same hash chain, the same live updates, and the events come back in the API's shape.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

import orjson
from sqlalchemy import Integer, Table, bindparam, func, insert, literal_column, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import roles, sla
from app.domain.business_hours import Calendar
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.domain.severity import Severity
from app.errors import Unprocessable
from app.infra.live import announce_event
from app.infra.responses import OPTIONS
from app.infra.rows import AttrRow, dialect_of, in_transaction
from app.models import BusinessCalendar, Incident, IncidentEvent, Service, User
from app.services.incidents.audit import CHECKPOINTS, HELD, HELD_COLUMNS, seal
from app.services.incidents.reads import EVENT_FIELDS, UNSTARRED, event_payload
from app.services.notifications import outbox
from app.services.sla.calendars import (
    as_calendar,
    calendars_by_id,
    deadline_values,
    policy_calendar_ids,
)

INCIDENTS = cast(Table, Incident.__table__)
EVENTS = cast(Table, IncidentEvent.__table__)
MANUAL = "manual"
EVENT_COLUMNS = ("incident_id", "type", "body", "data", "created_by", "created_by_token_id",
                 "created_at", "prev_hash", "hash", "state_hash")
INSERT_EVENTS = insert(EVENTS).returning(*(EVENTS.c[name] for name in EVENT_FIELDS))
# PostgreSQL: the checkpoint's UPDATE as a CTE of the event's INSERT. The event's parameters
# are prefixed: an UPDATE also sets any column a parameter is named after.
_EVENT_VALUES = {name: bindparam(f"e_{name}", type_=EVENTS.c[name].type) for name in EVENT_COLUMNS}
EVENT_WITH_CHECKPOINT = (insert(EVENTS).values(_EVENT_VALUES)
                         .returning(*(EVENTS.c[name] for name in EVENT_FIELDS))
                         .add_cte(CHECKPOINTS.cte("moved")))
# PostgreSQL, one incident opened: its id is taken from the sequence with the service and its
# calendars read (SERVICE_WITH_CALENDARS), so its `created` event can be sealed before the
# row exists; then the incident (its checkpoint
# already past that event) and the event go in one statement, and the row is written once,
# not inserted and then updated for its checkpoint. Its parameters are prefixed `i_`.
# The service, the calendars its SLA policy names (a row each, or one row with none) and the
# new id, in one round trip: the id is an uncorrelated subquery, so taken once.
_POLICY = func.jsonb_each(Service.sla_policy).table_valued("key", "value").alias("policy")
SERVICE_WITH_CALENDARS = (
    select(Service, BusinessCalendar,
           select(func.nextval("incidents_id_seq")).scalar_subquery().label("next_incident_id"))
    .outerjoin(BusinessCalendar, BusinessCalendar.id.in_(
        select(sql_cast(_POLICY.c.value.op("->>")("calendar_id"), Integer)).select_from(_POLICY)))
    .where(Service.id == bindparam("service_id")))
INCIDENT_COLUMNS = ("id", "title", "description", "impact", "severity", "status", "service_id",
                    "assignee_id", "created_at", "version", "ack_due_at", "resolve_due_at",
                    "ack_at_risk_at", "resolve_at_risk_at", "sla_calendar_id", "chain_head",
                    "event_count")
EVENT_WITH_INCIDENT = (insert(EVENTS).values(_EVENT_VALUES)
                       .returning(*(EVENTS.c[name] for name in EVENT_FIELDS))
                       .add_cte(insert(INCIDENTS).values({
                           **{name: bindparam(f"i_{name}", type_=INCIDENTS.c[name].type)
                              for name in INCIDENT_COLUMNS},
                           # its default, written out: no value computed in Python first, so
                           # the statement goes straight on the session's connection
                           "sla_paused_seconds": literal_column("0")}).cte("opened")))
# Either, with the event's outbox rows written by the same statement (outbox.queued_with):
# the event's id is taken from its sequence first, so the rows can name it.
_NEW_EVENT = select(literal_column("nextval('incident_events_id_seq')").label("id")).cte("new_event")


def _queued(stmt: Any) -> Any:
    return (stmt.values(id=select(_NEW_EVENT.c.id).scalar_subquery())
            .add_cte(outbox.queued_with(_NEW_EVENT, _NEW_EVENT.c.id, _EVENT_VALUES["incident_id"],
                                        _EVENT_VALUES["created_at"])))


QUEUED = {EVENT_WITH_CHECKPOINT: _queued(EVENT_WITH_CHECKPOINT),
          EVENT_WITH_INCIDENT: _queued(EVENT_WITH_INCIDENT)}


@dataclass(frozen=True)
class NewEvent:
    incident_id: int
    type: EventType
    body: str
    data: dict[str, Any]
    at: datetime | None = None  # when it happened, if not the batch's `now` (the demo history)


@dataclass(frozen=True)
class NewIncident:
    title: str
    severity: Severity
    service_id: int
    description: str = ""
    impact: str = ""
    assignee_id: int | None = None
    alert: dict[str, Any] | None = None
    created_at: datetime | None = None  # opened in the past, if not the batch's `now` (the demo history)


def deadlines_for(service: Service, severity: Severity, created_at: datetime,
                  calendars: dict[int, Calendar]) -> dict[str, Any]:
    """The SLA columns of an incident opened at `created_at`, in its policy's calendar
    (`calendars`: from `services.sla.calendars.calendars_by_id`)."""
    return deadline_values(sla.parse_policy(service.sla_policy)[severity], calendars, created_at)


async def service_calendars(session: AsyncSession, services: list[Service]) -> dict[int, Calendar]:
    return await calendars_by_id(session, policy_calendar_ids(services))


async def record_events(
    session: AsyncSession, events: list[NewEvent], actor: User | None, now: datetime,
    held: Mapping[int, Any] | None = None, opened: bool = False,
    opening: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Append the events (flush only), sealed into each incident's hash chain, announced
    to the live stream once the transaction commits and queued for the notification
    channels that hear them (in this transaction); returns them as `EventRead` dicts.
    `held`, `opened`: incidents this transaction's own statement locked (audit.seal).
    `opening` (PostgreSQL, one event): the row of the incident it opens, not yet written:
    written with the event, in one statement (EVENT_WITH_INCIDENT).
    An incident that does not exist is NotFound."""
    if not events:
        return []
    token = actor.via_token if actor else None  # an API token's events name it
    rows = [{"incident_id": e.incident_id, "type": EventType(e.type).value, "body": e.body,
             "data": e.data, "created_by": actor.id if actor else None,
             "created_by_token_id": token.id if token else None, "created_at": e.at or now}
            for e in events]
    moved = await seal(session, rows, held, opened)  # hash chain: see services/incidents/audit.py
    # PostgreSQL, one event: written with its incident's checkpoint (or the incident it opens)
    # and its outbox rows, in one statement: one round trip, whoever hears it.
    queued = False
    if len(rows) == 1 and dialect_of(session) == "postgresql":
        [move], params = moved, {f"e_{k}": v for k, v in rows[0].items()}
        if opening is not None:
            stmt = EVENT_WITH_INCIDENT
            params.update({f"i_{k}": v for k, v in opening.items()},
                          i_chain_head=move["b_head"], i_event_count=move["b_count"])
            facts = {opening["id"]: (opening["severity"], opening["service_id"])}
        else:
            stmt, facts = EVENT_WITH_CHECKPOINT, {}
            params.update(move)
        [planned] = await outbox.plan(session, rows, facts)
        if planned is not None:
            stmt = QUEUED[stmt]
            params.update(outbox.queued_params(session, planned))
        written = await in_transaction(session, stmt, params)
        queued = True  # or nobody hears it
    else:
        await session.execute(CHECKPOINTS, moved)
        written = [AttrRow(r._mapping) for r in await session.execute(INSERT_EVENTS, rows)]
    actor_name = actor.name if actor else None
    payloads = [event_payload({**row, "created_by_name": actor_name,
                               "created_by_token_name": token.name if token else None, **UNSTARRED})
                for row in sorted(written, key=lambda r: r["id"])]
    for payload in payloads:
        announce_event(session, orjson.loads(orjson.dumps(payload, option=OPTIONS)))
    if not queued:  # the outbox: services/notifications/outbox.py
        await outbox.enqueue_for_events(session, payloads)
    return payloads


async def record_event(
    session: AsyncSession, *, incident_id: int, type: EventType, body: str,
    data: dict[str, Any], actor: User | None, now: datetime, held: Any = None,
) -> dict[str, Any]:
    """One event: `record_events` with one item (`held`: the incident's row, if this
    transaction's own UPDATE returned it)."""
    return (await record_events(session, [NewEvent(incident_id, type, body, data)], actor, now,
                                {incident_id: held} if held is not None else None))[0]


async def _owners(session: AsyncSession, specs: list[NewIncident]) -> dict[int, User]:
    wanted = {s.assignee_id for s in specs if s.assignee_id is not None}
    if not wanted:
        return {}
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(wanted)))}
    for ident in sorted(wanted):
        check_owner(ident, users.get(ident))
    return users


def check_owner(ident: int, user: User | None, field: str = "assignee_id") -> User:
    """An incident's (or a follow-up's) owner is an active person who works incidents (a
    viewer cannot own one); `field` names the request's field at fault."""
    if user is None or not user.is_active:
        raise Unprocessable(f"{field} {ident} is not an active user", field=field)
    if not roles.can_own(user.role):
        raise Unprocessable(f"{field} {ident} is a viewer, who cannot own incidents or follow-ups",
                            field=field)
    return user


def _opened(spec: NewIncident, service: Service, owner: User | None, source: str) -> str:
    text = f"{spec.severity.value} incident opened on {service.name}"
    if source != MANUAL and spec.alert is not None:
        text += f" from {source}: {spec.title}"
    return text + (f", owned by {owner.name}" if owner else "")


def _created(ident: int, spec: NewIncident, services: Mapping[int, Service],
             owners: Mapping[int, User], source: str, at: datetime) -> NewEvent:
    owner = owners.get(spec.assignee_id) if spec.assignee_id is not None else None
    data: dict[str, Any] = {"severity": spec.severity.value, "service_id": spec.service_id,
                            "assignee_id": spec.assignee_id, "source": source}
    if spec.alert is not None:
        data["alert"] = spec.alert
    return NewEvent(ident, EventType.CREATED, _opened(spec, services[spec.service_id], owner, source),
                    data, at)


async def _open_one(session: AsyncSession, spec: NewIncident, row: dict[str, Any],
                    services: Mapping[int, Service], owners: Mapping[int, User],
                    actor: User | None, source: str, now: datetime) -> int:
    """One incident whose id is already taken (PostgreSQL): sealed as it will stand, then
    written with its `created` event in one statement."""
    values = {name: row.get(name) for name in INCIDENT_COLUMNS
              if name not in ("chain_head", "event_count")}
    held = SimpleNamespace(**{**{name: values.get(name) for name in HELD}, "event_count": 0})
    await record_events(session, [_created(row["id"], spec, services, owners, source, row["created_at"])],
                        actor, now, {row["id"]: held}, opened=True, opening=values)
    return int(row["id"])


async def open_incidents(
    session: AsyncSession, specs: list[NewIncident], actor: User | None, source: str,
    now: datetime,
) -> list[int]:
    """New incidents with their SLA deadlines and `created` events (naming the alert that
    opened each, which therefore needs no `alert` event of its own), ids in the order given.
    Each is opened at `now` unless its spec says when (`created_at`, the demo history).
    Refuses (nothing written) a service or an owner that does not exist.

    Rows go in batches without RETURNING order guarantees, so ids are matched back by
    content; incidents with identical content are interchangeable."""
    if not specs:
        return []
    wanted = {s.service_id for s in specs}
    at_once = len(specs) == 1 and dialect_of(session) == "postgresql"
    calendars: dict[int, Calendar] | None = None
    if at_once:
        got = (await session.execute(SERVICE_WITH_CALENDARS, {"service_id": specs[0].service_id})).all()
        found = got[0] if got else None
        services = {found[0].id: found[0]} if found else {}
        calendars = {c.id: as_calendar(c) for _, c, _ in got if c is not None}
    else:
        services = {s.id: s for s in await session.scalars(
            select(Service).where(Service.id.in_(wanted)))}
    for ident in sorted(wanted - set(services)):
        raise Unprocessable(f"service_id {ident} is not a known service", field="service_id")
    owners = await _owners(session, specs)
    opened_at = [s.created_at or now for s in specs]
    if calendars is None:
        calendars = await service_calendars(session, list(services.values()))
    policies = {key: deadlines_for(services[key[0]], key[1], key[2], calendars)
                for key in {(s.service_id, s.severity, at) for s, at in zip(specs, opened_at, strict=True)}}
    rows = [{
        "title": s.title[:200], "description": s.description, "impact": s.impact,
        "severity": s.severity.value, "status": Status.NEW.value, "service_id": s.service_id,
        "assignee_id": s.assignee_id, "created_at": at, "version": 1,
        **policies[(s.service_id, s.severity, at)],
    } for s, at in zip(specs, opened_at, strict=True)]
    if at_once:
        assert found is not None
        return [await _open_one(session, specs[0], {"id": found[2], **rows[0]}, services,
                                owners, actor, source, now)]
    c = INCIDENTS.c
    content = (c.title, c.description, c.severity, c.service_id, c.assignee_id, c.created_at)
    returned = list({col.name: col for col in (*HELD_COLUMNS, *content)}.values())
    written = (await session.execute(insert(INCIDENTS).returning(*returned), rows)).all()
    ids_by_content: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for r in sorted(written, key=lambda r: r.id, reverse=True):
        ids_by_content[tuple(getattr(r, col.name) for col in content)].append(r.id)
    ids = [ids_by_content[tuple(r[col.name] for col in content)].pop() for r in rows]
    events = [_created(ident, s, services, owners, source, at)
              for ident, s, at in zip(ids, specs, opened_at, strict=True)]
    # The INSERT holds the new rows: sealed from what it returned, no RCA to read.
    await record_events(session, events, actor, now, {r.id: r for r in written}, opened=True)
    return ids
