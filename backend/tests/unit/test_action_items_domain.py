"""The close gate's one definition and when a follow-up is overdue: plain values, no database."""

from datetime import date

from app.domain.action_items import is_overdue
from app.domain.rca import ACTION_ITEMS, RCA_FIELDS, close_blockers

COMPLETE = {name: "written" for name in RCA_FIELDS}


def test_a_service_that_asks_blocks_only_its_severities_without_an_owned_dated_follow_up() -> None:
    assert close_blockers(COMPLETE, "SEV1", ["SEV1"], has_owned_action_item=False) == [ACTION_ITEMS]
    assert close_blockers(COMPLETE, "SEV1", ["SEV1"], has_owned_action_item=True) == []
    assert close_blockers(COMPLETE, "SEV2", ["SEV1"], has_owned_action_item=False) == []
    assert close_blockers(COMPLETE, "SEV1", [], has_owned_action_item=False) == []


def test_the_rca_fields_come_first_then_the_follow_up() -> None:
    assert close_blockers(None, "SEV3", ["SEV3"], False) == [*RCA_FIELDS, ACTION_ITEMS]
    assert close_blockers({**COMPLETE, "root_cause": " "}, "SEV3", ["SEV3"], False) == ["root_cause", ACTION_ITEMS]


def test_overdue_is_open_and_past_its_due_date() -> None:
    today = date(2026, 11, 28)
    assert is_overdue("open", date(2026, 11, 27), today)
    assert not is_overdue("open", today, today)  # due today is not late yet
    assert not is_overdue("done", date(2026, 1, 1), today)
    assert not is_overdue("open", None, today)
