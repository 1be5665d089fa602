"""What a complete root-cause analysis is."""

from collections.abc import Mapping

RCA_FIELDS: tuple[str, ...] = (
    "root_cause",
    "contributing_factors",
    "corrective_actions",
    "prevention_actions",
)


def missing_fields(rca: Mapping[str, str | None] | None) -> list[str]:
    """The RCA fields that are absent or blank, in template order."""
    if rca is None:
        return list(RCA_FIELDS)
    return [name for name in RCA_FIELDS if not (rca.get(name) or "").strip()]
