"""What responders add to an incident's timeline: comments and applied runbook steps."""

from datetime import datetime
from typing import Any

from app.clock import utcnow
from app.db import Database
from app.domain.events import EventType
from app.errors import Unprocessable
from app.infra.rows import SessionReader
from app.models import Runbook, User
from app.schemas.incidents import CommentCreate, EventRead, RunbookStepApply
from app.services.catalog import step_definition
from app.services.incidents.guards import ensure_exists, refuse_if_closed
from app.services.incidents.reads import events_of, runbook_step_states
from app.services.incidents.writer import NewEvent, record_event, record_events


async def comment(db: Database, incident_id: int, body: CommentCreate, actor: User) -> dict[str, Any]:
    """The comment as an `EventRead` dict (the route writes it out as it is)."""
    async with db.transaction() as session:  # the writer's NotFound when there is no incident
        return await record_event(
            session, incident_id=incident_id, type=EventType.COMMENT, body=body.body,
            data={}, actor=actor, now=utcnow(),
        )


def runbook_step_event(incident_id: int, runbook: Runbook, step_index: int, note: str | None = None,
                       done: bool = True, at: datetime | None = None) -> NewEvent:
    """The timeline's record of a runbook step applied, ticked or unticked: the one shape that
    `reads.runbook_step_states` reads back (the console and the demo history write the same)."""
    step = step_definition(runbook.steps_json[step_index])
    verb = ("Ticked" if done else "Unticked") if step["kind"] == "manual" else "Applied"
    text = f"{verb} step {step_index + 1} of '{runbook.title}': {step['title']}"
    if note:
        text += f" ({note})"
    return NewEvent(incident_id, EventType.RUNBOOK_STEP, text,
                    {"runbook_id": runbook.id, "runbook_title": runbook.title, "step_index": step_index,
                     "step_title": step["title"], "note": note, "kind": step["kind"],
                     "destructive": step["destructive"], "done": done}, at)


async def apply_runbook_step(
    db: Database, incident_id: int, body: RunbookStepApply, actor: User
) -> EventRead:
    """Apply an action step (again, as often as needed), or tick or untick a manual check.
    A destructive step needs `confirmed`; only a ticked manual step can be unticked."""
    async with db.transaction() as session:
        incident = await ensure_exists(session, incident_id)
        refuse_if_closed(incident, "runbook steps")
        runbook = await session.get(Runbook, body.runbook_id)
        if runbook is None or runbook.service_id != incident.service_id:
            raise Unprocessable(
                f"runbook_id {body.runbook_id} is not a runbook of this incident's service",
                field="runbook_id",
            )
        steps = runbook.steps_json
        if body.step_index >= len(steps):
            raise Unprocessable(
                f"step_index {body.step_index} does not exist: '{runbook.title}' has "
                f"{len(steps)} {'step' if len(steps) == 1 else 'steps'} (0 to {len(steps) - 1})",
                field="step_index"
            )
        step = step_definition(steps[body.step_index])
        number = body.step_index + 1
        if not body.done:
            if step["kind"] != "manual":
                raise Unprocessable(f"Step {number} of '{runbook.title}' is an action: it is applied, "
                                    "never unticked; only a manual check takes done: false", field="done")
            states = runbook_step_states(await events_of(SessionReader(session), incident_id))
            if not any(s["runbook_id"] == runbook.id and s["step_index"] == body.step_index and s["done"]
                       for s in states):
                raise Unprocessable(f"Step {number} of '{runbook.title}' is not ticked, so it cannot "
                                    "be unticked", field="done")
        elif step["destructive"] and not body.confirmed:
            raise Unprocessable(f"Step {number} of '{runbook.title}' is destructive: send confirmed: "
                                "true once the person applying it has confirmed", field="confirmed")
        event = runbook_step_event(incident_id, runbook, body.step_index, body.note, body.done)
        [written] = await record_events(session, [event], actor, utcnow())
        return EventRead.model_validate(written)


async def events(db: Database, incident_id: int) -> list[EventRead]:
    async with db.read() as session:
        await ensure_exists(session, incident_id)
        return [EventRead.model_validate(e) for e in await events_of(SessionReader(session), incident_id)]
