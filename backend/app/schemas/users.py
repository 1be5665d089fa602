"""Users as the API shows them (never a password or hash)."""

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import Input, Output

MAX_PASSWORD = 1024

Role = Literal["admin", "responder", "viewer"]


class UserRead(Output):
    id: int
    name: str
    username: str
    role: Role


class LoginRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=MAX_PASSWORD)


class PasswordChange(Input):
    current_password: str = Field(max_length=MAX_PASSWORD)
    new_password: str = Field(min_length=8, max_length=MAX_PASSWORD)


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
