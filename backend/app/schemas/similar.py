"""Similar past incidents: what `GET /incidents/{id}/similar` answers."""

from pydantic import Field

from app.schemas.common import Output
from app.schemas.incidents import IncidentRead


class SimilarIncident(Output):
    incident: IncidentRead = Field(description="The past incident, as the incident list shows it")
    score: float = Field(ge=0, le=1, description=(
        "How similar, 0 to 1: trigram similarity of the titles (weighted 0.6) and of the "
        "descriptions with their impact (0.4), raised for the same service and for an incident "
        "whose RCA names a root cause; an identical incident of the same service with a root "
        "cause scores 1"))
    root_cause: str | None = Field(description="Its RCA's root cause (null: no RCA)")
    corrective_actions: str | None = Field(description="Its RCA's corrective actions (null: no RCA)")


class SimilarIncidents(Output):
    items: list[SimilarIncident] = Field(description=(
        "Earlier incidents (created before this one), most similar first; never the incident "
        "itself. Only those whose title is at least 0.3 similar (pg_trgm's measure) are "
        "considered."))
