"""Keeping the metric rollups (models/metric_rollups.py): triggers on `incidents`, and a rebuild.

A settled incident (sorting.SETTLED: finished, acknowledged and resolved) adds the same
figures to /metrics whatever the time: its durations are fixed and so is its breach. Those
figures are summed here as incidents change, by database triggers in the transaction of every
write (the app's writer, the demo history's direct updates, a bulk load's inserts), so every
path keeps them exact: on any insert, update or delete, the old row's contribution is taken
away if it was settled and the new one's added if it is, unless nothing they depend on
changed. Unsettled incidents (a few: open ones) are read live by rollup_reads.py.

The trigger bodies and the rebuild are generated here from one description of an incident's
contribution (`_sums_rows`, `_bucket_rows`), built from the metrics' own SQL pieces
(measures.MEASURES' durations, utc_day, sketch.log_bucket). The settled breach rule is
restated in SQL here (`_SETTLED_BREACH`): for a settled incident sla/filters.breached(now)
reduces to it whatever `now` (both times are on record, and a paused clock only matters
while a target is pending); tests/api/test_metric_rollups.py holds the two to the same
figures. A bulk load that bypasses triggers (session_replication_role = replica) calls
`rebuild` after it (bench/load_pg.py).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import DateTime, literal_column
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from app.domain.lifecycle import OPEN_STATUSES
from app.services.metrics.measures import MEASURES
from app.services.metrics.sketch import COARSE, log_bucket
from app.services.metrics.sql_functions import ms_between, utc_day

SUMS = "metric_rollups"
BUCKETS = "metric_rollup_buckets"
# What a contribution depends on besides being settled (status, acknowledged_at, resolved_at).
DEPENDS_ON = ("created_at", "service_id", "severity", "acknowledged_at", "mitigated_at",
              "resolved_at", "ack_due_at", "resolve_due_at")
_OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
_SUM_COLUMNS = ("incident_count", *(c for m in MEASURES for c in (m.count, m.sum_ms)),
                "breached_count", "known_count", "resolved")
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


def _compiled(expr: Any, dialect: Dialect) -> str:
    return str(expr.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _col(r: str, name: str) -> Any:
    return literal_column(f"{r}.{name}", DateTime())


def settled(r: str) -> str:
    """sorting.SETTLED for the row `r` (NEW, OLD or the table)."""
    return (f"({r}.status NOT IN ({_OPEN}) AND {r}.acknowledged_at IS NOT NULL"
            f" AND {r}.resolved_at IS NOT NULL)")


def _settled_breach(r: str) -> str:
    return f"({r}.acknowledged_at > {r}.ack_due_at OR {r}.resolved_at > {r}.resolve_due_at)"


def _ms(r: str, end: str, d: Dialect) -> str:
    return _compiled(ms_between(_col(r, end), _col(r, "created_at")), d)


def _bucket(r: str, end: str, d: Dialect) -> str:
    return _compiled(log_bucket(ms_between(_col(r, end), _col(r, "created_at"))), d)


# The cube: each contribution lands in the rows of every (service or 0) x (severity or '').
_CUBE = ("(SELECT 0 AS x UNION ALL SELECT 1) fs, (SELECT 0 AS x UNION ALL SELECT 1) fv")


def _cube_keys(r: str) -> str:
    return (f"CASE WHEN fs.x = 1 THEN {r}.service_id ELSE 0 END AS service_id, "
            f"CASE WHEN fv.x = 1 THEN {r}.severity ELSE '' END AS severity")


def _sums_rows(r: str, sign: int, d: Dialect, source: str = "", where: str = "1 = 1") -> str:
    """Per (day, service_id, severity), the figures `r` adds (sign 1) or takes (-1): fd.x = 0
    the whole history, 1 its day of creation, 2 its day of resolution (`resolved` only)."""
    figures = [f"CASE WHEN fd.x < 2 THEN {sign} ELSE 0 END"]
    for m in MEASURES:
        reached = f"fd.x < 2 AND {r}.{m.end} IS NOT NULL"
        figures += [f"CASE WHEN {reached} THEN {sign} ELSE 0 END",
                    f"CASE WHEN {reached} THEN {sign} * {_ms(r, m.end, d)} ELSE 0 END"]
    figures += [f"CASE WHEN fd.x < 2 AND {_settled_breach(r)} THEN {sign} ELSE 0 END",
                f"CASE WHEN fd.x < 2 THEN {sign} ELSE 0 END",
                f"CASE WHEN fd.x <> 1 THEN {sign} ELSE 0 END"]
    day = (f"CASE fd.x WHEN 0 THEN '' WHEN 1 THEN {_compiled(utc_day(_col(r, 'created_at')), d)}"
           f" ELSE {_compiled(utc_day(_col(r, 'resolved_at')), d)} END AS day")
    inner = (f"SELECT {day}, {_cube_keys(r)}, "
             + ", ".join(f"{f} AS {c}" for f, c in zip(figures, _SUM_COLUMNS, strict=True))
             + f" FROM {source}(SELECT 0 AS x UNION ALL SELECT 1 UNION ALL SELECT 2) fd, {_CUBE}"
             + f" WHERE {where}")
    return ("SELECT day, service_id, severity, "
            + ", ".join(f"sum({c})" for c in _SUM_COLUMNS)
            + f" FROM ({inner}) c WHERE 1 = 1 GROUP BY day, service_id, severity"
            + " ORDER BY day, service_id, severity")


def _bucket_rows(r: str, sign: int, d: Dialect, source: str = "", where: str = "1 = 1") -> str:
    """Each duration in its bucket (tier 0) and its bucket's coarse group (tier 1)."""
    parts = [
        f"SELECT {tier} AS tier, {_cube_keys(r)}, '{m.name}' AS measure,"
        f" {_bucket(r, m.end, d) if tier == 0 else f'{_bucket(r, m.end, d)} / {COARSE}'} AS bucket,"
        f" {sign} AS n, {sign} * {_ms(r, m.end, d)} AS sum_ms"
        f" FROM {source}{_CUBE} WHERE {r}.{m.end} IS NOT NULL AND {where}"
        for m in MEASURES for tier in (0, 1)
    ]
    return (f"SELECT tier, service_id, severity, measure, bucket, sum(n), sum(sum_ms)"
            f" FROM ({' UNION ALL '.join(parts)}) c WHERE 1 = 1"
            f" GROUP BY tier, service_id, severity, measure, bucket"
            f" ORDER BY tier, service_id, severity, measure, bucket")


def _apply(r: str, sign: int, d: Dialect) -> list[str]:
    """The statements that add (or take away) the row `r`'s contribution. Their rows come in
    key order, so concurrent writers lock the shared rows (the 'every' ones) in one order and
    wait for each other rather than deadlock."""
    sums = ", ".join(f"{c} = {SUMS}.{c} + excluded.{c}" for c in _SUM_COLUMNS)
    return [
        f"INSERT INTO {SUMS} (day, service_id, severity, {', '.join(_SUM_COLUMNS)}) "
        f"{_sums_rows(r, sign, d)} "
        f"ON CONFLICT (day, service_id, severity) DO UPDATE SET {sums}",
        f"INSERT INTO {BUCKETS} (tier, service_id, severity, measure, bucket, n, sum_ms) "
        f"{_bucket_rows(r, sign, d)} "
        f"ON CONFLICT (tier, service_id, severity, measure, bucket) DO UPDATE SET "
        f"n = {BUCKETS}.n + excluded.n, sum_ms = {BUCKETS}.sum_ms + excluded.sum_ms",
    ]


def _changed() -> str:
    return "(" + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in DEPENDS_ON) + ")"


def _sqlite_changed() -> str:
    return "(" + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in DEPENDS_ON) + ")"


TRIGGERS = ("metric_rollups_ai", "metric_rollups_ad", "metric_rollups_au_old",
            "metric_rollups_au_new")
PG_FUNCTION = "metric_rollups_apply"
_UPDATE_OF = ", ".join(("status", *dict.fromkeys(DEPENDS_ON)))


def create_triggers(dialect: str) -> list[str]:
    """The DDL that keeps the rollups in step with `incidents` (migration 0019_metric_rollups;
    a later batch rebuild of `incidents` on SQLite must run it again)."""
    d = DIALECTS[dialect]
    if dialect == "sqlite":
        changed = _sqlite_changed()
        when = {
            "metric_rollups_ai": ("AFTER INSERT", settled("NEW"), _apply("NEW", 1, d)),
            "metric_rollups_ad": ("AFTER DELETE", settled("OLD"), _apply("OLD", -1, d)),
            "metric_rollups_au_old": (f"AFTER UPDATE OF {_UPDATE_OF}",
                                      f"{settled('OLD')} AND (NOT {settled('NEW')} OR {changed})",
                                      _apply("OLD", -1, d)),
            "metric_rollups_au_new": (f"AFTER UPDATE OF {_UPDATE_OF}",
                                      f"{settled('NEW')} AND (NOT {settled('OLD')} OR {changed})",
                                      _apply("NEW", 1, d)),
        }
        return [f"CREATE TRIGGER {name} {event} ON incidents FOR EACH ROW WHEN {cond} BEGIN "
                + "; ".join(body) + "; END"
                for name, (event, cond, body) in when.items()]
    changed = _changed()
    old, new = settled("OLD"), settled("NEW")
    function = (
        f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
        f"IF TG_OP <> 'INSERT' AND {old} AND (TG_OP = 'DELETE' OR NOT {new} OR {changed}) THEN\n"
        + ";\n".join(_apply("OLD", -1, d)) + ";\nEND IF;\n"
        f"IF TG_OP <> 'DELETE' AND {new} AND (TG_OP = 'INSERT' OR NOT {old} OR {changed}) THEN\n"
        + ";\n".join(_apply("NEW", 1, d)) + ";\nEND IF;\nRETURN NULL;\nEND $$")
    return [
        function,
        # Only settled rows call the function: a create (unsettled) costs nothing more.
        f"CREATE TRIGGER metric_rollups_ai AFTER INSERT ON incidents FOR EACH ROW "
        f"WHEN ({new}) EXECUTE FUNCTION {PG_FUNCTION}()",
        f"CREATE TRIGGER metric_rollups_ad AFTER DELETE ON incidents FOR EACH ROW "
        f"WHEN ({old}) EXECUTE FUNCTION {PG_FUNCTION}()",
        f"CREATE TRIGGER metric_rollups_au AFTER UPDATE OF {_UPDATE_OF} ON incidents "
        f"FOR EACH ROW WHEN (({old} OR {new}) AND ({old} IS DISTINCT FROM {new} OR {changed})) "
        f"EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def drop_triggers(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
    return [f"DROP TRIGGER IF EXISTS {name} ON incidents"
            for name in ("metric_rollups_ai", "metric_rollups_ad", "metric_rollups_au")] + [
        f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"]


def rebuild_statements(dialect: str) -> Sequence[str]:
    """Recount the rollups from `incidents` (after a load that bypassed the triggers)."""
    d = DIALECTS[dialect]
    source, where = "incidents, ", settled("incidents")
    return [
        f"DELETE FROM {SUMS}",
        f"DELETE FROM {BUCKETS}",
        f"INSERT INTO {SUMS} (day, service_id, severity, {', '.join(_SUM_COLUMNS)}) "
        + _sums_rows("incidents", 1, d, source, where),
        f"INSERT INTO {BUCKETS} (tier, service_id, severity, measure, bucket, n, sum_ms) "
        + _bucket_rows("incidents", 1, d, source, where),
    ]
