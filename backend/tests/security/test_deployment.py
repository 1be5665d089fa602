"""The shipped deployment (docker-compose.yml + backend/Dockerfile), as its files say it runs:
no demo admin unless asked, and the client address behind a proxy is the caller's.

The compose environment is expanded as `docker compose` would with nothing set but
JWT_SECRET; the Dockerfile's own command line starts a real uvicorn here."""

import logging
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from app.config import Settings
from app.db import Database, make_engine
from app.main import create_app
from app.models import User
from tests.security.servers import BACKEND, KINDS, free_port, fresh_database

ROOT = BACKEND.parent
SECRET = "x" * 48


def _expand(value: str, env: dict[str, str]) -> str:
    """${NAME}, ${NAME:-default}, ${NAME:?message} as docker compose expands them."""
    def one(match: re.Match[str]) -> str:
        name, op, arg = match[1], match[2] or "", match[3] or ""
        if op == ":-":
            return env.get(name) or arg
        if op == ":?":
            if not env.get(name):
                raise AssertionError(f"compose requires {name}: {arg}")
            return env[name]
        return env.get(name, "")
    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def dockerfile() -> tuple[dict[str, str], list[str]]:
    env: dict[str, str] = {}
    cmd: list[str] = []
    for line in (BACKEND / "Dockerfile").read_text().splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
        elif line.startswith("CMD "):
            cmd = yaml.safe_load(line[4:])  # the JSON (exec) form
    return env, cmd


def compose_environment(shell: dict[str, str]) -> dict[str, str]:
    """The backend container's environment: the Dockerfile's ENV, then compose's."""
    env, _ = dockerfile()
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, value in compose["services"]["backend"]["environment"].items():
        env[name] = _expand(str(value), shell)
    return env


def settings_from(env: dict[str, str], database_url: str,
                  monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PASSWORD_MEMORY_KIB", "1024")
    monkeypatch.setenv("PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("SLA_SWEEP_SECONDS", "0")
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def _users_after_start(settings: Settings) -> tuple[int, int]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            status = (await c.post("/auth/login",
                                   json={"username": "jordan", "password": "demo123"})).status_code
    db = Database(make_engine(settings))
    try:
        async with db.read() as session:
            count = await session.scalar(select(func.count()).select_from(User))
    finally:
        await db.dispose()
    return count or 0, status


@pytest.mark.parametrize("kind", KINDS)
async def test_compose_ships_no_demo_admin(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    env = compose_environment({"JWT_SECRET": SECRET})
    assert env["APP_ENV"] == "production"
    with fresh_database(kind, tmp_path) as url:
        settings = settings_from(env, url, monkeypatch)
        with caplog.at_level(logging.WARNING):
            assert await _users_after_start(settings) == (0, 401)
        assert "demo123" not in caplog.text


@pytest.mark.parametrize("kind", KINDS)
async def test_demo_data_in_production_only_when_asked_and_said_loudly(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    env = compose_environment({"JWT_SECRET": SECRET, "SEED_DEMO_DATA": "true"})
    with fresh_database(kind, tmp_path) as url:
        settings = settings_from(env, url, monkeypatch)
        with caplog.at_level(logging.WARNING):
            # The three demo people and, with the sixty days of history, its two responders.
            assert await _users_after_start(settings) == (5, 200)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "demo123" in
                r.getMessage()]
    assert warnings and "SEED_DEMO_DATA" in warnings[0].getMessage()
    assert "sam, riley" in warnings[0].getMessage(), "every account with the published password"


def test_the_image_trusts_forwarded_headers_only_from_the_setting() -> None:
    env, cmd = dockerfile()
    assert env["FORWARDED_ALLOW_IPS"] == Settings.model_fields["forwarded_allow_ips"].default
    line = " ".join(cmd)
    assert "--proxy-headers" in line and '--forwarded-allow-ips "$FORWARDED_ALLOW_IPS"' in line
    compose = compose_environment({"JWT_SECRET": SECRET, "FORWARDED_ALLOW_IPS": "10.1.2.3"})
    assert compose["FORWARDED_ALLOW_IPS"] == "10.1.2.3"
    assert compose_environment({"JWT_SECRET": SECRET})["FORWARDED_ALLOW_IPS"] == "127.0.0.1"


def _serve(url: str, port: int, trusted: str, log: Path) -> subprocess.Popen[bytes]:
    """The Dockerfile's CMD, on a free local port instead of 0.0.0.0:8000."""
    _, cmd = dockerfile()
    script = cmd[2] if cmd[:2] == ["sh", "-c"] else shlex.join(cmd)
    script = script.replace("--host 0.0.0.0 --port 8000", f"--host 127.0.0.1 --port {port}")
    assert f"--port {port}" in script, script
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "DATABASE_URL": url, "APP_ENV": "development", "PASSWORD_MEMORY_KIB": "1024",
           "PASSWORD_TIME_COST": "1", "SLA_SWEEP_SECONDS": "0", "FORWARDED_ALLOW_IPS": trusted}
    with open(log, "ab") as out:
        process = subprocess.Popen(["sh", "-c", script], cwd=BACKEND, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]  # exec: sh is uvicorn
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-3000:]}")


def _guess_then_sign_in(port: int) -> int:
    """Five wrong passwords for jordan from one forwarded client, then the right one from
    another: the status of that last sign-in."""
    url = f"http://127.0.0.1:{port}/auth/login"
    with httpx.Client(timeout=10) as c:
        for _ in range(5):
            wrong = c.post(url, json={"username": "jordan", "password": "x"},
                           headers={"X-Forwarded-For": "198.51.100.9"})
            assert wrong.status_code == 401
        return c.post(url, json={"username": "jordan", "password": "demo123"},
                      headers={"X-Forwarded-For": "203.0.113.5"}).status_code


@pytest.mark.parametrize("kind", KINDS)
def test_behind_a_trusted_proxy_each_caller_counts_as_itself(kind: str, tmp_path: Path) -> None:
    """Here 127.0.0.1 plays the reverse proxy: trusted (the default), the forwarded address
    is the caller's, so a guesser does not hold back jordan; untrusted, every caller is the
    proxy's one address (and X-Forwarded-For is not believed)."""
    with fresh_database(kind, tmp_path) as url:
        for trusted, expected in (("127.0.0.1", 200), ("192.0.2.1", 429)):
            port = free_port()
            process = _serve(url, port, trusted, tmp_path / "server.log")
            try:
                assert _guess_then_sign_in(port) == expected, trusted
            finally:
                process.terminate()
                process.wait(timeout=10)
