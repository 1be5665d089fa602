"""Operational metrics: MTTA, MTTM, MTTR and breach rate, overall and broken down.

The duration fields follow app/services/metrics/measures.py: one count and three figures per
measure (tests/unit/test_metric_measures.py keeps the two in step)."""

from pydantic import BaseModel, Field

from app.domain.severity import Severity


class Figures(BaseModel):
    """Counts, means (seconds) and breach figures are exact. The p50/p90 figures are
    nearest-rank: exact to the millisecond over a window (`from`/`to`) or owners, within 1%
    relative error over the whole history (GET /metrics explains)."""

    incident_count: int
    acknowledged_count: int
    mitigated_count: int
    resolved_count: int
    mtta_seconds: float | None
    mtta_p50_seconds: float | None
    mtta_p90_seconds: float | None
    mttm_seconds: float | None
    mttm_p50_seconds: float | None
    mttm_p90_seconds: float | None
    mttr_seconds: float | None
    mttr_p50_seconds: float | None
    mttr_p90_seconds: float | None
    breach_rate: float | None
    breached_count: int
    sla_known_count: int


class SeverityFigures(Figures):
    severity: Severity


class ServiceFigures(Figures):
    service_id: int
    service_name: str


class DailyFigures(BaseModel):
    date: str
    opened: int
    resolved: int
    breached: int
    sla_known: int = Field(
        description="Incidents opened that day whose SLA outcome is known (the breach rate's denominator)")
    mtta_seconds: float | None
    mttm_seconds: float | None
    mttr_seconds: float | None


class Metrics(Figures):
    breach_rate_target: float | None = Field(
        description="The breach rate the team aims to stay under (the BREACH_RATE_TARGET setting)")
    by_severity: list[SeverityFigures]
    by_service: list[ServiceFigures]
    daily: list[DailyFigures]
