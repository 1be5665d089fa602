"""API tokens for automation: shown once and kept as a keyed hash, acting with at most their
user's role on every route, named on the timeline events they write, their own Idempotency-Key
principal, revoked at once (on every replica), revoked with a deactivated user and capped
with a demoted one; `last_used_at` written at most once a minute."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text, update

from app.main import create_app
from app.models import ApiToken
from app.services.users.tokens import PREFIX
from tests.alert_fixtures import payload
from tests.api.test_stream import open_stream
from tests.conftest import Login, test_settings
from tests.security.conftest import status_within

Headers = dict[str, str]


async def _token(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    created = await client.post("/auth/tokens", headers=headers, json={"name": "deploy-bot", **body})
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


def _bearer(token: dict[str, Any]) -> Headers:
    return {"Authorization": f"Bearer {token['token']}"}


async def _sql(app: FastAPI, statement: str, **params: Any) -> Any:
    async with app.state.db.engine.begin() as conn:
        result = await conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def _set(app: FastAPI, token_id: int, **values: Any) -> None:
    """Change a token's row behind the API's back, as an operator would."""
    async with app.state.db.transaction() as session:
        await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(**values))


async def _user_id(client: httpx.AsyncClient, admin: Headers, username: str) -> int:
    found: int = next(u["id"] for u in (await client.get("/users", headers=admin)).json()
                      if u["username"] == username)
    return found


async def test_a_token_is_shown_once_stored_hashed_and_acts_for_its_user(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    token = await _token(client, responder, expires_in_days=30)
    assert set(token) == {"id", "name", "role", "token", "created_at", "expires_at"}
    assert token["token"].startswith(PREFIX) and len(token["token"]) >= 40
    assert token["role"] == "responder", "the caller's role by default"
    [row] = await _sql(app, "SELECT token_hash, prefix FROM api_tokens WHERE id = :i", i=token["id"])
    assert token["token"] not in row.token_hash and len(row.token_hash) == 64
    assert token["token"].startswith(row.prefix)
    me = await client.get("/auth/me", headers=_bearer(token))
    assert me.status_code == 200 and me.json()["username"] == "avery"
    created = await client.post("/incidents", headers=_bearer(token), json={
        "title": "Deploy failed", "severity": "SEV3", "service_id": 1})
    assert created.status_code == 201, created.text
    listed = (await client.get("/auth/tokens", headers=responder)).json()
    assert [t["name"] for t in listed] == ["deploy-bot"]
    assert "token" not in listed[0] and listed[0]["user_name"] == "Avery Patel"
    assert listed[0]["last_used_at"] is not None and listed[0]["expires_at"] is not None


async def test_bad_input_is_a_4xx_naming_the_field(
    client: httpx.AsyncClient, responder: Headers, viewer: Headers
) -> None:
    for body, field in (({"name": ""}, "name"), ({"name": "   "}, "name"),
                        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
                        ({"name": "x", "expires_in_days": 3651}, "expires_in_days"),
                        ({"name": "x", "expires_in_days": "7"}, "expires_in_days"),
                        ({"name": "x", "role": "owner"}, "role")):
        refused = await client.post("/auth/tokens", headers=responder, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["detail"][0]["loc"][-1] == field, refused.text
    higher = await client.post("/auth/tokens", headers=viewer, json={"name": "x", "role": "responder"})
    assert higher.status_code == 422
    assert higher.json()["code"] == "invalid_request" and higher.json()["field"] == "role"
    for days in (1, 3650):
        assert (await client.post("/auth/tokens", headers=responder,
                                  json={"name": "x", "expires_in_days": days})).status_code == 201


async def test_a_token_has_at_most_its_role_and_cannot_climb(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    viewer_token = _bearer(await _token(client, admin, role="viewer"))
    assert (await client.get("/auth/me", headers=viewer_token)).json()["role"] == "viewer"
    assert (await client.get("/incidents", headers=viewer_token)).status_code == 200
    assert (await client.post("/incidents", headers=viewer_token, json={
        "title": "x", "severity": "SEV3", "service_id": 1})).status_code == 403
    assert (await client.post("/users", headers=viewer_token, json={
        "username": "sam", "name": "Sam", "role": "admin",
        "password": "plum tree at dawn"})).status_code == 403
    climb = await client.post("/auth/tokens", headers=viewer_token, json={"name": "y", "role": "admin"})
    assert climb.status_code == 422 and climb.json()["field"] == "role"
    same = await client.post("/auth/tokens", headers=viewer_token, json={"name": "y"})
    assert same.status_code == 201 and same.json()["role"] == "viewer"
    admin_token = _bearer(await _token(client, admin, role="admin"))
    added = await client.post("/users", headers=admin_token, json={
        "username": "sam", "name": "Sam", "role": "viewer", "password": "plum tree at dawn"})
    assert added.status_code == 201, "an admin token manages people"


async def test_tokens_work_for_alert_intake_and_the_stream(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    token = await _token(client, responder)
    fired = await client.post("/alerts/alertmanager", headers=_bearer(token),
                              json=payload("alertmanager-v4-firing"))
    assert fired.status_code in (200, 201, 202), fired.text
    async with open_stream(app, f"access_token={token['token']}") as stream:
        assert await stream.next_message() == (None, ": connected")
        revoked = await client.delete(f"/auth/tokens/{token['id']}", headers=responder)
        assert revoked.status_code == 204
        after = await client.post("/incidents", headers=responder, json={
            "title": "After the revocation", "severity": "SEV3", "service_id": 1})
        rest = await stream.rest(within=5)
    sent = [json.loads(data)["incident_id"] for event, data in rest if event is not None]
    assert after.json()["id"] not in sent, rest
    ticket = await client.post("/stream/ticket", headers=_bearer(token))
    assert ticket.status_code == 401


async def test_a_stream_ticket_asked_with_a_token_dies_with_the_token(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    token = await _token(client, responder)
    ticket = (await client.post("/stream/ticket", headers=_bearer(token))).json()["ticket"]
    async with open_stream(app, f"ticket={ticket}") as stream:
        assert await stream.next_message() == (None, ": connected")
        assert (await client.delete(f"/auth/tokens/{token['id']}", headers=responder)).status_code == 204
        after = await client.post("/incidents", headers=responder, json={
            "title": "After the revocation", "severity": "SEV3", "service_id": 1})
        rest = await stream.rest(within=5)
    sent = [json.loads(data)["incident_id"] for event, data in rest if event is not None]
    assert after.json()["id"] not in sent


async def test_events_written_with_a_token_name_it(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    token = _bearer(await _token(client, responder))
    created = await client.post("/incidents", headers=token, json={
        "title": "Written by a bot", "severity": "SEV3", "service_id": 1})
    incident = created.json()
    await client.post(f"/incidents/{incident['id']}/comments", headers=responder,
                      json={"body": "and a comment in person"})
    detail = (await client.get(f"/incidents/{incident['id']}", headers=responder)).json()
    by_bot, in_person = detail["events"][0], detail["events"][-1]
    assert (by_bot["created_by_name"], by_bot["created_by_token_name"]) == ("Avery Patel", "deploy-bot")
    assert by_bot["created_by_token_id"] is not None
    assert (in_person["created_by_token_id"], in_person["created_by_token_name"]) == (None, None)
    assert created.json()["events"][0]["created_by_token_name"] == "deploy-bot", \
        "the write's own answer says so too"
    timeline = (await client.get(f"/incidents/{incident['id']}/events", headers=responder)).json()
    assert [e["created_by_token_name"] for e in timeline] == [
        e["created_by_token_name"] for e in detail["events"]]


async def test_a_token_is_its_own_idempotency_principal(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    token = _bearer(await _token(client, responder))
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"title": "Retried", "severity": "SEV3", "service_id": 1}
    first = await client.post("/incidents", headers={**token, **key}, json=body)
    again = await client.post("/incidents", headers={**token, **key}, json=body)
    person = await client.post("/incidents", headers={**responder, **key}, json=body)
    assert first.status_code == again.status_code == person.status_code == 201
    assert first.json()["id"] == again.json()["id"], "the same token replays"
    assert person.json()["id"] != first.json()["id"], "the person is another principal"


async def test_lists_and_revocation_are_per_owner_and_admins_see_all(
    client: httpx.AsyncClient, admin: Headers, responder: Headers, viewer: Headers
) -> None:
    averys = await _token(client, responder, name="avery-ci")
    morgans = await _token(client, viewer, name="morgan-report")
    assert [t["name"] for t in (await client.get("/auth/tokens", headers=responder)).json()] == ["avery-ci"]
    everyone = (await client.get("/auth/tokens", headers=admin)).json()
    assert {t["name"] for t in everyone} == {"avery-ci", "morgan-report"}
    not_yours = await client.delete(f"/auth/tokens/{morgans['id']}", headers=responder)
    assert not_yours.status_code == 404
    assert (await client.get("/auth/me", headers=_bearer(morgans))).status_code == 200
    assert (await client.delete(f"/auth/tokens/{morgans['id']}", headers=admin)).status_code == 204
    assert (await client.get("/auth/me", headers=_bearer(morgans))).status_code == 401
    assert (await client.delete(f"/auth/tokens/{averys['id']}", headers=responder)).status_code == 204
    assert (await client.delete(f"/auth/tokens/{averys['id']}", headers=responder)).status_code == 204
    assert (await client.get("/incidents", headers=_bearer(averys))).status_code == 401
    listed = (await client.get("/auth/tokens", headers=responder)).json()
    assert listed[0]["revoked_at"] is not None
    assert (await client.delete("/auth/tokens/9999", headers=admin)).status_code == 404


async def test_an_expired_or_forged_token_is_401(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers
) -> None:
    token = await _token(client, responder, expires_in_days=1)
    assert (await client.get("/auth/me", headers=_bearer(token))).status_code == 200
    await _set(app, token["id"], expires_at=LONG_AGO)
    app.state.accounts.callers.forget("*")  # as the trigger's NOTIFY does on PostgreSQL
    expired = await client.get("/auth/me", headers=_bearer(token))
    assert expired.status_code == 401 and expired.json()["code"] == "unauthenticated"
    forged = {"Authorization": f"Bearer {PREFIX}{'A' * 43}"}
    assert (await client.get("/auth/me", headers=forged)).status_code == 401
    assert (await client.get("/auth/me", headers={"Authorization": f"Bearer {PREFIX}"})).status_code == 401


async def test_deactivation_revokes_and_demotion_caps_a_users_tokens(
    client: httpx.AsyncClient, admin: Headers, login: Login
) -> None:
    avery = await _user_id(client, admin, "avery")
    responder = await login("avery")
    as_responder = await _token(client, responder, name="ci")
    as_viewer = await _token(client, responder, name="reader", role="viewer")
    demoted = await client.patch(f"/users/{avery}", headers=admin, json={"role": "viewer"})
    assert demoted.status_code == 200
    roles = {t["name"]: t["role"] for t in (await client.get("/auth/tokens", headers=admin)).json()}
    assert roles == {"ci": "viewer", "reader": "viewer"}
    assert (await client.get("/auth/me", headers=_bearer(as_responder))).json()["role"] == "viewer"
    assert (await client.post("/incidents", headers=_bearer(as_responder), json={
        "title": "x", "severity": "SEV3", "service_id": 1})).status_code == 403
    promoted = await client.patch(f"/users/{avery}", headers=admin, json={"role": "responder"})
    assert promoted.status_code == 200
    assert (await client.get("/auth/me", headers=_bearer(as_responder))).json()["role"] == "viewer", \
        "a promotion does not raise a capped token back"
    off = await client.patch(f"/users/{avery}", headers=admin, json={"is_active": False})
    assert off.status_code == 200
    for token in (as_responder, as_viewer):
        assert (await client.get("/auth/me", headers=_bearer(token))).status_code == 401
    assert (await client.patch(f"/users/{avery}", headers=admin,
                               json={"is_active": True})).status_code == 200
    assert (await client.get("/auth/me", headers=_bearer(as_responder))).status_code == 401, \
        "reactivating does not bring revoked tokens back"
    assert all(t["revoked_at"] for t in (await client.get("/auth/tokens", headers=admin)).json())


async def test_a_password_change_leaves_api_tokens_working(
    client: httpx.AsyncClient, responder: Headers
) -> None:
    token = _bearer(await _token(client, responder))
    changed = await client.post("/auth/password", headers=responder, json={
        "current_password": "demo123", "new_password": "a much longer one"})
    assert changed.status_code == 200
    assert (await client.get("/auth/me", headers=responder)).status_code == 401
    assert (await client.get("/auth/me", headers=token)).status_code == 200


def _writes_of_last_used(app: FastAPI) -> Callable[[], int]:
    seen: list[str] = []

    @event.listens_for(app.state.db.engine.sync_engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE api_tokens") and "last_used_at" in statement:
            seen.append(statement)

    return lambda: len(seen)


async def test_last_used_at_is_written_at_most_once_a_minute(
    app: FastAPI, client: httpx.AsyncClient, responder: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await _token(client, responder)
    writes = _writes_of_last_used(app)
    for _ in range(5):
        assert (await client.get("/incidents", headers=_bearer(token))).status_code == 200
    assert writes() == 1
    first = (await client.get("/auth/tokens", headers=responder)).json()[0]["last_used_at"]
    # A minute later (as this replica sees it), the next use writes again.
    tokens = app.state.accounts.tokens
    tokens._touched = {k: v - 61 for k, v in tokens._touched.items()}
    await _set(app, token["id"], last_used_at=LONG_AGO)
    before = writes()
    assert (await client.get("/incidents", headers=_bearer(token))).status_code == 200
    assert writes() == before + 1
    second = (await client.get("/auth/tokens", headers=responder)).json()[0]["last_used_at"]
    assert second >= first


@pytest.fixture
async def other_replica(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A second app instance on the same database, as another replica behind a balancer."""
    if not database_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL database; SQLite is one process")
    application = create_app(test_settings(database_url))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as c:
            yield c


async def test_revocation_and_deactivation_reach_every_replica_at_once(
    client: httpx.AsyncClient, other_replica: httpx.AsyncClient, admin: Headers, login: Login
) -> None:
    responder = await login("avery")
    token = _bearer(await _token(client, responder))
    for _ in range(2):  # now cached on the other replica
        assert (await other_replica.get("/auth/me", headers=token)).status_code == 200
    [listed] = (await client.get("/auth/tokens", headers=responder)).json()
    revoked = await client.delete(f"/auth/tokens/{listed['id']}", headers=responder)
    assert revoked.status_code == 204
    await status_within(other_replica, token, 401)
    # A demotion made on one replica ends the person's JWT on the other.
    second = _bearer(await _token(client, responder, name="second"))
    assert (await other_replica.get("/auth/me", headers=responder)).status_code == 200
    assert (await other_replica.get("/auth/me", headers=second)).json()["role"] == "responder"
    avery = await _user_id(client, admin, "avery")
    assert (await client.patch(f"/users/{avery}", headers=admin,
                               json={"role": "viewer"})).status_code == 200
    await status_within(other_replica, responder, 401)
    role = None
    for _ in range(200):  # at most 2 s, as status_within
        role = (await other_replica.get("/auth/me", headers=second)).json()["role"]
        if role == "viewer":
            break
        await asyncio.sleep(0.01)
    assert role == "viewer", "the capped token's role reached the other replica"
    assert (await client.patch(f"/users/{avery}", headers=admin,
                               json={"is_active": False})).status_code == 200
    await status_within(other_replica, second, 401)
