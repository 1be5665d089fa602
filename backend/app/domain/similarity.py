"""How similar a past incident is to the one being fought: the one definition of the score.

Text similarity is trigram similarity as PostgreSQL's pg_trgm computes it: each word (a run of
letters and digits, lower-cased) padded with two spaces before and one after, cut into every
three consecutive characters; two texts are as similar as the share of trigrams they have in
common (|A & B| / |A | B|, 0 to 1). The title counts most (it says what broke in a few words);
the description and impact together count the rest. A past incident of the same service ranks
higher, and so does one whose RCA names a root cause (the point is to reuse what was learnt).

Candidates are the earlier incidents whose *title* is at least CANDIDATE_SIMILARITY similar: on
PostgreSQL the `%` operator over a trigram index on the title with that threshold, on SQLite a
full-text index of titles; both databases then score those candidates here, so the order and
the figures are the same wherever the rows came from.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# pg_trgm's default `similarity_threshold`: an earlier incident whose title shares less than
# this is not a candidate (set per query on PostgreSQL, applied here on SQLite).
CANDIDATE_SIMILARITY = 0.3
TITLE_WEIGHT = 0.6  # the rest is the description and impact's
SAME_SERVICE_BOOST = 0.25
RCA_BOOST = 0.15
_MOST = (1 + SAME_SERVICE_BOOST) * (1 + RCA_BOOST)  # the largest factor: scores stay within 0..1


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of `text` (show_trgm), as a set."""
    found: set[str] = set()
    word: list[str] = []
    for ch in text.lower() + " ":
        if ch.isalnum():
            word.append(ch)
        elif word:
            padded = "  " + "".join(word) + " "
            found.update(padded[i:i + 3] for i in range(len(padded) - 2))
            word.clear()
    return frozenset(found)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """pg_trgm's similarity() of two trigram sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b)."""
    return jaccard(trigrams(a), trigrams(b))


@dataclass(frozen=True)
class IncidentText:
    """What an incident says, as trigram sets: its title, and its description with its impact."""

    title: frozenset[str]
    body: frozenset[str]

    @classmethod
    def of(cls, title: str, description: str, impact: str) -> "IncidentText":
        return cls(trigrams(title), trigrams(f"{description} {impact}"))


def text_similarity(a: IncidentText, b: IncidentText) -> float:
    """Title and body similarity, weighted; the title alone when neither has a body."""
    title = jaccard(a.title, b.title)
    if not a.body and not b.body:
        return title
    return TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * jaccard(a.body, b.body)


def is_candidate(current: IncidentText, past: IncidentText) -> bool:
    """Whether a past incident's title is close enough to be considered at all."""
    return jaccard(current.title, past.title) >= CANDIDATE_SIMILARITY


def score(current: IncidentText, past: IncidentText, *, same_service: bool, has_root_cause: bool) -> float:
    """0 to 1: text similarity raised for the same service and for a known root cause, scaled
    so that an identical incident of the same service with its root cause scores 1."""
    factor = (1 + SAME_SERVICE_BOOST * same_service) * (1 + RCA_BOOST * has_root_cause)
    return round(text_similarity(current, past) * factor / _MOST, 4)


@dataclass(frozen=True)
class Candidate:
    """A past incident as the ranking sees it; `key` identifies it to the caller."""

    key: int
    text: IncidentText
    service_id: int
    root_cause: str | None


def rank(current: IncidentText, service_id: int, candidates: Iterable[Candidate],
         limit: int) -> list[tuple[Candidate, float]]:
    """The `limit` most similar candidates, best first (ties: the higher key, the newer, first);
    candidates whose title is not close enough are left out."""
    scored = [(c, score(current, c.text, same_service=c.service_id == service_id,
                        has_root_cause=bool((c.root_cause or "").strip())))
              for c in candidates if is_candidate(current, c.text)]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].key))
    return scored[:limit]
