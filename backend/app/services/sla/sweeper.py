"""The SLA sweeper: one `sla_at_risk` and one `sla_breach` event per target and incident;
never for an incident whose SLA clock is paused (services/sla/pauses.py).

Exactly once by construction: each notice is an INSERT ... SELECT into `sla_notices`, whose
unique (incident_id, kind) turns a second sweep's insert, concurrent or not, on any replica,
into nothing; only rows inserted now get an event. Set-based: one statement per kind,
whatever the number of incidents. On PostgreSQL one replica leads (a session advisory lock
held on its own direct connection, never through PgBouncer) so the others do not even try;
on SQLite every process sweeps and the unique key keeps it exactly once.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import exists, literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from app.clock import utcnow
from app.db import Database
from app.domain.events import EventType
from app.domain.lifecycle import Status
from app.infra.prometheus import count_breaches
from app.models import Incident, SlaNotice
from app.services.incidents.writer import NewEvent, record_events
from app.services.sla import filters as sla_filters
from app.services.sla.escalation import escalate

LEADER_LOCK_KEY = 7_314_002_612
log = logging.getLogger(__name__)


Condition = Callable[[datetime], ColumnElement[bool]]
# The due time is the event's data (`due_at`), not its text: readers show it in their own zone.
NOTICES: tuple[tuple[str, str, Condition, str], ...] = (
    ("ack_at_risk", "sla_at_risk", sla_filters.ack_at_risk, "Acknowledgement SLA at risk"),
    ("resolve_at_risk", "sla_at_risk", sla_filters.resolve_at_risk, "Resolution SLA at risk"),
    ("ack_breach", "sla_breach", sla_filters.ack_breached, "Acknowledgement SLA breached"),
    ("resolve_breach", "sla_breach", sla_filters.resolve_breached, "Resolution SLA breached"),
)


async def sweep(db: Database, now: datetime) -> int:
    """Write the notices due at `now`; returns how many events were written."""
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    async with db.transaction() as session:
        fired: list[tuple[int, str, str, str]] = []
        for kind, event_type, condition, text_ in NOTICES:
            already = exists().where(SlaNotice.incident_id == Incident.id, SlaNotice.kind == kind)
            candidates = select(Incident.id, literal(kind), sla_filters.utc_literal(now)).where(
                Incident.status != Status.CLOSED.value, sla_filters.RUNNING, condition(now), ~already)
            stmt = (
                insert(SlaNotice)
                .from_select(["incident_id", "kind", "notified_at"], candidates)
                .on_conflict_do_nothing(index_elements=["incident_id", "kind"])
                .returning(SlaNotice.incident_id)
            )
            fired += [(i, kind, event_type, text_) for i in (await session.scalars(stmt)).all()]
        if not fired:
            return 0
        due = {row.id: row for row in (await session.execute(
            select(Incident.id, Incident.ack_due_at, Incident.resolve_due_at)
            .where(Incident.id.in_({f[0] for f in fired})))).all()}
        events = []
        for incident_id, kind, event_type, text_ in sorted(fired):
            target = "ack" if kind.startswith("ack") else "resolve"
            due_at: datetime = getattr(due[incident_id], f"{target}_due_at")
            events.append(NewEvent(incident_id, EventType(event_type),
                                   text_,
                                   {"target": target, "due_at": due_at.isoformat(), "kind": kind}))
        await record_events(session, events, None, now)
    count_breaches(f[1].split("_")[0] for f in fired if f[2] == EventType.SLA_BREACH.value)
    return len(events)


class SlaSweeper:
    """Runs `sweep` and the escalation sweep (escalation.py) every `interval` seconds while
    this replica leads (0 disables both)."""

    def __init__(self, db: Database, interval: float) -> None:
        self.db = db
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._leader: AsyncConnection | None = None

    def start(self) -> "SlaSweeper":
        if self.interval > 0:
            self._task = asyncio.create_task(self._run(), name="sla-sweeper")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._resign()

    async def is_leader(self) -> bool:
        if self.db.dialect != "postgresql":
            return True
        if self._leader is not None:
            try:
                await self._leader.execute(text("SELECT 1"))
                await self._leader.commit()
                return True
            except Exception:
                log.warning("lost the SLA sweeper's leader connection; electing again")
                await self._resign()
        conn = await self.db.direct.connect()  # a session lock: never through a pooler
        won = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY})
        await conn.commit()
        if won:
            self._leader = conn
            return True
        await conn.close()
        return False

    async def _resign(self) -> None:
        if self._leader is None:
            return
        conn, self._leader = self._leader, None
        with contextlib.suppress(Exception):
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_LOCK_KEY})
            await conn.commit()
        with contextlib.suppress(Exception):
            await conn.close()

    async def _run(self) -> None:
        while True:
            try:
                if await self.is_leader():
                    await self._round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("SLA sweeper's leader election failed; trying again next round")
            await asyncio.sleep(self.interval)

    async def _round(self) -> None:
        """The SLA notices, then the escalations: each its own transaction, so one failing
        does not hold the other back."""
        for name, job in (("SLA sweep", sweep), ("escalation sweep", escalate)):
            try:
                await job(self.db, utcnow())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s failed; trying again next round", name)
