"""The seeded app answers on both databases."""

import httpx


async def test_seeded_incident_is_listed(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.get("/incidents", headers=admin)
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 1
    assert page["items"][0]["status"] == "New"
    assert page["items"][0]["created_at"].endswith("Z")
