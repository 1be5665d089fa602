"""What a complete root-cause analysis is, and what else must be true before an incident closes."""

from collections.abc import Collection, Mapping

RCA_FIELDS: tuple[str, ...] = (
    "root_cause",
    "contributing_factors",
    "corrective_actions",
    "prevention_actions",
)
# The close blocker of a service that asks for follow-ups at this severity
# (services.close_requires_action_items) while none has both an owner and a due date.
ACTION_ITEMS = "action_items"


def missing_fields(rca: Mapping[str, str | None] | None) -> list[str]:
    """The RCA fields that are absent or blank, in template order."""
    if rca is None:
        return list(RCA_FIELDS)
    return [name for name in RCA_FIELDS if not (rca.get(name) or "").strip()]


def close_blockers(rca: Mapping[str, str | None] | None, severity: str,
                   requires_action_items: Collection[str], has_owned_action_item: bool) -> list[str]:
    """Everything that stops the incident closing: the blank RCA fields, then `action_items`
    when its service requires a follow-up at this severity and none has an owner and a due
    date. The one definition, for the read model's `close_blockers` and the 409."""
    blockers = missing_fields(rca)
    if severity in requires_action_items and not has_owned_action_item:
        blockers.append(ACTION_ITEMS)
    return blockers
