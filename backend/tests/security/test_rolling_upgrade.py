"""A rolling upgrade loses nothing (PostgreSQL; issue 16, item 6).

Two API processes (real uvicorn) share one database under steady load: writers adding timeline
events, readers listing incidents and reading one, and a live-stream client. Each process is
replaced in turn the way a Deployment with maxUnavailable 0 and a preStop delay replaces pods:
start the new one, wait until it is ready, put it in rotation, take the old one out, let the
requests it holds finish, SIGTERM it (graceful; streams still open are cut after
UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN). The client side of rotation stands in for the Service.

Asserted: no 5xx and no failed request, every acknowledged write is in the timeline afterwards,
and the stream client, reconnecting with Last-Event-ID to whichever replica is in rotation,
received every acknowledged write's event.
"""

import asyncio
import itertools
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.security.servers import Server, free_port, fresh_database

GRACE_SECONDS = "3"  # uvicorn's --timeout-graceful-shutdown, as UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN
DRAIN_SECONDS = 1.0  # out of rotation before SIGTERM: the preStop delay
READY_TIMEOUT = 180.0  # generous: a loaded 2-core CI machine takes ~15 s to import the app


@dataclass
class Replica:
    server: Server
    client: httpx.AsyncClient


@dataclass
class Rotation:
    """The Service in front: round-robin over the replicas that are ready and not leaving."""
    live: list[Replica] = field(default_factory=list)
    turn: "itertools.count[int]" = field(default_factory=itertools.count)

    def next(self) -> Replica:
        return self.live[next(self.turn) % len(self.live)]


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    acknowledged: list[int] = field(default_factory=list)
    streamed: set[int] = field(default_factory=set)
    reconnects: int = 0
    resumed_with: list[int] = field(default_factory=list)


async def _ready(client: httpx.AsyncClient) -> None:
    """Ready as the Deployment's probe says: /-/readiness, or /healthz before that existed."""
    async with asyncio.timeout(READY_TIMEOUT):
        while True:
            try:
                answer = await client.get("/-/readiness")
                if answer.status_code in (200, 404):  # 404: no readiness route; healthz answered
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def start_replica(url: str, tmp_path: Path, n: int) -> Replica:
    server = Server(url, free_port(), tmp_path / f"replica-{n}.log")
    await asyncio.to_thread(server.start, READY_TIMEOUT)  # returns once /healthz answers
    started = Replica(server, httpx.AsyncClient(base_url=server.base_url, timeout=30))
    await _ready(started.client)
    return started


async def stop_replica(old: Replica) -> None:
    """SIGTERM, and wait for it to exit (it is killed after 10 s)."""
    await asyncio.to_thread(old.server.stop)
    await old.client.aclose()


async def _write(rotation: Rotation, auth: dict[str, str], incident: int, tally: Tally,
                 stop: asyncio.Event) -> None:
    for n in itertools.count():
        if stop.is_set():
            return
        try:
            answer = await rotation.next().client.post(
                f"/incidents/{incident}/comments", headers=auth, json={"body": f"during the upgrade {n}"})
        except httpx.TransportError as exc:
            tally.failures.append(f"write: {exc!r}")
            continue
        tally.statuses[answer.status_code] += 1
        if answer.status_code == 201:
            tally.acknowledged.append(answer.json()["id"])


async def _read(rotation: Rotation, auth: dict[str, str], incident: int, tally: Tally,
                stop: asyncio.Event) -> None:
    for n in itertools.count():
        if stop.is_set():
            return
        path = "/incidents?limit=20" if n % 2 else f"/incidents/{incident}"
        try:
            answer = await rotation.next().client.get(path, headers=auth)
        except httpx.TransportError as exc:
            tally.failures.append(f"read: {exc!r}")
            continue
        tally.statuses[answer.status_code] += 1


async def _listen(rotation: Rotation, token: str, tally: Tally, stop: asyncio.Event) -> None:
    """An SSE client as EventSource behaves: keep the last id, reconnect with it."""
    last_id: str | None = None
    while not stop.is_set():
        headers = {"Last-Event-ID": last_id} if last_id is not None else {}
        if last_id is not None:
            tally.resumed_with.append(int(last_id))
        try:
            async with rotation.next().client.stream(
                    "GET", "/stream", params={"access_token": token}, headers=headers) as answer:
                tally.statuses[answer.status_code] += 1
                kind = None
                async for line in answer.aiter_lines():
                    if line.startswith("id: "):
                        last_id = line[4:]
                    elif line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind == "event.created":
                        tally.streamed.add(json.loads(line[6:])["id"])
                    if stop.is_set():
                        return
        except (httpx.RemoteProtocolError, httpx.ReadError):
            pass  # a stream cut by a replica that stopped: reconnect, as EventSource does
        except httpx.TransportError as exc:
            tally.failures.append(f"stream: {exc!r}")
        tally.reconnects += 1
        await asyncio.sleep(0.05)


async def test_replacing_every_replica_under_load_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN", GRACE_SECONDS)
    tally, stop, rotation = Tally(), asyncio.Event(), Rotation()
    running: list[Replica] = []
    load: list[asyncio.Task[None]] = []
    listener: asyncio.Task[None] | None = None
    with fresh_database("postgresql", tmp_path) as url:
        try:
            for n in (1, 2):
                running.append(await start_replica(url, tmp_path, n))
            rotation.live = list(running)
            first = running[0].client
            signed_in = await first.post("/auth/login", json={"username": "avery", "password": "demo123"})
            token = signed_in.json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            created = await first.post("/incidents", headers=auth, json={
                "title": "Rolling upgrade", "severity": "SEV3", "service_id": 1})
            incident = created.json()["id"]
            load += [asyncio.create_task(_write(rotation, auth, incident, tally, stop)) for _ in range(2)]
            load += [asyncio.create_task(_read(rotation, auth, incident, tally, stop)) for _ in range(2)]
            listener = asyncio.create_task(_listen(rotation, token, tally, stop))
            await asyncio.sleep(1.0)
            for n, old in ((3, running[0]), (4, running[1])):
                new = await start_replica(url, tmp_path, n)
                running.append(new)
                rotation.live.append(new)  # surge: the new one is ready, then the old one goes
                rotation.live.remove(old)
                await asyncio.sleep(DRAIN_SECONDS)
                await stop_replica(old)
                running.remove(old)
                await asyncio.sleep(1.0)
            for task in load:
                task.cancel()
            await asyncio.gather(*load, return_exceptions=True)
            # Every acknowledged write reaches the stream client.
            async with asyncio.timeout(20):
                while not set(tally.acknowledged) <= tally.streamed:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            timeline = await rotation.next().client.get(f"/incidents/{incident}", headers=auth)
            stored = {e["id"] for e in timeline.json()["events"]}
        finally:
            stop.set()
            tasks = [*load, *([listener] if listener else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.gather(*(stop_replica(r) for r in running))

    assert len(tally.acknowledged) > 20, f"too little load to mean anything: {tally.statuses}"
    assert not [s for s in tally.statuses if s >= 500], tally.statuses
    assert not tally.failures, tally.failures[:5]
    assert set(tally.acknowledged) <= stored, "every acknowledged write is kept"
    assert set(tally.acknowledged) <= tally.streamed, "the stream client missed none"
    assert tally.resumed_with, "the stream client resumed with Last-Event-ID"
