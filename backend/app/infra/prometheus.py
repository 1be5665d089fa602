"""The console's own metrics for Prometheus (`GET /-/metrics`, text format 0.0.4).

Two kinds:
- counted where things happen (requests, alerts received, notifications sent, SLA breaches,
  stream clients): prometheus-client metrics in this module, each process counting its own;
- read at scrape time (open incidents, the notification queue, a replica's lag): `Readings`,
  async functions registered at start-up, run by the process that answers the scrape and
  cached for a few seconds, so a tight scrape interval costs the database nothing more.

Several worker processes (uvicorn --workers, `WEB_CONCURRENCY` with `python -m app.serve`)
share their counts through prometheus-client's multiprocess mode: every process writes its
values to files in PROMETHEUS_MULTIPROC_DIR and the one answering the scrape adds them up. The
variable must be set before prometheus-client is imported: app.serve sets it, and a process
started by a multiprocessing parent (uvicorn's workers) with none set picks a directory named
after that parent, the same for all its siblings. A single process needs no setup.
"""

import asyncio
import hmac
import multiprocessing
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from app.domain.alert_payloads import AlertSource
from app.schemas.notifications import ChannelKind

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def shared_dir_for(parent_pid: int) -> Path:
    """The directory the workers of one parent process share (no PROMETHEUS_MULTIPROC_DIR).
    Named after the parent's pid and start time, so a reused pid never meets old counts."""
    try:
        started = Path(f"/proc/{parent_pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        started = "0"
    return Path(tempfile.gettempdir()) / f"incident-console-metrics-{parent_pid}-{started}"


def _choose_multiprocess_dir() -> str | None:
    if os.environ.get(MULTIPROC_ENV):
        return os.environ[MULTIPROC_ENV]
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return None
    path = shared_dir_for(parent.pid)
    path.mkdir(mode=0o700, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(path)
    return str(path)


MULTIPROCESS_DIR = _choose_multiprocess_dir()

# Imported only now: prometheus-client reads PROMETHEUS_MULTIPROC_DIR when it is imported.
from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric  # noqa: E402
from prometheus_client.registry import Collector  # noqa: E402

disable_created_metrics()  # no `*_created` series beside every counter: noise on dashboards
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "http_requests", "HTTP requests answered, by method, route template and status",
    ("method", "route", "status"), registry=REGISTRY)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request, by route template "
    "(the live event stream is counted, not timed)", ("route",), registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
ALERTS_RECEIVED = Counter(
    "alerts_received", "Alerts taken in, by the alert's source", ("source",), registry=REGISTRY)
NOTIFICATIONS = Counter(
    "notifications", "Notification delivery attempts, by channel kind and outcome "
    "(delivered, retry: will be tried again, failed: given up)", ("kind", "outcome"),
    registry=REGISTRY)
SLA_BREACHES = Counter(
    "sla_breaches", "SLA breach notices recorded by the sweeper, by target (ack, resolve): "
    "one per incident and target, ever", ("target",), registry=REGISTRY)
STREAM_CLIENTS = Gauge(
    "stream_clients", "Live event streams open now", registry=REGISTRY,
    multiprocess_mode="livesum")

# Every series of a known label set exists from the start, so rate() and increase() see 0.
for _target in ("ack", "resolve"):
    SLA_BREACHES.labels(_target)
for _source in AlertSource:
    ALERTS_RECEIVED.labels(_source.value)
for _kind in get_args(ChannelKind):
    for _outcome in ("delivered", "retry", "failed"):
        NOTIFICATIONS.labels(_kind, _outcome)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def process_gauge(name: str, documentation: str, labelnames: Iterable[str] = (),
                  mode: str = "livemax") -> Gauge:
    """A gauge this process sets (for a value only it knows), correct with several worker
    processes: `mode` says how their values combine (livemax, livesum, ...)."""
    return Gauge(name, documentation, tuple(labelnames), registry=REGISTRY,
                 multiprocess_mode=mode)  # type: ignore[arg-type]


def observe_request(method: str, route: str, status: int, seconds: float | None) -> None:
    HTTP_REQUESTS.labels(method if method in METHODS else "other", route, str(status)).inc()
    if seconds is not None:
        HTTP_DURATION.labels(route).observe(seconds)


def count_alerts(sources: Iterable[str]) -> None:
    counts: dict[str, int] = {}
    for source in sources:
        counts[source] = counts.get(source, 0) + 1
    for source, n in counts.items():
        ALERTS_RECEIVED.labels(source).inc(n)


def count_notification(kind: str, outcome: str) -> None:
    NOTIFICATIONS.labels(kind, outcome).inc()


def count_breaches(targets: Iterable[str]) -> None:
    for target in targets:
        SLA_BREACHES.labels(target).inc()


# -- read at scrape time ------------------------------------------------------------------
Value = float | Mapping[tuple[str, ...], float]
Read = Callable[[], Awaitable[Value]]


@dataclass
class Reading:
    name: str
    documentation: str
    read: Read
    labelnames: tuple[str, ...]
    value: Value | None = None


class Readings(Collector):
    """Gauges whose values a function reads when Prometheus scrapes (`add` one at start-up;
    the function returns a number, or {label values: number}). A reading that fails is left
    out of that scrape (and logged by the caller), never the whole answer."""

    def __init__(self, max_age: float = 5.0) -> None:
        self.max_age = max_age
        self._readings: dict[str, Reading] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()
        self.failed: list[str] = []

    def add(self, name: str, documentation: str, read: Read,
            labelnames: Iterable[str] = ()) -> None:
        self._readings[name] = Reading(name, documentation, read, tuple(labelnames))
        self._read_at = float("-inf")

    async def refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < self.max_age:
                return
            self.failed = []
            for reading in self._readings.values():
                try:
                    reading.value = await reading.read()
                except Exception:
                    reading.value = None
                    self.failed.append(reading.name)
            self._read_at = time.monotonic()

    def collect(self) -> Iterable[Metric]:
        for r in self._readings.values():
            if r.value is None:
                continue
            family = GaugeMetricFamily(r.name, r.documentation, labels=r.labelnames or None)
            if isinstance(r.value, Mapping):
                for labels, number in sorted(r.value.items()):
                    family.add_metric(list(labels), number)
            else:
                family.add_metric([], r.value)
            yield family


def exposition(readings: Readings) -> bytes:
    """Every metric in text format 0.0.4: all processes' counts plus this scrape's readings."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_DIR is not None:
        multiprocess.MultiProcessCollector(registry, MULTIPROCESS_DIR)
        out = generate_latest(registry)
    else:
        out = generate_latest(REGISTRY)
    return out + generate_latest(readings)  # type: ignore[arg-type]


def process_stopped() -> None:
    """This process's live gauges (stream clients) no longer count: it is going away."""
    if MULTIPROCESS_DIR is not None:
        multiprocess.mark_process_dead(os.getpid(), MULTIPROCESS_DIR)


def scrape_allowed(token: str | None, authorization: str | None) -> bool:
    """No token set: anyone may scrape. Else `Authorization: Bearer <token>`, compared in
    constant time."""
    if token is None:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode())
