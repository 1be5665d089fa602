"""Sign-in, and who may do what: every mutation refused to viewers and to anonymous callers."""

import httpx
import pytest

MUTATIONS = [
    ("POST", "/incidents", {"title": "x", "severity": "SEV3", "service_id": 1}),
    ("PATCH", "/incidents/1", {"severity": "SEV1"}),
    ("POST", "/incidents/1/status", {"status": "Investigating"}),
    ("POST", "/incidents/1/comments", {"body": "hi"}),
    ("POST", "/incidents/1/apply-runbook-step", {"runbook_id": 1, "step_index": 0}),
    ("PUT", "/incidents/1/rca", {"root_cause": "x"}),
    ("POST", "/alerts/generate", {"count": 1, "seed": 1}),
    ("POST", "/services", {"name": "n", "owner_team": "t", "sla_policy": {}}),
    ("PATCH", "/services/1", {"owner_team": "t"}),
    ("POST", "/runbooks", {"service_id": 1, "title": "t", "steps": [{"title": "s"}]}),
    ("PATCH", "/runbooks/1", {"title": "t"}),
]
ADMIN_ONLY = {"/services", "/services/1", "/runbooks", "/runbooks/1"}


@pytest.mark.parametrize(("method", "path", "body"), MUTATIONS)
async def test_role_matrix(client: httpx.AsyncClient, viewer: dict[str, str],
                           responder: dict[str, str], method: str, path: str, body: dict) -> None:
    anonymous = await client.request(method, path, json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert (await client.request(method, path, json=body, headers=viewer)).status_code == 403
    as_responder = await client.request(method, path, json=body, headers=responder)
    if path in ADMIN_ONLY:
        assert as_responder.status_code == 403
    else:
        assert as_responder.status_code < 400, as_responder.text


async def test_viewer_reads_everything(client: httpx.AsyncClient, viewer: dict[str, str]) -> None:
    for path in ("/incidents", "/incidents/1", "/incidents/1/events", "/services",
                 "/services/1/runbooks", "/runbooks", "/users", "/metrics", "/auth/me",
                 "/incidents/1/report.md"):
        assert (await client.get(path, headers=viewer)).status_code == 200, path


async def test_login_by_form_as_swagger_sends_it(client: httpx.AsyncClient) -> None:
    r = await client.post("/auth/login", data={"username": "avery", "password": "demo123",
                                               "grant_type": "password"})
    assert r.status_code == 200
    token = r.json()
    assert token["token_type"] == "bearer" and token["expires_in"] > 0
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() == {"id": me.json()["id"], "name": "Avery Patel", "username": "avery",
                         "role": "responder", "is_active": True}


async def test_wrong_credentials_say_the_same_either_way(client: httpx.AsyncClient) -> None:
    unknown = await client.post("/auth/login", json={"username": "nobody", "password": "demo123"})
    wrong = await client.post("/auth/login", json={"username": "jordan", "password": "nope"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"username": "jordan"}'])
async def test_malformed_login_is_422(client: httpx.AsyncClient, body: bytes) -> None:
    r = await client.post("/auth/login", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize("header", ["Bearer", "Bearer x.y.z", "Basic abc", "Bearer " + "a" * 500])
async def test_bad_tokens_are_401(client: httpx.AsyncClient, header: str) -> None:
    r = await client.get("/incidents", headers={"Authorization": header})
    assert r.status_code == 401 and "detail" in r.json()


async def test_public_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/openapi.json")).status_code == 200
    assert (await client.get("/docs")).status_code == 200


async def test_the_read_position_is_documented_on_every_read_route_once(
        client: httpx.AsyncClient, viewer: dict[str, str]) -> None:
    """get_read_db reads X-Read-After and ic_read_after itself, current_user the bearer token;
    the schema still names both on each route that reads through it (and only there), and the
    token's security requirement on each route that signs its caller in, once however often
    it is asked."""
    for _ in range(2):
        spec = (await client.get("/openapi.json")).json()
    named = {(path, method): [(p["in"], p["name"]) for p in op.get("parameters", [])]
             for path, ops in spec["paths"].items() for method, op in ops.items()}
    reads = [key for key, params in named.items() if ("header", "x-read-after") in params]
    assert ("/incidents", "get") in reads and ("/metrics", "get") in reads
    assert ("/incidents/{incident_id}", "get") in reads
    for key in reads:
        assert named[key].count(("header", "x-read-after")) == 1, key
        assert named[key].count(("cookie", "ic_read_after")) == 1, key
    assert ("/incidents", "post") not in reads
    # The caller's token likewise: every route that signs its caller in says it takes one.
    secured = {(path, method) for path, ops in spec["paths"].items() for method, op in ops.items()
               if op.get("security") == [{"OAuth2PasswordBearer": []}]}
    assert set(reads) <= secured and ("/auth/me", "get") in secured
    assert ("/auth/login", "post") not in secured and ("/healthz", "get") not in secured
    assert "OAuth2PasswordBearer" in spec["components"]["securitySchemes"]
    # And If-Match, on the changes that take it.
    versioned = {key for key, params in named.items() if ("header", "if-match") in params}
    assert ("/incidents/{incident_id}/status", "post") in versioned
    assert ("/incidents/{incident_id}", "patch") in versioned
    assert all(named[key].count(("header", "if-match")) == 1 for key in versioned)
    # And each is still honoured: a malformed position is refused naming it.
    refused = await client.get("/incidents", headers={**viewer, "X-Read-After": "yesterday"})
    assert refused.status_code == 422 and refused.json()["field"] == "X-Read-After"
