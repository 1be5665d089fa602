"""Operational metrics: MTTA, MTTR and breach rate, overall and broken down."""

from pydantic import BaseModel

from app.domain.severity import Severity


class Figures(BaseModel):
    incident_count: int
    acknowledged_count: int
    resolved_count: int
    mtta_seconds: float | None
    mtta_p50_seconds: float | None
    mtta_p90_seconds: float | None
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
    mtta_seconds: float | None
    mttr_seconds: float | None


class Metrics(Figures):
    by_severity: list[SeverityFigures]
    by_service: list[ServiceFigures]
    daily: list[DailyFigures]
