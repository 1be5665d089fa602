"""The checks every change to an incident makes: it exists, it is the version the caller saw,
it is not Closed, and nobody moved it while the change ran (compare-and-set)."""

from functools import lru_cache
from typing import Any, TypeAlias

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.lifecycle import Status
from app.errors import IncidentClosed, NotFound, StaleVersion
from app.infra.rows import AttrRow, dialect_of, in_transaction
from app.models import Incident
from app.services.incidents.audit import HELD_COLUMNS, HELD_WITH_RCA, INCIDENTS

# An incident as the changes read it: `ensure_exists`' row, or an entity a batch loaded.
IncidentState: TypeAlias = Incident | AttrRow
# The incident's row as it stands (every column), read as the changes read it: no ORM entity,
# which none of them changes (they write with compare-and-set UPDATEs).
_INCIDENT = select(INCIDENTS).where(INCIDENTS.c.id == bindparam("incident_id"))


async def ensure_exists(session: AsyncSession, incident_id: int) -> AttrRow:
    rows = await in_transaction(session, _INCIDENT, {"incident_id": incident_id})
    if not rows:
        raise NotFound("Incident", incident_id)
    return rows[0]


def check_version(incident: IncidentState, expected: int | None) -> None:
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


async def bump_version(session: AsyncSession, incident: IncidentState, values: dict[str, Any]) -> AttrRow:
    """Compare-and-set: apply `values` (columns to plain values) only if nobody moved the
    incident since we read it.
    Returns the row as it now stands, locked (`audit.HELD`: pass it on to the writer, which
    then seals the change's events without reading the checkpoint again), on PostgreSQL with
    its RCA too (SQLite writes a RETURNING clause's columns unqualified, so a subquery there
    cannot name the incident's id: the writer reads the RCA after)."""
    with_rca = dialect_of(session) == "postgresql"
    stmt = _compare_and_set(tuple(sorted(values)), with_rca)
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(cas_id=incident.id, cas_version=incident.version, v_version=incident.version + 1)
    rows = await in_transaction(session, stmt, params)
    if not rows:
        raise StaleVersion(f"Incident {incident.id} changed while this request ran; reload and retry",
                           None)
    return rows[0]


def refuse_if_closed(incident: IncidentState, action: str) -> None:
    if incident.status == Status.CLOSED.value:
        raise IncidentClosed(f"Incident {incident.id} is Closed; it no longer accepts {action}")
