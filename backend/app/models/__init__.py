"""Every table, imported here so Alembic and the app see one metadata."""

from app.models.action_items import ActionItem
from app.models.alerts import Alert, IntegrationKey, SlaNotice
from app.models.base import Base
from app.models.calendars import BusinessCalendar
from app.models.escalations import IncidentEscalation
from app.models.event_stars import IncidentEventStar
from app.models.idempotency import IdempotencyKey
from app.models.incidents import Incident, IncidentEvent, Rca, SimilarTitle
from app.models.metric_rollups import MetricRollup, MetricRollupBucket
from app.models.notifications import Notification, NotificationChannel
from app.models.services import Runbook, Service
from app.models.stream_tickets import StreamTicket
from app.models.users import ApiToken, SignInCode, TokenRef, User, UserIdentity

__all__ = [
    "ActionItem",
    "Alert",
    "ApiToken",
    "Base",
    "BusinessCalendar",
    "IdempotencyKey",
    "Incident",
    "IncidentEscalation",
    "IncidentEvent",
    "IncidentEventStar",
    "IntegrationKey",
    "MetricRollup",
    "MetricRollupBucket",
    "Notification",
    "NotificationChannel",
    "Rca",
    "Runbook",
    "Service",
    "SignInCode",
    "SimilarTitle",
    "SlaNotice",
    "StreamTicket",
    "TokenRef",
    "User",
    "UserIdentity",
]
