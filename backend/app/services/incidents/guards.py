"""The checks every change to an incident makes: it exists, it is the version the caller saw,
it is not Closed, and nobody moved it while the change ran (compare-and-set)."""

from typing import Any

from sqlalchemy import Row, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.lifecycle import Status
from app.errors import IncidentClosed, StaleVersion
from app.models import Incident
from app.services.incidents.audit import HELD_COLUMNS, HELD_WITH_RCA
from app.services.records import get_or_404


async def ensure_exists(session: AsyncSession, incident_id: int) -> Incident:
    return await get_or_404(session, Incident, incident_id, "Incident")


def check_version(incident: Incident, expected: int | None) -> None:
    if expected is not None and expected != incident.version:
        raise StaleVersion(
            f"Incident {incident.id} is at version {incident.version}, not {expected}: "
            "someone changed it first; reload and try again", incident.version)


async def bump_version(session: AsyncSession, incident: Incident, values: dict[str, Any]) -> Row[Any]:
    """Compare-and-set: apply `values` only if nobody moved the incident since we read it.
    Returns the row as it now stands, locked (`audit.HELD`: pass it on to the writer, which
    then seals the change's events without reading the checkpoint again), on PostgreSQL with
    its RCA too (SQLite writes a RETURNING clause's columns unqualified, so a subquery there
    cannot name the incident's id: the writer reads the RCA after)."""
    held = (await session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.version == incident.version)
        .values(**values, version=incident.version + 1)
        .returning(*(HELD_WITH_RCA if session.bind is not None
                     and session.bind.dialect.name == "postgresql" else HELD_COLUMNS))
        .execution_options(synchronize_session=False)
    )).first()
    if held is None:
        raise StaleVersion(f"Incident {incident.id} changed while this request ran; reload and retry",
                           None)
    return held


def refuse_if_closed(incident: Incident, action: str) -> None:
    if incident.status == Status.CLOSED.value:
        raise IncidentClosed(f"Incident {incident.id} is Closed; it no longer accepts {action}")
