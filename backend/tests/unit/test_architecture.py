"""The layers of docs/architecture.md hold by construction: `make lint` runs import-linter's
contracts (pyproject.toml), and these checks cover what a contract cannot name."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    outside = {
        (path.name, name) for path in (BACKEND / "app" / "domain").glob("*.py")
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names and not name.startswith("app.domain")
    }
    assert outside == set()


def test_migrations_import_no_application_code() -> None:
    """A migration must give the same schema and data whatever the app's code becomes."""
    found = {(path.name, name) for path in (BACKEND / "alembic" / "versions").glob("*.py")
             for name in _imports(path) if name.split(".")[0] == "app"}
    assert found == set()


def _lint_copy(tmp_path: Path, wrong: tuple[str, str] | None) -> subprocess.CompletedProcess[str]:
    shutil.copytree(BACKEND / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(BACKEND / "pyproject.toml", tmp_path / "pyproject.toml")
    if wrong is not None:
        module, line = wrong
        target = tmp_path / module
        target.write_text(target.read_text() + f"\n{line}\n")
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("wrong", "contract"), [
    (("app/routers/stream.py", "from app.models import User"), "routers/ are thin"),
    (("app/domain/sla.py", "import sqlalchemy"), "domain/ is pure"),
    (("app/services/incidents/writer.py", "from fastapi import HTTPException"),
     "services/ never import the web framework"),
    (("app/errors.py", "from fastapi import HTTPException"), "errors carry no HTTP"),
])
def test_a_deliberately_wrong_import_breaks_the_lint(tmp_path: Path, wrong: tuple[str, str],
                                                     contract: str) -> None:
    result = _lint_copy(tmp_path, wrong)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout


def test_the_tree_as_it_is_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint_copy(tmp_path, None)
    assert result.returncode == 0, result.stdout
