"""Users and their API tokens as the API shows them (never a password, hash or stored token)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from app.domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from app.schemas.common import WHOLE, Input, Name, Output

MAX_PASSWORD = MAX_LENGTH
MAX_TOKEN_DAYS = 3650

Role = Literal["admin", "responder", "viewer"]


def _acceptable(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:  # a custom error: its message reads as written ("Value error, " otherwise)
        raise PydanticCustomError("weak_password", "The password {problem}", {"problem": problem})
    return password


# A password being set: long enough and not a common one (domain/passwords.py); a 422 whose
# `loc` names the field otherwise.
NewPassword = Annotated[str, Field(min_length=MIN_LENGTH, max_length=MAX_PASSWORD),
                        AfterValidator(_acceptable)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                            pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")]


class UserRead(Output):
    id: int
    name: str
    username: str
    role: Role
    is_active: bool


class UserCreate(Input):
    username: Username = Field(description="Letters, digits, `.`, `_`, `@` and `-`; unique")
    name: Name
    role: Role
    password: NewPassword


class UserUpdate(Input):
    """Any of these; a role change or a deactivation signs the person out everywhere."""

    name: Name | None = None
    role: Role | None = None
    is_active: Annotated[bool, Field(strict=True)] | None = None


class PasswordReset(Input):
    password: NewPassword


class LoginRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=MAX_PASSWORD)


class PasswordChange(Input):
    current_password: str = Field(max_length=MAX_PASSWORD)
    new_password: NewPassword


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class ApiTokenCreate(Input):
    name: Name
    role: Role | None = Field(default=None, description="At most your own role; yours if left out")
    expires_in_days: Annotated[int, Field(ge=1, le=MAX_TOKEN_DAYS), *WHOLE] | None = Field(
        default=None, description="1 to 3650 days; left out, the token does not expire")


class ApiTokenRead(Output):
    id: int
    name: str
    role: Role
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    user_id: int
    user_name: str
    created_at: AwareDatetime
    expires_at: AwareDatetime | None
    last_used_at: AwareDatetime | None = Field(
        description="Updated at most once a minute")
    revoked_at: AwareDatetime | None


class ApiTokenCreated(Output):
    id: int
    name: str
    role: Role
    token: str = Field(description="Shown this once: only a keyed hash of it is kept")
    created_at: datetime
    expires_at: datetime | None
