"""People administration: an admin adds people, renames them, changes their role, deactivates
and reactivates them and resets their password; each change that takes rights away ends the
person's tokens and live streams at once; the last active admin stays, even under two
concurrent requests; bad input is a 4xx naming the field."""

import asyncio
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.domain.passwords import common_passwords
from app.errors import LastAdmin
from app.schemas.users import UserCreate, UserUpdate
from tests.api.test_stream import open_stream, token_of
from tests.conftest import Login

Headers = dict[str, str]
GOOD_PASSWORD = "plum tree at dawn"


async def _add(client: httpx.AsyncClient, admin: Headers, **fields: Any) -> httpx.Response:
    body = {"username": "sam", "name": "Sam Okafor", "role": "responder",
            "password": GOOD_PASSWORD, **fields}
    return await client.post("/users", headers=admin, json=body)


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", json={"username": username, "password": password})


async def _bearer(client: httpx.AsyncClient, username: str, password: str) -> Headers:
    response = await _sign_in(client, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _id_of(client: httpx.AsyncClient, headers: Headers, username: str) -> int:
    users = (await client.get("/users", headers=headers)).json()
    found: int = next(u["id"] for u in users if u["username"] == username)
    return found


async def test_an_admin_adds_a_person_who_then_signs_in(
    client: httpx.AsyncClient, admin: Headers, viewer: Headers
) -> None:
    created = await _add(client, admin)
    assert created.status_code == 201, created.text
    sam = created.json()
    assert {k: sam[k] for k in ("username", "name", "role", "is_active")} == {
        "username": "sam", "name": "Sam Okafor", "role": "responder", "is_active": True}
    assert "password" not in json.dumps(sam) and "hash" not in json.dumps(sam)
    listed = (await client.get("/users", headers=viewer)).json()
    assert {"id": sam["id"], "name": "Sam Okafor", "username": "sam", "role": "responder",
            "is_active": True} in listed
    assert all("is_active" in u for u in listed)
    sams = await _bearer(client, "sam", GOOD_PASSWORD)
    me = (await client.get("/auth/me", headers=sams)).json()
    assert me["username"] == "sam" and me["role"] == "responder"


async def test_only_an_admin_manages_people(
    client: httpx.AsyncClient, responder: Headers, viewer: Headers
) -> None:
    for headers in (responder, viewer):
        assert (await _add(client, headers)).status_code == 403
        assert (await client.patch("/users/3", headers=headers, json={"name": "X"})).status_code == 403
        assert (await client.post("/users/3/password", headers=headers,
                                  json={"password": GOOD_PASSWORD})).status_code == 403


async def test_bad_input_is_a_4xx_naming_the_field(client: httpx.AsyncClient, admin: Headers) -> None:
    assert (await _add(client, admin)).status_code == 201
    for username in ("sam", "SAM", " sam "):
        taken = await _add(client, admin, username=username)
        assert taken.status_code == 409, (username, taken.text)
        assert taken.json()["code"] == "duplicate_name" and taken.json()["field"] == "username"

    async def refused(field: str, **body: Any) -> None:
        response = await _add(client, admin, **{"username": "newcomer", **body})
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == "validation_failed"
        assert [e["loc"][-1] for e in response.json()["detail"]] == [field], response.text

    await refused("password", password="short")
    await refused("password", password="password1")  # among the 10,000 most common
    await refused("password", password="Qwertyuiop")  # common whatever its case
    await refused("role", role="superuser")
    await refused("name", name="   ")
    await refused("username", username="")
    await refused("username", username="has space")
    assert len(common_passwords()) == 10_000 and "password1" in common_passwords()
    nobody = await client.patch("/users/9999", headers=admin, json={"name": "Nobody"})
    assert nobody.status_code == 404 and nobody.json()["code"] == "not_found"
    empty = await client.patch("/users/1", headers=admin, json={"name": ""})
    assert empty.status_code == 422
    unknown_field = await client.patch("/users/1", headers=admin, json={"token_version": 9})
    assert unknown_field.status_code == 422
    weak_reset = await client.post("/users/2/password", headers=admin, json={"password": "letmein1"})
    assert weak_reset.status_code == 422 and weak_reset.json()["detail"][0]["loc"][-1] == "password"


async def test_the_same_username_added_twice_at_once_is_one_person_and_one_409(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    answers = await asyncio.gather(*(_add(client, admin, username="twin") for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409], [a.text for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"duplicate_name"}


async def test_renaming_keeps_the_person_signed_in(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    avery = await _id_of(client, admin, "avery")
    renamed = await client.patch(f"/users/{avery}", headers=admin, json={"name": "Avery P."})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Avery P."
    assert (await client.get("/auth/me", headers=responder)).json()["name"] == "Avery P."


async def test_a_role_change_signs_the_person_out_at_once(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    assert (await client.get("/auth/me", headers=responder)).status_code == 200
    avery = await _id_of(client, admin, "avery")
    changed = await client.patch(f"/users/{avery}", headers=admin, json={"role": "viewer"})
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    assert (await client.get("/auth/me", headers=responder)).status_code == 401
    again = await _bearer(client, "avery", "demo123")
    assert (await client.get("/auth/me", headers=again)).json()["role"] == "viewer"
    refused = await client.post("/incidents", headers=again, json={
        "title": "No longer mine to open", "severity": "SEV3", "service_id": 1})
    assert refused.status_code == 403


async def test_deactivation_signs_out_and_keeps_out_until_reactivated(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    avery = await _id_of(client, admin, "avery")
    off = await client.patch(f"/users/{avery}", headers=admin, json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await client.get("/auth/me", headers=responder)).status_code == 401
    assert (await _sign_in(client, "avery", "demo123")).status_code == 401
    on = await client.patch(f"/users/{avery}", headers=admin, json={"is_active": True})
    assert on.status_code == 200 and on.json()["is_active"] is True
    assert (await client.get("/auth/me", headers=responder)).status_code == 401, \
        "a token from before the deactivation stays dead"
    assert (await _sign_in(client, "avery", "demo123")).status_code == 200


async def test_an_admin_resets_a_password(
    client: httpx.AsyncClient, admin: Headers, responder: Headers
) -> None:
    avery = await _id_of(client, admin, "avery")
    reset = await client.post(f"/users/{avery}/password", headers=admin,
                              json={"password": GOOD_PASSWORD})
    assert reset.status_code == 204
    assert (await client.get("/auth/me", headers=responder)).status_code == 401
    assert (await _sign_in(client, "avery", "demo123")).status_code == 401
    assert (await _sign_in(client, "avery", GOOD_PASSWORD)).status_code == 200
    missing = await client.post("/users/9999/password", headers=admin, json={"password": GOOD_PASSWORD})
    assert missing.status_code == 404


async def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    jordan = await _id_of(client, admin, "jordan")
    for change, field in (({"role": "responder"}, "role"), ({"is_active": False}, "is_active")):
        refused = await client.patch(f"/users/{jordan}", headers=admin, json=change)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "last_admin" and refused.json()["field"] == field
    assert (await client.get("/auth/me", headers=admin)).status_code == 200, "nothing changed"
    # An inactive admin does not count: deactivated, Sam cannot take over the last seat.
    sam = (await _add(client, admin, role="admin")).json()
    assert (await client.patch(f"/users/{sam['id']}", headers=admin,
                               json={"is_active": False})).status_code == 200
    assert (await client.patch(f"/users/{jordan}", headers=admin,
                               json={"role": "viewer"})).status_code == 409
    # With another active admin, the change goes through.
    assert (await client.patch(f"/users/{sam['id']}", headers=admin,
                               json={"is_active": True})).status_code == 200
    demoted = await client.patch(f"/users/{jordan}", headers=admin, json={"role": "responder"})
    assert demoted.status_code == 200


@pytest.mark.parametrize("change", [{"role": "viewer"}, {"is_active": False}])
async def test_two_concurrent_demotions_of_the_last_two_admins_leave_one(
    app: FastAPI, change: dict[str, Any]
) -> None:
    """Straight at the service, so that both requests are sure to be in flight together."""
    accounts = app.state.accounts
    survivor = next(u.id for u in await accounts.list_users() if u.username == "jordan")
    for round_ in range(4):
        other = await accounts.create_user(UserCreate(
            username=f"admin{round_}", name=f"Admin {round_}", role="admin", password=GOOD_PASSWORD))
        pair = [survivor, other.id] if round_ % 2 else [other.id, survivor]
        results = await asyncio.gather(
            *(accounts.update_user(ident, UserUpdate(**change)) for ident in pair),
            return_exceptions=True)
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], LastAdmin), results
        left = [u for u in await accounts.list_users() if u.role == "admin" and u.is_active]
        assert len(left) == 1, left
        survivor = left[0].id


@pytest.mark.parametrize("change", [{"role": "responder"}, {"is_active": False}, "password"])
@pytest.mark.parametrize("opened_with", ["ticket", "access_token"])
async def test_a_change_through_the_api_ends_the_persons_open_stream(
    app: FastAPI, client: httpx.AsyncClient, admin: Headers, login: Login,
    change: dict[str, Any] | str, opened_with: str,
) -> None:
    viewer = await login("morgan")
    morgan = await _id_of(client, admin, "morgan")
    if opened_with == "ticket":
        query = f"ticket={(await client.post('/stream/ticket', headers=viewer)).json()['ticket']}"
    else:
        query = f"access_token={token_of(viewer)}"
    async with open_stream(app, query) as stream:
        assert await stream.next_message() == (None, ": connected")
        if change == "password":
            done = await client.post(f"/users/{morgan}/password", headers=admin,
                                     json={"password": GOOD_PASSWORD})
            assert done.status_code == 204
        else:
            done = await client.patch(f"/users/{morgan}", headers=admin, json=change)
            assert done.status_code == 200
        after = await client.post("/incidents", headers=admin, json={
            "title": "After the change", "severity": "SEV3", "service_id": 1})
        assert after.status_code == 201
        # Ends at once (the change through the API re-checks this replica's streams), well
        # before the 10 s periodic re-check.
        rest = await stream.rest(within=5)
    sent = [json.loads(data)["incident_id"] for event, data in rest if event is not None]
    assert after.json()["id"] not in sent, rest
