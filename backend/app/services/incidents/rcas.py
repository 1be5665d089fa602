"""Drafting and reading the root-cause analysis that gates closure."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow
from app.db import Database
from app.domain.events import EventType
from app.domain.rca import RCA_FIELDS
from app.errors import NotFound
from app.infra.rows import SessionReader
from app.models import Rca, User
from app.schemas.incidents import RcaRead, RcaWrite
from app.services.incidents.guards import bump_version, check_version, ensure_exists, refuse_if_closed
from app.services.incidents.reads import rca_of
from app.services.incidents.writer import record_event


async def save(
    db: Database, incident_id: int, body: RcaWrite, if_match: int | None, actor: User
) -> RcaRead:
    async with db.transaction() as session:
        incident = await ensure_exists(session, incident_id)
        check_version(incident, if_match)
        refuse_if_closed(incident, "RCA edits")
        now = utcnow()
        previous = await session.scalar(select(Rca).where(Rca.incident_id == incident_id))
        fields = body.model_dump()
        changed = [n for n in RCA_FIELDS if (getattr(previous, n) if previous else "") != fields[n]]
        insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
        values = {**fields, "updated_at": now, "updated_by": actor.id}
        await session.execute(
            insert(Rca)
            .values(incident_id=incident_id, **values)
            .on_conflict_do_update(index_elements=[Rca.incident_id], set_=values)
        )
        if changed:
            held = await bump_version(session, incident, {})
            names = ", ".join(n.replace("_", " ") for n in changed)
            await record_event(
                session, incident_id=incident_id, type=EventType.RCA_UPDATED,
                body=f"RCA updated: {names}", data={"fields": changed}, actor=actor, now=now,
                held=held,
            )
        saved = await rca_of(SessionReader(session), incident_id)
        return RcaRead.model_validate(saved)


async def get(db: Database, incident_id: int) -> RcaRead:
    async with db.read() as session:
        await ensure_exists(session, incident_id)
        found = await rca_of(SessionReader(session), incident_id)
        if found is None:
            raise NotFound("RCA of incident", incident_id)
        return RcaRead.model_validate(found)
