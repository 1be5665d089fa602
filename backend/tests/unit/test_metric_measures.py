"""The measure list and the API schema name the same figures, in the same order: adding a
measure to app/services/metrics/measures.py without its fields in app/schemas/metrics.py
(or the other way round) fails here."""

from dataclasses import replace

from pydantic import BaseModel

from app.models import Incident
from app.schemas.metrics import DailyFigures, Figures, Metrics, ServiceFigures, SeverityFigures
from app.services.metrics.compute import EMPTY, _figures
from app.services.metrics.measures import MEASURES, PERCENTILES, Measure


def figures_fields(measures: tuple[Measure, ...]) -> list[str]:
    return ["incident_count", *(m.count_field for m in measures),
            *(f for m in measures for f in m.fields),
            "breach_rate", "breached_count", "sla_known_count"]


def daily_fields(measures: tuple[Measure, ...]) -> list[str]:
    return ["date", "opened", "resolved", "breached", "sla_known", *(m.mean_field for m in measures)]


def mismatches(measures: tuple[Measure, ...]) -> list[str]:
    out = []
    if list(Figures.model_fields) != figures_fields(measures):
        out.append("Figures")
    if list(DailyFigures.model_fields) != daily_fields(measures):
        out.append("DailyFigures")
    return out


def test_the_schema_has_exactly_the_measures_fields_in_order() -> None:
    assert mismatches(MEASURES) == []


def test_a_measure_missing_from_either_side_is_caught() -> None:
    extra = replace(MEASURES[0], name="close", end="closed_at", field="mttc",
                    count_field="closed_count")
    assert mismatches((*MEASURES, extra)) == ["Figures", "DailyFigures"]
    assert mismatches(MEASURES[:-1]) == ["Figures", "DailyFigures"]


def test_the_api_order() -> None:
    assert list(Figures.model_fields) == [
        "incident_count", "acknowledged_count", "mitigated_count", "resolved_count",
        "mtta_seconds", "mtta_p50_seconds", "mtta_p90_seconds",
        "mttm_seconds", "mttm_p50_seconds", "mttm_p90_seconds",
        "mttr_seconds", "mttr_p50_seconds", "mttr_p90_seconds",
        "breach_rate", "breached_count", "sla_known_count",
    ]
    assert list(DailyFigures.model_fields) == [
        "date", "opened", "resolved", "breached", "sla_known", "mtta_seconds", "mttm_seconds", "mttr_seconds"]
    model: type[BaseModel]
    for model in (SeverityFigures, ServiceFigures, Metrics):
        assert list(model.model_fields)[:len(Figures.model_fields)] == list(Figures.model_fields)


def test_measures_are_distinct_and_end_on_incident_timestamps() -> None:
    for key in ("name", "end", "field", "count_field"):
        assert len({getattr(m, key) for m in MEASURES}) == len(MEASURES), key
    for m in MEASURES:
        assert m.end in Incident.__table__.c and m.end.endswith("_at")


def test_one_row_mapping_fills_every_field() -> None:
    row = {"incident_count": 4, "breached_count": 1, "known_count": 3}
    for m in MEASURES:
        row |= {m.count: 3, m.sum_ms: 4001}  # a mean of 1.333667 s
        row |= {m.percentile_ms(p): 1234 for p, _, _ in PERCENTILES}
    figures = _figures(row)
    assert set(figures) == set(Figures.model_fields)
    for m in MEASURES:
        assert figures[m.count_field] == 3 and figures[m.mean_field] == 1.334
        assert figures[m.percentile_field("p90")] == 1.234
    assert list(figures) == list(Figures.model_fields)  # the order the model writes
    assert EMPTY["incident_count"] == 0 and EMPTY["breach_rate"] is None


def test_the_rollups_hold_every_measure() -> None:
    """A new measure needs its count and sum in the rollups (and a migration adding them)."""
    from app.models import MetricRollup

    columns = set(MetricRollup.__table__.c.keys())
    assert {c for m in MEASURES for c in (m.count, m.sum_ms)} <= columns
