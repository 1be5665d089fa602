"""/metrics on a hand-built data set whose figures were worked out by hand."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.models import Incident
from app.schemas.metrics import Metrics

T = datetime(2026, 1, 10, tzinfo=UTC)
FAR = datetime(2100, 1, 1, tzinfo=UTC)
M = timedelta(minutes=1)


def incident(created: datetime, severity: str, service_id: int, ack: float | None,
             resolved: float | None, ack_due: float | None, resolve_due: float | None,
             mitigated: float | None = None) -> Incident:
    def after(minutes: float | None) -> datetime | None:
        return None if minutes is None else created + minutes * M

    return Incident(
        title=f"{severity} at {created:%d %H:%M}", description="", severity=severity,
        status="Resolved" if resolved is not None else "Mitigated" if mitigated is not None
        else "Investigating" if ack else "New",
        service_id=service_id, created_at=created, version=1,
        acknowledged_at=after(ack), mitigated_at=after(mitigated), resolved_at=after(resolved),
        ack_due_at=after(ack_due) or FAR, resolve_due_at=after(resolve_due) or FAR,
        ack_at_risk_at=after(ack_due) or FAR, resolve_at_risk_at=after(resolve_due) or FAR,
    )


@pytest.fixture
async def dataset(app: FastAPI) -> None:
    rows = [
        incident(T, "SEV1", 1, ack=2, mitigated=10, resolved=20, ack_due=5, resolve_due=30),  # met
        incident(T + 60 * M, "SEV1", 1, ack=10, mitigated=25, resolved=40, ack_due=5,
                 resolve_due=30),  # breached
        incident(T + 1440 * M, "SEV2", 2, ack=4, mitigated=30, resolved=60, ack_due=10,
                 resolve_due=120),  # met
        incident(T + 1500 * M, "SEV3", 2, ack=30, mitigated=45, resolved=None, ack_due=60,
                 resolve_due=None),
        incident(T + 2880 * M, "SEV4", 1, ack=None, resolved=None, ack_due=None, resolve_due=None),
        incident(T - 1440 * M, "SEV1", 1, ack=1, mitigated=1.5, resolved=2, ack_due=5,
                 resolve_due=30),  # outside
    ]
    async with app.state.db.transaction() as session:
        session.add_all(rows)


WINDOW = {"from": "2026-01-10T00:00:00Z", "to": "2026-01-13T00:00:00Z"}


async def test_overall_figures(client: httpx.AsyncClient, viewer: dict[str, str], dataset: None) -> None:
    m = (await client.get("/metrics", params=WINDOW, headers=viewer)).json()
    assert m["incident_count"] == 5
    assert m["acknowledged_count"] == 4 and m["resolved_count"] == 3
    assert m["mitigated_count"] == 4
    assert m["mtta_seconds"] == 690.0          # (120 + 600 + 240 + 1800) / 4
    assert m["mtta_p50_seconds"] == 240.0      # rank ceil(0.5 * 4) = 2 of 120, 240, 600, 1800
    assert m["mtta_p90_seconds"] == 1800.0     # rank ceil(0.9 * 4) = 4
    assert m["mttm_seconds"] == 1650.0         # (600 + 1500 + 1800 + 2700) / 4
    assert m["mttm_p50_seconds"] == 1500.0     # rank 2 of 600, 1500, 1800, 2700
    assert m["mttm_p90_seconds"] == 2700.0     # rank 4
    assert m["mttr_seconds"] == 2400.0         # (1200 + 2400 + 3600) / 3
    assert m["mttr_p50_seconds"] == 2400.0
    assert m["mttr_p90_seconds"] == 3600.0
    assert m["breached_count"] == 1 and m["sla_known_count"] == 3
    assert m["breach_rate"] == pytest.approx(1 / 3, abs=1e-4)


async def test_breakdowns(client: httpx.AsyncClient, viewer: dict[str, str], dataset: None) -> None:
    m = (await client.get("/metrics", params=WINDOW, headers=viewer)).json()
    sev = {row["severity"]: row for row in m["by_severity"]}
    assert sev["SEV1"]["incident_count"] == 2
    assert sev["SEV1"]["mtta_seconds"] == 360.0
    assert sev["SEV1"]["mtta_p50_seconds"] == 120.0 and sev["SEV1"]["mtta_p90_seconds"] == 600.0
    assert sev["SEV1"]["mttr_seconds"] == 1800.0 and sev["SEV1"]["breach_rate"] == 0.5
    assert sev["SEV1"]["mitigated_count"] == 2 and sev["SEV1"]["mttm_seconds"] == 1050.0
    assert sev["SEV1"]["mttm_p50_seconds"] == 600.0 and sev["SEV1"]["mttm_p90_seconds"] == 1500.0
    assert sev["SEV3"]["mttm_seconds"] == 2700.0 and sev["SEV3"]["mttr_seconds"] is None
    assert sev["SEV4"]["mitigated_count"] == 0 and sev["SEV4"]["mttm_p90_seconds"] is None
    assert sev["SEV3"]["breach_rate"] is None, "no SLA outcome known yet: null, not 0"
    assert sev["SEV4"]["mtta_seconds"] is None
    services = {row["service_id"]: row for row in m["by_service"]}
    assert services[1]["incident_count"] == 3 and services[1]["service_name"] == "checkout-api"
    assert services[2]["mttr_seconds"] == 3600.0
    assert services[1]["mttm_seconds"] == 1050.0 and services[1]["mitigated_count"] == 2
    assert (services[2]["mttm_seconds"], services[2]["mttm_p50_seconds"],
            services[2]["mttm_p90_seconds"]) == (2250.0, 1800.0, 2700.0)
    days = {row["date"]: row for row in m["daily"]}
    assert list(days) == ["2026-01-10", "2026-01-11", "2026-01-12"]
    assert days["2026-01-10"] == {"date": "2026-01-10", "opened": 2, "resolved": 2, "breached": 1,
                                  "sla_known": 2, "mtta_seconds": 360.0, "mttm_seconds": 1050.0,
                                  "mttr_seconds": 1800.0}
    assert days["2026-01-11"]["mttm_seconds"] == 2250.0
    assert days["2026-01-12"]["mttm_seconds"] is None
    assert (days["2026-01-11"]["opened"], days["2026-01-11"]["resolved"]) == (2, 1)
    assert (days["2026-01-12"]["opened"], days["2026-01-12"]["resolved"]) == (1, 0)


async def test_filters(client: httpx.AsyncClient, viewer: dict[str, str], dataset: None) -> None:
    by_service = (await client.get("/metrics", params={**WINDOW, "service_id": 2}, headers=viewer)).json()
    assert by_service["incident_count"] == 2 and by_service["mttr_seconds"] == 3600.0
    assert by_service["mttm_seconds"] == 2250.0
    sev1 = (await client.get("/metrics", params={**WINDOW, "severity": "SEV1"}, headers=viewer)).json()
    assert sev1["incident_count"] == 2 and sev1["breach_rate"] == 0.5
    empty = (await client.get("/metrics", params={"from": "2020-01-01T00:00:00Z",
                                                  "to": "2020-01-02T00:00:00Z"}, headers=viewer)).json()
    assert empty["incident_count"] == 0 and empty["mtta_seconds"] is None
    assert empty["mitigated_count"] == 0 and empty["mttm_seconds"] is None
    assert empty["breach_rate"] is None and empty["daily"] == []


@pytest.mark.parametrize("params", [{"from": "yesterday"}, {"severity": "SEV9"},
                                    {"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}])
async def test_bad_windows_are_422(client: httpx.AsyncClient, viewer: dict[str, str],
                                   params: dict[str, str]) -> None:
    assert (await client.get("/metrics", params=params, headers=viewer)).status_code == 422


@pytest.mark.parametrize("params", [WINDOW, {}, {"service_id": 1}])
async def test_the_answer_is_written_as_its_model_writes_it(
    client: httpx.AsyncClient, viewer: dict[str, str], dataset: None, params: dict[str, str],
) -> None:
    """The answer is built as dicts and written by orjson: byte for byte what the `Metrics`
    model, validated from it, writes (field order, floats, nulls)."""
    r = await client.get("/metrics", params=params, headers=viewer)
    assert r.status_code == 200
    assert r.json()["daily"] and r.json()["by_service"] and r.json()["by_severity"]
    assert r.content == Metrics.model_validate_json(r.content).model_dump_json().encode()
