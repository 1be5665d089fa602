"""Users as the API shows them (never a password or hash)."""

from typing import Literal

from pydantic import BaseModel

from app.schemas.common import Output

Role = Literal["admin", "responder", "viewer"]


class UserRead(Output):
    id: int
    name: str
    username: str
    role: Role


class LoginRequest(BaseModel):
    username: str
    password: str


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
