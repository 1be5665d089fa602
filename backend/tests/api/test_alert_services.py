"""Alert identity is per service (issue 11, item 1): an integration key writes, re-fires,
acknowledges and resolves only its own service's alerts, and the same fingerprint from two
services is two alerts and two incidents. One test per write path, on SQLite and PostgreSQL:
service B's key is sent at service A's alert, and A's alert and incident must not move."""

from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.startup import alembic_config
from tests.alert_fixtures import payload
from tests.api.test_alerts import alerts_of, bearer, events, new_key

Headers = dict[str, str]
A, B = "checkout-api", "search-api"
DEDUP = "disk-full"


@pytest.fixture
async def keys(client: httpx.AsyncClient, admin: Headers) -> tuple[str, str]:
    return await new_key(client, admin, A), await new_key(client, admin, B)


def generic(status: str = "firing", **extra: Any) -> dict[str, Any]:
    # `service` is required by the schema; a key's own service wins over it.
    return {"title": "Disk 95% full", "severity": "SEV2", "service": A, "dedup_key": DEDUP,
            "status": status, **extra}


def pagerduty(key: str, action: str, **payload_fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"routing_key": key, "event_action": action, "dedup_key": DEDUP}
    if action == "trigger":
        event["payload"] = {"summary": "Disk 95% full", "source": "db-3", "severity": "warning",
                            **payload_fields}
    return event


async def snapshot(client: httpx.AsyncClient, headers: Headers, incident_id: int) -> tuple[Any, ...]:
    """Everything another service's key must not change: the incident and its alerts and timeline."""
    incident = (await client.get(f"/incidents/{incident_id}", headers=headers)).json()
    return (incident, await alerts_of(client, headers, incident_id), await events(client, headers, incident_id))


async def fire_as_a(client: httpx.AsyncClient, key_a: str) -> int:
    fired = await client.post("/alerts", headers=bearer(key_a), json=generic())
    assert fired.status_code == 200, fired.text
    [incident_id] = fired.json()["created_incident_ids"]
    return int(incident_id)


async def test_the_same_fingerprint_from_two_services_is_two_alerts_and_two_incidents(
    client: httpx.AsyncClient, responder: Headers, keys: tuple[str, str]
) -> None:
    key_a, key_b = keys
    incident_a = await fire_as_a(client, key_a)
    before = await snapshot(client, responder, incident_a)

    fired_b = await client.post("/alerts", headers=bearer(key_b),
                                json=generic(title="Other summary", severity="SEV1"))
    assert fired_b.status_code == 200, fired_b.text
    [incident_b] = fired_b.json()["created_incident_ids"]
    assert incident_b != incident_a and fired_b.json()["alerts"][0]["outcome"] == "created"
    assert await snapshot(client, responder, incident_a) == before, "B's key overwrote A's alert"
    incident = (await client.get(f"/incidents/{incident_b}", headers=responder)).json()
    assert (incident["service_name"], incident["severity"]) == (B, "SEV1")
    listed = (await client.get("/alerts", headers=responder, params={"fingerprint": DEDUP})).json()["items"]
    assert sorted(a["incident_id"] for a in listed) == sorted([incident_a, incident_b])


async def test_a_pagerduty_trigger_with_another_service_key_does_not_overwrite(
    client: httpx.AsyncClient, responder: Headers, keys: tuple[str, str]
) -> None:
    key_a, key_b = keys
    first = await client.post("/alerts/events", json=pagerduty(key_a, "trigger"))
    assert first.status_code == 202, first.text
    [alert] = (await client.get("/alerts", headers=responder, params={"fingerprint": DEDUP})).json()["items"]
    before = await snapshot(client, responder, alert["incident_id"])

    other = await client.post("/alerts/events", json=pagerduty(key_b, "trigger", summary="B's summary",
                                                               severity="critical"))
    assert other.status_code == 202, other.text
    assert await snapshot(client, responder, alert["incident_id"]) == before
    listed = (await client.get("/alerts", headers=responder, params={"fingerprint": DEDUP})).json()["items"]
    assert len(listed) == 2 and len({a["incident_id"] for a in listed}) == 2


async def test_another_service_key_cannot_refire_a_resolved_alert(
    client: httpx.AsyncClient, responder: Headers, keys: tuple[str, str]
) -> None:
    key_a, key_b = keys
    incident_a = await fire_as_a(client, key_a)
    resolved = await client.post("/alerts", headers=bearer(key_a), json=generic("resolved"))
    assert resolved.json()["alerts"][0]["outcome"] == "resolved"
    before = await snapshot(client, responder, incident_a)

    fired_b = (await client.post("/alerts", headers=bearer(key_b), json=generic())).json()
    assert fired_b["alerts"][0]["outcome"] == "created"
    assert await snapshot(client, responder, incident_a) == before, "B's key re-fired A's alert"
    refired = (await client.post("/alerts", headers=bearer(key_a), json=generic())).json()
    assert refired["alerts"][0]["outcome"] == "refired" and refired["alerts"][0]["incident_id"] == incident_a


@pytest.mark.parametrize("shape", ["generic", "alertmanager"])
async def test_another_service_key_cannot_resolve(
    client: httpx.AsyncClient, responder: Headers, keys: tuple[str, str], shape: str
) -> None:
    key_a, key_b = keys
    if shape == "generic":
        path, firing, resolving = "/alerts", generic(), generic("resolved")
    else:
        path, firing, resolving = ("/alerts/alertmanager", payload("alertmanager-v4-firing"),
                                   payload("alertmanager-v4-resolved"))
    fired = await client.post(path, headers=bearer(key_a), json=firing)
    [incident_a] = fired.json()["created_incident_ids"]
    before = await snapshot(client, responder, incident_a)

    other = await client.post(path, headers=bearer(key_b), json=resolving)
    assert other.status_code == 200, other.text
    assert {a["outcome"] for a in other.json()["alerts"]} == {"ignored"}
    assert await snapshot(client, responder, incident_a) == before, "B's key resolved A's alerts"

    own = (await client.post(path, headers=bearer(key_a), json=resolving)).json()
    assert {a["outcome"] for a in own["alerts"]} == {"resolved"}


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
async def test_another_service_key_cannot_acknowledge_or_resolve_through_pagerduty(
    client: httpx.AsyncClient, responder: Headers, keys: tuple[str, str], action: str
) -> None:
    key_a, key_b = keys
    assert (await client.post("/alerts/events", json=pagerduty(key_a, "trigger"))).status_code == 202
    [alert] = (await client.get("/alerts", headers=responder, params={"fingerprint": DEDUP})).json()["items"]
    incident_a = alert["incident_id"]
    before = await snapshot(client, responder, incident_a)

    answer = await client.post("/alerts/events", json=pagerduty(key_b, action))
    assert answer.status_code == 202, answer.text
    assert await snapshot(client, responder, incident_a) == before, f"B's key could {action} A's alert"

    assert (await client.post("/alerts/events", json=pagerduty(key_a, action))).status_code == 202
    incident, [alert], _ = await snapshot(client, responder, incident_a)
    if action == "acknowledge":
        assert incident["status"] == "Investigating" and incident["acknowledged_at"]
        assert alert["status"] == "acknowledged"
    else:
        assert incident["status"] == "New" and alert["status"] == "resolved"


async def test_a_person_acts_per_the_service_each_alert_names(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    both = [generic(service=A), generic(service=B)]
    fired = (await client.post("/alerts", headers=responder, json=both)).json()
    assert [a["outcome"] for a in fired["alerts"]] == ["created", "created"]
    incident_a, incident_b = (a["incident_id"] for a in fired["alerts"])
    assert incident_a != incident_b

    resolved = (await client.post("/alerts", headers=responder, json=generic("resolved", service=B))).json()
    assert resolved["alerts"][0]["incident_id"] == incident_b
    assert [a["status"] for a in await alerts_of(client, responder, incident_a)] == ["firing"]
    assert [a["status"] for a in await alerts_of(client, responder, incident_b)] == ["resolved"]

    trigger = {"event_action": "trigger", "dedup_key": "pd-both", "payload": {
        "summary": "Disk", "source": "db-3", "severity": "error", "group": A}}
    for group in (A, B):
        trigger["payload"]["group"] = group
        assert (await client.post("/alerts/events", headers=responder, json=trigger)).status_code == 202
    # A person's acknowledge that names no service acts in every service (people may act on
    # every service's incidents); naming one keeps it to that service.
    named = {"event_action": "resolve", "dedup_key": "pd-both", "payload": {
        "summary": "Disk", "source": "db-3", "severity": "error", "group": B}}
    assert (await client.post("/alerts/events", headers=responder, json=named)).status_code == 202
    listed = (await client.get("/alerts", headers=responder, params={"fingerprint": "pd-both"})).json()["items"]
    assert sorted(a["status"] for a in listed) == ["firing", "resolved"]
    unnamed = {"event_action": "acknowledge", "dedup_key": "pd-both"}
    assert (await client.post("/alerts/events", headers=responder, json=unnamed)).status_code == 202
    listed = (await client.get("/alerts", headers=responder, params={"fingerprint": "pd-both"})).json()["items"]
    assert sorted(a["status"] for a in listed) == ["acknowledged", "resolved"]


def _down_and_up(connection: Connection) -> tuple[list[Any], list[Any]]:
    command.downgrade(alembic_config(connection), "0011")
    down = list(connection.execute(text(
        "SELECT service_id, fingerprint FROM alerts WHERE source = 'generic' ORDER BY id")))
    command.upgrade(alembic_config(connection), "head")
    return down, list(connection.execute(text("SELECT count(*) FROM alerts")))


async def test_migration_0012_goes_down_without_losing_alerts_two_services_share(
    client: httpx.AsyncClient, responder: Headers, database_url: str
) -> None:
    fired = await client.post("/alerts", headers=responder, json=[generic(service=A), generic(service=B)])
    assert len(fired.json()["created_incident_ids"]) == 2
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            down, [(count,)] = await conn.run_sync(_down_and_up)
    finally:
        await engine.dispose()
    [(_, first), (second_service, second)] = down
    assert first == DEDUP and second == f"{DEDUP}@service-{second_service}"
    assert count == 2
