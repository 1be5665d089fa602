"""Readiness answers (`GET /-/readiness`)."""

from typing import Literal

from pydantic import Field

from app.schemas.common import Output


class ReadinessRead(Output):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(
        description="Each check and `ok` or why not: `database`, and on PostgreSQL, where the "
                    "live stream is served (not WORKER_MODE=worker), `live_updates` (its LISTEN "
                    "connection)")
    failed: list[str] = Field(description="The checks that are not `ok` (empty when ready)")
