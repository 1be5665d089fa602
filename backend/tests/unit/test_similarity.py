"""The similar-incidents score: pg_trgm's similarity in Python, the weights and the boosts."""

import pytest

from app.domain import similarity as sim
from app.domain.similarity import Candidate, IncidentText


def text(title: str, description: str = "", impact: str = "") -> IncidentText:
    return IncidentText.of(title, description, impact)


def test_trigrams_are_pg_trgms() -> None:
    # SELECT show_trgm('Disk full!') on PostgreSQL 15
    assert sim.trigrams("Disk full!") == {"  d", " di", "dis", "isk", "sk ", "  f", " fu", "ful", "ull", "ll "}
    assert sim.trigrams("A-b") == {"  a", " a ", "  b", " b "}
    assert sim.trigrams("") == frozenset()
    assert sim.trigrams("DISK disk") == sim.trigrams("disk")


def test_similarity_is_shared_over_all_trigrams() -> None:
    assert sim.similarity("disk full", "disk full") == 1.0
    assert sim.similarity("disk full", "search slow") == 0.0
    assert sim.similarity("", "") == 0.0
    # "cat" {"  c"," ca","cat","at "} and "cats" {"  c"," ca","cat","ats","ts "}: 3 of 6
    assert sim.similarity("cat", "cats") == pytest.approx(0.5)


def test_title_weighs_more_than_the_body() -> None:
    current = text("Checkout latency above 3s", "p99 on checkout pods", "Some customers wait")
    same_title = text("Checkout latency above 3s", "unrelated words here entirely")
    same_body = text("Completely different heading", "p99 on checkout pods", "Some customers wait")
    assert sim.text_similarity(current, same_title) > sim.text_similarity(current, same_body)
    assert sim.text_similarity(current, current) == pytest.approx(1.0)
    # Neither has a body: the title alone counts, so identical titles are fully similar.
    assert sim.text_similarity(text("Disk full"), text("Disk full")) == 1.0


def test_boosts_raise_the_score_and_keep_it_within_one() -> None:
    a = text("Disk full on db-1", "The data volume filled up")
    plain = sim.score(a, a, same_service=False, has_root_cause=False)
    service = sim.score(a, a, same_service=True, has_root_cause=False)
    rca = sim.score(a, a, same_service=False, has_root_cause=True)
    both = sim.score(a, a, same_service=True, has_root_cause=True)
    assert plain < rca < service < both == 1.0
    assert sim.score(a, text("Search is slow"), same_service=True, has_root_cause=True) == 0.0


def test_rank_orders_by_score_filters_titles_and_limits() -> None:
    current = text("Payments API 502 errors", "Gateway returns 502")
    candidates = [
        Candidate(1, text("Payments API 502 errors", "Gateway returns 502"), service_id=9, root_cause=None),
        Candidate(2, text("Payments API 502 errors", "Gateway returns 502"), service_id=1, root_cause="Bad deploy"),
        Candidate(3, text("Payments API 503 errors", "Gateway returns 503"), service_id=1, root_cause="  "),
        Candidate(4, text("Search is slow", "Gateway returns 502"), service_id=1, root_cause="Index"),
    ]
    ranked = sim.rank(current, 1, candidates, limit=5)
    assert [c.key for c, _ in ranked] == [2, 3, 1]  # 4's title is too different to be a candidate
    assert ranked[0][1] == 1.0
    assert [c.key for c, _ in sim.rank(current, 1, candidates, limit=1)] == [2]


def test_ties_put_the_newer_first() -> None:
    current = text("Disk full")
    twins = [Candidate(k, text("Disk full"), service_id=1, root_cause=None) for k in (5, 7, 6)]
    assert [c.key for c, _ in sim.rank(current, 1, twins, limit=3)] == [7, 6, 5]
