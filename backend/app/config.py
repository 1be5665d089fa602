"""Settings from the environment or backend/.env, read once through get_settings()."""

import ipaddress
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.domain.role_map import InvalidRoleMap, RoleMap

BACKEND_DIR = Path(__file__).resolve().parent.parent
DEFAULT_JWT_SECRET = "dev-only-insecure-secret-change-me-0123456789abcdef"
MIN_SECRET_BYTES = 32
log = logging.getLogger("app.config")


class InsecureConfiguration(RuntimeError):
    """The app refuses to start with settings only fit for a laptop."""


class InvalidConfiguration(RuntimeError):
    """Settings that cannot work together: the app says which and does not start."""


def _same_driver(name: str, url: str, primary: str) -> None:
    scheme, primary_scheme = url.split("://", 1)[0], primary.split("://", 1)[0]
    if scheme != primary_scheme:
        raise InvalidConfiguration(
            f"{name} must use the same driver as DATABASE_URL ({primary_scheme}://, got {scheme}://)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=BACKEND_DIR / ".env", env_file_encoding="utf-8", extra="ignore"
    )

    app_env: str = "development"
    database_url: str = f"sqlite+aiosqlite:///{BACKEND_DIR / 'incident_console.db'}"
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_issuer: str = "incident-console"
    jwt_audience: str = "incident-console"
    access_token_ttl_minutes: int = Field(default=480, ge=1, le=60 * 24 * 30)
    # Comma-separated (https://a,https://b) or a JSON list; empty: none.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Demo users with a published password: never in production unless set to true, and
    # then start-up says so loudly. Unset or empty: on in development only.
    seed_demo_data: bool | None = None
    # With the demo data, sixty days of closed incidents behind the live one
    # (services/demo_history.py), so metrics and lists have something to show at once.
    seed_demo_history: bool = True
    # The SLA breach rate the team aims to stay under (0.1: one incident in ten), the metrics'
    # reference line.
    breach_rate_target: float = Field(default=0.1, ge=0, le=1)
    migrate_on_start: bool = True
    frontend_dist: Path = BACKEND_DIR.parent / "frontend" / "dist"
    # Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane); tests lower these.
    password_memory_kib: int = 19456
    password_time_cost: int = 2
    password_parallelism: int = 1
    db_pool_size: int = 10
    db_max_overflow: int = 10
    # PostgreSQL only (README "Read replicas and PgBouncer"). DATABASE_READ_URL: a streaming
    # replica for lists, detail, timeline, metrics and reports (a caller still reads its own
    # writes). DATABASE_DIRECT_URL: the primary itself, for LISTEN, the sweeper's leader lock,
    # the start-up lock and migrations, when DATABASE_URL goes through a pooler.
    # DATABASE_PGBOUNCER: DATABASE_URL (and the read URL) go through PgBouncer in transaction
    # pooling, so no statement outlives its transaction (statement caches off).
    database_read_url: str | None = Field(default=None, repr=False)
    database_direct_url: str | None = Field(default=None, repr=False)
    database_pgbouncer: bool = False
    # SLA sweeper period (0 disables it) and the live stream's heartbeat, in seconds. The
    # sweeper also escalates: an escalation step fires within one period of its time.
    sla_sweep_seconds: float = Field(default=5.0, ge=0)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # Hardening: request body cap, and failed sign-ins allowed per window before a 429.
    max_request_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # (services/users/login_throttle.py): per username from one client address, per client
    # address, per account from anywhere (slows, never locks), back-off, concurrent checks.
    login_failures_per_user: int = Field(default=5, ge=1)
    login_failures_per_client: int = Field(default=20, ge=1)
    login_failures_per_account: int = Field(default=20, ge=1)
    login_throttle_window_seconds: int = Field(default=900, ge=1)
    login_backoff_seconds: float = Field(default=60.0, gt=0)
    login_account_delay_seconds: float = Field(default=10.0, gt=0, le=10)
    login_concurrent_verifications: int = Field(default=8, ge=1)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn trusts (uvicorn's own
    # FORWARDED_ALLOW_IPS, same default): comma-separated addresses or networks, or "*".
    forwarded_allow_ips: str = "127.0.0.1"
    # HMAC key signing each incident's timeline checkpoint; keep it outside the database.
    # Unset: checkpoints are unsigned (a warning at start-up says so).
    audit_checkpoint_key: str | None = Field(default=None, repr=False)
    # Single sign-on through an OpenID Connect provider (services/users/oidc.py): the issuer,
    # client id and secret together, or none of them. The button says "Sign in with <name>".
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_name: str = Field(default="single sign-on", min_length=1, max_length=60)
    # The ID token claim holding groups or roles (dotted for nested ones: realm_access.roles),
    # and which console role each maps to: `group=role,...`, `*` for everyone else.
    oidc_role_claim: str = Field(default="groups", min_length=1)
    oidc_role_map: str = ""
    oidc_scopes: str = "openid profile email"
    # Unset: <the address the request came in on>/auth/oidc/callback.
    oidc_redirect_uri: str | None = None
    # Off: only BREAK_GLASS_USERNAME may sign in with a password (for when the provider is down).
    password_login: bool = True
    break_glass_username: str | None = None
    # Notifications to webhooks, Slack and Teams (services/notifications/). Channel URLs and
    # secrets are encrypted at rest with a key derived from NOTIFICATION_KEY, else from
    # JWT_SECRET (changing the one in use makes stored channels unreadable: set them again).
    notification_key: str | None = Field(default=None, repr=False)
    # Networks a channel URL may reach besides the public internet, as CIDRs
    # (10.0.0.0/8,fd00::/8): loopback, link-local and cloud metadata addresses are refused
    # outside development unless listed here. Development allows loopback.
    notification_allowed_networks: str = ""
    notification_retention_days: int = Field(default=30, ge=1)
    # The delivery worker: how often it looks for due work when nothing woke it (0 disables
    # it), the per-request timeout, how many requests at once (in all and per channel).
    notification_poll_seconds: float = Field(default=2.0, ge=0)
    notification_timeout_seconds: float = Field(default=10.0, gt=0)
    notification_concurrency: int = Field(default=64, ge=1)
    notification_channel_concurrency: int = Field(default=24, ge=1)
    # Retries: about base, 4 x base, 16 x base ... (with jitter, capped), at most max attempts.
    notification_max_attempts: int = Field(default=8, ge=1, le=50)
    notification_retry_base_seconds: float = Field(default=5.0, gt=0)
    notification_retry_cap_seconds: float = Field(default=3600.0, gt=0)
    # A channel failing this many times in a row is paused (longer each time) until it answers.
    notification_pause_after_failures: int = Field(default=5, ge=1)
    # Running it (README "Watching it"): which work this process does (api: serve only;
    # worker: SLA sweeps, escalation, notifications, and only health, readiness and metrics;
    # all: both), logs as JSON lines or text (unset: text in development, JSON elsewhere),
    # and the bearer token /-/metrics asks for (unset: public).
    worker_mode: Literal["api", "worker", "all"] = "all"
    log_format: Literal["json", "text"] | None = None
    prometheus_token: str | None = Field(default=None, repr=False)
    # OpenTelemetry traces of requests and SQL go to this OTLP/HTTP collector; unset: off.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "incident-console"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)  # a JSON list, as pydantic-settings would decode it
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("database_read_url", "database_direct_url", mode="before")
    @classmethod
    def _blank_url_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("seed_demo_data", "oidc_issuer", "oidc_client_id", "oidc_client_secret",
                     "oidc_redirect_uri", "break_glass_username", "log_format",
                     "prometheus_token", "otel_exporter_otlp_endpoint", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("notification_allowed_networks")
    @classmethod
    def _allowed_networks(cls, value: str) -> str:
        entries = [e.strip() for e in value.split(",") if e.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP network (CIDR)") from None
        return ",".join(entries)

    @field_validator("oidc_role_map")
    @classmethod
    def _role_map(cls, value: str) -> str:
        try:
            RoleMap.parse(value)
        except InvalidRoleMap as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        entries = [e.strip() for e in value.split(",") if e.strip()]
        for entry in entries:
            if entry != "*" and not entry.startswith("unix:"):
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError:
                    raise ValueError(f"{entry!r} is not an IP address or network") from None
        return ",".join(entries) or "127.0.0.1"

    @property
    def is_development(self) -> bool:
        return self.app_env == "development"

    @property
    def should_seed(self) -> bool:
        return self.is_development if self.seed_demo_data is None else self.seed_demo_data

    @property
    def logs_as_json(self) -> bool:
        return self.log_format == "json" or (self.log_format is None and not self.is_development)

    @property
    def serves_api(self) -> bool:
        return self.worker_mode != "worker"

    @property
    def runs_background_work(self) -> bool:
        return self.worker_mode != "api"

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def role_map(self) -> RoleMap:
        return RoleMap.parse(self.oidc_role_map)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def direct_database_url(self) -> str:
        """The primary without a pooler in between: LISTEN and session-level locks need it."""
        return self.database_direct_url or self.database_url

    def check_databases(self) -> None:
        """A read replica and a pooler only make sense on PostgreSQL, and on the same driver."""
        if self.database_read_url is not None:
            if self.is_sqlite or self.database_read_url.startswith("sqlite"):
                raise InvalidConfiguration(
                    "DATABASE_READ_URL is for a PostgreSQL streaming replica; it needs DATABASE_URL "
                    "and DATABASE_READ_URL both postgresql+asyncpg:// (SQLite has no replicas)")
            _same_driver("DATABASE_READ_URL", self.database_read_url, self.database_url)
        if self.database_direct_url is not None:
            if self.is_sqlite:
                raise InvalidConfiguration("DATABASE_DIRECT_URL is for PostgreSQL behind a pooler")
            _same_driver("DATABASE_DIRECT_URL", self.database_direct_url, self.database_url)
        if self.database_pgbouncer and (self.is_sqlite or self.database_direct_url is None):
            raise InvalidConfiguration(
                "DATABASE_PGBOUNCER=true needs DATABASE_DIRECT_URL: LISTEN, the SLA sweeper's "
                "leader lock and migrations need a connection that is not pooled per transaction")

    def check_single_sign_on(self) -> None:
        """Single sign-on is all there or not at all: a half-configured provider stops start-up."""
        given = {"OIDC_ISSUER": self.oidc_issuer, "OIDC_CLIENT_ID": self.oidc_client_id,
                 "OIDC_CLIENT_SECRET": self.oidc_client_secret}
        if not any(given.values()):
            return
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise InsecureConfiguration(f"single sign-on needs {', '.join(missing)} as well")
        if not self.role_map:
            raise InsecureConfiguration(
                "OIDC_ROLE_MAP is empty: map at least one group to a role "
                "(e.g. sre-admins=admin,sre=responder,*=viewer)")

    def check_secure(self) -> None:
        self.check_databases()
        self.check_single_sign_on()
        if not self.is_development and self.should_seed:
            accounts = "jordan, avery, morgan" + (", sam, riley" if self.seed_demo_history else "")
            log.warning(
                "SEED_DEMO_DATA=true with APP_ENV=%s: demo accounts (%s) with the published "
                "password 'demo123' are created; anyone can sign in as admin. "
                "Unset SEED_DEMO_DATA for a real deployment.", self.app_env, accounts)
        if self.is_development:
            return
        if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
            raise InsecureConfiguration(
                f"APP_ENV={self.app_env} needs an https:// OIDC_ISSUER (got {self.oidc_issuer})")
        if self.jwt_secret == DEFAULT_JWT_SECRET:
            raise InsecureConfiguration(
                f"APP_ENV={self.app_env} refuses the default JWT_SECRET; set a random one "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise InsecureConfiguration(
                f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes (256 bits)"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
