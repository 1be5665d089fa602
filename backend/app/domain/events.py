"""The timeline's vocabulary: every kind of event an incident's timeline can hold."""

from enum import StrEnum


class EventType(StrEnum):
    CREATED = "created"
    STATUS_CHANGE = "status_change"
    COMMENT = "comment"
    RUNBOOK_STEP = "runbook_step"
    RCA_UPDATED = "rca_updated"
    ASSIGNMENT = "assignment"
    SEVERITY_CHANGE = "severity_change"
    FIELD_CHANGE = "field_change"
    SLA_BREACH = "sla_breach"
    SLA_AT_RISK = "sla_at_risk"
    ALERT = "alert"
    # Still New past a step of its service's escalation policy (services/sla/escalation.py).
    # data: {"step": index in the policy, "after_minutes": n, "channel_ids": [...]}
    ESCALATED = "escalated"
    # A follow-up added, edited, completed or reopened (services/incidents/action_items.py).
    # data: {"action_item_id", "change": "added" | "edited" | "completed" | "reopened",
    #        "title", "kind", "fields": [names changed]}
    ACTION_ITEM = "action_item"
    # The SLA clock paused (data: {"reason"}) and resumed (data: {"reason", "paused_at",
    # "paused_seconds", "business_seconds", "ack_due_at", "resolve_due_at"}: services/sla/pauses.py).
    SLA_PAUSED = "sla_paused"
    SLA_RESUMED = "sla_resumed"
