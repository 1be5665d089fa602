"""The newcomer's first ten minutes: the README says how to change the port and links the API
contract, every documentation link stays inside the repository, docs/API.md is the code's
contract as it is now, and `make run` installs only what running needs."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from app import api_doc

ROOT = Path(__file__).resolve().parents[3]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("*/README.md")),
        *sorted((ROOT / "bench").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|<a [^>]*href=\"([^\"]+)\"")


def test_readme_says_how_to_change_the_port_and_links_the_api_contract() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "PORT=9000 make run" in readme
    assert "](docs/API.md)" in readme


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_in_the_docs_points_inside_the_repository(doc: Path) -> None:
    for match in LINK.finditer(doc.read_text()):
        target = match.group(1) or match.group(2)
        if target.startswith("#"):
            continue
        assert not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I), f"{doc.name} links outside: {target}"
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT), f"{doc.name} links outside the repository: {target}"
        assert path.exists(), f"{doc.name} links to a missing file: {target}"


def test_docs_api_md_is_the_contract_the_code_implements() -> None:
    written = (ROOT / "docs" / "API.md").read_text()
    assert written == api_doc.render(), "docs/API.md is stale: run 'make openapi'"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_what_running_needs_and_not_the_test_tools() -> None:
    # -n: print, never run; -B: as if nothing were installed yet.
    plan = subprocess.run(["make", "-n", "-B", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "-r backend/requirements.txt" in plan
    assert "requirements-dev" not in plan
    assert "app.serve" in plan
    tests = subprocess.run(["make", "-n", "-B", "test-unit"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout
    assert "-r backend/requirements-dev.txt" in tests
