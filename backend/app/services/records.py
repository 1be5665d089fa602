"""Fetching a row by id, or the 404 that names what was not found."""

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound
from app.models import Base

Row = TypeVar("Row", bound=Base)


async def get_or_404(session: AsyncSession, model: type[Row], ident: int, what: str) -> Row:
    record = await session.get(model, ident)
    if record is None:
        raise NotFound(what, ident)
    return record
