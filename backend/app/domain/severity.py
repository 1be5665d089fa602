"""Severities, worst first, and how monitoring tools' words map onto them."""

from enum import StrEnum


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


ALERT_SEVERITY_WORDS: dict[str, Severity] = {
    "critical": Severity.SEV1,
    "page": Severity.SEV1,
    "error": Severity.SEV2,
    "high": Severity.SEV2,
    "warning": Severity.SEV3,
    "medium": Severity.SEV3,
    "info": Severity.SEV4,
    "low": Severity.SEV4,
}

DEFAULT_ALERT_SEVERITY = Severity.SEV3


def severity_from_alert(word: str | None) -> Severity:
    """Map `SEV1`..`SEV4` or an alerting word (critical, error, warning, info) to a severity.

    Unknown or missing words fall back to SEV3, the usual "needs a human today" level.
    """
    if not word:
        return DEFAULT_ALERT_SEVERITY
    cleaned = word.strip()
    if cleaned.upper() in Severity.__members__:
        return Severity(cleaned.upper())
    return ALERT_SEVERITY_WORDS.get(cleaned.lower(), DEFAULT_ALERT_SEVERITY)
