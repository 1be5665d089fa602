"""Alert drills: synthetic alerts that open incidents, or attach to one already open."""

import random

from sqlalchemy import select

from app.clock import utcnow
from app.db import Database
from app.domain import drills
from app.errors import Unprocessable
from app.models import Service, User
from app.schemas.alerts import GeneratedAlert, GenerateRequest, GenerateResult
from app.schemas.incidents import IncidentCreate
from app.services.incidents import open_incident
from app.services.timeline import record_event


async def generate(db: Database, body: GenerateRequest, actor: User) -> GenerateResult:
    seed = body.seed if body.seed is not None else random.SystemRandom().randrange(2**31)
    async with db.transaction() as session:
        services = {s.name: s for s in await session.scalars(select(Service).order_by(Service.id))}
        if not services:
            raise Unprocessable("There are no services to raise alerts on; create one first")
        alerts = drills.generate(body.count, seed, list(services))
        open_by_fingerprint: dict[str, int] = {}
        out: list[GeneratedAlert] = []
        for alert in alerts:
            incident_id = open_by_fingerprint.get(alert.fingerprint)
            outcome = "attached"
            if incident_id is None:
                incident = await open_incident(
                    session,
                    IncidentCreate(title=alert.summary, description=alert.description,
                                   severity=alert.severity, service_id=services[alert.service].id),
                    actor,
                    source="drill",
                )
                incident_id = open_by_fingerprint[alert.fingerprint] = incident.id
                outcome = "created"
            await record_event(
                session, incident_id=incident_id, type="alert",
                body=f"Alert {'fired' if outcome == 'created' else 'fired again'}: {alert.summary}",
                data={"source": "drill", "fingerprint": alert.fingerprint, "labels": alert.labels},
                actor=actor, now=utcnow(),
            )
            out.append(GeneratedAlert(fingerprint=alert.fingerprint, summary=alert.summary,
                                      severity=alert.severity.value, service=alert.service,
                                      incident_id=incident_id, outcome=outcome))
    created = list(dict.fromkeys(a.incident_id for a in out if a.outcome == "created"))
    attached = list(dict.fromkeys(a.incident_id for a in out if a.outcome == "attached"))
    return GenerateResult(seed=seed, created_incident_ids=created,
                          attached_incident_ids=attached, alerts=out)
