"""The measures of /metrics, each defined once: a duration from an incident's creation to one
of its lifecycle timestamps.

Both queries (compute.py's portable one for SQLite, pg.py's two-level one for PostgreSQL) and
the one row -> Figures mapping iterate over MEASURES, so neither query names a metric. A new
measure is one entry here plus its fields in app/schemas/metrics.py
(tests/unit/test_metric_measures.py fails until the two agree).

Every query returns rows with the same keys, per measure `{name}_count`, `{name}_sum_ms`,
`{name}_p50_ms` and `{name}_p90_ms`, all whole milliseconds (ms_between), besides
`lvl`, `k`, `incident_count`, `breached_count` and `known_count`.
"""

from dataclasses import dataclass
from typing import Any

from app.models import Incident
from app.services.metrics.sql_functions import ms_between

# The nearest-rank percentiles reported: the value at rank ceil(p * n), p = num / den.
PERCENTILES: tuple[tuple[str, int, int], ...] = (("p50", 1, 2), ("p90", 9, 10))


@dataclass(frozen=True)
class Measure:
    name: str  # the rows' key prefix
    end: str  # the Incident column where the duration ends (it starts at created_at)
    field: str  # the API's prefix: {field}_seconds, {field}_p50_seconds, {field}_p90_seconds
    count_field: str  # the API's count of the incidents that reached `end`

    @property
    def column(self) -> Any:
        return getattr(Incident, self.end)

    def duration_ms(self) -> Any:
        return ms_between(self.column, Incident.created_at)

    @property
    def count(self) -> str:
        return f"{self.name}_count"

    @property
    def sum_ms(self) -> str:
        return f"{self.name}_sum_ms"

    def percentile_ms(self, p: str) -> str:
        return f"{self.name}_{p}_ms"

    @property
    def mean_field(self) -> str:
        return f"{self.field}_seconds"

    def percentile_field(self, p: str) -> str:
        return f"{self.field}_{p}_seconds"

    @property
    def fields(self) -> list[str]:
        """This measure's figures in the API, in their order."""
        return [self.mean_field, *(self.percentile_field(p) for p, _, _ in PERCENTILES)]


MEASURES: tuple[Measure, ...] = (
    Measure("ack", "acknowledged_at", "mtta", "acknowledged_count"),
    Measure("mitigate", "mitigated_at", "mttm", "mitigated_count"),
    Measure("res", "resolved_at", "mttr", "resolved_count"),
)
