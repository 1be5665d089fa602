"""Password guessing is throttled per username and per client address (429 + Retry-After),
and a sign-in for an unknown user costs the same time as one for a known user."""

import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.config import Settings
from app.main import create_app
from app.services.users.accounts import Accounts
from tests.conftest import test_settings as make_settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: FastAPI) -> FakeClock:
    fake = FakeClock()
    throttle = app.state.accounts.throttle
    throttle.users.clock = throttle.clients.clock = fake
    return fake


def client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def _login(c: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await c.post("/auth/login", json={"username": username, "password": password})


async def test_failures_per_username_are_throttled(
    app: FastAPI, settings: Settings, clock: FakeClock
) -> None:
    limit = settings.login_failures_per_user
    async with client_from(app, "10.0.0.1") as a, client_from(app, "10.0.0.2") as b:
        for _ in range(limit):
            assert (await _login(a, "avery", "wrong")).status_code == 401
        throttled = await _login(a, "avery", "wrong")
        assert throttled.status_code == 429
        retry = int(throttled.headers["retry-after"])
        assert 0 < retry <= settings.login_throttle_window_seconds
        assert str(retry) in throttled.json()["detail"]
        # The right password does not get through while throttled, from any address.
        assert (await _login(a, "avery", "demo123")).status_code == 429
        assert (await _login(b, "avery", "demo123")).status_code == 429
        assert (await _login(b, "AVERY ", "demo123")).status_code == 429
        # Other people are not affected.
        assert (await _login(a, "jordan", "demo123")).status_code == 200
        clock.now += retry
        assert (await _login(b, "avery", "demo123")).status_code == 200


async def test_success_clears_the_username_count(app: FastAPI, settings: Settings,
                                                 clock: FakeClock) -> None:
    async with client_from(app, "10.0.0.3") as c:
        for _ in range(3):
            for _ in range(settings.login_failures_per_user - 1):
                assert (await _login(c, "jordan", "nope")).status_code == 401
            assert (await _login(c, "jordan", "demo123")).status_code == 200


async def test_failures_per_client_address_are_throttled(
    app: FastAPI, settings: Settings, clock: FakeClock
) -> None:
    limit = settings.login_failures_per_client
    async with client_from(app, "192.0.2.7") as attacker, client_from(app, "192.0.2.8") as other:
        for i in range(limit):
            response = await _login(attacker, f"user{i}", "guess")  # spraying many usernames
            assert response.status_code == 401
        throttled = await _login(attacker, "someone-new", "guess")
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) > 0
        assert (await _login(attacker, "jordan", "demo123")).status_code == 429
        assert (await _login(other, "jordan", "demo123")).status_code == 200
        clock.now += settings.login_throttle_window_seconds + 1
        assert (await _login(attacker, "jordan", "demo123")).status_code == 200


async def test_throttled_form_login_too(app: FastAPI, settings: Settings, clock: FakeClock) -> None:
    async with client_from(app, "10.9.9.9") as c:
        for _ in range(settings.login_failures_per_user):
            form = {"username": "morgan", "password": "x", "grant_type": "password"}
            assert (await c.post("/auth/login", data=form)).status_code == 401
        form = {"username": "morgan", "password": "demo123", "grant_type": "password"}
        response = await c.post("/auth/login", data=form)
        assert response.status_code == 429 and "retry-after" in response.headers


@pytest.fixture
async def timed_app(database_url: str) -> AsyncIterator[FastAPI]:
    """Production-like hashing cost, so a skipped hash would show; no throttling in the way."""
    settings = make_settings(database_url, login_failures_per_user=10_000,
                             login_failures_per_client=10_000).model_copy(
        update={"password_memory_kib": 19456, "password_time_cost": 2})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        accounts: Accounts = app.state.accounts
        real_hash = await accounts.hash_password("demo123")
        async with app.state.db.transaction() as session:
            await session.execute(text("UPDATE users SET password_hash = :h"), {"h": real_hash})
        yield app


async def test_unknown_user_costs_the_same_time(timed_app: FastAPI) -> None:
    attempts = {"known": "avery", "unknown": "nobody-here", "long unknown": "x" * 64}
    times: dict[str, list[float]] = {name: [] for name in attempts}
    async with client_from(timed_app, "10.1.1.1") as c:
        await _login(c, "avery", "warm-up")
        for _ in range(11):  # interleaved, so a busy machine slows every kind alike
            for name, username in attempts.items():
                start = time.perf_counter()
                response = await _login(c, username, "wrong")
                times[name].append(time.perf_counter() - start)
                assert response.status_code == 401
    median = {name: statistics.median(t) for name, t in times.items()}
    assert median["known"] > 0.005, "hashing should dominate the cost of a sign-in"
    for name in ("unknown", "long unknown"):
        assert 0.6 < median[name] / median["known"] < 1.6, median
