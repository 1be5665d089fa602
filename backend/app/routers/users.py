"""The people incidents can be assigned to."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import AnyUser, get_accounts
from app.schemas.common import error_responses
from app.schemas.users import UserRead
from app.services.users.accounts import Accounts

router = APIRouter(tags=["users"])


@router.get("/users", response_model=list[UserRead], responses=error_responses(401))
async def list_users(
    _: AnyUser, accounts: Annotated[Accounts, Depends(get_accounts)],
    assignable: Annotated[bool, Query(description=(
        "Only the people who can own incidents: active responders and admins"))] = False,
) -> list[UserRead]:
    return await accounts.list_users(assignable)
