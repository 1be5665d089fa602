"""Declarative base and the column types every table shares."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every database.

    SQLite keeps no zone: values are stored as naive UTC and the zone is put back on read,
    so SLA and metrics maths never mixes naive and aware times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONDocument = JSON().with_variant(JSONB(), "postgresql")


# Indexes only some databases get, made by migrations when the database can (PostgreSQL's
# pg_trgm for free-text search and similar titles): not in the models, and left out of model
# comparisons.
OUTSIDE_MODELS = frozenset({"ix_incidents_search_trgm", "ix_incidents_title_trgm",
                            "ix_incidents_title_created", "ix_similar_titles_trgm"})
# SQLite's full-text index of distinct titles (migration 0020_similar_titles; 0018_similar's
# of every title before it): the FTS5 table and its shadow tables, kept by triggers.
OUTSIDE_MODELS_TABLES = ("incident_titles_fts", "similar_titles_fts")


def in_models(_object: Any, name: str | None, type_: str, _reflected: bool, _other: Any) -> bool:
    """Alembic's include_object: everything but OUTSIDE_MODELS (and OUTSIDE_MODELS_TABLES)."""
    if type_ == "table":
        return not (name or "").startswith(OUTSIDE_MODELS_TABLES)
    return not (type_ == "index" and name in OUTSIDE_MODELS)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime}
