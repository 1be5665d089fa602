"""How the console may sign people in: with a password, through an identity provider, or both."""

from pydantic import BaseModel, Field


class SsoProvider(BaseModel):
    name: str = Field(description='The provider as the button names it: "Sign in with <name>"')


class AuthConfig(BaseModel):
    password_login: bool = Field(
        description="false: only the break-glass account may sign in with a password")
    oidc: SsoProvider | None = Field(
        description="Single sign-on through GET /auth/oidc/login, or null when not set up")
