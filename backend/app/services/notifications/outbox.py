"""The outbox: notifications written in the transaction of the change that caused them.

The one writer (services/incidents/writer.record_events) writes them with the timeline
events, so every change that tells the timeline tells the channels too, and a rolled-back
change tells nobody: `plan` says which channels hear each event, and the rows go either in
the event's own statement (PostgreSQL, one event: `queued_with`, a CTE of it, so a change
heard by channels makes no more round trips than one heard by none) or right after the events
(`enqueue_for_events`). It must be cheap, for it runs on every incident write: the channel
list is cached per process (forgotten on every channel change: in this process at once, on
other replicas by NOTIFY, and after MAX_AGE seconds regardless), no query at all is made when
no channel hears the events, the incidents' severity and service are read (one small query)
only when some channel filters on them, and one statement writes the rows (on PostgreSQL an
INSERT ... SELECT FROM unnest, however many). Only (event, incident, source event, time,
channel) is stored here; the body is rendered when the delivery is first claimed
(delivery.py).

An `escalated` event goes to exactly the channels its data names (`channel_ids`), whatever
they subscribe to, and to no other.
"""

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    Text,
    bindparam,
    column,
    exists,
    func,
    insert,
    literal_column,
    null,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.clock import utcnow
from app.domain.events import EventType
from app.domain.severity import Severity
from app.infra.rows import dialect_of, in_transaction
from app.models import Incident, Notification, NotificationChannel

NOTIFICATIONS = cast(Table, Notification.__table__)
OUTBOX_CHANNEL = "incident_console_outbox"  # NOTIFY payload: "due" or "channels"
WAKE = "notifications_due"  # session.info flag: wake this process's sender on commit
# ... and, on PostgreSQL, the other replicas' (new rows need not: a trigger on the table does).
WAKE_ALL = "notifications_due_everywhere"
MAX_AGE = 5.0
EVENT_OF_TYPE: dict[str, str] = {
    EventType.CREATED: "incident.created",
    EventType.STATUS_CHANGE: "incident.status_changed",
    EventType.SEVERITY_CHANGE: "incident.severity_changed",
    EventType.SLA_AT_RISK: "sla.at_risk",
    EventType.SLA_BREACH: "sla.breached",
    EventType.ESCALATED: "incident.escalated",
}
ESCALATED = "incident.escalated"
RANK = {s.value: i for i, s in enumerate(Severity)}  # SEV1 is 0, the most severe


@dataclass(frozen=True)
class ChannelRule:
    id: int
    events: frozenset[str]
    min_rank: int | None
    service_ids: frozenset[int]

    @property
    def filters(self) -> bool:
        return self.min_rank is not None or bool(self.service_ids)

    def hears(self, event: str, severity: str, service_id: int) -> bool:
        return (event in self.events
                and (self.min_rank is None or RANK.get(severity, 99) <= self.min_rank)
                and (not self.service_ids or service_id in self.service_ids))


class ChannelDirectory:
    """Each database's channel rules, cached in this process."""

    def __init__(self) -> None:
        self._rules: dict[str, tuple[float, int, list[ChannelRule]]] = {}
        self._generation = 0

    def forget(self, key: str | None = None) -> None:
        self._generation += 1
        if key is None:
            self._rules.clear()
        else:
            self._rules.pop(key, None)

    async def rules(self, session: AsyncSession) -> list[ChannelRule]:
        key = database_key(session)
        entry = self._rules.get(key)
        if entry is not None and time.monotonic() - entry[0] <= MAX_AGE:
            return entry[2]
        generation = self._generation
        rows = (await session.execute(select(
            NotificationChannel.id, NotificationChannel.events, NotificationChannel.min_severity,
            NotificationChannel.service_ids))).all()
        rules = [ChannelRule(r.id, frozenset(r.events or ()),
                             RANK[r.min_severity] if r.min_severity else None,
                             frozenset(r.service_ids or ())) for r in rows]
        if generation == self._generation:
            self._rules[key] = (time.monotonic(), generation, rules)
        return rules


DIRECTORY = ChannelDirectory()


def database_key(session: AsyncSession) -> str:
    """Which database a session writes to (the cache is per database: tests run many)."""
    bind = session.bind
    return str(getattr(bind, "url", None) or getattr(getattr(bind, "engine", None), "url", ""))


async def channels_changed(session: AsyncSession) -> None:
    """Call in a transaction that changes channels: this process forgets its rules now and
    when it commits, other replicas when the NOTIFY arrives (sent only on commit)."""
    DIRECTORY.forget(database_key(session))
    session.info["notification_channels_changed"] = True
    if dialect_of(session) == "postgresql":
        await session.execute(text(f"SELECT pg_notify('{OUTBOX_CHANNEL}', 'channels')"))


def new_row(channel_id: int, event: str, incident_id: int | None, source_event_id: int | None,
            occurred_at: datetime, now: datetime, body: str | None = None) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "channel_id": channel_id, "event": event,
            "incident_id": incident_id, "source_event_id": source_event_id,
            "occurred_at": occurred_at, "body": body, "status": "pending", "attempts": 0,
            "next_attempt_at": now, "created_at": now}


ROW_COLUMNS = ("id", "channel_id", "event", "incident_id", "source_event_id", "occurred_at", "body",
               "status", "attempts", "next_attempt_at", "created_at")
# Each row only while its channel exists: the cached channel list may still name a channel
# another replica has just deleted (until its NOTIFY arrives), and a write must not fail for
# that. One statement however many rows: on PostgreSQL the rows travel as one array per column
# (INSERT ... SELECT FROM unnest, so the wake-up trigger fires once and the plan is cached);
# on SQLite, in the process, one executemany.
INSERT_WHILE_CHANNEL_EXISTS = insert(NOTIFICATIONS).from_select(
    list(ROW_COLUMNS),
    select(*(bindparam(name, type_=NOTIFICATIONS.c[name].type) for name in ROW_COLUMNS)).where(
        exists().where(NotificationChannel.id == bindparam("channel_id"))))
ARRAYS = {"id": "text[]", "channel_id": "integer[]", "event": "text[]", "incident_id": "integer[]",
          "source_event_id": "integer[]", "occurred_at": "timestamptz[]", "body": "text[]"}
PG_INSERT_WHILE_CHANNEL_EXISTS = text(
    f"INSERT INTO notifications ({', '.join(ROW_COLUMNS)}) "
    f"SELECT r.{', r.'.join(ARRAYS)}, 'pending', 0, :now, :now "
    f"FROM unnest({', '.join(f'CAST(:{name}s AS {kind})' for name, kind in ARRAYS.items())}) "
    f"AS r({', '.join(ARRAYS)}) "
    "WHERE EXISTS (SELECT 1 FROM notification_channels c WHERE c.id = r.channel_id)"
).bindparams(bindparam("now", type_=NOTIFICATIONS.c.created_at.type))


async def insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """New pending rows (`new_row`), in one statement."""
    if not rows:
        return
    if dialect_of(session) == "postgresql":
        arrays: dict[str, Any] = {f"{name}s": [row[name] for row in rows] for name in ARRAYS}
        await in_transaction(session, PG_INSERT_WHILE_CHANNEL_EXISTS,
                             {**arrays, "now": rows[0]["created_at"]})
    else:
        await session.execute(INSERT_WHILE_CHANNEL_EXISTS, rows)
    session.info[WAKE] = True


@dataclass(frozen=True)
class Planned:
    """The outbox rows one timeline event owes: its outbox event name and the channels."""

    name: str
    channel_ids: list[int]


async def plan(session: AsyncSession, events: Sequence[Mapping[str, Any]],
               facts: Mapping[int, tuple[str, int]] | None = None) -> list[Planned | None]:
    """Which channels hear each event (`type`, `incident_id`, `data`; an `EventRead` dict or
    an event row about to be written), in order: None for one nobody hears. `facts`: the
    (severity, service id) of incidents not written yet (one being opened); the others are
    read when some channel filters on them."""
    mapped = [EVENT_OF_TYPE.get(e["type"]) for e in events]
    if not any(mapped):
        return [None] * len(events)
    rules = await DIRECTORY.rules(session)
    if not rules:
        return [None] * len(events)
    known = {r.id for r in rules}
    wanted = {name for name in mapped if name and name != ESCALATED}
    listening = [r for r in rules if r.events & wanted]
    found: dict[int, tuple[str, int]] = dict(facts or {})
    if any(r.filters for r in listening):
        ids = {e["incident_id"] for e, name in zip(events, mapped, strict=True)
               if name and name != ESCALATED} - found.keys()
        if ids:
            found.update({r.id: (r.severity, r.service_id) for r in (await session.execute(
                select(Incident.id, Incident.severity, Incident.service_id)
                .where(Incident.id.in_(ids)))).all()})
    planned: list[Planned | None] = []
    for event, name in zip(events, mapped, strict=True):
        if name == ESCALATED:
            targets = [int(c) for c in dict.fromkeys(event["data"].get("channel_ids") or ())
                       if isinstance(c, int) and c in known]
        elif name:
            severity, service_id = found.get(event["incident_id"], ("", 0))
            targets = [r.id for r in listening
                       if name in r.events and (not r.filters or r.hears(name, severity, service_id))]
        else:
            targets = []
        planned.append(Planned(name, targets) if name and targets else None)
    return planned


async def enqueue_for_events(session: AsyncSession, events: Sequence[dict[str, Any]]) -> int:
    """Outbox rows for the timeline events just written (`EventRead` dicts), in the caller's
    transaction, for the channels `plan` finds; returns how many."""
    planned = await plan(session, events)
    now = utcnow()
    rows = [new_row(channel, p.name, event["incident_id"], event["id"], event["created_at"], now)
            for event, p in zip(events, planned, strict=True) if p is not None
            for channel in p.channel_ids]
    await insert_rows(session, rows)
    return len(rows)


# PostgreSQL, one event: its outbox rows written by the statement that writes the event, as
# a CTE of it (`queued_with`), so a change heard by channels costs no round trip more than
# one heard by none. The rows' ids and channels travel as two arrays (`queued_params`).
_TARGETS = func.unnest(bindparam("o_ids", type_=ARRAY(Text())),
                       bindparam("o_channel_ids", type_=ARRAY(Integer()))
                       ).table_valued(column("id", Text()), column("channel_id", Integer())
                                      ).render_derived(name="target")


def queued_with(source: Any, event_id: Any, incident_id: Any, occurred_at: Any) -> Any:
    """The CTE writing one event's outbox rows (each while its channel exists, as
    INSERT_WHILE_CHANNEL_EXISTS), its id selected from `source` by the same statement."""
    now = bindparam("o_now", type_=NOTIFICATIONS.c.created_at.type)
    return insert(NOTIFICATIONS).from_select(list(ROW_COLUMNS), select(
        _TARGETS.c.id, _TARGETS.c.channel_id, bindparam("o_event", type_=Text()), incident_id,
        event_id, occurred_at, null(), literal_column("'pending'"), literal_column("0"), now, now,
    ).select_from(source.join(_TARGETS, true())).where(
        exists().where(NotificationChannel.id == _TARGETS.c.channel_id))).cte("queued")


def queued_params(session: AsyncSession, planned: Planned) -> dict[str, Any]:
    """`queued_with`'s parameters for one event's rows; the senders wake when it commits."""
    session.info[WAKE] = True
    return {"o_ids": [str(uuid.uuid4()) for _ in planned.channel_ids],
            "o_channel_ids": planned.channel_ids, "o_event": planned.name, "o_now": utcnow()}
