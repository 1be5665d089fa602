"""Sign in (JSON or the OAuth2 password form Swagger UI sends), who am I, and API tokens."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from app.deps import AnyUser, get_accounts
from app.routers.oidc import SSO
from app.schemas.common import IdParam, error_responses
from app.schemas.users import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    LoginRequest,
    PasswordChange,
    Token,
    UserRead,
)
from app.services.users.accounts import Accounts

router = APIRouter(prefix="/auth", tags=["auth"])

LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginRequest.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["password"]},
                        "username": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                    },
                }
            },
        },
    }
}


# The OAuth2 password form has six fields (grant_type, username, password, scope, client_id,
# client_secret) and no file; anything past these limits is refused before it is parsed.
MAX_FORM_FIELDS = 16


async def _credentials(request: Request) -> LoginRequest:
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
            raw: Any = {"username": form.get("username"), "password": form.get("password")}
        else:
            raw = await request.json()
        return LoginRequest.model_validate(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False))
    except HTTPException as exc:  # Starlette's 400 for a form it cannot parse: a bad body
        if exc.status_code != 400:
            raise
        raise RequestValidationError(
            [{"type": "form_invalid", "loc": ["body"], "msg": str(exc.detail), "input": None}]
        )
    except ValueError:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ["body"], "msg": "Body must be JSON or a form",
              "input": None}]
        )


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=Token, openapi_extra=LOGIN_BODY,
             responses=error_responses(401, 403, 422, 429))
async def login(request: Request, accounts: Annotated[Accounts, Depends(get_accounts)],
                sso: SSO) -> Token:
    """Exchange a username and password for a bearer token. With PASSWORD_LOGIN=false,
    403 `password_login_disabled` for everyone but the break-glass account."""
    creds = await _credentials(request)
    sso.check_password_login(creds.username)
    return await accounts.login(creds.username, creds.password, _client(request))


@router.post("/password", response_model=Token, responses=error_responses(401, 403, 422, 429))
async def change_password(
    request: Request,
    user: AnyUser,
    body: PasswordChange,
    accounts: Annotated[Accounts, Depends(get_accounts)],
) -> Token:
    """Change your own password. Every token issued before stops working; use the one
    returned. A wrong `current_password` is 403."""
    return await accounts.change_password(
        user, body.current_password, body.new_password, _client(request)
    )


@router.get("/me", response_model=UserRead, responses=error_responses(401))
async def me(user: AnyUser) -> UserRead:
    return UserRead.model_validate(user)


@router.post("/tokens", status_code=201, response_model=ApiTokenCreated,
             responses=error_responses(401, 422))
async def create_api_token(
    user: AnyUser, body: ApiTokenCreate, accounts: Annotated[Accounts, Depends(get_accounts)]
) -> ApiTokenCreated:
    """An API token for automation: send it as `Authorization: Bearer icp_...`. It acts for
    you with `role` (at most yours; yours if left out) and is in this answer only."""
    return await accounts.tokens.create(user, body)


@router.get("/tokens", response_model=list[ApiTokenRead], responses=error_responses(401))
async def list_api_tokens(
    user: AnyUser, accounts: Annotated[Accounts, Depends(get_accounts)]
) -> list[ApiTokenRead]:
    """Your tokens, newest first and revoked ones last; an admin sees everyone's."""
    return await accounts.tokens.list(user)


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response,
               responses=error_responses(401, 404, 422))
async def revoke_api_token(
    user: AnyUser, token_id: IdParam, accounts: Annotated[Accounts, Depends(get_accounts)]
) -> Response:
    """Revoke one of your tokens (an admin: anyone's). Every replica refuses it at once."""
    await accounts.tokens.revoke(user, token_id)
    return Response(status_code=204)
