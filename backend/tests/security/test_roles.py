"""Who may do what, generated from the app's own route table.

Every operation except the few public ones is a 401 without a token; every mutating
operation is a 403 for a viewer; admin-only operations are a 403 for a responder. A route
added later without a guard fails here without anyone editing this file.
"""

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.main import create_app
from tests import conftest

PUBLIC = {("GET", "/healthz"), ("POST", "/auth/login"), ("GET", "/"), ("GET", "/ui"),
          ("GET", "/-/readiness"), ("GET", "/-/metrics"),  # probes and Prometheus
          ("GET", "/ui/{path:path}"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"),
          ("GET", "/redoc"), ("GET", "/auth/config"), ("GET", "/auth/oidc/login"),
          ("GET", "/auth/oidc/callback"), ("POST", "/auth/oidc/session")}
# Sign-ins: public, and a 401 without credentials (a password, or the single sign-on cookie).
SIGN_INS = {("POST", "/auth/login"), ("POST", "/auth/oidc/session")}
# Things any signed-in person does for themselves, viewers included.
SELF_SERVICE = {("POST", "/auth/password"), ("POST", "/stream/ticket"), ("POST", "/auth/tokens"),
                ("DELETE", "/auth/tokens/{token_id}")}
# Streams that never end: only their refusals are checked.
STREAMS = {("GET", "/stream")}
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
_FIRING = {"status": "firing", "labels": {"alertname": "Matrix", "service": "checkout-api"}}
# Intake must read the body to find a PagerDuty routing_key, so it validates before it
# authenticates: send it a valid body, so only the caller can be the reason for a refusal.
VALID_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/alerts"): {"title": "Disk full", "service": "checkout-api", "dedup_key": "m-1"},
    ("POST", "/alerts/alertmanager"): {"status": "firing", "alerts": [_FIRING]},
    ("POST", "/alerts/grafana"): {"status": "firing", "alerts": [_FIRING]},
    ("POST", "/alerts/events"): {"event_action": "trigger", "dedup_key": "m-2", "payload": {
        "summary": "Disk full", "source": "db-3", "severity": "error", "group": "checkout-api"}},
}


def body_for(method: str, path: str) -> Any:
    return VALID_BODIES.get((method, path), {}) if method in MUTATING else None


def operations(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    for context in iter_route_contexts(app.routes):
        route = context.route
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
                yield method, route.path, route


def guard_roles(dependant: Dependant) -> set[str] | None:
    """The roles of the first require_role guard among the route's dependencies."""
    for dep in dependant.dependencies:
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            return set(roles)
        found = guard_roles(dep)
        if found is not None:
            return found
    return None


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


ROUTES = sorted((m, p) for m, p, _ in operations(create_app(conftest.test_settings("sqlite+aiosqlite://"))))
GUARDED = [(m, p) for m, p in ROUTES if (m, p) not in PUBLIC]
MUTATIONS = [(m, p) for m, p in GUARDED if m in MUTATING and (m, p) not in SELF_SERVICE]


def test_the_route_table_is_what_we_think_it_is() -> None:
    assert ("POST", "/incidents") in MUTATIONS
    assert ("PUT", "/incidents/{incident_id}/rca") in MUTATIONS
    assert ("GET", "/incidents/{incident_id}") in GUARDED
    assert len(MUTATIONS) >= 10


async def test_anonymous_is_401_everywhere_but_the_public_routes(client: httpx.AsyncClient) -> None:
    for method, path in GUARDED:
        response = await client.request(method, concrete(path), json=body_for(method, path))
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    for method, path in PUBLIC - SIGN_INS:
        response = await client.request(method, concrete(path))
        assert response.status_code < 400 or response.status_code == 503, (method, path)


async def test_viewer_may_mutate_nothing(
    app: FastAPI, client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    checked = 0
    for method, path in MUTATIONS:
        response = await client.request(method, concrete(path), json=body_for(method, path),
                                        headers=viewer)
        assert response.status_code == 403, (method, path, response.status_code, response.text)
        checked += 1
    assert checked == len(MUTATIONS)


async def test_every_mutation_names_its_roles_and_responders_meet_admin_only_ones(
    app: FastAPI, client: httpx.AsyncClient, responder: dict[str, str]
) -> None:
    unguarded = []
    for method, path, route in operations(app):
        if (method, path) not in MUTATIONS:
            continue
        roles = guard_roles(route.dependant)
        if roles is None:
            unguarded.append((method, path))
            continue
        assert "viewer" not in roles, (method, path)
        if "responder" not in roles:
            response = await client.request(method, concrete(path),
                                            json=body_for(method, path), headers=responder)
            assert response.status_code == 403, (method, path, response.text)
    # Intake routes authenticate machines as well as people, with their own guard; they are
    # covered by the anonymous and viewer checks above.
    assert all(intake(p) for _, p in unguarded), unguarded


async def test_viewer_may_read(
    app: FastAPI, client: httpx.AsyncClient, viewer: dict[str, str]
) -> None:
    for method, path, route in operations(app):
        if method != "GET" or (method, path) in STREAMS or (method, path) in PUBLIC:
            continue
        roles = guard_roles(route.dependant)
        if roles is not None and "viewer" not in roles:
            continue  # admin-only reads such as integration keys
        response = await client.get(concrete(path), headers=viewer)
        assert response.status_code in (200, 404, 422), (path, response.status_code)


def intake(path: str) -> bool:
    """The alert intake routes, PagerDuty's Events v2 path among them (POST /v2/enqueue)."""
    return path.startswith("/alerts") or path == "/v2/enqueue"


def _has(path: str) -> bool:
    return any(p == path for _, p in ROUTES)


@pytest.mark.skipif(not _has("/services/{service_id}/integration-keys"),
                    reason="integration keys are not in this build")
async def test_integration_keys_reach_only_intake(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post("/services/1/integration-keys", json={"name": "matrix"},
                                headers=admin)
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    for method, path in GUARDED:
        if intake(path) and method == "POST" and path != "/alerts/generate":
            continue
        if (method, path) in STREAMS:
            continue
        response = await client.request(method, concrete(path), json=body_for(method, path),
                                        headers=key)
        assert response.status_code == 401, (method, path, response.status_code)
    for (method, path), body in VALID_BODIES.items():
        accepted = await client.request(method, path, json=body, headers=key)
        assert accepted.status_code in (200, 201, 202), (path, accepted.text)
