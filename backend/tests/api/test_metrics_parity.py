"""SQLite (the portable query) and PostgreSQL (the two-level one) give the same /metrics
figures, to the millisecond, for the same incidents: microsecond timestamps, durations on
half-millisecond ties, incidents that never reach a stage, several windows and filters.

Runs wherever PostgreSQL is tested (SQLite is always at hand)."""

import random
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from app.domain.severity import Severity
from app.main import create_app
from app.models import Incident
from app.services.metrics import compute as metrics
from app.services.metrics.measures import MEASURES
from tests.conftest import DATABASES, PG_URL_PREFIX, _pg_admin, test_settings

pytestmark = pytest.mark.skipif("postgresql" not in DATABASES,
                                reason="compares with PostgreSQL, not tested in this run")

START = datetime(2025, 3, 1, tzinfo=UTC)
DAYS = 10
PAST = START - timedelta(days=1)
FAR = datetime(2200, 1, 1, tzinfo=UTC)


def incidents(seed: int = 20250301, n: int = 500) -> list[Incident]:
    """All deadlines are long past or far ahead, so the figures do not depend on `now`."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        created = START + timedelta(seconds=rnd.uniform(0, DAYS * 86400))
        created = created.replace(microsecond=rnd.choice([0, 499_999, 500_000, rnd.randrange(10**6)]))
        if i % 50 == 0:  # a hair before midnight: the day must not round up
            created = created.replace(hour=23, minute=59, second=59, microsecond=999_600)

        def later(base: datetime, chance: float) -> datetime | None:
            if rnd.random() > chance:
                return None
            ms = rnd.choice([rnd.randrange(1, 5000), rnd.randrange(1, 3_600_000)])
            us = rnd.choice([0, 500, 499, 501, rnd.randrange(1000)])  # ties on the half ms
            return base + timedelta(milliseconds=ms, microseconds=us)

        ack = later(created, 0.85)
        mitigated = later(ack, 0.8) if ack else None
        resolved = later(mitigated or ack or created, 0.7) if ack else None
        if resolved and i % 7 == 0:
            resolved = resolved.replace(hour=23, minute=59, second=59, microsecond=999_700)
            resolved += timedelta(days=1) if resolved < (mitigated or ack or created) else timedelta(0)
        due = rnd.choice([PAST, FAR, created + timedelta(minutes=rnd.randrange(1, 90))])
        rows.append(Incident(
            title=f"parity {i}", description="", severity=rnd.choice(list(Severity)).value,
            status="Resolved" if resolved else "Mitigated" if mitigated else "New",
            service_id=rnd.choice([1, 2, 3, 4]), created_at=created, version=1,
            acknowledged_at=ack, mitigated_at=mitigated, resolved_at=resolved,
            ack_due_at=due, resolve_due_at=due + timedelta(minutes=30),
            ack_at_risk_at=due, resolve_at_risk_at=due,
        ))
    return rows


@pytest.fixture
async def both(sqlite_template: Path, pg_template: str, tmp_path: Path
               ) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    path = tmp_path / "parity.db"
    shutil.copyfile(sqlite_template, path)
    name = f"ic_parity_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    lite = create_app(test_settings(f"sqlite+aiosqlite:///{path}"))
    pg = create_app(test_settings(PG_URL_PREFIX + name))
    try:
        async with lite.router.lifespan_context(lite), pg.router.lifespan_context(pg):
            for application in (lite, pg):
                async with application.state.db.transaction() as session:
                    session.add_all(incidents())
            yield lite, pg
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


END = START + timedelta(days=DAYS + 1)
WINDOWS = [
    metrics.MetricsWindow(start=START, end=END),
    metrics.MetricsWindow(end=END),
    metrics.MetricsWindow(start=START + timedelta(days=2, hours=5), end=START + timedelta(days=6)),
    metrics.MetricsWindow(start=START, end=END, service_id=[2, 3]),
    metrics.MetricsWindow(start=START, end=END, severity=[Severity.SEV1, Severity.SEV4]),
    metrics.MetricsWindow(start=START, end=END, service_id=[1], severity=[Severity.SEV2]),
]


async def test_sqlite_and_postgresql_agree_to_the_millisecond(
    both: tuple[FastAPI, FastAPI]
) -> None:
    lite, pg = both
    assert lite.state.db.dialect == "sqlite" and pg.state.db.dialect == "postgresql"
    for window in WINDOWS:
        on_sqlite = (await metrics.compute(lite.state.db, window)).model_dump()
        on_pg = (await metrics.compute(pg.state.db, window)).model_dump()
        assert on_sqlite["incident_count"] > 0, window
        for m in MEASURES:
            assert on_sqlite[m.count_field] > 0 and on_sqlite[m.mean_field] is not None, window
        assert on_sqlite == on_pg, window
