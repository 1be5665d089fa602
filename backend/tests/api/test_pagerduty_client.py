"""PagerDuty's own Python client (`pagerduty`, EventsApiV2Client) works unchanged against the
console: given the console's URL as its base URL it posts to `/v2/enqueue`, over HTTPS, to
`make run`'s server (app.serve with SSL_CERTFILE / SSL_KEYFILE) holding a certificate this
test made and the client trusts (and nothing else)."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pagerduty
import pytest

from tests.security.servers import free_port
from tests.tls import Certificate, self_signed

BACKEND = Path(__file__).resolve().parents[2]


@contextmanager
def https_server(database_url: str, cert: Certificate, tmp_path: Path) -> Iterator[str]:
    """`make run` over HTTPS: the base URL it prints once it listens."""
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database_url,
           "APP_ENV": "development", "SEED_DEMO_HISTORY": "false", "PASSWORD_MEMORY_KIB": "1024",
           "PASSWORD_TIME_COST": "1", "SLA_SWEEP_SECONDS": "0",
           "SSL_CERTFILE": str(cert.certfile), "SSL_KEYFILE": str(cert.keyfile)}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app.serve"], cwd=BACKEND, env=env,
                                stdout=subprocess.PIPE, stderr=out, text=True)
    assert proc.stdout is not None
    base = f"https://127.0.0.1:{port}"
    try:
        printed = ""
        while f"{base}/ui/" not in printed:
            line = proc.stdout.readline()
            assert line, f"the server exited before printing its URL:\n{printed}{log.read_text()[-3000:]}"
            printed += line
        assert f"http://127.0.0.1:{port}" not in printed, "the printed URL says https"
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AssertionError(f"SIGTERM did not stop the server:\n{log.read_text()[-3000:]}") from None


def test_tls_needs_both_files() -> None:
    from app.serve import TlsMisconfigured, tls_options

    assert tls_options({}) == {}
    assert tls_options({"SSL_CERTFILE": "c.pem", "SSL_KEYFILE": "k.pem"}) == {
        "ssl_certfile": "c.pem", "ssl_keyfile": "k.pem"}
    for half in ({"SSL_CERTFILE": "c.pem"}, {"SSL_KEYFILE": "k.pem"}):
        with pytest.raises(TlsMisconfigured):
            tls_options(half)


async def test_the_official_pagerduty_client_over_tls(database_url: str, tmp_path: Path) -> None:
    await asyncio.to_thread(_trigger_acknowledge_resolve, database_url, tmp_path)


def _trigger_acknowledge_resolve(database_url: str, tmp_path: Path) -> None:
    cert = self_signed(tmp_path)
    with https_server(database_url, cert, tmp_path) as base, \
            httpx.Client(base_url=base, verify=cert.trusted(), timeout=30) as console:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/healthz", timeout=10)  # not trusted by default: it is TLS, self-signed
        signed_in = console.post("/auth/login", json={"username": "jordan", "password": "demo123"})
        admin = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        created = console.post("/services/1/integration-keys", json={"name": "pagerduty"}, headers=admin)
        assert created.status_code == 201, created.text

        with pagerduty.EventsApiV2Client(created.json()["key"], base_url=base,
                                         verify=cert.trusted()) as sender:
            dedup = sender.trigger("Checkout latency above 2 s", "checkout-api-7",
                                   dedup_key="pd-client-1", severity="critical")
            assert dedup == "pd-client-1"
            alert = console.get("/alerts", params={"fingerprint": dedup}, headers=admin).json()["items"][0]
            assert (alert["source"], alert["status"], alert["severity"]) == ("pagerduty", "firing", "SEV1")
            incident = console.get(f"/incidents/{alert['incident_id']}", headers=admin).json()
            assert (incident["title"], incident["status"]) == ("Checkout latency above 2 s", "New")

            assert sender.acknowledge(dedup) == dedup
            incident = console.get(f"/incidents/{alert['incident_id']}", headers=admin).json()
            assert incident["status"] == "Investigating"

            assert sender.resolve(dedup) == dedup
            alert = console.get("/alerts", params={"fingerprint": dedup}, headers=admin).json()["items"][0]
            assert alert["status"] == "resolved" and alert["resolved_at"] is not None
