"""The application: settings, database, start-up migration and seeding, routers, errors."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from app.config import Settings, get_settings
from app.db import Database, make_engine
from app.infra.http_errors import install_error_handlers
from app.infra.live import LiveFeed
from app.infra.log_redaction import install as redact_tokens_in_logs
from app.infra.middleware import install_http_guards
from app.routers import (
    alerts,
    auth,
    calendars,
    console,
    incidents,
    integration_keys,
    metrics,
    notifications,
    oidc,
    services,
    stream,
    users,
)
from app.security import make_password_hasher
from app.services.incidents.audit import install_checkpoints
from app.services.notifications.channels import Channels
from app.services.notifications.delivery import NotificationWorker
from app.services.principals import Principals
from app.services.sla.sweeper import SlaSweeper
from app.services.users.accounts import Accounts
from app.services.users.oidc import SingleSignOn
from app.startup import prepare_database

DESCRIPTION = """Production-support incident console: intake and triage, SLA tracking,
runbook-driven mitigation, RCA-gated closure, post-incident reports and metrics.

Sign in with **Authorize** (demo users `jordan`, `avery`, `morgan`, password `demo123`)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secure()
    redact_tokens_in_logs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(make_engine(settings))
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
        app.state.live = LiveFeed(db, settings.database_url, accounts.callers)
        await app.state.live.start()
        sweeper = SlaSweeper(db, settings.sla_sweep_seconds).start()
        # Sends the notifications outbox (0 NOTIFICATION_POLL_SECONDS: this replica sends none).
        app.state.notifier = await NotificationWorker(db, settings).start()
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
            await db.dispose()

    app = FastAPIOffline(  # Swagger UI and ReDoc served from the package, not a CDN
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
    # FastAPI matches a request against every route before the right one, router by router
    # (about 2 us a route): the busiest paths go first. No two routers share a path.
    for module in (incidents, alerts, metrics, stream, auth, oidc, users, services,
                   integration_keys, notifications, calendars, console):
        app.include_router(module.router)
    console.mount_console(app, settings.frontend_dist)
    return app


app = create_app()
