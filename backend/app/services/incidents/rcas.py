"""Drafting and reading the root-cause analysis that gates closure."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.clock import utcnow
from app.db import Database
from app.domain.rca import RCA_FIELDS
from app.errors import NotFound
from app.models import Rca, User
from app.schemas.incidents import RcaRead, RcaWrite
from app.services.incidents.reads import rca_read
from app.services.incidents.timeline import record_event
from app.services.incidents.triage import bump_version, check_version, ensure_exists, refuse_if_closed


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
            await bump_version(session, incident, {})
            names = ", ".join(n.replace("_", " ") for n in changed)
            await record_event(
                session, incident_id=incident_id, type="rca_updated",
                body=f"RCA updated: {names}", data={"fields": changed}, actor=actor, now=now,
            )
        record = await session.scalar(
            select(Rca).where(Rca.incident_id == incident_id).execution_options(populate_existing=True)
        )
        assert record is not None
        return rca_read(record)


async def get(db: Database, incident_id: int) -> RcaRead:
    async with db.read() as session:
        await ensure_exists(session, incident_id)
        record = await session.scalar(select(Rca).where(Rca.incident_id == incident_id))
        if record is None:
            raise NotFound("RCA of incident", incident_id)
        return rca_read(record)
