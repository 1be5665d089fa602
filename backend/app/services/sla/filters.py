"""The SLA rules of domain/sla.py as SQL, so lists, sweeps and metrics filter in the database."""

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, literal, not_, or_
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from app.domain.sla import SlaState
from app.models import Incident
from app.models.base import UTCDateTime

Now = datetime | BindParameter[datetime]  # a bound parameter in statements built once


def utc_literal(value: datetime | BindParameter[datetime]) -> Any:
    """A UTC timestamp as SQL; a bind parameter passes through (statements built once)."""
    if isinstance(value, BindParameter):
        return value
    return literal(value, UTCDateTime())


PAUSED = Incident.sla_paused_at.is_not(None)
RUNNING = Incident.sla_paused_at.is_(None)


def clock(now: Now) -> ColumnElement[datetime]:
    """The moment pending targets are judged at: `now`, or the pause's start while the clock
    is paused (judge's `min(now, paused_at)`)."""
    at = utc_literal(now)
    return case((Incident.sla_paused_at < at, Incident.sla_paused_at), else_=at)


def ack_breached(now: Now) -> ColumnElement[bool]:
    return or_(
        and_(Incident.acknowledged_at.is_not(None), Incident.acknowledged_at > Incident.ack_due_at),
        and_(Incident.acknowledged_at.is_(None), Incident.ack_due_at < clock(now)),
    )


def resolve_breached(now: Now) -> ColumnElement[bool]:
    return or_(
        and_(Incident.resolved_at.is_not(None), Incident.resolved_at > Incident.resolve_due_at),
        and_(Incident.resolved_at.is_(None), Incident.resolve_due_at < clock(now)),
    )


def breached(now: Now) -> ColumnElement[bool]:
    return or_(ack_breached(now), resolve_breached(now))


def ack_pending(now: Now) -> ColumnElement[bool]:
    """Not acknowledged and not yet due (judge's `ack_pending`)."""
    return and_(Incident.acknowledged_at.is_(None), Incident.ack_due_at >= utc_literal(now))


def resolve_pending(now: Now) -> ColumnElement[bool]:
    return and_(Incident.resolved_at.is_(None), Incident.resolve_due_at >= utc_literal(now))


def next_due_at(now: Now) -> ColumnElement[datetime]:
    """The earliest target still pending at `now` (judge's `next_due_at`), NULL when none or
    while the clock is paused."""
    return case(
        (PAUSED, None),
        (and_(ack_pending(now), resolve_pending(now)),
         case((Incident.ack_due_at <= Incident.resolve_due_at, Incident.ack_due_at),
              else_=Incident.resolve_due_at)),
        (ack_pending(now), Incident.ack_due_at),
        (resolve_pending(now), Incident.resolve_due_at),
        else_=None,
    )


def ack_at_risk(now: Now) -> ColumnElement[bool]:
    """The acknowledgement target is pending and past its at-risk time (the sweeper's notice)."""
    return and_(ack_pending(now), Incident.ack_at_risk_at <= utc_literal(now))


def resolve_at_risk(now: Now) -> ColumnElement[bool]:
    return and_(resolve_pending(now), Incident.resolve_at_risk_at <= utc_literal(now))


def at_risk_pending(now: Now) -> ColumnElement[bool]:
    return or_(ack_at_risk(now), resolve_at_risk(now))


def in_state(state: SlaState, now: Now) -> ColumnElement[bool]:
    """judge's `state` as SQL: a paused clock is `paused` whatever else holds."""
    if state is SlaState.PAUSED:
        return PAUSED
    healthy = and_(RUNNING, not_(breached(now)), Incident.resolved_at.is_(None))
    if state is SlaState.BREACHED:
        return and_(RUNNING, breached(now))
    if state is SlaState.MET:
        return and_(RUNNING, not_(breached(now)), Incident.resolved_at.is_not(None))
    if state is SlaState.AT_RISK:
        return and_(healthy, at_risk_pending(now))
    return and_(healthy, not_(at_risk_pending(now)))
