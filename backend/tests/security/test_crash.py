"""Crash safety: SIGKILL the server in the middle of an alert storm from concurrent clients,
start it again on the same database, and check that every alert that got a 2xx is stored,
exactly once (SQLite in WAL mode, and PostgreSQL). Requests that were in flight at the kill
are retried with their Idempotency-Key after the restart: each gets a 2xx (the first answer
if it had committed, else a fresh run), and none is stored twice.

SQLite runs with synchronous=NORMAL: a commit survives the process being killed (this
test), not necessarily a power cut of the machine.
"""

import asyncio
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security.servers import KINDS, Server, free_port, fresh_database, token

CLIENTS = 16
BATCH = 5
STORM_SECONDS = 0.5
MIN_ACKED_BEFORE_KILL = 100


async def _storm(server: Server, headers: dict[str, str], acked: set[str],
                 in_flight: dict[str, list[dict[str, Any]]], stop: asyncio.Event,
                 enough: asyncio.Event) -> None:
    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as c:
            i = 0
            while not stop.is_set():
                key = f"crash-{n}-{i}"
                batch = [{"title": f"Storm {n}/{i}/{j}", "severity": "SEV3",
                          "service": "checkout-api", "dedup_key": f"{key}-{j}"}
                         for j in range(BATCH)]
                in_flight[key] = batch
                try:
                    r = await c.post("/alerts", json=batch,
                                     headers={**headers, "Idempotency-Key": key})
                except httpx.HTTPError:
                    return  # the server is gone; this batch stays in flight
                if r.status_code < 300:
                    acked.update(a["dedup_key"] for a in batch)
                    if len(acked) >= MIN_ACKED_BEFORE_KILL:
                        enough.set()
                    del in_flight[key]
                else:
                    raise AssertionError(f"{r.status_code} {r.text}")
                i += 1

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))


async def _stored(server: Server, headers: dict[str, str]) -> Counter[str]:
    seen: Counter[str] = Counter()
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as c:
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (await c.get("/alerts", params=params, headers=headers)).json()
            for a in page["items"]:
                seen[a["fingerprint"]] += 1
                counts[a["fingerprint"]] = a["count"]
            cursor = page["next_cursor"]
            if not cursor:
                break
    assert all(n == 1 for f, n in counts.items() if f.startswith("crash-")), "an alert counted twice"
    return seen


@pytest.mark.parametrize("kind", KINDS)
async def test_sigkill_mid_storm_loses_and_duplicates_nothing(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        server = Server(url, free_port(), tmp_path / "server.log")
        await asyncio.to_thread(server.start)
        try:
            headers = await asyncio.to_thread(token, server, "avery")
            acked: set[str] = set()
            in_flight: dict[str, list[dict[str, Any]]] = {}
            stop, enough = asyncio.Event(), asyncio.Event()
            storm = asyncio.create_task(
                _storm(server, headers, acked, in_flight, stop, enough))
            await asyncio.wait_for(enough.wait(), 60)
            await asyncio.sleep(STORM_SECONDS)  # then kill it in full flow
            assert acked, "the storm got nothing through before the kill"
            server.kill()  # SIGKILL mid-storm: clients are still sending
            if kind == "sqlite":  # WAL mode, with commits not yet checkpointed into the file
                assert await asyncio.to_thread(os.path.exists, url.split("///", 1)[1] + "-wal")
            killed_at = time.monotonic()
            stop.set()
            await asyncio.wait_for(storm, 30)

            await asyncio.to_thread(server.start)
            stored = await _stored(server, headers)
            lost = sorted(k for k in acked if stored[k] != 1)
            assert not lost, f"{len(lost)} acknowledged alerts missing or duplicated: {lost[:10]}"

            async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as c:
                retries = await asyncio.gather(*(
                    c.post("/alerts", json=batch, headers={**headers, "Idempotency-Key": key})
                    for key, batch in in_flight.items()))
            # A batch that committed before the kill replays its stored answer (stored with
            # the change); one that did not runs now. Never a 409: no claim outlives a crash
            # without its answer.
            assert all(r.status_code < 300 for r in retries), [
                f"{r.status_code} {r.text}" for r in retries if r.status_code >= 300]
            stored = await _stored(server, headers)
            duplicated = [f for f, n in stored.items() if n > 1]
            assert not duplicated, duplicated
            for key in in_flight:
                assert all(stored[a["dedup_key"]] == 1 for a in in_flight[key])
            print(f"{kind}: {len(acked)} alerts acknowledged before the kill, "
                  f"{len(in_flight)} batches in flight, restart after "
                  f"{time.monotonic() - killed_at:.1f}s")
        finally:
            server.stop()
