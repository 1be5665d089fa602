"""Readiness: may this process take traffic? The database answers, and on PostgreSQL the live
stream's LISTEN connection is up where streams are served (without it, they would miss
updates)."""

import asyncio
from dataclasses import dataclass

from sqlalchemy import text

from app.db import Database
from app.infra.live import LiveFeed

CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]  # name -> "ok" or why not

    @property
    def ready(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    @property
    def failed(self) -> list[str]:
        return [k for k, v in self.checks.items() if v != "ok"]


async def _database(db: Database) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer within {CHECK_TIMEOUT_SECONDS:g}s"
    except Exception as exc:  # any driver's refusal: the check's answer, never a 500
        return f"unreachable ({type(exc).__name__})"
    return "ok"


async def check(db: Database, live: LiveFeed) -> Readiness:
    checks = {"database": await _database(db)}
    if db.dialect == "postgresql" and live.listens:  # a worker serves no streams
        checks["live_updates"] = "ok" if live.listening else "LISTEN connection down"
    return Readiness(checks)
