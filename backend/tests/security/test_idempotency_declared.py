"""Idempotency is declared on the route (`openapi_extra=IDEMPOTENT`), not listed by path: every
POST that creates something or takes alerts in must declare it, and the middleware honours
what is declared."""

import uuid

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from app.infra.idempotency import MARK, declared_paths, declared_routes

# The POSTs that are deliberately not replayed, each with why.
NOT_REPLAYED = {
    "/auth/login": "answers a token: a stored answer would keep it in the database",
    "/auth/password": "answers a token: a stored answer would keep it in the database",
    "/auth/oidc/session": "answers a token for a single-use code: a stored answer would keep "
                          "the token in the database",
    "/services/{service_id}/integration-keys": "shows the new secret once: a stored answer "
                                               "would keep it in the database",
    "/auth/tokens": "shows the new API token once: a stored answer would keep it in the "
                    "database",
    "/stream/ticket": "answers a single-use secret: a stored answer would keep it in the "
                      "database, and a replay would hand the same ticket out twice",
    "/incidents/{incident_id}/status": "a move is guarded by If-Match: a retry of a move that "
                                       "landed is refused as stale, never applied twice",
    "/incidents/{incident_id}/sla/pause": "guarded by If-Match, and pausing a paused clock is a "
                                          "409: a retry that landed is never applied twice",
    "/incidents/{incident_id}/sla/resume": "guarded by If-Match, and resuming a running clock is "
                                           "a 409: a retry that landed is never applied twice",
}


def post_routes(app: FastAPI) -> dict[str, APIRoute]:
    return {c.route.path: c.route for c in iter_route_contexts(app.routes)
            if isinstance(c.route, APIRoute) and "POST" in c.route.methods}


def test_every_create_and_intake_route_declares_idempotency(app: FastAPI) -> None:
    routes = post_routes(app)
    assert set(NOT_REPLAYED) <= set(routes), "an exemption names a route that is gone"
    undeclared = [path for path, route in routes.items()
                  if not (route.openapi_extra or {}).get(MARK) and path not in NOT_REPLAYED]
    assert undeclared == [], f"declare openapi_extra=IDEMPOTENT on: {undeclared}"
    creates = {path for path, route in routes.items() if route.status_code == 201}
    intake = {path for path in routes if path.startswith("/alerts")}
    exempt_creates = (creates | intake) & set(NOT_REPLAYED)
    assert exempt_creates == {"/services/{service_id}/integration-keys", "/auth/tokens"}
    assert sorted(declared_paths(app.openapi())) == sorted(set(routes) - set(NOT_REPLAYED))
    # The middleware reads the same declarations off the routes, without building the schema.
    assert sorted(declared_routes(app)) == sorted(declared_paths(app.openapi()))


def test_a_route_missing_its_declaration_is_caught(app: FastAPI) -> None:
    """The walk above fails on a create route without the declaration (one taken away here)."""
    route = post_routes(app)["/runbooks"]
    saved = route.openapi_extra
    route.openapi_extra = None
    try:
        undeclared = [p for p, r in post_routes(app).items()
                      if not (r.openapi_extra or {}).get(MARK) and p not in NOT_REPLAYED]
        assert undeclared == ["/runbooks"]
    finally:
        route.openapi_extra = saved


async def test_a_declared_create_route_replays(client: httpx.AsyncClient,
                                               admin: dict[str, str]) -> None:
    """POST /services was not retried safely before it declared idempotency: now it is."""
    headers = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    policy = {f"SEV{n}": {"ack_minutes": 5 * n, "resolve_minutes": 60 * n} for n in range(1, 5)}
    body = {"name": f"svc-{uuid.uuid4().hex[:8]}", "owner_team": "Payments", "sla_policy": policy}
    first = await client.post("/services", json=body, headers=headers)
    again = await client.post("/services", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    names = [s["name"] for s in (await client.get("/services", headers=admin)).json()]
    assert names.count(body["name"]) == 1
