"""Expand, then contract: a rolling upgrade runs the previous release's code on the new schema
(the migration Job runs first, old pods keep serving), so a migration after EXPAND_FROM may
only add: new tables, new nullable (or defaulted) columns, new indexes. Removing or renaming
something the previous release reads is a later release's contract step, declared in the
migration as `CONTRACTS = "<revision>"`: the earlier revision whose release stopped using it.

Read from the files (ast), without importing a migration or the app.
"""

import ast
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[2] / "alembic" / "versions"
EXPAND_FROM = "0017_escalation"  # the last revision written before the rule
# What old code can break on: removing or renaming tables and columns, or a column becoming
# required without a default while old code still inserts rows without it.
CONTRACTING = {"drop_column", "drop_table", "rename_table", "drop_constraint"}


def _assigned(tree: ast.Module, name: str) -> str | None:
    for node in tree.body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            value = node.value
            return value.value if isinstance(value, ast.Constant) else None
    return None


def migrations() -> dict[str, tuple[str | None, ast.Module, Path]]:
    found = {}
    for path in VERSIONS.glob("*.py"):
        tree = ast.parse(path.read_text())
        revision = _assigned(tree, "revision")
        assert revision, path
        found[revision] = (_assigned(tree, "down_revision"), tree, path)
    return found


def chain() -> list[str]:
    """Revisions oldest first (one line of history)."""
    found = migrations()
    children = {down: rev for rev, (down, _, _) in found.items()}
    order, current = [], children.get(None)
    while current is not None:
        order.append(current)
        current = children.get(current)
    assert len(order) == len(found), "one line of history"
    return order


def contracting_calls(tree: ast.Module) -> list[str]:
    upgrade = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade")
    calls = []
    for node in ast.walk(upgrade):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            renames = name == "alter_column" and any(k.arg == "new_column_name" for k in node.keywords)
            required = (name == "alter_column"
                        and any(k.arg == "nullable" and isinstance(k.value, ast.Constant)
                                and k.value.value is False for k in node.keywords)
                        and not any(k.arg == "server_default" for k in node.keywords))
            if name in CONTRACTING or renames or required:
                calls.append(f"{name} (line {node.lineno})")
    return calls


def test_migrations_after_the_rule_only_expand_unless_they_say_what_they_contract() -> None:
    order = chain()
    found = migrations()
    assert EXPAND_FROM in order
    for revision in order[order.index(EXPAND_FROM) + 1:]:
        _, tree, path = found[revision]
        calls = contracting_calls(tree)
        if not calls:
            continue
        contracts = _assigned(tree, "CONTRACTS")
        assert contracts in order[:order.index(revision)], (
            f"{path.name} removes or renames what the previous release may still use "
            f"({', '.join(calls)}): ship the code that stops using it first, then contract "
            f"in a later migration that says so with CONTRACTS = '<that earlier revision>'")


def test_the_rule_sees_a_contracting_migration() -> None:
    tree = ast.parse(
        "revision = 'x'\n"
        "def upgrade():\n"
        "    op.drop_column('incidents', 'impact')\n"
        "    with op.batch_alter_table('users') as b:\n"
        "        b.alter_column('name', new_column_name='display_name')\n"
        "        b.alter_column('email', nullable=False)\n"
        "        b.alter_column('role', nullable=False, server_default='viewer')\n"
        "    op.add_column('incidents', sa.Column('cause', sa.Text(), nullable=True))\n")
    assert contracting_calls(tree) == ["drop_column (line 3)", "alter_column (line 5)",
                                       "alter_column (line 6)"]
