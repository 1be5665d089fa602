"""Similar past incidents: the earlier incidents most like this one, with what was learnt.

Two steps. The database finds candidates by title through an index: on PostgreSQL the
nearest titles by pg_trgm (`lower(title) % :title ORDER BY lower(title) <-> :title`, a GiST index scan,
with the similarity threshold SET LOCAL for the one query); on SQLite the best titles by bm25
from an FTS5 index of titles (migration 0018_similar). Then domain/similarity.py scores
those candidates on title, description and impact, the service and the root cause, so both
databases rank by the same definition; only the way candidates are found differs.
"""

from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, String, bindparam, column, func, literal_column, select, table
from sqlalchemy.sql import Select

from app.clock import utcnow
from app.db import Database
from app.domain import similarity
from app.errors import NotFound
from app.infra.rows import Row, RowReader
from app.models import Incident
from app.models.base import UTCDateTime
from app.services.incidents.reads import incident_payload, incident_rows

FTS = "incident_titles_fts"  # migration 0018_similar
_I = Incident.__table__.c
ONE = select(_I.id, _I.title, _I.description, _I.impact, _I.service_id, _I.created_at).where(
    _I.id == bindparam("incident_id", type_=Integer()))


def candidates_for(limit: int) -> int:
    """How many candidates the database returns for `limit` answers: enough that the service
    and root-cause boosts can reorder them."""
    return max(20, 4 * limit)


def _earlier_others() -> list[Any]:
    return [Incident.created_at < bindparam("before", type_=UTCDateTime()),
            Incident.id != bindparam("incident_id", type_=Integer())]


@lru_cache(maxsize=2)
def candidates_statement(postgresql: bool) -> Select[Any]:
    """The candidates as incident list rows (with their RCA's fields as `rca_*`)."""
    if postgresql:
        title = bindparam("title", type_=String())
        indexed = func.lower(Incident.title)  # ix_incidents_title_trgm's expression
        found = (select(Incident.id)
                 .where(indexed.op("%")(title), *_earlier_others())
                 .order_by(indexed.op("<->")(title)))
    else:
        fts = table(FTS, column("rowid"), column("rank"))
        found = (select(Incident.id)
                 .select_from(fts.join(Incident, Incident.id == fts.c.rowid))
                 .where(literal_column(FTS).op("MATCH")(bindparam("match", type_=String())),
                        *_earlier_others())
                 .order_by(fts.c.rank))
    nearest = found.limit(bindparam("candidates", type_=Integer())).subquery("nearest")
    return incident_rows(rca_meta=False).join(nearest, nearest.c.id == Incident.id)


_tokenizers: dict[str, str] = {}


async def _fts_tokenizer(db: Database, reader: RowReader) -> str:
    """The FTS table's tokenizer (trigram, or unicode61 on SQLite before 3.34), read once."""
    key = str(db.engine.url)
    if key not in _tokenizers:
        master = table("sqlite_master", column("name"), column("sql"))
        rows = await reader.all(select(master.c.sql).where(master.c.name == FTS))
        _tokenizers[key] = "trigram" if rows and "trigram" in str(rows[0]["sql"]) else "unicode61"
    return _tokenizers[key]


def fts_query(title: str, tokenizer: str) -> str | None:
    """An FTS5 query for titles sharing any trigram within a word (or, with unicode61, any
    word) of `title`; None when it has none."""
    text = title.lower()
    if tokenizer == "trigram":  # within words: " on" and "on " would match nearly every title
        terms = {text[i:i + 3] for i in range(len(text) - 2)}
        terms = {t for t in terms if not any(ch.isspace() for ch in t)}
    else:
        terms = set("".join(ch if ch.isalnum() else " " for ch in text).split())
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in sorted(terms))


def _as_candidate(row: Row) -> similarity.Candidate:
    return similarity.Candidate(
        key=row["id"], text=similarity.IncidentText.of(row["title"], row["description"], row["impact"]),
        service_id=row["service_id"],
        root_cause=row["rca_root_cause"] if row["rca_incident_id"] is not None else None)


async def similar_incidents(db: Database, incident_id: int, limit: int) -> dict[str, Any]:
    """`SimilarIncidents` as a dict: the `limit` most similar earlier incidents."""
    now = utcnow()
    postgresql = db.dialect == "postgresql"
    threshold = {"pg_trgm.similarity_threshold": str(similarity.CANDIDATE_SIMILARITY)}
    async with db.rows.reader_with(threshold if postgresql else {}) as reader:
        found = await reader.all(ONE, incident_id=incident_id)
        if not found:
            raise NotFound("Incident", incident_id)
        me = found[0]
        params: dict[str, Any] = {"incident_id": incident_id, "before": me["created_at"],
                                  "candidates": candidates_for(limit)}
        if postgresql:
            params["title"] = me["title"]
        else:
            match = fts_query(me["title"], await _fts_tokenizer(db, reader))
            if match is None:
                return {"items": []}
            params["match"] = match
        rows = await reader.all(candidates_statement(postgresql), **params)
    by_id = {row["id"]: row for row in rows}
    ranked = similarity.rank(similarity.IncidentText.of(me["title"], me["description"], me["impact"]),
                             me["service_id"], (_as_candidate(row) for row in rows), limit)
    items = []
    for candidate, score in ranked:
        row = by_id[candidate.key]
        has_rca = row["rca_incident_id"] is not None
        items.append({"incident": incident_payload(row, now), "score": score,
                      "root_cause": row["rca_root_cause"] if has_rca else None,
                      "corrective_actions": row["rca_corrective_actions"] if has_rca else None})
    return {"items": items}
