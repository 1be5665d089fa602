"""Similar past incidents: the earlier incidents most like this one, with what was learnt.

Three steps. The database finds the distinct titles nearest this one's (migration
0020_similar_titles: incidents repeat their titles, so that table is small): on PostgreSQL by
pg_trgm (`title_key % :title ORDER BY title_key <-> :title`, a GiST index scan, with the
similarity threshold SET LOCAL for the one query), on SQLite by bm25 from an FTS5 trigram
index. Then, per title found, it reads the most recent earlier incidents with that title from
a B-tree on (lower(title), created_at), all in one statement. Last, domain/similarity.py scores
those candidates on title, description and impact, the service and the root cause, so both
databases rank by the same definition; only the way titles are found differs.
"""

from functools import lru_cache
from math import ceil
from typing import Any

from sqlalchemy import Integer, String, bindparam, column, func, literal_column, select, table, union_all
from sqlalchemy.sql import Select

from app.clock import utcnow
from app.db import Database
from app.domain import similarity
from app.errors import NotFound
from app.infra.rows import Row, RowReader
from app.models import Incident, SimilarTitle
from app.models.base import UTCDateTime
from app.services.incidents.reads import incident_payload, incident_rows

FTS = "similar_titles_fts"  # migration 0020_similar_titles
TITLES = 10  # the nearest distinct titles looked at
_I = Incident.__table__.c
ONE = select(_I.id, _I.title, _I.description, _I.impact, _I.service_id, _I.created_at).where(
    _I.id == bindparam("incident_id", type_=Integer()))


def candidates_for(limit: int) -> int:
    """How many candidates the database returns for `limit` answers: enough that the service
    and root-cause boosts can reorder them."""
    return max(20, 4 * limit)


def per_title(candidates: int, titles: int) -> int:
    """How many of the latest earlier incidents to read per title found: the candidates shared
    among the titles, at least two each (one title alone gets them all)."""
    return max(2, ceil(candidates / titles))


@lru_cache(maxsize=2)
def titles_statement(postgresql: bool) -> Select[Any]:
    """The distinct titles nearest `:title`, nearest first."""
    if postgresql:
        title = bindparam("title", type_=String())
        return (select(SimilarTitle.title_key)
                .where(SimilarTitle.title_key.op("%")(title))
                .order_by(SimilarTitle.title_key.op("<->")(title))
                .limit(TITLES))
    fts = table(FTS, column("title_key"), column("rank"))
    return (select(fts.c.title_key)
            .where(literal_column(FTS).op("MATCH")(bindparam("match", type_=String())))
            .order_by(fts.c.rank)
            .limit(TITLES))


@lru_cache(maxsize=TITLES)
def candidates_statement(titles: int) -> Select[Any]:
    """The candidates as incident list rows (with their RCA's fields as `rca_*`): for each of
    `titles` titles (`:t0`, `:t1`, ...), the `:per_title` latest earlier incidents with it."""
    parts = []
    for i in range(titles):
        latest = (select(Incident.id)
                  .where(func.lower(Incident.title) == bindparam(f"t{i}", type_=String()),
                         Incident.created_at < bindparam("before", type_=UTCDateTime()),
                         Incident.id != bindparam("incident_id", type_=Integer()))
                  .order_by(func.lower(Incident.title), Incident.created_at.desc())
                  .limit(bindparam("per_title", type_=Integer()))
                  .subquery(f"t{i}"))
        parts.append(select(latest.c.id))
    found = union_all(*parts).subquery("nearest")
    return incident_rows(rca_meta=False).join(found, found.c.id == Incident.id)


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
        if postgresql:
            near = await reader.all(titles_statement(True), title=me["title"])
        else:
            match = fts_query(me["title"], await _fts_tokenizer(db, reader))
            near = await reader.all(titles_statement(False), match=match) if match else []
        # Both databases keep only the titles the ranking would consider (pg_trgm's `%` did
        # already; bm25 matched any shared trigram).
        wanted = similarity.trigrams(me["title"])
        keys = [r["title_key"] for r in near
                if similarity.jaccard(wanted, similarity.trigrams(r["title_key"]))
                >= similarity.CANDIDATE_SIMILARITY]
        if not keys:
            return {"items": []}
        params: dict[str, Any] = {f"t{i}": key for i, key in enumerate(keys)}
        params.update(incident_id=incident_id, before=me["created_at"],
                      per_title=per_title(candidates_for(limit), len(keys)))
        rows = await reader.all(candidates_statement(len(keys)), **params)
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
