"""The compose files: both valid against the Compose Specification's JSON schema (vendored,
see README.md here; no Docker engine or `docker compose` installs on these machines), and the
company topology wired as its comments say: a one-shot migration first, three API replicas
and a worker in their modes, nginx in front round-robin over exactly those replicas with the
live stream unbuffered, and only the proxy's forwarded addresses believed."""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
COMPOSE_FILES = ["docker-compose.yml", "docker-compose.company.yml"]


@cache
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads((HERE / "compose-spec.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return loaded


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_valid_against_the_compose_specification(name: str) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator().iter_errors(load(name))]
    assert not errors, errors


def test_the_schema_rejects_what_compose_would() -> None:
    broken = load("docker-compose.company.yml")
    broken["services"]["worker"]["depends_on"] = {"migrate": {"condition": "when_done"}}
    broken["services"]["migrate"]["restart_policy"] = "always"
    wrong = {tuple(e.absolute_path)[:2] for e in validator().iter_errors(broken)}
    assert wrong == {("services", "worker"), ("services", "migrate")}


def test_the_company_topology() -> None:
    services = load("docker-compose.company.yml")["services"]
    apis = sorted(s for s in services if re.fullmatch(r"api\d+", s))
    assert apis == ["api1", "api2", "api3"]
    migrate = services["migrate"]
    assert migrate["command"][-2:] == ["upgrade", "head"] and migrate["restart"] == "no"
    assert migrate["environment"]["MIGRATE_ON_START"] == "false"
    for name in [*apis, "worker"]:
        service = services[name]
        assert service["environment"]["WORKER_MODE"] == ("worker" if name == "worker" else "api")
        assert service["environment"]["MIGRATE_ON_START"] == "false", name
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert service["environment"]["PROMETHEUS_MULTIPROC_DIR"] in service["tmpfs"], name
    proxy = services["proxy"]
    address = proxy["networks"]["console"]["ipv4_address"]
    assert {services[a]["environment"]["FORWARDED_ALLOW_IPS"] for a in apis} == {address}
    assert set(proxy["depends_on"]) == set(apis)


def test_the_proxy_balances_the_replicas_and_streams_unbuffered() -> None:
    services = load("docker-compose.company.yml")["services"]
    (mount,) = services["proxy"]["volumes"]
    source, target, _ = mount.split(":")
    assert target == "/etc/nginx/conf.d/default.conf"
    conf = (ROOT / source).read_text()
    upstream = re.search(r"upstream incident_console_api \{(.*?)\}", conf, re.S)
    assert upstream is not None
    servers = re.findall(r"^\s*server (\S+?):(\d+)", upstream[1], re.M)
    apis = sorted(s for s in services if re.fullmatch(r"api\d+", s))
    assert sorted(host for host, _ in servers) == apis
    assert {port for _, port in servers} == {"8000"}
    assert "least_conn" not in upstream[1] and "ip_hash" not in upstream[1], "round-robin"
    stream = re.search(r"location = /stream \{(.*?)\}", conf, re.S)
    assert stream is not None
    assert "proxy_buffering off;" in stream[1] and "proxy_read_timeout 1h;" in stream[1]
    assert "Last-Event-ID" in stream[1]
    retried = re.search(r"proxy_next_upstream [^;]*non_idempotent", conf)
    assert not retried, "a POST already sent is never replayed on another replica"
