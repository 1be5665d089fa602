"""Single sign-on against a local OpenID provider the tests serve themselves
(tests/oidc_provider.py), on SQLite and PostgreSQL: the whole authorization code flow with
PKCE, each check on the ID token, roles from groups, users found by (issuer, subject), no
token in any redirect, and password sign-in turned off with and without a break-glass account.
"""

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, update

from app.main import create_app
from app.models import SignInCode, User, UserIdentity
from tests.conftest import test_settings
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestProvider, serving

ROLE_MAP = "sre-admins=admin,sre=responder,*=viewer"


@pytest.fixture(scope="session")
def served_provider() -> Iterator[TestProvider]:
    with serving(TestProvider()) as provider:
        yield provider


@pytest.fixture
def provider(served_provider: TestProvider) -> TestProvider:
    served_provider.reset()
    return served_provider


class Console:
    """A browser: the app over ASGI (its cookie jar), the provider over real HTTP, and every
    redirect Location it was sent to."""

    def __init__(self, client: httpx.AsyncClient, app: Any) -> None:
        self.client, self.app = client, app
        self.locations: list[str] = []

    def _went(self, response: httpx.Response) -> str:
        location = response.headers["location"]
        self.locations.append(location)
        return location

    async def to_provider(self) -> str:
        """GET /auth/oidc/login: the provider's authorize URL it redirects to."""
        start = await self.client.get("/auth/oidc/login")
        assert start.status_code == 302, start.text
        return self._went(start)

    async def authorize(self, authorize_url: str) -> str:
        """The provider approves (or denies) at once: the callback URL it sends back to."""
        async with httpx.AsyncClient() as browser:
            answer = await browser.get(authorize_url)
        assert answer.status_code == 302, answer.text
        return self._went(answer)

    async def callback(self, url: str) -> str:
        back = await self.client.get(url)
        assert back.status_code == 303, back.text
        return self._went(back)

    async def sign_in(self) -> str:
        """The whole round trip: where the console's login page is sent at the end."""
        return await self.callback(await self.authorize(await self.to_provider()))

    async def token(self) -> str:
        answer = await self.client.post("/auth/oidc/session")
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    async def me(self, token: str) -> httpx.Response:
        return await self.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})

    async def users_named(self, prefix: str) -> list[User]:
        async with self.app.state.db.read() as session:
            rows = await session.scalars(
                select(User).where(User.username.startswith(prefix)).order_by(User.id))
            return list(rows)


ConsoleFactory = Callable[..., Any]


@pytest.fixture
def console(database_url: str, provider: TestProvider) -> ConsoleFactory:
    @asynccontextmanager
    async def open_console(**overrides: Any) -> AsyncIterator[Console]:
        settings: dict[str, Any] = {
            "oidc_issuer": provider.issuer, "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET, "oidc_role_map": ROLE_MAP,
            "oidc_name": "Test IdP", **overrides}
        app = create_app(test_settings(database_url, **settings))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield Console(client, app)

    return open_console


def refused(location: str) -> str | None:
    assert location.startswith("/ui/login?"), location
    return parse_qs(urlsplit(location).query).get("sso_error", [None])[0]


async def test_first_sign_in_creates_the_user_and_the_next_one_updates_name_and_role(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        authorize = await c.to_provider()
        query = parse_qs(urlsplit(authorize).query)
        assert authorize.startswith(f"{provider.issuer}/authorize?")
        assert query["code_challenge_method"] == ["S256"]
        assert len(query["code_challenge"][0]) == 43 and query["state"] and query["nonce"]
        assert query["redirect_uri"] == ["http://test/auth/oidc/callback"]
        assert await c.callback(await c.authorize(authorize)) == "/ui/login?sso=complete"
        first = await c.token()
        me = (await c.me(first)).json()
        assert (me["username"], me["name"], me["role"]) == ("dana", "Dana Reyes", "responder")
        assert provider.jwks_fetches == 1

        provider.person |= {"groups": ["sre-admins"], "name": "Dana Reyes-Ito"}
        assert await c.sign_in() == "/ui/login?sso=complete"
        second = await c.token()
        me2 = (await c.me(second)).json()
        assert (me2["id"], me2["name"], me2["role"]) == (me["id"], "Dana Reyes-Ito", "admin")
        assert len(await c.users_named("dana")) == 1
        # The role changed: the token issued under the old role no longer works.
        assert (await c.me(first)).status_code == 401

        # Same role, new sign-in: nothing to change, so the current token keeps working.
        assert await c.sign_in() == "/ui/login?sso=complete"
        await c.token()
        assert (await c.me(second)).status_code == 200


async def test_the_most_privileged_group_wins_and_unknown_groups_get_the_default(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        provider.person["groups"] = ["marketing"]
        await c.sign_in()
        assert (await c.me(await c.token())).json()["role"] == "viewer"
        provider.person["groups"] = ["sre", "sre-admins", "marketing"]
        await c.sign_in()
        assert (await c.me(await c.token())).json()["role"] == "admin"


async def test_no_matching_group_and_no_default_is_refused_and_creates_no_one(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console(oidc_role_map="sre-admins=admin,sre=responder") as c:
        provider.person["groups"] = ["marketing"]
        assert refused(await c.sign_in()) == "no_role"
        assert await c.users_named("dana") == []
        assert (await c.client.post("/auth/oidc/session")).status_code == 401


async def test_roles_from_a_nested_claim(console: ConsoleFactory, provider: TestProvider) -> None:
    """Keycloak's realm roles: OIDC_ROLE_CLAIM=realm_access.roles."""
    async with console(oidc_role_claim="realm_access.roles") as c:
        provider.person.pop("groups")
        provider.person["realm_access"] = {"roles": ["sre-admins"]}
        await c.sign_in()
        assert (await c.me(await c.token())).json()["role"] == "admin"


@pytest.mark.parametrize(("case", "claims"), [
    ("wrong issuer", {"iss": "https://evil.example"}),
    ("wrong audience", {"aud": "another-client"}),
    ("several audiences without ours as azp", {"aud": [CLIENT_ID, "another-client"]}),
    ("bad nonce", {"nonce": "not-the-one-we-sent"}),
    ("no nonce", {"nonce": None}),
    ("expired", {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}),
    ("no subject", {"sub": None}),
])
async def test_an_id_token_failing_a_check_signs_no_one_in(
        console: ConsoleFactory, provider: TestProvider, case: str,
        claims: dict[str, Any]) -> None:
    async with console() as c:
        provider.overrides = claims
        assert refused(await c.sign_in()) == "invalid_id_token", case
        assert await c.users_named("dana") == []
        assert (await c.client.post("/auth/oidc/session")).status_code == 401


async def test_a_state_that_is_not_this_browsers_is_refused_before_any_exchange(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        back = await c.authorize(await c.to_provider())
        forged = re.sub(r"state=[^&]+", "state=forged", back)
        assert refused(await c.callback(forged)) == "bad_state"
        # The flow cookie is spent either way: the real callback no longer works either.
        assert refused(await c.callback(back)) == "bad_state"
    async with console() as other:  # a callback in a browser that never started a sign-in
        assert refused(await other.callback(back)) == "bad_state"
    assert provider.token_requests == 0


async def test_a_code_from_another_sign_in_fails_pkce(
        console: ConsoleFactory, provider: TestProvider) -> None:
    """An intercepted code injected into this browser's callback: the provider checks it
    against this browser's PKCE verifier, which the code was not issued for."""
    async with console() as victim, console() as attacker:
        mine = urlsplit(await victim.authorize(await victim.to_provider()))
        theirs = urlsplit(await attacker.authorize(await attacker.to_provider()))
        code = parse_qs(theirs.query)["code"][0]
        state = parse_qs(mine.query)["state"][0]
        spliced = f"/auth/oidc/callback?code={code}&state={state}"
        assert refused(await victim.callback(spliced)) == "token_exchange_failed"
        assert provider.refusals == ["PKCE verification failed"]
        assert await victim.users_named("dana") == []


async def test_rotated_keys_are_fetched_again_and_unknown_ones_rate_limited(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        await c.sign_in()
        await c.token()
        assert provider.jwks_fetches == 1
        provider.rotate()  # key-2 signs; key-1 is gone from the JWKS
        assert await c.sign_in() == "/ui/login?sso=complete"
        await c.token()
        assert provider.jwks_fetches == 2
        provider.signing = provider.rogue  # a key id the provider never published
        assert refused(await c.sign_in()) == "invalid_id_token"
        assert refused(await c.sign_in()) == "invalid_id_token"
        assert provider.jwks_fetches == 2  # the refetch was just spent: no new one yet


async def test_a_signature_by_another_key_under_a_known_key_id_is_refused(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        rogue = provider.rogue.as_dict(private=True)
        provider.signing = type(provider.rogue).import_key(rogue | {"kid": "key-1"})
        assert refused(await c.sign_in()) == "invalid_id_token"
        assert await c.users_named("dana") == []


async def test_the_provider_saying_no_comes_back_as_a_reason(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        provider.deny = True
        assert refused(await c.sign_in()) == "access_denied"
        assert provider.token_requests == 0


async def test_no_token_or_code_ever_travels_in_a_redirect(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        await c.sign_in()
        code_cookie = c.client.cookies.get("ic_sso_code")
        assert code_cookie
        token = await c.token()
        provider.person["groups"] = ["sre-admins"]
        await c.sign_in()
        second = await c.token()
        assert len(c.locations) == 6
        for location in c.locations:
            for secret in (token, second, code_cookie):
                assert secret not in location
            assert "eyJ" not in location and "token" not in location.lower(), location


async def test_a_sign_in_code_works_once(console: ConsoleFactory) -> None:
    async with console() as c:
        await c.sign_in()
        code = c.client.cookies.get("ic_sso_code")
        await c.token()
        c.client.cookies.set("ic_sso_code", code or "", domain="test.local", path="/auth/oidc")
        again = await c.client.post("/auth/oidc/session")
        assert again.status_code == 401 and again.json()["code"] == "unauthenticated"
        async with c.app.state.db.read() as session:
            assert await session.scalar(select(func.count()).select_from(SignInCode)) == 0


async def test_users_are_matched_on_issuer_and_subject_never_on_username(
        console: ConsoleFactory, provider: TestProvider) -> None:
    """Someone at the provider calling themselves jordan (the demo admin) is a new person."""
    async with console() as c:
        provider.person |= {"sub": "someone-else", "preferred_username": "jordan",
                            "email": "jordan@example.com", "groups": ["sre"]}
        await c.sign_in()
        me = (await c.me(await c.token())).json()
        assert (me["username"], me["role"]) == ("jordan-2", "responder")
        jordan = (await c.users_named("jordan"))[0]
        assert jordan.username == "jordan" and jordan.role == "admin"
        async with c.app.state.db.read() as session:
            linked = await session.scalar(select(UserIdentity.user_id).where(
                UserIdentity.issuer == provider.issuer, UserIdentity.subject == "someone-else"))
        assert linked == me["id"]


async def test_two_first_sign_ins_at_once_make_one_user(
        console: ConsoleFactory, provider: TestProvider) -> None:
    """The loser of the race to create the account finds the winner's (unique issuer+subject)."""
    async with console() as c:
        transport = httpx.ASGITransport(app=c.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as other:
            twin = Console(other, c.app)
            backs = [await who.authorize(await who.to_provider()) for who in (c, twin)]
            ends = await asyncio.gather(c.callback(backs[0]), twin.callback(backs[1]))
            assert ends == ["/ui/login?sso=complete"] * 2
            ids = {(await who.me(await who.token())).json()["id"] for who in (c, twin)}
        assert len(ids) == 1
        assert [u.username for u in await c.users_named("dana")] == ["dana"]


async def test_a_disabled_user_is_not_signed_in(
        console: ConsoleFactory, provider: TestProvider) -> None:
    async with console() as c:
        await c.sign_in()
        user_id = (await c.me(await c.token())).json()["id"]
        async with c.app.state.db.transaction() as session:
            await session.execute(update(User).where(User.id == user_id).values(is_active=False))
        c.app.state.accounts.callers.forget(str(user_id))
        assert refused(await c.sign_in()) == "account_disabled"


async def test_the_login_page_learns_how_to_sign_in(console: ConsoleFactory,
                                                    client: httpx.AsyncClient) -> None:
    async with console() as c:
        assert (await c.client.get("/auth/config")).json() == {
            "password_login": True, "oidc": {"name": "Test IdP"}}
    assert (await client.get("/auth/config")).json() == {"password_login": True, "oidc": None}
    start = await client.get("/auth/oidc/login")
    assert start.status_code == 302 and refused(start.headers["location"]) == "not_configured"


async def _password(client: httpx.AsyncClient, username: str) -> httpx.Response:
    return await client.post("/auth/login", json={"username": username, "password": "demo123"})


async def test_password_login_off_refuses_everyone(console: ConsoleFactory) -> None:
    async with console(password_login=False) as c:
        assert (await c.client.get("/auth/config")).json()["password_login"] is False
        for username in ("avery", "jordan"):
            answer = await _password(c.client, username)
            assert answer.status_code == 403, answer.text
            assert answer.json()["code"] == "password_login_disabled"
            assert "Test IdP" in answer.json()["detail"]
        await c.sign_in()
        await c.token()  # single sign-on still works


async def test_password_login_off_lets_the_break_glass_account_in(
        console: ConsoleFactory) -> None:
    async with console(password_login=False, break_glass_username="jordan") as c:
        assert (await _password(c.client, "jordan")).status_code == 200
        refused_answer = await _password(c.client, "avery")
        assert refused_answer.status_code == 403
        assert refused_answer.json()["code"] == "password_login_disabled"
        # The break-glass account's password is still checked.
        wrong = await c.client.post("/auth/login",
                                    json={"username": "jordan", "password": "wrong"})
        assert wrong.status_code == 401
