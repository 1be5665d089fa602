"""Nothing lost, nothing doubled: real server processes delivering to a local sink. A SIGKILL
in the middle of deliveries loses none (they go after the restart, a repeat only as the same
delivery id), and two replicas on one PostgreSQL deliver each (event, channel) once."""

import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.notification_sink import Received, ThreadSink
from tests.security.servers import KINDS, Server, free_port, fresh_database, token

FAST_SENDER = {"NOTIFICATION_POLL_SECONDS": "0.2", "NOTIFICATION_TIMEOUT_SECONDS": "2",
               "NOTIFICATION_RETRY_BASE_SECONDS": "0.2", "NOTIFICATION_CONCURRENCY": "4",
               "NOTIFICATION_CHANNEL_CONCURRENCY": "4", "SLA_SWEEP_SECONDS": "0"}


def by_incident(requests: list[Received]) -> dict[int, set[str]]:
    """Each incident's `incident.created` delivery ids as the sink saw them."""
    seen: dict[int, set[str]] = defaultdict(set)
    for r in requests:
        body = r.json()
        if body["type"] == "incident.created":
            seen[body["incident"]["id"]].add(r.delivery)
    return seen


def open_incidents(server: Server, headers: dict[str, str], count: int) -> list[int]:
    ids = []
    for n in range(count):
        response = httpx.post(f"{server.base_url}/incidents", headers=headers, timeout=10, json={
            "title": f"Storm {n}", "severity": "SEV2", "service_id": 1})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def add_channel(server: Server, headers: dict[str, str], url: str) -> None:
    response = httpx.post(f"{server.base_url}/notification-channels", headers=headers, timeout=10,
                          json={"name": "sink", "kind": "webhook", "url": url,
                                "events": ["incident.created"]})
    assert response.status_code == 201, response.text


def wait_until(check: "object", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.parametrize("kind", KINDS)
def test_sigkill_mid_delivery_loses_none(kind: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_SENDER.items():
        monkeypatch.setenv(name, value)
    # Slow enough that the kill lands mid-delivery: at four at a time, the twenty take 7.5 s
    # (under the sender's 2 s timeout each), longer than opening them takes on a loaded
    # machine (with 0.3 s, all twenty could arrive before the kill).
    sink = ThreadSink(delay=1.5)
    try:
        with fresh_database(kind, tmp_path) as url:
            server = Server(url, free_port(), tmp_path / "server.log")
            server.start()
            try:
                admin = token(server, "jordan")
                add_channel(server, admin, sink.url)
                opened = open_incidents(server, admin, 20)
                wait_until(lambda: len(sink.received()) >= 2)
                server.kill()
                assert len(by_incident(sink.received())) < len(opened), "all sent before the kill"
                server.start()
                wait_until(lambda: set(by_incident(sink.received())) >= set(opened))
                time.sleep(1)
                seen = by_incident(sink.received())
                # Every incident told; a repeat (sent, then killed before it was recorded)
                # only ever under the same delivery id.
                assert all(len(seen[i]) == 1 for i in opened), seen
            finally:
                server.stop()
    finally:
        sink.close()


@pytest.mark.skipif("postgresql" not in KINDS, reason="PostgreSQL tier not selected")
def test_two_replicas_deliver_each_notification_once(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_SENDER.items():
        monkeypatch.setenv(name, value)
    sink = ThreadSink()
    try:
        with fresh_database("postgresql", tmp_path) as url:
            a = Server(url, free_port(), tmp_path / "a.log")
            b = Server(url, free_port(), tmp_path / "b.log")
            a.start()
            b.start()
            try:
                admin_a, admin_b = token(a, "jordan"), token(b, "jordan")
                add_channel(a, admin_a, sink.url)
                opened = open_incidents(a, admin_a, 15) + open_incidents(b, admin_b, 15)
                wait_until(lambda: set(by_incident(sink.received())) >= set(opened))
                time.sleep(1.5)
                requests = [r for r in sink.received() if r.json()["type"] == "incident.created"]
                assert len(requests) == len(opened)  # each once: no two replicas sent one
                assert len({r.delivery for r in requests}) == len(opened)
            finally:
                a.stop()
                b.stop()
    finally:
        sink.close()
