"""Seeing the statements the app sends, whichever way they go: through SQLAlchemy (its
`before_cursor_execute` event) or straight on a session's asyncpg connection (infra/rows.py's
statement hook, which the tracing uses too)."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.infra import rows

# Called with each statement's SQL and whether it went as an executemany.
Seen = Callable[[str, bool], None]


@contextmanager
def sent(engine: AsyncEngine, seen: Seen) -> Iterator[None]:
    def through_engine(_conn: Any, _cursor: Any, statement: str, _parameters: Any,
                       _context: Any, executemany: bool) -> None:
        seen(statement, executemany)

    def straight(statement: str) -> AbstractContextManager[None]:
        seen(statement, False)
        return nullcontext()

    event.listen(engine.sync_engine, "before_cursor_execute", through_engine)
    before, rows.statement_span = rows.statement_span, straight
    try:
        yield
    finally:
        rows.statement_span = before
        event.remove(engine.sync_engine, "before_cursor_execute", through_engine)
