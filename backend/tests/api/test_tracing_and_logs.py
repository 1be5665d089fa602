"""A real server with LOG_FORMAT=json and an OTLP endpoint: its log lines are JSON carrying
the request and trace ids (tokens in URLs still masked), and the spans of requests and SQL
reach the collector. Without an endpoint nothing of OpenTelemetry's SDK is even imported."""

import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from app.main import create_app
from tests.conftest import DATABASES, test_settings
from tests.security.servers import Server, free_port

BACKEND = Path(__file__).resolve().parents[2]
SQLITE_TIER = pytest.mark.skipif("sqlite" not in DATABASES, reason="SQLite tier only")


class Collector(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Any] = []
        self.paths: list[str] = []
        super().__init__(("127.0.0.1", 0), _Receive)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Receive(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.server.paths.append(self.path)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                self.server.spans.extend(scope.spans)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    receiver = Collector()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.shutdown()
    receiver.server_close()


@SQLITE_TIER
def test_json_logs_carry_request_and_trace_ids_and_spans_reach_the_collector(
    tmp_path: Path, collector: Collector
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'traced.db'}"
    server = Server(url, free_port(), tmp_path / "server.log", args=(), env={
        "LOG_FORMAT": "json", "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
        "OTEL_SERVICE_NAME": "console-under-test"})
    server.start(timeout=120)
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            login = client.post("/auth/login", json={"username": "avery", "password": "demo123"})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            detail = client.get("/incidents/1", headers={**headers, "X-Request-ID": "trace-me-1"})
            assert detail.status_code == 200
            refused = client.get("/stream?access_token=leaked-secret-value",
                                 headers={"X-Request-ID": "stream-2"})
            assert refused.status_code == 401
    finally:
        server.stop()  # a graceful stop: the app flushes its spans
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    assert any("Application startup complete" in e["message"] for e in entries)
    access = {e.get("request_id"): e for e in entries if e["logger"] == "uvicorn.access"}
    seen = access["trace-me-1"]
    assert seen["method"] == "GET" and seen["path"] == "/incidents/1" and seen["status"] == 200
    assert len(seen["trace_id"]) == 32
    stream = access["stream-2"]
    assert "leaked-secret-value" not in json.dumps(stream) and "[redacted]" in stream["message"]
    assert "leaked-secret-value" not in server.log.read_text()

    assert collector.paths and set(collector.paths) == {"/v1/traces"}
    spans = [s for s in collector.spans if s.trace_id.hex() == seen["trace_id"]]
    names = {s.name for s in spans}
    assert "GET /incidents/{incident_id}" in names, names
    sql = [s for s in spans if any(a.key == "db.statement" or a.key == "db.query.text"
                                   for a in s.attributes)]
    assert sql, names  # the request's SQL, as child spans of the same trace
    request_span = next(s for s in spans if s.name == "GET /incidents/{incident_id}")
    assert all(s.parent_span_id for s in sql) and request_span.span_id in {
        s.parent_span_id for s in spans}
    untraced = [s for s in collector.spans if "/healthz" in s.name]
    assert untraced == []  # probes are not traced


@SQLITE_TIER
def test_without_an_endpoint_nothing_of_the_sdk_is_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from app.main import create_app\n"
        "create_app()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', "
        "'opentelemetry.instrumentation', 'opentelemetry.exporter')))\n"
        "print(loaded)\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
           "APP_ENV": "development"}
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    done = subprocess.run([sys.executable, "-c", script], cwd=BACKEND, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.postgres_only
async def test_the_hot_reads_sent_straight_to_asyncpg_are_traced_too(database_url: str) -> None:
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    application = create_app(test_settings(
        database_url, otel_exporter_otlp_endpoint="http://127.0.0.1:9"))  # nothing listens
    spans = InMemorySpanExporter()
    async with application.router.lifespan_context(application):
        application.state.tracing.provider.add_span_processor(SimpleSpanProcessor(spans))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application),
                                     base_url="http://test") as client:
            token = (await client.post("/auth/login", json={
                "username": "avery", "password": "demo123"})).json()["access_token"]
            answer = await client.get("/incidents", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
        finished = spans.get_finished_spans()
    listing = next(s for s in finished if s.name == "GET /incidents")
    sql = [s for s in finished if s.parent is not None
           and s.instrumentation_scope is not None
           and s.instrumentation_scope.name == "app.infra.tracing"  # not SQLAlchemy's
           and s.context.trace_id == listing.context.trace_id
           and "incidents" in str((s.attributes or {}).get("db.statement", ""))]
    assert sql, [s.name for s in finished]
    assert all(s.attributes and s.attributes["db.system"] == "postgresql" for s in sql)
