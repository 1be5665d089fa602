"""Property-based fuzzing of the whole contract with schemathesis, against a real server on
each database, three ways:

- as an outsider would: `st run <url>/openapi.json --checks all`, every phase (examples,
  coverage, fuzzing, stateful), with a fixed seed. Every check must pass, except the
  refusals listed in SEMANTIC: rules about the data behind a request that no JSON Schema can
  state (an unknown referenced row, a cursor this server did not issue, ...);
- as each role and as nobody, from the app's own OpenAPI: no 5xx and every answer's status,
  content type, headers and body as documented;
- the hostile corpus (item 8 of the security review): inputs schemathesis never generates
  (deep JSON, NUL and lone surrogates, numbers past 64 bits, If-Match that only looks like
  digits, oversized cursor totals), each a documented 4xx with the security headers.

Bounded for `make test` (about a minute per database): FUZZ_EXAMPLES (default 12) cases per
operation and phase. `make fuzz` raises it and FUZZ_SEED picks another seed.
"""

import base64
import json
import os
import subprocess
import sys
import typing
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.schemas.common import ErrorCode
from tests.security.servers import KINDS, Server, running_server, token

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("FUZZ_SEED", "20261128"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
NEVER_ENDS = {"GET /stream"}
ST = Path(sys.executable).with_name("st")

# Schema-valid requests the server refuses for a reason about data, not shape, each with its
# documented code (and field): (operation prefix, code, field or None).
SEMANTIC: list[tuple[str, str, str | None, str]] = [
    ("", "idempotency_key_reused", None, "the fuzzer sends one key with two bodies"),
    ("GET ", "invalid_request", "cursor", "a cursor this server never issued"),
    ("GET /metrics", "invalid_request", "from", "'from' not before 'to'"),
    ("GET /incidents", "invalid_request", "created_from", "created_from not before created_to"),
    ("", "invalid_request", "service_id", "a service id no row has"),
    ("", "invalid_request", "assignee_id", "a user id no row has"),
    ("", "invalid_request", "owner_id", "a user id no row has, or a viewer's (who cannot own follow-ups)"),
    ("", "invalid_request", "runbook_id", "a runbook id no row has"),
    ("", "invalid_request", "step_index", "past the runbook's last step"),
    ("POST /alerts", "invalid_request", None,
     "alert payload rules: a service label naming a known service, resolve naming its trigger"),
    ("POST /v2/enqueue", "invalid_request", None,
     "POST /alerts/events at PagerDuty's own path: the same payload rules"),
    ("POST /services", "validation_failed", "sla_policy", "ack_minutes beyond resolve_minutes"),
    ("PATCH /services", "validation_failed", "sla_policy", "ack_minutes beyond resolve_minutes"),
    ("PATCH /services", "validation_failed", "escalation_policy", "steps not in increasing minutes"),
    ("POST /services", "validation_failed", "escalation_policy", "steps not in increasing minutes"),
    ("", "invalid_request", "escalation_policy", "a channel id no row has"),
    ("POST /notification-channels", "invalid_request", "url",
     "a URL with no usable host or port, or one reaching a refused address"),
    ("PATCH /notification-channels", "invalid_request", "url",
     "a URL with no usable host or port, or one reaching a refused address"),
    # The read routes' commit position (header and cookie): the generator's "valid" values for
    # a pattern beside a nullable string's anyOf need not match it; the server refuses those.
    ("GET ", "invalid_request", "X-Read-After", "not a WAL position such as 16/B374D848"),
    ("GET ", "invalid_request", "ic_read_after", "not a WAL position such as 16/B374D848"),
    *((f"{op} /calendars", "validation_failed", name, why) for op in ("POST", "PATCH")
      for name, why in (("timezone", "a zone name not in the IANA database"),
                        ("hours", "an empty week, an end not after its start, overlapping intervals"),
                        ("holidays", "a date that does not exist, such as 2026-02-30"))),
    *(("", "invalid_request", f"sla_policy.{sev}.calendar_id", "a calendar id no row has")
      for sev in ("SEV1", "SEV2", "SEV3", "SEV4")),
    ("GET /sla/preview", "invalid_request", "calendar_id", "a calendar id no row has"),
    ("GET /sla/preview", "invalid_request", "ack_minutes", "ack_minutes beyond resolve_minutes"),
]


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    with running_server(request.param, tmp_path) as s:
        yield s


def _decoded(content: Any) -> str:
    if isinstance(content, dict) and "$base64" in content:
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return str(content or "")


def _semantic(label: str, status: int, body: str) -> bool:
    if status != 422:
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    code, field, detail = answer.get("code"), answer.get("field"), answer.get("detail")
    if code == "validation_failed":  # only the policy rules a schema cannot state
        first = detail[0] if isinstance(detail, list) and detail else {}
        field = (list(first.get("loc", [])) or [None])[-1]
        rule = {"sla_policy": ("cannot exceed",), "escalation_policy": ("greater than the step before",),
                "timezone": ("not an IANA time zone",),
                "hours": ("later than the start", "intervals overlap", "at least one day"),
                "holidays": ("not a date as YYYY-MM-DD",)}
        if field not in rule or not any(r in first.get("msg", "") for r in rule[field]):
            return False
    return any(label.startswith(prefix) and code == c and (f is None or f == field)
               for prefix, c, f, _ in SEMANTIC)


def _outsider_failures(report: Path) -> tuple[list[str], int, Counter[str]]:
    failures: list[str] = []
    errors = 0
    phases: Counter[str] = Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        if "NonFatalError" in event:
            errors += 1
            failures.append(f"error: {json.dumps(event)[:600]}")
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        phases[str(finished.get("phase", "?"))] += 1
        recorder = finished.get("recorder") or {}
        for case_id, checks in (recorder.get("checks") or {}).items():
            for check in checks:
                if not check.get("failure_info"):
                    continue
                exchange = (recorder.get("interactions") or {}).get(case_id) or {}
                request, response = exchange.get("request") or {}, exchange.get("response") or {}
                uri = str(request.get("uri", "")).split("/", 3)[-1].split("?")[0]
                label = f"{request.get('method')} /{uri}"
                body = _decoded(response.get("content"))
                if check.get("name") == "positive_data_acceptance" and _semantic(
                        label, response.get("status_code", 0), body):
                    continue
                failures.append(f"{check.get('name')}: {label} -> {response.get('status_code')} "
                                f"{body[:300]!r}\n  sent: {_decoded(request.get('body'))[:300]!r}")
    return failures, errors, phases


def test_schemathesis_as_an_outsider_every_check_every_phase(
    server: Server, tmp_path: Path
) -> None:
    admin = token(server, "jordan")["Authorization"]
    reports = tmp_path / "st"
    result = subprocess.run(
        [str(ST), "run", f"{server.base_url}/openapi.json", "--checks", "all",
         "--phases", "examples,coverage,fuzzing,stateful", "--seed", str(SEED),
         "--max-examples", str(EXAMPLES), "--exclude-path", "/stream",
         "--request-timeout", "30", "-H", f"Authorization: {admin}", "--no-color",
         "--report", "ndjson", "--report-dir", str(reports)],
        capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    (report,) = reports.glob("*.ndjson")
    failures, errors, _ = _outsider_failures(report)
    summary = result.stdout[result.stdout.rfind("SUMMARY"):][:1500]
    assert "Stateful" in summary and "Coverage" in summary and "Fuzzing" in summary, summary
    assert not failures, f"{len(failures)} failures ({errors} errors)\n" + "\n\n".join(
        dict.fromkeys(failures))


def _strategies(operation: Any) -> list[Any]:
    found = []
    pinned = {p.name: 1 for p in operation.iter_parameters() if p.location == "path"}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            found.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # an operation with nothing to make invalid
            continue
    if pinned:  # real ids too, so the happy paths run, not just 404s
        found.append(operation.as_strategy(path_parameters=pinned))
    return found


def test_fuzz_every_operation_as_every_caller(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    callers: dict[str, dict[str, str]] = {
        "anonymous": {}, "viewer": token(server, "morgan"),
        "responder": token(server, "avery"), "admin": token(server, "jordan"),
    }
    session = requests.Session()
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in NEVER_ENDS:
            continue
        operations += 1
        strategy = st.one_of(*_strategies(operation))

        @hypothesis.given(case=strategy)
        @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                             derandomize=True, phases=[hypothesis.Phase.generate],
                             suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            for role, headers in callers.items():
                response = case.call(base_url=server.base_url, session=session,
                                     headers=headers, timeout=30)
                statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:  # collect all, report once
                    if len(failures) < 40:
                        failures.append(f"{case.operation.label} as {role}: {response.status_code} "
                                        f"{response.text[:300]!r}\n  {str(exc)[:600]}")

        run()
    print(f"{operations} operations, {sum(statuses.values())} requests: {dict(statuses)}")
    assert operations >= 25
    assert statuses[200] + statuses[201] > 100 and statuses[401] and statuses[403]
    assert not failures, "\n\n".join(failures)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _pagerduty(details: str) -> bytes:
    return ('{"event_action":"trigger","dedup_key":"corpus","payload":{"summary":"s",'
            '"source":"corpus","severity":"error","custom_details":{"service":"checkout-api",'
            '"x":' + details + "}}}").encode()


def _cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


# (method, path, body, extra headers, who): hostile inputs a generator does not produce.
CORPUS: list[tuple[str, str, bytes | None, dict[str, Any], str]] = [
    ("POST", "/auth/login", b'{"username":' + _deep(5000).encode() + b',"password":"x"}', {}, ""),
    ("POST", "/auth/login", b'{"username":"avery\\ud800","password":"x"}', {}, ""),
    ("POST", "/auth/login", b'{"username":"avery\\u0000","password":"x"}', {}, ""),
    ("POST", "/incidents", b'{"title":"\\udfff","severity":"SEV2","service_id":1}', {}, "avery"),
    ("POST", "/incidents", b'{"title":"\\ud800","severity":"SEV9","service_id":1}', {}, "avery"),
    ("POST", "/incidents", b'{"title":"t","severity":"SEV2","service_id":' + str(2**70).encode()
     + b"}", {}, "avery"),
    ("POST", "/incidents/1/comments", b'{"body":"a\\u0000b"}', {}, "avery"),
    ("PATCH", "/incidents/1", b'{"title":"x"}', {"If-Match": b"\xb2"}, "avery"),
    ("PATCH", "/incidents/1", b'{"title":"x"}', {"If-Match": "9" * 5000}, "avery"),
    ("PUT", "/incidents/1/rca", b'{"root_cause":"x"}', {"If-Match": "\u00b2".encode()}, "avery"),
    ("GET", "/incidents?cursor=" + _cursor("2026-11-27T10:00:00+00:00", 5, 2**70), None, {}, "morgan"),
    ("GET", "/alerts?cursor=" + _cursor("2026-11-27T10:00:00+00:00", 2**40), None, {}, "morgan"),
    ("GET", f"/incidents/{2**31}", None, {}, "morgan"),
    ("GET", f"/incidents?service_id={2**63}", None, {}, "morgan"),
    ("GET", "/incidents?q=%00", None, {}, "morgan"),
    ("GET", "/alerts?fingerprint=%ED%A0%80", None, {}, "morgan"),
    ("GET", "/metrics?to=0.5", None, {}, "morgan"),
    ("POST", "/alerts/events", _pagerduty(_deep(300)), {}, "avery"),
    ("POST", "/alerts/events", _pagerduty(str(2**70)), {}, "avery"),
    ("POST", "/alerts/events", _pagerduty("NaN"), {}, "avery"),
    ("POST", "/alerts/events", _pagerduty("1e999"), {}, "avery"),
]


def test_the_hostile_corpus_is_refused_with_documented_answers(server: Server) -> None:
    headers = {name: token(server, name) for name in ("avery", "morgan")}
    codes = set(typing.get_args(ErrorCode))
    session = requests.Session()
    for method, path, body, extra, who in CORPUS:
        sent = {"Content-Type": "application/json", **headers.get(who, {}), **extra}
        response = session.request(method, server.base_url + path, data=body, headers=sent,
                                   timeout=30)
        where = f"{method} {path[:80]} {body[:80] if body else ''!r}"
        assert response.status_code == 422, (where, response.status_code, response.text[:300])
        assert response.json()["code"] in codes, where
        assert "default-src 'self'" in response.headers["content-security-policy"], where
    for path in ("/alerts", "/incidents", "/metrics"):  # nothing stored breaks a read
        response = session.get(server.base_url + path, headers=headers["morgan"], timeout=30)
        assert response.status_code == 200, (path, response.text[:300])


def test_stream_events_match_their_documented_schema(server: Server) -> None:
    """Each server-sent event against the stream's documented `itemSchema` (schemathesis
    cannot wait for a stream that never ends, so this reads one while changes happen)."""
    documented = requests.get(f"{server.base_url}/openapi.json", timeout=30).json()
    item = documented["paths"]["/stream"]["get"]["responses"]["200"]["content"][
        "text/event-stream"]["itemSchema"]
    validator = jsonschema_rs.validator_for(item)
    content = jsonschema_rs.validator_for(item["properties"]["data"]["contentSchema"])
    avery = token(server, "avery")
    access = avery["Authorization"].removeprefix("Bearer ")
    with requests.get(f"{server.base_url}/stream", params={"access_token": access}, stream=True,
                      timeout=30) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines(decode_unicode=True)
        assert next(lines).startswith("retry:")
        created = requests.post(f"{server.base_url}/incidents", headers=avery, timeout=30, json={
            "title": "Stream check", "severity": "SEV2", "service_id": 1}).json()
        requests.post(f"{server.base_url}/incidents/{created['id']}/comments", headers=avery,
                      json={"body": "x" * 9000}, timeout=30)  # past a NOTIFY payload's size
        requests.post(f"{server.base_url}/alerts", headers=avery, timeout=30, json={
            "title": "Stream alert", "service": "checkout-api", "dedup_key": "stream-check"})
        events: list[dict[str, str]] = []
        current: dict[str, str] = {}
        for line in lines:
            if line == "":
                if "data" in current:
                    events.append(current)
                current = {}
                if len(events) >= 6:
                    break
            elif not line.startswith(":"):
                field, _, value = line.partition(":")
                current[field] = value.removeprefix(" ")
    assert {e["event"] for e in events} >= {"incident.created", "event.created", "alert.updated"}
    for event in events:
        errors = [str(e) for e in validator.iter_errors(event)]
        errors += [str(e) for e in content.iter_errors(json.loads(event["data"]))]
        assert not errors, (event, errors)
