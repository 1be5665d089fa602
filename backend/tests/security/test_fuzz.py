"""Property-based fuzzing of the whole contract with schemathesis, from the app's own
OpenAPI, against a real server on each database, as each role and as nobody: no 5xx, and
every answer's status, content type, headers and body match what the OpenAPI documents.

Bounded: FUZZ_EXAMPLES (default 25) cases per operation and strategy, each sent as four
callers; about a minute per database.
"""

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
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

from tests.security.servers import KINDS, Server, running_server, token

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
NEVER_ENDS = {"GET /stream"}


@pytest.fixture(params=KINDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    with running_server(request.param, tmp_path) as s:
        yield s


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
