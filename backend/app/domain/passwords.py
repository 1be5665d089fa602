"""What a new password must be: at least MIN_LENGTH characters and not one of the 10,000
passwords people pick most often (checked without a network, from a list shipped with the app).

The list (data/common-passwords.txt, lower case, most common first) is the first 10,000
distinct entries of the "passwords" frequency list of zxcvbn 4.5.0 (PyPI `zxcvbn`, MIT
licence, Copyright (c) 2016 Daniel Wolf; itself from Mark Burnett's 10 million password
corpus). Compared case-insensitively, so "Password1" is as common as "password1".
"""

from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 1024
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").split())


def password_problem(password: str) -> str | None:
    """Why `password` may not be used, in plain words, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters long"
    if password.strip().lower() in common_passwords():
        return "is one of the 10,000 most common passwords; choose another"
    return None
