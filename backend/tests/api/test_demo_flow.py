"""The demo an on-call engineer walks through, end to end over HTTP."""

import httpx

from app.domain.rca import RCA_FIELDS


async def test_the_whole_demo(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    services = (await client.get("/services", headers=admin)).json()
    checkout = next(s for s in services if s["name"] == "checkout-api")
    users = (await client.get("/users", headers=admin)).json()
    avery = next(u for u in users if u["username"] == "avery")
    assert all("password" not in str(u) for u in users)

    created = await client.post("/incidents", headers=admin, json={
        "title": "Checkout 502s", "description": "Spike of 502 at the edge",
        "severity": "SEV2", "service_id": checkout["id"], "assignee_id": avery["id"]})
    assert created.status_code == 201, created.text
    incident = created.json()
    iid = incident["id"]
    assert incident["status"] == "New" and incident["assignee_name"] == "Avery Patel"
    assert incident["allowed_transitions"] == ["Investigating"]
    assert incident["sla"]["state"] == "on_track"
    assert [e["type"] for e in incident["events"]] == ["created"]

    moved = await client.post(f"/incidents/{iid}/status", headers=admin,
                              json={"status": "Investigating", "note": "looking at the LB"})
    assert moved.status_code == 200
    assert moved.json()["acknowledged_at"] is not None
    assert moved.json()["version"] == 2

    runbooks = (await client.get(f"/services/{checkout['id']}/runbooks", headers=admin)).json()
    assert len(runbooks[0]["steps"]) >= 3
    for index in (0, 1):
        step = await client.post(f"/incidents/{iid}/apply-runbook-step", headers=admin,
                                 json={"runbook_id": runbooks[0]["id"], "step_index": index})
        assert step.status_code == 201
        assert step.json()["type"] == "runbook_step"
        assert runbooks[0]["steps"][index]["title"] in step.json()["body"]
    comment = await client.post(f"/incidents/{iid}/comments", headers=admin,
                                json={"body": "Rolled back deploy 4812"})
    assert comment.status_code == 201 and comment.json()["created_by_name"] == "Jordan Lee"

    for status in ("Mitigated", "Resolved"):
        r = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": status})
        assert r.status_code == 200, r.text
    assert "Closed" in r.json()["allowed_transitions"]

    blocked = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Closed"})
    assert blocked.status_code == 409
    for name in RCA_FIELDS:
        assert name in blocked.json()["detail"]

    rca = {"root_cause": "Bad config in deploy 4812", "contributing_factors": "No canary",
           "corrective_actions": "Rolled back", "prevention_actions": "Add canary stage"}
    saved = await client.put(f"/incidents/{iid}/rca", headers=admin, json=rca)
    assert saved.status_code == 200 and saved.json()["missing_fields"] == []
    closed = await client.post(f"/incidents/{iid}/status", headers=admin, json={"status": "Closed"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_at"] is not None and closed.json()["allowed_transitions"] == []

    report = await client.get(f"/incidents/{iid}/report.md", headers=admin)
    assert report.status_code == 200
    assert report.headers["content-type"] == "text/markdown; charset=utf-8"
    assert f"INC-{iid}" in report.headers["content-disposition"]
    text = report.text
    for needle in ("# INC-", "Checkout 502s", "SEV2", "checkout-api", "Avery Patel",
                   "Time to acknowledge", "Time to resolve", "## SLA", "## Timeline",
                   "## Runbook steps applied", runbooks[0]["steps"][1]["title"],
                   "Rolled back deploy 4812", "Bad config in deploy 4812", "Add canary stage",
                   "Moved from Resolved to Closed"):
        assert needle in text, needle

    metrics = (await client.get("/metrics", headers=admin)).json()
    assert metrics["incident_count"] == 2
    assert metrics["resolved_count"] == 1
    assert metrics["mtta_seconds"] is not None and metrics["mttr_seconds"] is not None
    assert metrics["breach_rate"] == 0.0

    events = (await client.get(f"/incidents/{iid}/events", headers=admin)).json()
    assert [e["type"] for e in events] == [
        "created", "status_change", "runbook_step", "runbook_step", "comment",
        "status_change", "status_change", "rca_updated", "status_change"]
    assert all(e["created_at"].endswith("Z") for e in events)
