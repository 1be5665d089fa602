"""The application: settings, database, start-up migration and seeding, routers, errors."""

import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from app.config import Settings, get_settings
from app.db import open_database
from app.deps import document_own_reads
from app.infra import logs, prometheus, tracing
from app.infra.http_errors import install_error_handlers
from app.infra.live import LiveFeed
from app.infra.log_redaction import install as redact_tokens_in_logs
from app.infra.middleware import install_http_guards
from app.infra.read_after import note_commit
from app.infra.replica import ReadRouting, replica_lag_bytes, replica_lag_seconds
from app.routers import (
    action_items,
    alerts,
    auth,
    calendars,
    console,
    incidents,
    integration_keys,
    metrics,
    notifications,
    observability,
    oidc,
    services,
    stream,
    users,
)
from app.security import make_password_hasher
from app.services.incidents.audit import install_checkpoints
from app.services.metrics.answers import MetricsAnswers
from app.services.notifications.channels import Channels
from app.services.notifications.delivery import NotificationWorker
from app.services.observability import readings as scrape_readings
from app.services.principals import Principals
from app.services.sla.sweeper import SlaSweeper
from app.services.users.accounts import Accounts
from app.services.users.oidc import SingleSignOn
from app.startup import prepare_database

DESCRIPTION = """Production-support incident console: intake and triage, SLA tracking,
runbook-driven mitigation, RCA-gated closure, post-incident reports and metrics.

Sign in with **Authorize** (demo users `jordan`, `avery`, `morgan`, password `demo123`)."""


def _reading(measure: Callable[[], float | None]) -> Callable[[], Awaitable[float | None]]:
    async def read() -> float | None:
        return measure()
    return read


@cache
def _routes(serves_api: bool) -> tuple[Any, ...]:
    """The routers as included routes, built once per process and shared by every app it
    creates. FastAPI builds each included route's validation and response models on an app's
    first request, per inclusion: about 0.8 s of CPU for ~70 routes, paid again by every app a
    process starts (each test starts one). The routes depend on no setting, only on whether
    this process serves the API; they are included into a bare router, so they point at no app
    (app.dependency_overrides is not used here, and would not reach them).

    FastAPI matches a request against every route before the right one, router by router
    (about 2 us a route): the busiest paths go first. No two routers share a path."""
    api = (incidents, alerts, metrics, stream, auth, oidc, users, services, integration_keys,
           notifications, action_items, calendars)
    holder = APIRouter()
    for module in (*(api if serves_api else ()), console, observability):
        holder.include_router(module.router)
    return tuple(holder.routes)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secure()
    redact_tokens_in_logs()
    logs.install(settings.logs_as_json)
    traces: tracing.Tracing | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = open_database(settings)
        app.state.tracing = traces
        if traces is not None:
            traces.instrument_engine(db.engine)
        hasher = make_password_hasher(
            settings.password_memory_kib, settings.password_time_cost,
            settings.password_parallelism,
        )
        accounts = Accounts(db, settings, hasher)
        app.state.db, app.state.accounts, app.state.settings = db, accounts, settings
        app.state.principals = Principals(db, accounts)  # Idempotency-Key scopes
        app.state.sso = SingleSignOn(db, settings, accounts)  # OpenID Connect sign-in
        app.state.channels = Channels(db, settings)  # notification channels
        install_checkpoints(db, settings.audit_checkpoint_key)  # before seeding writes events
        await prepare_database(db, settings, accounts)
        await db.start()
        # DATABASE_READ_URL: where reads go, and each write's position for read-your-writes.
        app.state.reads = ReadRouting(db, settings)
        await app.state.reads.start()
        if app.state.reads.enabled:
            db.after_commit.append(note_commit)
        # Whole /metrics answers, kept while nothing they read changes (metrics/answers.py).
        app.state.metrics_answers = MetricsAnswers(db)
        app.state.live = LiveFeed(db, settings.direct_database_url, accounts.callers,
                                  watchers=(app.state.metrics_answers,), listens=settings.serves_api)
        await app.state.live.start()
        # Scrape-time gauges; others add theirs (app.state.readings.add) here at start-up.
        app.state.readings = prometheus.Readings()
        scrape_readings.register(app.state.readings, db)
        if app.state.reads.enabled:  # how far the read replica is behind, as last measured
            app.state.readings.add(
                "replica_lag_seconds", "Seconds the read replica's replay is behind the primary",
                _reading(replica_lag_seconds))
            app.state.readings.add(
                "replica_lag_bytes", "Bytes of WAL the read replica has yet to replay",
                _reading(replica_lag_bytes))
        # Background work (WORKER_MODE worker or all): SLA sweeps and escalation, and sending
        # the notifications outbox (0 NOTIFICATION_POLL_SECONDS: this replica sends none). An
        # api replica only installs the outbox's commit hooks (they wake the workers).
        background = settings.runs_background_work
        sweeper = SlaSweeper(db, settings.sla_sweep_seconds if background else 0).start()
        notifier = NotificationWorker(db, settings)
        app.state.notifier = await notifier.start() if background else notifier.install()
        # Everything built so far (app, routes, models, schemas: ~130k objects) lives as long
        # as the app: keep it out of the cyclic collector's full passes while it serves, and
        # hand it back when the app stops (tests start hundreds of apps in one process).
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await app.state.notifier.stop()
            await sweeper.stop()
            await app.state.live.stop()
            app.state.metrics_answers.close()
            await app.state.reads.stop()
            await db.dispose()
            if traces is not None:
                traces.shutdown()
            prometheus.process_stopped()

    # A worker (WORKER_MODE=worker) serves its health, readiness and metrics, nothing else.
    serves_api = settings.serves_api
    documented: dict[str, Any] = {} if serves_api else {
        "docs_url": None, "redoc_url": None, "openapi_url": None}
    make = FastAPIOffline if serves_api else FastAPI
    app = make(  # Swagger UI and ReDoc served from the package, not a CDN
        **documented,
        title="Incident Console API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        swagger_ui_parameters={"persistAuthorization": True},
        # FastAPI's built-in OpenTelemetry hooks asked the OTel API (environment variables
        # included) on every request whether a provider was configured; none is here.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_http_guards(app, settings)
    install_error_handlers(app)
    app.router.routes.extend(_routes(serves_api))
    generate = app.openapi

    def schema() -> dict[str, Any]:
        """FastAPI's schema (built on the first call, then kept), completed once with what
        the dependencies read from the request themselves (deps.document_own_reads)."""
        if app.openapi_schema is None:
            return document_own_reads(generate(), app.routes)
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]
    if serves_api:
        console.mount_console(app, settings.frontend_dist)
    traces = tracing.install(app, settings)
    return app


app = create_app()
