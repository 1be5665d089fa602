"""The checks every change to an incident makes: it exists, it is the version the caller saw,
it is not Closed, and nobody moved it while the change ran (compare-and-set)."""

from functools import lru_cache
from typing import Any

from sqlalchemy import Row, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.lifecycle import Status
from app.errors import IncidentClosed, StaleVersion
from app.models import Incident
from app.services.incidents.audit import HELD_COLUMNS, HELD_WITH_RCA, INCIDENTS
from app.services.records import get_or_404


async def ensure_exists(session: AsyncSession, incident_id: int) -> Incident:
    return await get_or_404(session, Incident, incident_id, "Incident")


def check_version(incident: Incident, expected: int | None) -> None:
    if expected is not None and expected != incident.version:
        raise StaleVersion(
            f"Incident {incident.id} is at version {incident.version}, not {expected}: "
            "someone changed it first; reload and try again", incident.version)


@lru_cache(maxsize=64)
def _compare_and_set(columns: tuple[str, ...], with_rca: bool) -> Any:
    """The compare-and-set UPDATE for a set of columns, built once: values are bound at
    execution (building and keying the statement anew cost about a tenth of a transition's
    CPU). Core, not the ORM's bulk UPDATE: the same SQL without its per-call bookkeeping."""
    return (update(INCIDENTS)
            .where(INCIDENTS.c.id == bindparam("cas_id"),
                   INCIDENTS.c.version == bindparam("cas_version"))
            .values({INCIDENTS.c[name]: bindparam(f"v_{name}", type_=INCIDENTS.c[name].type)
                     for name in (*columns, "version")})
            .returning(*(HELD_WITH_RCA if with_rca else HELD_COLUMNS)))


async def bump_version(session: AsyncSession, incident: Incident, values: dict[str, Any]) -> Row[Any]:
    """Compare-and-set: apply `values` (columns to plain values) only if nobody moved the
    incident since we read it.
    Returns the row as it now stands, locked (`audit.HELD`: pass it on to the writer, which
    then seals the change's events without reading the checkpoint again), on PostgreSQL with
    its RCA too (SQLite writes a RETURNING clause's columns unqualified, so a subquery there
    cannot name the incident's id: the writer reads the RCA after)."""
    with_rca = session.bind is not None and session.bind.dialect.name == "postgresql"
    stmt = _compare_and_set(tuple(sorted(values)), with_rca)
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(cas_id=incident.id, cas_version=incident.version, v_version=incident.version + 1)
    held = (await session.execute(stmt, params)).first()
    if held is None:
        raise StaleVersion(f"Incident {incident.id} changed while this request ran; reload and retry",
                           None)
    return held


def refuse_if_closed(incident: Incident, action: str) -> None:
    if incident.status == Status.CLOSED.value:
        raise IncidentClosed(f"Incident {incident.id} is Closed; it no longer accepts {action}")
