"""People: everyone lists them (incidents are assigned to them); an admin adds them, renames
them, changes their role, deactivates or reactivates them and resets their password."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.deps import Admin, AnyUser, get_accounts
from app.infra.idempotency import IDEMPOTENT
from app.schemas.common import IdParam, error_responses
from app.schemas.users import PasswordReset, UserCreate, UserRead, UserUpdate
from app.services.users.accounts import Accounts

router = APIRouter(tags=["users"])
Accts = Annotated[Accounts, Depends(get_accounts)]


@router.get("/users", response_model=list[UserRead], responses=error_responses(401))
async def list_users(
    _: AnyUser, accounts: Accts,
    assignable: Annotated[bool, Query(description=(
        "Only the people who can own incidents: active responders and admins"))] = False,
) -> list[UserRead]:
    return await accounts.list_users(assignable)


@router.post("/users", status_code=201, response_model=UserRead, openapi_extra=IDEMPOTENT,
             responses=error_responses(401, 403, 409, 422))
async def create_user(_: Admin, body: UserCreate, accounts: Accts) -> UserRead:
    """Add a person. A taken username (whatever its case) is 409 `duplicate_name`; a short
    or common password is 422 naming `password`."""
    return await accounts.create_user(body)


@router.patch("/users/{user_id}", response_model=UserRead,
              responses=error_responses(401, 403, 404, 409, 422))
async def update_user(_: Admin, user_id: IdParam, body: UserUpdate, accounts: Accts) -> UserRead:
    """Rename, change the role, deactivate (`is_active: false`) or reactivate. A role change
    or deactivation signs the person out everywhere at once (their tokens and live streams
    end); deactivation revokes their API tokens, a demotion caps their tokens' roles. The last
    active admin cannot be demoted or deactivated: 409 `last_admin`."""
    return await accounts.update_user(user_id, body)


@router.post("/users/{user_id}/password", status_code=204, response_class=Response,
             openapi_extra=IDEMPOTENT, responses=error_responses(401, 403, 404, 422))
async def reset_password(_: Admin, user_id: IdParam, body: PasswordReset,
                         accounts: Accts) -> Response:
    """Set someone's password; every token they signed in with stops working."""
    await accounts.reset_password(user_id, body.password)
    return Response(status_code=204)
