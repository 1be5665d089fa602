"""How GET /incidents counts: exact up to the cap, estimated above it (PostgreSQL), counted once
per listing (the total rides in the cursor), and not at all when the first page holds it all."""

import httpx
import pytest

from app.services.incidents import listing as incident_list


async def open_incidents(client: httpx.AsyncClient, headers: dict[str, str], n: int) -> None:
    for i in range(n):
        r = await client.post("/incidents", headers=headers, json={
            "title": f"Queue backlog {i}", "severity": "SEV4", "service_id": 1})
        assert r.status_code == 201, r.text


async def test_exact_below_the_cap_and_carried_by_the_cursor(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await open_incidents(client, admin, 4)  # five with the seeded one
    first = (await client.get("/incidents", params={"limit": 2}, headers=admin)).json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["total_exact"] is True
    await open_incidents(client, admin, 1)
    second = (await client.get("/incidents", params={"limit": 2, "cursor": first["next_cursor"]},
                               headers=admin)).json()
    assert second["total"] == 5, "later pages repeat the first page's count"
    fresh = (await client.get("/incidents", params={"limit": 2}, headers=admin)).json()
    assert fresh["total"] == 6


async def test_a_page_that_holds_every_match_is_its_own_total(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await open_incidents(client, admin, 2)
    page = (await client.get("/incidents", params={"q": "backlog"}, headers=admin)).json()
    assert page["total"] == len(page["items"]) == 2 and page["next_cursor"] is None


async def test_above_the_cap(client: httpx.AsyncClient, admin: dict[str, str],
                             monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setattr(incident_list, "TOTAL_CAP", 3)
    await open_incidents(client, admin, 5)  # six with the seeded one
    page = (await client.get("/incidents", params={"limit": 2}, headers=admin)).json()
    if database_url.startswith("sqlite"):
        assert page["total"] == 6, "SQLite counts exactly"
        assert page["total_exact"] is True
    else:
        assert page["total"] >= 4, "PostgreSQL estimates, never below the cap"
        assert page["total_exact"] is False
        later = (await client.get("/incidents", params={"limit": 2, "cursor": page["next_cursor"]},
                                  headers=admin)).json()
        assert later["total"] == page["total"] and later["total_exact"] is False
    narrow = (await client.get("/incidents", params={"limit": 1, "q": "backlog 1"},
                               headers=admin)).json()
    assert narrow["total"] == 1 and narrow["total_exact"] is True


async def test_far_above_the_cap_the_estimate_is_taken_without_counting(
    client: httpx.AsyncClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite counts exactly")
    monkeypatch.setattr(incident_list, "TOTAL_CAP", 1)
    monkeypatch.setattr(incident_list, "ESTIMATE_TRUSTED", 2)
    counted: list[object] = []
    real = incident_list.capped_count_statement
    monkeypatch.setattr(incident_list, "capped_count_statement",
                        lambda *a: counted.append(a) or real(*a))
    await open_incidents(client, admin, 3)
    page = (await client.get("/incidents", params={"limit": 1}, headers=admin)).json()
    assert page["total"] >= 2 and counted == []
