"""RCA completeness, alert severity words, and drill reproducibility."""

import pytest

from app.domain.drills import generate
from app.domain.rca import RCA_FIELDS, missing_fields
from app.domain.severity import Severity, severity_from_alert


def test_missing_rca_means_every_field() -> None:
    assert missing_fields(None) == list(RCA_FIELDS)


def test_blank_and_whitespace_fields_are_missing() -> None:
    rca = {"root_cause": "bad deploy", "contributing_factors": "  ",
           "corrective_actions": "", "prevention_actions": "canary"}
    assert missing_fields(rca) == ["contributing_factors", "corrective_actions"]
    assert missing_fields({name: "x" for name in RCA_FIELDS}) == []


@pytest.mark.parametrize(
    ("word", "severity"),
    [("critical", Severity.SEV1), ("error", Severity.SEV2), ("warning", Severity.SEV3),
     ("info", Severity.SEV4), ("SEV2", Severity.SEV2), ("sev1", Severity.SEV1),
     ("Critical ", Severity.SEV1), (None, Severity.SEV3), ("bogus", Severity.SEV3)],
)
def test_severity_words(word: str | None, severity: Severity) -> None:
    assert severity_from_alert(word) is severity


def test_drills_are_reproducible_by_seed() -> None:
    services = ["checkout-api", "search-api"]
    first = generate(30, 42, services)
    assert first == generate(30, 42, services)
    assert first != generate(30, 43, services)
    assert {a.service for a in first} <= set(services)
    assert len({a.fingerprint for a in first}) < len(first), "some alerts repeat, as in life"
