"""How GET /incidents' statements are shaped on PostgreSQL: a lone filter value is a plain
`=` (PostgreSQL walks a composite index in order for that, not for `= ANY(ARRAY[v])`: one
service, owner and status took 190 ms instead of 0.5 ms at a million incidents)."""

from sqlalchemy.dialects import postgresql

from app.domain.lifecycle import Status
from app.services.incidents.listing import IncidentFilter, page_statement


def sql(f: IncidentFilter) -> str:
    stmt = page_statement(f.shape(True), True, False)
    return str(stmt.compile(dialect=postgresql.asyncpg.dialect()))  # type: ignore[attr-defined]


def test_one_value_is_an_equality_and_several_an_array() -> None:
    one = IncidentFilter(service_id=[3], assignee_id=[7], status=[Status.CLOSED])
    text = sql(one)
    assert "incidents.service_id = $" in text and "ANY" not in text
    assert one.bound(True)["service_id"] == 3
    several = IncidentFilter(service_id=[3, 4])
    assert "incidents.service_id = ANY ($" in sql(several)
    assert several.bound(True)["service_id"] == [3, 4]


def test_statements_are_built_once_per_shape() -> None:
    a = IncidentFilter(service_id=[3], status=[Status.NEW])
    b = IncidentFilter(service_id=[9], status=[Status.CLOSED])
    assert page_statement(a.shape(True), True, False) is page_statement(b.shape(True), True, False)
    c = IncidentFilter(service_id=[3, 9], status=[Status.NEW])
    assert page_statement(c.shape(True), True, False) is not page_statement(a.shape(True), True, False)
