"""Real server processes: metrics that add up across uvicorn's worker processes, and an API
replica beside two background workers on one PostgreSQL, each job done once and none by the
API replica."""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from app.infra.prometheus import shared_dir_for
from tests.api.test_observability import samples, value
from tests.conftest import DATABASES
from tests.notification_sink import Sink
from tests.security.servers import Server, free_port, fresh_database

ROUTE = "/auth/config"
BACKEND = Path(__file__).resolve().parents[2]


@contextmanager
def server(database_url: str, tmp_path: Path, name: str, env: dict[str, str],
           args: tuple[str, ...] = ("--no-access-log",)) -> Iterator[Server]:
    s = Server(database_url, free_port(), tmp_path / f"{name}.log", env=env, args=args)
    s.start(timeout=120)
    try:
        yield s
    finally:
        s.stop()


def _served_by_each(directory: Path) -> dict[str, float]:
    """Requests to ROUTE per worker process, from each one's own counter file."""
    counts: dict[str, float] = {}
    for path in directory.glob("counter_*.db"):
        for metric in MultiProcessCollector.merge([str(path)], accumulate=False):
            for sample in metric.samples:
                if sample.name == "http_requests_total" and sample.labels.get("route") == ROUTE:
                    counts[path.stem] = counts.get(path.stem, 0) + sample.value
    return counts


@pytest.mark.skipif("sqlite" not in DATABASES, reason="SQLite tier only")
def test_counts_from_several_uvicorn_workers_add_up_with_no_setup(tmp_path: Path) -> None:
    """Plain `uvicorn --workers 2`, no PROMETHEUS_MULTIPROC_DIR: whichever worker answers the
    scrape reports every worker's requests."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'workers.db'}"
    saved = os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    shared = Path("/nonexistent")
    try:
        with server(url, tmp_path, "workers", {}, ("--no-access-log", "--workers", "2")) as s:
            assert s.process is not None
            shared = shared_dir_for(s.process.pid)
            sent = 0
            with httpx.Client(base_url=s.base_url, timeout=10) as client:
                # New connections in bursts until both workers have answered some (bounded).
                while sent < 2000:
                    for _ in range(20):
                        response = httpx.get(f"{s.base_url}{ROUTE}", timeout=10,
                                             headers={"Connection": "close"})
                        assert response.status_code == 200
                        sent += 1
                    served = _served_by_each(shared)
                    if len(served) == 2 and all(n > 0 for n in served.values()):
                        break
                assert len(served) == 2 and all(n > 0 for n in served.values()), served
                for _ in range(3):  # any worker may answer a scrape: each tells the total
                    text = client.get("/-/metrics", headers={"Connection": "close"}).text
                    assert value(text, "http_requests_total", method="GET", route=ROUTE,
                                 status="200") == sent
                    assert value(text, "http_request_duration_seconds_count", route=ROUTE) == sent
                    assert value(text, "stream_clients") == 0
    finally:
        if saved is not None:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = saved
        shutil.rmtree(shared, ignore_errors=True)  # plain uvicorn leaves it behind


async def _pg(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))


def _notifications_sent(text: str) -> float:
    return sum(v for (name, labels), v in samples(text).items()
               if name == "notifications_total" and ("outcome", "delivered") in labels)


@pytest.mark.skipif("postgresql" not in DATABASES, reason="PostgreSQL tier only")
async def test_two_workers_and_an_api_replica_each_job_once_none_by_the_api(tmp_path: Path) -> None:
    sink = await Sink().start()
    fast = {"SLA_SWEEP_SECONDS": "0.2", "NOTIFICATION_POLL_SECONDS": "0.2"}
    try:
        with ExitStack() as stack:
            url = stack.enter_context(fresh_database("postgresql", tmp_path))
            api = await asyncio.to_thread(
                stack.enter_context, server(url, tmp_path, "api", {**fast, "WORKER_MODE": "api"}))
            async with httpx.AsyncClient(base_url=api.base_url, timeout=10) as client:
                login = await client.post("/auth/login", json={"username": "jordan", "password": "demo123"})
                admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
                channel = await client.post("/notification-channels", headers=admin, json={
                    "kind": "webhook", "name": "hook", "url": sink.url,
                    "events": ["incident.created", "sla.breached"]})
                assert channel.status_code == 201, channel.text
                services = (await client.get("/services", headers=admin)).json()
                opened = await client.post("/incidents", headers=admin, json={
                    "title": "Checkout down", "severity": "SEV1",
                    "service_id": next(s["id"] for s in services if s["name"] == "checkout-api")})
                assert opened.status_code == 201, opened.text
                incident = opened.json()["id"]
                conn = await _pg(url)
                try:
                    past = datetime.now(UTC) - timedelta(hours=1)
                    await conn.execute(
                        "UPDATE incidents SET ack_due_at = $1, ack_at_risk_at = $1, "
                        "resolve_due_at = $1, resolve_at_risk_at = $1 WHERE id = $2", past, incident)
                    await asyncio.sleep(2)  # ten sweeper and poll periods of the API replica
                    assert sink.received == []
                    assert await conn.fetchval("SELECT count(*) FROM sla_notices") == 0
                    assert await conn.fetchval(
                        "SELECT count(*) FROM notifications WHERE status = 'pending'") == 1

                    workers = [await asyncio.to_thread(stack.enter_context, server(
                        url, tmp_path, f"worker{i}", {**fast, "WORKER_MODE": "worker"}))
                        for i in range(2)]

                    def ours(r: Any) -> bool:
                        return bool(r.json().get("incident", {}).get("id") == incident)

                    await sink.wait_for(3, within=60, where=ours)  # created + two breaches
                    await asyncio.sleep(2)  # time for a duplicate to show up, if any would
                    received = [r for r in sink.received if ours(r)]
                    assert sorted(r.headers["x-incident-console-event"] for r in received) == [
                        "incident.created", "sla.breached", "sla.breached"]
                    assert len({r.delivery for r in received}) == 3  # each delivered once
                    notices = await conn.fetch(
                        "SELECT kind FROM sla_notices WHERE incident_id = $1", incident)
                    assert sorted(n["kind"] for n in notices) == ["ack_breach", "resolve_breach"]
                    events = await conn.fetch(
                        "SELECT type FROM incident_events WHERE incident_id = $1 AND type = "
                        "'sla_breach'", incident)
                    assert len(events) == 2
                finally:
                    await conn.close()
                # Who sent them: the workers, and not the API replica.
                api_sent = _notifications_sent((await client.get("/-/metrics")).text)
                assert api_sent == 0
                worker_sent = 0.0
                for w in workers:
                    async with httpx.AsyncClient(base_url=w.base_url, timeout=10) as wc:
                        assert (await wc.get("/-/readiness")).status_code == 200
                        assert (await wc.get("/incidents", headers=admin)).status_code == 404
                        worker_sent += _notifications_sent((await wc.get("/-/metrics")).text)
                assert worker_sent >= 3
    finally:
        await sink.stop()


@pytest.mark.skipif("sqlite" not in DATABASES, reason="SQLite tier only")
def test_make_run_with_several_workers_in_worker_mode(tmp_path: Path) -> None:
    """`python -m app.serve` with WEB_CONCURRENCY=2 and WORKER_MODE=worker: says where its
    health and metrics are, serves only those, and removes the metrics directory it made."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "APP_ENV": "development",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}", "WEB_CONCURRENCY": "2",
           "WORKER_MODE": "worker", "PASSWORD_MEMORY_KIB": "1024", "PASSWORD_TIME_COST": "1",
           "SEED_DEMO_HISTORY": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "app.serve"], cwd=BACKEND, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    assert proc.stdout is not None
    base = f"http://127.0.0.1:{port}"
    try:
        banner = "".join(proc.stdout.readline() for _ in range(4))
        assert f"{base}/-/metrics" in banner and "/ui/" not in banner, banner
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/-/readiness", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("the workers never became ready")
        assert httpx.get(f"{base}/incidents", timeout=5).status_code == 404
        text = httpx.get(f"{base}/-/metrics", timeout=5).text
        assert "# TYPE http_requests_total counter" in text
        shared = [p for p in Path(tempfile.gettempdir()).glob("incident-console-metrics-*")
                  if any((p / f"counter_{child}.db").exists() for child in _children(proc.pid))]
        assert len(shared) == 1
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert not shared[0].exists()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
