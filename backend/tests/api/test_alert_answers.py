"""The intake's two answers, on SQLite and PostgreSQL: `?answer=summary` counts what the
detailed answer lists, and a delivery changes the database the same way whichever answer it
asks for (alerts, deduplication, incidents, timelines and their audit chain, idempotency)."""

from collections import Counter
from typing import Any

import httpx

from app.schemas.alert_intake import IntakeResult

Headers = dict[str, str]
DETAILED, SUMMARY = "search-api", "identity"  # same SLA policy: same deadlines


def alertmanager(service: str, fingerprints: list[str], status: str = "firing") -> dict[str, Any]:
    return {"version": "4", "status": status, "receiver": "incident-console", "groupKey": "{}:{disk}",
            "alerts": [{"status": status, "fingerprint": fp,
                        "labels": {"alertname": "DiskFull", "service": service, "severity": "warning"},
                        "annotations": {"summary": f"Disk full on {fp}"}} for fp in fingerprints]}


def generic(service: str) -> list[dict[str, Any]]:
    return [{"title": "Queue lag", "service": service, "dedup_key": "lag-1"},
            {"title": "Unknown", "service": service, "dedup_key": "never-sent", "status": "resolved"}]




def counts(**given: int) -> dict[str, int]:
    return {k: given.get(k, 0) for k in
            ("created", "attached", "repeated", "refired", "acknowledged", "resolved", "ignored")}


# (endpoint, the body for a service, the summary expected)
STEPS: list[tuple[str, Any, dict[str, Any]]] = [
    # three new alerts of one group, one of them twice: one incident
    ("/alerts/alertmanager", lambda s: alertmanager(s, ["a", "b", "b", "c"]),
     {"received": 4, "new_alerts": 3, "deduplicated": 1, "incidents_opened": 1, "incidents_attached": 0,
      "outcomes": counts(created=1, attached=3)}),
    # two repeats and a new alert of the open group
    ("/alerts/alertmanager", lambda s: alertmanager(s, ["b", "c", "d"]),
     {"received": 3, "new_alerts": 1, "deduplicated": 2, "incidents_opened": 0, "incidents_attached": 1,
      "outcomes": counts(repeated=2, attached=1)}),
    ("/alerts/alertmanager", lambda s: alertmanager(s, ["a"], "resolved"),
     {"received": 1, "new_alerts": 0, "deduplicated": 0, "incidents_opened": 0, "incidents_attached": 1,
      "outcomes": counts(resolved=1)}),
    ("/alerts/alertmanager", lambda s: alertmanager(s, ["a", "b"]),
     {"received": 2, "new_alerts": 0, "deduplicated": 2, "incidents_opened": 0, "incidents_attached": 1,
      "outcomes": counts(refired=1, repeated=1)}),
    # no group key: its own incident; resolving a key never sent is ignored
    ("/alerts", generic,
     {"received": 2, "new_alerts": 1, "deduplicated": 0, "incidents_opened": 1, "incidents_attached": 0,
      "outcomes": counts(created=1, ignored=1)}),
]


async def _stored(client: httpx.AsyncClient, headers: Headers, service: str) -> dict[str, Any]:
    """What the database holds for a service's alerts, without ids or the service's name."""
    items = (await client.get("/alerts", headers=headers, params={"limit": 500})).json()["items"]
    services = {s["name"]: s["id"] for s in (await client.get("/services", headers=headers)).json()}
    mine = [a for a in items if a["service_id"] == services[service]]
    incidents = sorted({a["incident_id"] for a in mine})
    timelines, verified = [], []
    for incident_id in incidents:
        events = (await client.get(f"/incidents/{incident_id}/events", headers=headers)).json()
        timelines.append([(e["type"], e["body"].replace(service, "<service>"), e["data"].get("count"))
                          for e in events])
        verified.append((await client.get(f"/incidents/{incident_id}/audit", headers=headers)).json()["verified"])
    return {
        "alerts": sorted((a["source"], a["fingerprint"], a["status"], a["count"], a["severity"], a["summary"],
                          incidents.index(a["incident_id"])) for a in mine),
        "timelines": timelines, "verified": verified,
    }


async def test_summary_counts_what_the_detailed_answer_lists_and_writes_the_same(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    for path, body, expected in STEPS:
        detailed = await client.post(path, headers=responder, json=body(DETAILED))
        assert detailed.status_code == 200, detailed.text
        assert detailed.content == IntakeResult.model_validate_json(detailed.content).model_dump_json().encode(), \
            "the detailed answer is IntakeResult, byte for byte"
        listed = detailed.json()
        summary = await client.post(path, headers=responder, json=body(SUMMARY), params={"answer": "summary"})
        assert summary.status_code == 200, summary.text
        assert summary.json() == expected, (path, summary.json())
        assert summary.json()["outcomes"] == counts(**Counter(a["outcome"] for a in listed["alerts"]))
        assert summary.json()["received"] == len(listed["alerts"])
        assert summary.json()["incidents_opened"] == len(listed["created_incident_ids"])
        assert summary.json()["incidents_attached"] == len(listed["attached_incident_ids"])
    written = await _stored(client, responder, DETAILED)
    assert written == await _stored(client, responder, SUMMARY)
    assert len(written["alerts"]) == 5 and len(written["timelines"]) == 2 and all(written["verified"])


async def test_a_retried_summary_delivery_is_applied_once(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    retry = {**responder, "Idempotency-Key": "am-batch-1"}
    body = alertmanager(SUMMARY, ["x", "y"])
    first = await client.post("/alerts/alertmanager?answer=summary", headers=retry, json=body)
    again = await client.post("/alerts/alertmanager?answer=summary", headers=retry, json=body)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["new_alerts"] == 2
    other_answer = await client.post("/alerts/alertmanager?answer=detailed", headers=retry, json=body)
    assert other_answer.status_code == 422, "the same key for another request"
    stored = await _stored(client, responder, SUMMARY)
    assert [a[3] for a in stored["alerts"]] == [1, 1], "counted once"
    fresh = await client.post("/alerts/alertmanager?answer=summary", headers=responder, json=body)
    assert fresh.json()["deduplicated"] == 2 and fresh.json()["outcomes"]["repeated"] == 2


async def test_an_unknown_answer_is_a_422_naming_it_and_writes_nothing(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    for path, body in (("/alerts/alertmanager", alertmanager(SUMMARY, ["z"])),
                       ("/alerts/grafana", alertmanager(SUMMARY, ["z"])),
                       ("/alerts", generic(SUMMARY))):
        refused = await client.post(path, headers=responder, json=body, params={"answer": "minimal"})
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["query", "answer"]
    assert (await _stored(client, responder, SUMMARY))["alerts"] == []
    grafana = await client.post("/alerts/grafana?answer=summary", headers=responder,
                                json=alertmanager(SUMMARY, ["z"]))
    assert grafana.status_code == 200 and grafana.json()["new_alerts"] == 1
