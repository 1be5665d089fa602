"""The read model of incidents, their timeline (each event with its star) and their RCA: one description each, read off
the API schemas, whichever executor fetched the rows (asyncpg on the hot reads, SQLAlchemy
inside a write's transaction).

`IncidentRead`'s fields are the incident's columns (plus the joined service and owner names)
followed by what is derived at read time (`DERIVED`): a new incident column that the schema
names is selected and answered without a line here. Rows become plain dicts in the schema's
field order, so a read endpoint writes them out with orjson (infra/responses.py) byte for byte
as pydantic would, and services that return models validate the same dict.
"""

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.orm import aliased

from app.domain import lifecycle, rca, sla
from app.domain.events import EventType
from app.errors import NotFound
from app.infra.rows import Row, RowReader
from app.models import ActionItem, ApiToken, Incident, IncidentEvent, IncidentEventStar, Rca, Service, User
from app.schemas.incidents import EventRead, IncidentDetail, IncidentRead, RcaRead

_I, _R, _E = Incident.__table__.c, Rca.__table__.c, IncidentEvent.__table__.c
_S = IncidentEventStar.__table__.c
JOINED = {"service_name": Service.name, "assignee_name": User.name}
ALLOWED = {s.value: [t.value for t in lifecycle.allowed_transitions(s)] for s in lifecycle.Status}


def _sla(r: Row, now: datetime) -> dict[str, Any]:
    ack_due_at, resolve_due_at = r["ack_due_at"], r["resolve_due_at"]
    paused_at = r["sla_paused_at"]
    ack_breached, resolve_breached, breached, state, next_due_at = sla.judge(
        ack_due_at, resolve_due_at, r["ack_at_risk_at"], r["resolve_at_risk_at"],
        r["acknowledged_at"], r["resolved_at"], now, paused_at)
    return {"ack_due_at": ack_due_at, "resolve_due_at": resolve_due_at,
            "ack_breached": ack_breached, "resolve_breached": resolve_breached,
            "breached": breached, "state": state, "next_due_at": next_due_at,
            "calendar_id": r["sla_calendar_id"], "paused_at": paused_at,
            "paused_reason": r["sla_paused_reason"], "paused_seconds": r["sla_paused_seconds"]}


def _close_blockers(r: Row, _now: datetime) -> list[str]:
    has_rca = r["rca_incident_id"] is not None
    return rca.close_blockers({name: r[f"rca_{name}"] for name in rca.RCA_FIELDS} if has_rca else None,
                              r["severity"], r["close_requires_action_items"] or (),
                              bool(r["has_owned_action_item"]))


# What an incident answer derives rather than reads: IncidentRead's last fields, in order.
DERIVED: dict[str, Callable[[Row, datetime], Any]] = {
    "allowed_transitions": lambda r, _now: ALLOWED[r["status"]],
    "close_blockers": _close_blockers,
    "sla": _sla,
}
INCIDENT_FIELDS = tuple(IncidentRead.model_fields)
ROW_FIELDS = INCIDENT_FIELDS[:-len(DERIVED)]
assert INCIDENT_FIELDS[-len(DERIVED):] == tuple(DERIVED), "IncidentRead must end with DERIVED"
# Read for the SLA, not answered as they are.
SLA_COLUMNS = ("ack_due_at", "resolve_due_at", "ack_at_risk_at", "resolve_at_risk_at",
               "sla_calendar_id", "sla_paused_at", "sla_paused_reason", "sla_paused_seconds")
RCA_ORDER = tuple(name for name in RcaRead.model_fields if name != "missing_fields")
EVENT_READ = tuple(EventRead.model_fields)
EVENT_FIELDS = tuple(name for name in EVENT_READ if name in _E)  # its columns
# The star is its own record (models/event_stars.py), joined in: never a column of the event.
# `starred` is derived from it; a new event has none (UNSTARRED).
STAR_FIELDS = ("starred_by", "starred_at")
UNSTARRED = {"starred_by": None, "starred_by_name": None, "starred_at": None}
# Joined too: the name of the API token the author wrote with ("by token X of Y").
assert set(EVENT_READ) == {*EVENT_FIELDS, "created_by_name", "created_by_token_name", "starred",
                           *UNSTARRED}


# Whether the incident has a follow-up with an owner and a due date (the close gate's
# `action_items`, with its service's `close_requires_action_items`).
HAS_OWNED_ACTION_ITEM = exists().where(and_(
    ActionItem.incident_id == Incident.id, ActionItem.owner_id.is_not(None),
    ActionItem.due_date.is_not(None))).label("has_owned_action_item")


def incident_rows(rca_meta: bool = True) -> Select[Any]:
    """Incidents with their service's and owner's names and their RCA's fields (`rca_*`);
    a list leaves out the RCA's author and time, which only the detail shows."""
    rca_columns = RCA_ORDER if rca_meta else ("incident_id", *rca.RCA_FIELDS)
    columns = [JOINED[name].label(name) if name in JOINED else _I[name] for name in ROW_FIELDS]
    return (
        select(*columns, *(_I[name] for name in SLA_COLUMNS if name not in ROW_FIELDS),
               *(_R[name].label(f"rca_{name}") for name in rca_columns),
               Service.close_requires_action_items, HAS_OWNED_ACTION_ITEM)
        .select_from(Incident)
        .join(Service, Service.id == Incident.service_id)
        .outerjoin(User, User.id == Incident.assignee_id)
        .outerjoin(Rca, Rca.incident_id == Incident.id)
    )


_actor, _starrer = aliased(User), aliased(User)


def _event_columns(prefix: str) -> list[Any]:
    """An event's columns, its author's name, the API token they wrote with and its star (who,
    when), each named `prefix`+field."""
    return [*(_E[name].label(f"{prefix}{name}") for name in EVENT_FIELDS),
            _actor.name.label(f"{prefix}created_by_name"),
            ApiToken.name.label(f"{prefix}created_by_token_name"),
            *(_S[name].label(f"{prefix}{name}") for name in STAR_FIELDS),
            _starrer.name.label(f"{prefix}starred_by_name")]


def _with_authors_and_stars(stmt: Select[Any]) -> Select[Any]:
    return (stmt.outerjoin(_actor, _actor.id == IncidentEvent.created_by)
            .outerjoin(ApiToken, ApiToken.id == IncidentEvent.created_by_token_id)
            .outerjoin(IncidentEventStar, IncidentEventStar.event_id == IncidentEvent.id)
            .outerjoin(_starrer, _starrer.id == IncidentEventStar.starred_by))


# The incident once per timeline event (`ev_*`): the detail in one round trip, not two.
WITH_TIMELINE = _with_authors_and_stars(
    incident_rows()
    .add_columns(*_event_columns("ev_"))
    .outerjoin(IncidentEvent, IncidentEvent.incident_id == Incident.id)
).where(Incident.id == bindparam("incident_id")).order_by(IncidentEvent.id)
TIMELINE = _with_authors_and_stars(
    select(*_event_columns("")).select_from(IncidentEvent)
).where(IncidentEvent.incident_id == bindparam("incident_id")).order_by(IncidentEvent.id)


def events_after_statement() -> Select[Any]:
    """Every incident's events after the id `after`, oldest first (the live stream's replay)."""
    return _with_authors_and_stars(
        select(*_event_columns("")).select_from(IncidentEvent)
    ).where(IncidentEvent.id > bindparam("after")).order_by(IncidentEvent.id)


# One event, only within its incident: another incident's event is not found.
ONE_EVENT = TIMELINE.where(IncidentEvent.id == bindparam("event_id"))
ONE_RCA = (select(*(_R[name].label(f"rca_{name}") for name in RCA_ORDER))
           .where(Rca.incident_id == bindparam("incident_id")))


def incident_payload(r: Row, now: datetime) -> dict[str, Any]:
    """An incident row as `IncidentRead`: SLA evaluated at `now`, next moves, close blockers."""
    payload = {name: r[name] for name in ROW_FIELDS}
    for name, derive in DERIVED.items():
        payload[name] = derive(r, now)
    return payload


def rca_payload(r: Row) -> dict[str, Any] | None:
    """The `rca_*` columns of a row as `RcaRead`, or None when there is no RCA yet."""
    if r["rca_incident_id"] is None:
        return None
    values = {name: r[f"rca_{name}"] for name in RCA_ORDER}
    return {**values, "missing_fields": rca.missing_fields(values)}


@lru_cache(maxsize=4)
def _event_keys(prefix: str) -> tuple[tuple[str, str], ...]:
    """(`EventRead` field, the row's column) in the model's order, for a column prefix."""
    return tuple((name, prefix + ("starred_at" if name == "starred" else name)) for name in EVENT_READ)


def event_payload(r: Row, prefix: str = "") -> dict[str, Any]:
    """An event row (or the `ev_*` columns of WITH_TIMELINE) as `EventRead`."""
    payload = {name: r[column] for name, column in _event_keys(prefix)}
    payload["starred"] = payload["starred"] is not None
    payload["data"] = payload["data"] or {}
    return payload


def runbook_step_states(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`RunbookStepState`s from a timeline (oldest first): the one definition of where a step
    stands. Each `runbook_step` event applies or ticks its step (`done` absent or true) or
    unticks it (`done: false`); the last one says who and when."""
    states: dict[tuple[int, int], dict[str, Any]] = {}
    for e in events:
        if e["type"] != EventType.RUNBOOK_STEP:
            continue
        data = e["data"]
        key = (data["runbook_id"], data["step_index"])
        done = bool(data.get("done", True))
        previous = states.get(key)
        states[key] = {"runbook_id": key[0], "step_index": key[1], "done": done,
                       "times": (previous["times"] if previous else 0) + done,
                       "by": e["created_by"], "by_name": e["created_by_name"], "at": e["created_at"]}
    return [states[key] for key in sorted(states)]


async def incident_detail(reader: RowReader, incident_id: int, now: datetime) -> dict[str, Any]:
    """`IncidentDetail`: the incident, its whole timeline and its RCA, in one statement."""
    rows = await reader.all(WITH_TIMELINE, incident_id=incident_id)
    if not rows:
        raise NotFound("Incident", incident_id)
    events = [event_payload(r, "ev_") for r in rows if r["ev_id"] is not None]
    return {**incident_payload(rows[0], now), "events": events, "rca": rca_payload(rows[0]),
            "runbook_steps": runbook_step_states(events)}


async def events_of(reader: RowReader, incident_id: int) -> list[dict[str, Any]]:
    return [event_payload(r) for r in await reader.all(TIMELINE, incident_id=incident_id)]


async def event_of(reader: RowReader, incident_id: int, event_id: int) -> dict[str, Any]:
    """One event of the incident as `EventRead`; NotFound if the incident has no such event."""
    rows = await reader.all(ONE_EVENT, incident_id=incident_id, event_id=event_id)
    if not rows:
        raise NotFound("Event", event_id)
    return event_payload(rows[0])


async def rca_of(reader: RowReader, incident_id: int) -> dict[str, Any] | None:
    rows = await reader.all(ONE_RCA, incident_id=incident_id)
    return rca_payload(rows[0]) if rows else None


assert tuple(IncidentDetail.model_fields)[:len(INCIDENT_FIELDS)] == INCIDENT_FIELDS
