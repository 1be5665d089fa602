"""Alert intake end to end with the real payloads, on SQLite and PostgreSQL: dedup, grouping,
resolve and acknowledge flows, concurrency, integration keys, the list and drills."""

import asyncio
from typing import Any

import httpx

from tests.alert_fixtures import payload

Headers = dict[str, str]


async def service_id(client: httpx.AsyncClient, headers: Headers, name: str) -> int:
    services = (await client.get("/services", headers=headers)).json()
    return next(s["id"] for s in services if s["name"] == name)


async def new_key(client: httpx.AsyncClient, admin: Headers, service: str) -> str:
    sid = await service_id(client, admin, service)
    response = await client.post(f"/services/{sid}/integration-keys", headers=admin, json={"name": "prom"})
    assert response.status_code == 201, response.text
    key: str = response.json()["key"]
    return key


def bearer(key: str) -> Headers:
    return {"Authorization": f"Bearer {key}"}


async def events(client: httpx.AsyncClient, headers: Headers, incident_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/incidents/{incident_id}/events", headers=headers)
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()
    return found


async def alerts_of(client: httpx.AsyncClient, headers: Headers, incident_id: int) -> list[dict[str, Any]]:
    response = await client.get(f"/incidents/{incident_id}/alerts", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_alertmanager_sample_opens_one_incident_and_a_retry_attaches(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    first = await client.post("/alerts/alertmanager", headers=responder, json=payload("alertmanager-v4-firing"))
    assert first.status_code == 200, first.text
    body = first.json()
    [incident_id] = body["created_incident_ids"]
    assert [a["outcome"] for a in body["alerts"]] == ["created", "attached"], "one group, one incident"
    assert {a["incident_id"] for a in body["alerts"]} == {incident_id}
    incident = (await client.get(f"/incidents/{incident_id}", headers=responder)).json()
    assert incident["severity"] == "SEV1" and incident["service_name"] == "checkout-api"
    assert incident["title"] == "Checkout p99 latency above 3s"
    timeline = await events(client, responder, incident_id)
    assert [e["type"] for e in timeline] == ["created", "alert"], "the second alert of the group attached"
    assert timeline[0]["data"]["alert"]["fingerprint"] == "a1f3c9e07b2d4415"

    again = (await client.post("/alerts/alertmanager", headers=responder,
                               json=payload("alertmanager-v4-firing"))).json()
    assert again["created_incident_ids"] == [] and again["attached_incident_ids"] == [incident_id]
    assert [a["outcome"] for a in again["alerts"]] == ["repeated", "repeated"]
    assert len(await events(client, responder, incident_id)) == 2, "a retry adds no timeline noise"
    stored = await alerts_of(client, responder, incident_id)
    assert sorted(a["count"] for a in stored) == [2, 2]
    assert all(a["last_seen_at"] > a["first_seen_at"] for a in stored)
    listed = (await client.get("/incidents", headers=responder)).json()
    assert listed["total"] == 2, "the seeded incident and this one, no second"


async def test_resolved_sample_marks_alerts_and_says_when_all_resolved(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    fired = (await client.post("/alerts/alertmanager", headers=responder,
                               json=payload("alertmanager-v4-firing"))).json()
    incident_id = fired["created_incident_ids"][0]
    resolved = await client.post("/alerts/alertmanager", headers=responder,
                                 json=payload("alertmanager-v4-resolved"))
    assert resolved.status_code == 200, resolved.text
    assert [a["outcome"] for a in resolved.json()["alerts"]] == ["resolved", "resolved"]
    stored = await alerts_of(client, responder, incident_id)
    assert {a["status"] for a in stored} == {"resolved"}
    assert all(a["resolved_at"] for a in stored)
    timeline = await events(client, responder, incident_id)
    assert [e["data"].get("kind") for e in timeline[2:]] == ["resolved", "all_resolved"]
    assert timeline[2]["body"] == "2 alerts resolved: Checkout p99 latency above 3s and 1 more"
    assert timeline[2]["data"]["count"] == 2
    assert timeline[-1]["body"] == "All 2 of its alerts have resolved"
    incident = (await client.get(f"/incidents/{incident_id}", headers=responder)).json()
    assert incident["status"] == "New", "resolving alerts does not move the incident"

    retry = (await client.post("/alerts/alertmanager", headers=responder,
                               json=payload("alertmanager-v4-resolved"))).json()
    assert [a["outcome"] for a in retry["alerts"]] == ["repeated", "repeated"]
    assert len(await events(client, responder, incident_id)) == len(timeline)

    refired = (await client.post("/alerts/alertmanager", headers=responder,
                                 json=payload("alertmanager-v4-firing"))).json()
    assert [a["outcome"] for a in refired["alerts"]] == ["refired", "refired"]
    assert refired["created_incident_ids"] == []
    assert {a["incident_id"] for a in refired["alerts"]} == {incident_id}
    later = await events(client, responder, incident_id)
    assert [e["body"].split(":")[0] for e in later[len(timeline):]] == ["2 alerts fired again"]
    assert {a["status"] for a in await alerts_of(client, responder, incident_id)} == {"firing"}


async def test_grafana_sample_with_an_integration_key(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    key = await new_key(client, admin, "payments-gateway")
    response = await client.post("/alerts/grafana", headers=bearer(key), json=payload("grafana-webhook-firing"))
    assert response.status_code == 200, response.text
    [incident_id] = response.json()["created_incident_ids"]
    incident = (await client.get(f"/incidents/{incident_id}", headers=responder)).json()
    assert incident["severity"] == "SEV3" and incident["service_name"] == "payments-gateway"
    [alert] = await alerts_of(client, responder, incident_id)
    assert alert["source"] == "grafana" and alert["fingerprint"] == "7e2b0c9aa1d4f851"
    assert alert["source_url"] == "http://grafana.example.internal/d/pay01?viewPanel=4"
    assert alert["labels"]["grafana_folder"] == "Payments"


async def test_pagerduty_trigger_acknowledge_resolve(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    key = await new_key(client, admin, "search-api")
    trigger = {**payload("pagerduty-events-v2-trigger"), "routing_key": key}
    response = await client.post("/alerts/events", json=trigger)
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "success", "message": "Event processed",
                               "dedup_key": "search-api/disk-full/db-3"}
    [alert] = (await client.get("/alerts", headers=responder,
                                params={"fingerprint": "search-api/disk-full/db-3"})).json()["items"]
    incident_id = alert["incident_id"]
    incident = (await client.get(f"/incidents/{incident_id}", headers=responder)).json()
    assert (incident["severity"], incident["service_name"], incident["status"]) == ("SEV1", "search-api", "New")

    acknowledge = {**payload("pagerduty-events-v2-resolve"), "routing_key": key, "event_action": "acknowledge"}
    assert (await client.post("/alerts/events", json=acknowledge)).status_code == 202
    incident = (await client.get(f"/incidents/{incident_id}", headers=responder)).json()
    assert incident["status"] == "Investigating" and incident["acknowledged_at"]
    assert (await client.post("/alerts/events", json=acknowledge)).status_code == 202
    moves = [e for e in await events(client, responder, incident_id) if e["type"] == "status_change"]
    assert len(moves) == 1 and "integration key 'prom'" in moves[0]["body"]

    resolve = {**payload("pagerduty-events-v2-resolve"), "routing_key": key}
    assert (await client.post("/alerts/events", json=resolve)).status_code == 202
    [alert] = await alerts_of(client, responder, incident_id)
    assert alert["status"] == "resolved"
    kinds = [e["data"].get("kind") for e in await events(client, responder, incident_id)]
    assert kinds[-2:] == ["resolved", "all_resolved"]


async def test_pagerduty_with_a_user_token_maps_the_service_from_the_payload_group(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    response = await client.post("/alerts/events", headers=responder, json=payload("pagerduty-events-v2-trigger"))
    assert response.status_code == 202, response.text
    [alert] = (await client.get("/alerts", headers=responder, params={"source": "pagerduty"})).json()["items"]
    assert alert["labels"]["group"] == "search-api"


async def test_generic_single_batch_and_unknown_service(client: httpx.AsyncClient, responder: Headers) -> None:
    single = await client.post("/alerts", headers=responder, json={
        "title": "Login failures above 5%", "severity": "critical", "service": "identity",
        "dedup_key": "idp-errors", "source_url": "http://grafana/d/idp"})
    assert single.status_code == 200, single.text
    assert single.json()["alerts"][0]["outcome"] == "created"

    batch = [{"title": f"Queue lag on shard {i % 250}", "severity": ["SEV2", "warning"][i % 2],
              "service": ["search-api", "checkout-api"][i % 2], "dedup_key": f"lag-{i % 250}"}
             for i in range(1000)]
    response = await client.post("/alerts", headers=responder, json=batch)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["alerts"]) == 1000 and len(body["created_incident_ids"]) == 250
    page = (await client.get("/alerts", headers=responder, params={"limit": 500})).json()
    assert len(page["items"]) == 251 and page["next_cursor"] is None
    assert {a["count"] for a in page["items"] if a["source"] == "generic"} == {1, 4}

    too_many = await client.post("/alerts", headers=responder, json=[batch[0]] * 1001)
    assert too_many.status_code == 422
    unknown = await client.post("/alerts", headers=responder, json={
        "title": "x", "severity": "SEV1", "service": "billing-api"})
    assert unknown.status_code == 422 and "billing-api" in unknown.json()["detail"]
    nameless = await client.post("/alerts/alertmanager", headers=responder, json={
        "status": "firing", "alerts": [{"status": "firing", "labels": {"alertname": "X"}}]})
    assert nameless.status_code == 422 and "names no service" in nameless.json()["detail"]


async def test_twenty_concurrent_identical_deliveries_make_one_alert_and_one_incident(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    key = await new_key(client, admin, "search-api")
    firing = payload("alertmanager-v4-firing")
    trigger = {**payload("pagerduty-events-v2-trigger"), "routing_key": key}
    responses = await asyncio.gather(
        *(client.post("/alerts/alertmanager", headers=responder, json=firing) for _ in range(20)),
        *(client.post("/alerts/events", json=trigger) for _ in range(20)),
    )
    assert [r.status_code for r in responses] == [200] * 20 + [202] * 20, [r.text for r in responses]
    items = (await client.get("/alerts", headers=responder)).json()["items"]
    assert sorted((a["source"], a["count"]) for a in items) == [
        ("alertmanager", 20), ("alertmanager", 20), ("pagerduty", 20)]
    assert len({a["incident_id"] for a in items}) == 2
    assert (await client.get("/incidents", headers=responder)).json()["total"] == 3
    created = sum(len(r.json()["created_incident_ids"]) for r in responses[:20])
    assert created == 1
    for incident_id in {a["incident_id"] for a in items}:
        timeline = await events(client, responder, incident_id)
        fired = sum(1 if e["type"] == "created" else e["data"]["count"] for e in timeline)
        assert fired == len([a for a in items if a["incident_id"] == incident_id]), timeline


async def test_a_new_alert_of_an_open_group_attaches_to_its_incident(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    first = (await client.post("/alerts/alertmanager", headers=responder,
                               json=payload("alertmanager-v4-firing"))).json()
    later = payload("alertmanager-v4-firing")
    later["alerts"] = [{**later["alerts"][0], "fingerprint": "ffff000011112222",
                        "labels": {**later["alerts"][0]["labels"], "instance": "checkout-7d9f:8082"}}]
    attached = (await client.post("/alerts/alertmanager", headers=responder, json=later)).json()
    assert attached["created_incident_ids"] == []
    assert attached["alerts"][0]["outcome"] == "attached"
    assert attached["alerts"][0]["incident_id"] == first["created_incident_ids"][0]


async def test_integration_keys_missing_wrong_revoked_and_roles(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, viewer: Headers
) -> None:
    firing = payload("alertmanager-v4-firing")
    assert (await client.post("/alerts/alertmanager", json=firing)).status_code == 401
    assert (await client.post("/alerts/alertmanager", headers=bearer("0" * 32), json=firing)).status_code == 401
    assert (await client.post("/alerts/events", json=payload("pagerduty-events-v2-trigger"))).status_code == 401
    assert (await client.post("/alerts/alertmanager", headers=viewer, json=firing)).status_code == 403
    sid = await service_id(client, admin, "checkout-api")
    assert (await client.post(f"/services/{sid}/integration-keys", headers=responder)).status_code == 403
    created = (await client.post(f"/services/{sid}/integration-keys", headers=admin)).json()
    key = created["key"]
    assert len(key) == 32 and created["name"] == "default"
    assert (await client.post("/alerts/alertmanager", headers=bearer(key), json=firing)).status_code == 200
    listed = (await client.get(f"/services/{sid}/integration-keys", headers=admin)).json()
    assert listed == [{"id": created["id"], "service_id": sid, "name": "default", "key_last4": key[-4:],
                       "created_at": created["created_at"], "revoked_at": None}]
    revoke = await client.delete(f"/services/{sid}/integration-keys/{created['id']}", headers=admin)
    assert revoke.status_code == 204
    assert (await client.post("/alerts/alertmanager", headers=bearer(key), json=firing)).status_code == 401
    assert (await client.delete(f"/services/{sid}/integration-keys/999", headers=admin)).status_code == 404


async def test_alert_list_filters_and_pages(client: httpx.AsyncClient, responder: Headers) -> None:
    await client.post("/alerts/alertmanager", headers=responder, json=payload("alertmanager-v4-firing"))
    await client.post("/alerts/events", headers=responder, json=payload("pagerduty-events-v2-trigger"))
    await client.post("/alerts/events", headers=responder, json=payload("pagerduty-events-v2-resolve"))
    firing = (await client.get("/alerts", headers=responder, params={"status": "firing"})).json()
    assert {a["source"] for a in firing["items"]} == {"alertmanager"}
    first = (await client.get("/alerts", headers=responder, params={"limit": 2})).json()
    rest = (await client.get("/alerts", headers=responder, params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in rest["items"]}
    assert (await client.get("/alerts", headers=responder, params={"status": "bogus"})).status_code == 422
    assert (await client.get("/incidents/9999/alerts", headers=responder)).status_code == 404


async def test_drill_goes_through_the_real_intake(client: httpx.AsyncClient, responder: Headers) -> None:
    body = (await client.post("/alerts/generate", headers=responder, json={"count": 30, "seed": 11})).json()
    items = (await client.get("/alerts", headers=responder, params={"limit": 100})).json()["items"]
    assert {a["source"] for a in items} == {"alertmanager", "grafana", "pagerduty"}
    assert sum(a["count"] for a in items) == 30
    assert {a["fingerprint"] for a in items} == {a["fingerprint"] for a in body["alerts"]}
    incident_id = body["created_incident_ids"][0]
    created = (await events(client, responder, incident_id))[0]
    assert created["data"]["source"] == "drill" and created["created_by_name"] == "Avery Patel"


async def test_a_closed_incident_stays_closed_and_a_new_fire_opens_another(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    fired = (await client.post("/alerts/alertmanager", headers=responder,
                               json=payload("alertmanager-v4-firing"))).json()
    incident_id = fired["created_incident_ids"][0]
    rca = {"root_cause": "Slow query", "contributing_factors": "No index",
           "corrective_actions": "Added index", "prevention_actions": "Query review"}
    assert (await client.put(f"/incidents/{incident_id}/rca", headers=responder, json=rca)).status_code == 200
    for status in ("Investigating", "Mitigated", "Resolved", "Closed"):
        moved = await client.post(f"/incidents/{incident_id}/status", headers=responder, json={"status": status})
        assert moved.status_code == 200, moved.text
    closed_timeline = await events(client, responder, incident_id)

    resolved = (await client.post("/alerts/alertmanager", headers=responder,
                                  json=payload("alertmanager-v4-resolved"))).json()
    assert [a["outcome"] for a in resolved["alerts"]] == ["resolved", "resolved"]
    assert await events(client, responder, incident_id) == closed_timeline, "a Closed timeline is final"

    again = (await client.post("/alerts/alertmanager", headers=responder,
                               json=payload("alertmanager-v4-firing"))).json()
    [reopened] = again["created_incident_ids"]
    assert reopened != incident_id
    assert {a["incident_id"] for a in again["alerts"]} == {reopened}


async def test_an_alert_storm_in_one_group_is_one_incident_and_one_event_per_delivery(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    storm = payload("alertmanager-v4-firing")
    template = storm["alerts"][0]
    storm["alerts"] = [{**template, "fingerprint": f"storm-{i:04d}",
                        "labels": {**template["labels"], "instance": f"checkout-{i}:8080"}} for i in range(300)]
    first = (await client.post("/alerts/alertmanager", headers=responder, json=storm)).json()
    [incident_id] = first["created_incident_ids"]
    storm["alerts"] = storm["alerts"][150:] + [
        {**template, "fingerprint": f"storm-{i:04d}"} for i in range(300, 450)]
    second = (await client.post("/alerts/alertmanager", headers=responder, json=storm)).json()
    assert second["created_incident_ids"] == [] and second["attached_incident_ids"] == [incident_id]
    assert sorted({a["outcome"] for a in second["alerts"]}) == ["attached", "repeated"]
    timeline = await events(client, responder, incident_id)
    assert [(e["type"], e["data"].get("count")) for e in timeline] == [
        ("created", None), ("alert", 299), ("alert", 150)]
    assert timeline[2]["body"].startswith("150 alerts fired: ")
    page = (await client.get("/alerts", headers=responder, params={"incident_id": incident_id, "limit": 500})).json()
    assert len(page["items"]) == 450
