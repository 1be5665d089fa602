"""Single sign-on through an OpenID Connect provider, and how the login page may sign in.

The browser goes to GET /auth/oidc/login, on to the provider, back to GET /auth/oidc/callback
and then to the console's login page, which trades the single-use code left in an HttpOnly
cookie for its token (POST /auth/oidc/session). No token is ever in a URL. Every refusal
sends the browser back to the login page with `?sso_error=<reason>`, which it words.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse

from app.schemas.common import error_responses
from app.schemas.oidc import AuthConfig
from app.schemas.users import Token
from app.services.users.oidc import (
    CODE_TTL_SECONDS,
    FLOW_TTL_SECONDS,
    SignInRefused,
    SingleSignOn,
)

router = APIRouter(prefix="/auth", tags=["auth"])

COOKIE_PATH = "/auth/oidc"
FLOW_COOKIE = "ic_sso_flow"  # state, nonce and PKCE verifier, signed: until the callback
CODE_COOKIE = "ic_sso_code"  # the single-use code: until the console trades it
LOGIN_PAGE = "/ui/login"
QueryText = Annotated[str | None, Query(max_length=4096)]


async def get_sso(request: Request) -> SingleSignOn:
    sso: SingleSignOn = request.app.state.sso
    return sso


SSO = Annotated[SingleSignOn, Depends(get_sso)]


def _redirect(location: str, status: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": location, "headers": {
        "Location": {"description": location, "schema": {"type": "string"}}}}}


def _to_login_page(reason: str, status: int) -> RedirectResponse:
    return RedirectResponse(f"{LOGIN_PAGE}?sso_error={reason}", status_code=status)


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")


def _redirect_uri(request: Request, sso: SingleSignOn) -> str:
    return sso.settings.oidc_redirect_uri or str(request.url_for("oidc_callback"))


@router.get("/config", response_model=AuthConfig)
async def auth_config(sso: SSO) -> AuthConfig:
    """How the login page may sign people in: password, single sign-on, or both."""
    return sso.config()


@router.get("/oidc/login", status_code=302, response_class=RedirectResponse,
            responses=_redirect("The provider's sign-in page, or the login page with "
                                "?sso_error= when single sign-on is not set up", 302))
async def oidc_login(request: Request, sso: SSO) -> RedirectResponse:
    """Start single sign-on: off to the identity provider (authorization code flow, PKCE)."""
    try:
        started = await sso.start(_redirect_uri(request, sso))
    except SignInRefused as refused:
        sso.log_refusal(refused)
        return _to_login_page(refused.reason, 302)
    response = RedirectResponse(started.url, status_code=302)
    _cookie(request, response, FLOW_COOKIE, started.flow, FLOW_TTL_SECONDS)
    return response


@router.get("/oidc/callback", status_code=303, response_class=RedirectResponse,
            responses={**_redirect("The login page: ?sso=complete to finish signing in, or "
                                   "?sso_error=<reason>", 303), **error_responses(422)})
async def oidc_callback(
    request: Request,
    sso: SSO,
    code: QueryText = None,
    state: QueryText = None,
    error: QueryText = None,
    error_description: QueryText = None,  # the provider's words: logged, never shown
) -> RedirectResponse:
    """Where the identity provider sends the browser back."""
    try:
        one_time = await sso.finish(flow_cookie=request.cookies.get(FLOW_COOKIE), state=state,
                                    code=code, error=error)
    except SignInRefused as refused:
        sso.log_refusal(refused, error_description)
        response = _to_login_page(refused.reason, 303)
    else:
        response = RedirectResponse(f"{LOGIN_PAGE}?sso=complete", status_code=303)
        _cookie(request, response, CODE_COOKIE, one_time, CODE_TTL_SECONDS)
    response.delete_cookie(FLOW_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/oidc/session", response_model=Token, responses=error_responses(401))
async def oidc_session(request: Request, response: Response, sso: SSO) -> Token:
    """Finish single sign-on: the single-use code the callback left in an HttpOnly cookie,
    traded once for a bearer token."""
    token = await sso.redeem(request.cookies.get(CODE_COOKIE))
    response.delete_cookie(CODE_COOKIE, path=COOKIE_PATH)
    return token
