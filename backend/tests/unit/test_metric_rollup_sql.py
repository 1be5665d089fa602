"""Migration 0019_metric_rollups holds the rollup triggers and the recount written out, as
app/services/metrics/rollups.py generated them (migrations import no app code). Changing what
rollups.py generates (a measure, the breach rule, the sketch's buckets) fails here: that change
needs a new migration which replaces the triggers and runs the recount, and then this test
reads that migration instead."""

import ast
from pathlib import Path

from app.services.metrics import rollups

MIGRATION = Path(__file__).resolve().parents[2] / "alembic" / "versions" / "2026_11_29_metric_rollups.py"
DIALECTS = ("sqlite", "postgresql")


def _written(name: str) -> dict[str, list[str]]:
    tree = ast.parse(MIGRATION.read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            assert node.value is not None
            value: dict[str, list[str]] = ast.literal_eval(node.value)
            return value
    raise AssertionError(f"{name} not in {MIGRATION.name}")


def test_the_migration_creates_the_triggers_rollups_generates() -> None:
    assert _written("CREATE_TRIGGERS") == {d: rollups.create_triggers(d) for d in DIALECTS}
    assert _written("DROP_TRIGGERS") == {d: rollups.drop_triggers(d) for d in DIALECTS}


def test_the_migration_recounts_as_rebuild_does() -> None:
    assert _written("REBUILD") == {d: list(rollups.rebuild_statements(d)) for d in DIALECTS}
