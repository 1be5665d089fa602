"""Portable SQL for time arithmetic: the same numbers from SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class ms_between(FunctionElement[int]):
    """(later - earlier) in whole milliseconds, NULL when either is NULL.

    Both databases count the exact microseconds first, in integers, then round half up
    ((us + 500) / 1000: the API's durations are never negative), so they agree to the
    millisecond on every value, half-millisecond ties included. Sums and sorts of these stay
    in integer arithmetic."""

    type = BigInteger()
    inherit_cache = True


@compiles(ms_between, "sqlite")
def _ms_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff': whole seconds from
    # strftime('%s') of the first 19 characters (given the fraction, SQLite would round it to
    # the millisecond first), the six digits of microseconds from character 21 on ('' -> 0).
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)

    def seconds(t: str) -> str:
        return f"CAST(strftime('%s', substr({t}, 1, 19)) AS INTEGER)"

    def micros(t: str) -> str:
        return f"CAST(substr({t}, 21) AS INTEGER)"

    us = f"({seconds(later)} - {seconds(earlier)}) * 1000000 + {micros(later)} - {micros(earlier)}"
    return f"(({us} + 500) / 1000)"


@compiles(ms_between, "postgresql")
def _ms_pg(element: Any, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    us = f"round(date_part('epoch', {later} - {earlier}) * 1000000)::bigint"
    return f"(({us} + 500) / 1000)"


class utc_day(FunctionElement[str]):
    """The UTC calendar date of a timestamp as 'YYYY-MM-DD'."""

    type = String()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _day_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _day_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
