"""Settings parse as documented: from the environment, from backend/.env.example (every line
of it, commented examples included), comma lists, the proxy list, and demo data."""

import logging
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import BACKEND_DIR, Settings

EXAMPLE = BACKEND_DIR / ".env.example"
SECRET = "s" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: nothing from the shell running the tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_comma_separated_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a,https://b")
    assert Settings(_env_file=None).cors_origins == ["https://a", "https://b"]  # type: ignore[call-arg]
    monkeypatch.setenv("CORS_ORIGINS", " https://a , ,https://b ")
    assert Settings(_env_file=None).cors_origins == ["https://a", "https://b"]  # type: ignore[call-arg]
    monkeypatch.setenv("CORS_ORIGINS", '["https://c"]')
    assert Settings(_env_file=None).cors_origins == ["https://c"]  # type: ignore[call-arg]
    monkeypatch.setenv("CORS_ORIGINS", "")
    assert Settings(_env_file=None).cors_origins == []  # type: ignore[call-arg]


def test_the_example_file_loads_as_it_stands() -> None:
    settings = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    assert settings.cors_origins == [] and settings.app_env == "development"
    assert settings.should_seed and settings.forwarded_allow_ips == "127.0.0.1"


def _example_lines() -> list[tuple[str, str]]:
    found = []
    for line in EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"#? ?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            found.append((match[1], match[2]))
    return found


def test_every_example_line_names_a_setting_and_parses(tmp_path: Path) -> None:
    """Commented examples too: uncommenting any one of them must not stop the app."""
    lines = _example_lines()
    assert {"CORS_ORIGINS", "SEED_DEMO_DATA", "FORWARDED_ALLOW_IPS"} <= {n for n, _ in lines}
    for name, value in lines:
        assert name.lower() in Settings.model_fields, f"{name} in .env.example is not a setting"
        env = tmp_path / f"{name}.env"
        env.write_text(f"{name}={value}\n")
        Settings(_env_file=env)  # type: ignore[call-arg]
    multi = tmp_path / "cors.env"
    multi.write_text("CORS_ORIGINS=https://a,https://b\n")
    assert Settings(_env_file=multi).cors_origins == ["https://a", "https://b"]  # type: ignore[call-arg]


def test_trusted_proxies_are_addresses_or_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(_env_file=None).forwarded_allow_ips == "127.0.0.1"  # type: ignore[call-arg]
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", " 10.0.0.0/8, 192.0.2.1 ,fd00::/8")
    assert Settings(_env_file=None).forwarded_allow_ips == "10.0.0.0/8,192.0.2.1,fd00::/8"  # type: ignore[call-arg]
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "proxy.internal")
    with pytest.raises(ValidationError, match="forwarded_allow_ips"):
        Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(("app_env", "seed", "expected"), [
    ("development", None, True), ("development", "", True), ("development", "false", False),
    ("production", None, False), ("production", "", False), ("production", "false", False),
    ("production", "true", True), ("staging", None, False),
])
def test_demo_data_outside_development_only_when_asked(
    monkeypatch: pytest.MonkeyPatch, app_env: str, seed: str | None, expected: bool
) -> None:
    monkeypatch.setenv("APP_ENV", app_env)
    monkeypatch.setenv("JWT_SECRET", SECRET)
    if seed is not None:
        monkeypatch.setenv("SEED_DEMO_DATA", seed)
    assert Settings(_env_file=None).should_seed is expected  # type: ignore[call-arg]


def test_demo_accounts_in_production_are_announced_loudly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("JWT_SECRET", SECRET)
    with caplog.at_level(logging.WARNING):
        Settings(_env_file=None).check_secure()  # type: ignore[call-arg]
    assert not caplog.records
    monkeypatch.setenv("SEED_DEMO_DATA", "true")
    with caplog.at_level(logging.WARNING):
        Settings(_env_file=None).check_secure()  # type: ignore[call-arg]
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert "demo123" in warning and "SEED_DEMO_DATA" in warning and "production" in warning
