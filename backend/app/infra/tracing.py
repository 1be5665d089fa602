"""OpenTelemetry traces of requests and SQL, sent over OTLP/HTTP, when
OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise nothing here is imported or wrapped (no cost).

A span per request (opentelemetry-instrumentation-fastapi, named by route template; probes and
scrapes left out) with a child span per SQL statement run through SQLAlchemy
(opentelemetry-instrumentation-sqlalchemy, and the hot reads sent straight to asyncpg by
infra/rows.py alike). The standard OTEL_* variables the exporter reads
(OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, ...) apply. The provider is
the app's own, not the process-wide global, and is flushed when the app stops. Log lines
carry the trace id (infra/logs.py).
"""

import os
from contextlib import AbstractContextManager
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.infra import logs, rows

UNTRACED = "healthz,-/readiness,-/metrics"


class Tracing:
    """The app's tracer provider and what it instruments."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider
        self._sql: Any = None
        self._tracer: Any = None
        self._client: Any = None

    def instrument_engine(self, engine: AsyncEngine) -> None:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        self._sql = SQLAlchemyInstrumentor()
        # Its declared range stops before SQLAlchemy 2.1, whose engine events it uses unchanged
        # (tests/api/test_tracing_and_logs.py sees the statements' spans).
        self._sql.instrument(engine=engine.sync_engine, tracer_provider=self.provider,
                             enable_commenter=False, skip_dep_check=True)
        # Hot reads skip the engine on both databases (asyncpg, or plain sqlite3 connections:
        # infra/rows.py), so they get their spans here.
        from opentelemetry import trace

        self._tracer = trace.get_tracer(__name__, tracer_provider=self.provider)
        self._client = trace.SpanKind.CLIENT
        self._system = engine.dialect.name
        rows.statement_span = self.statement_span

    def statement_span(self, sql: str) -> AbstractContextManager[Any]:
        """A span for one statement sent without SQLAlchemy (infra/rows.py), named and
        described as the SQLAlchemy instrumentation names its own."""
        return self._tracer.start_as_current_span(
            sql.split(None, 1)[0].upper(), kind=self._client,
            attributes={"db.system": self._system, "db.statement": sql})

    def shutdown(self) -> None:
        """Stop tracing SQL, send what is buffered, and stop."""
        if rows.statement_span == self.statement_span:
            rows.statement_span = None
        if self._sql is not None:
            self._sql.uninstrument()
            self._sql = None
        self.provider.shutdown()


def _current_trace_id() -> str | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def install(app: FastAPI, settings: Settings) -> Tracing | None:
    endpoint = settings.otel_exporter_otlp_endpoint
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    # The exporter reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT itself; else the base URL's path.
    traces = None if os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") else \
        endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces)))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED,
                                       exclude_spans=["receive", "send"])
    logs.trace_id_reader = _current_trace_id
    return Tracing(provider)
