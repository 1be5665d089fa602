"""Which console role a person signing in through an identity provider gets, from the groups
(or roles) their ID token names: `OIDC_ROLE_MAP`, e.g. `sre-admins=admin,sre=responder,*=viewer`.

The most privileged matching entry wins; `*` matches anyone (the default); nobody matching
and no `*` means no role, and the sign-in is refused.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.domain.roles import ROLES

ANYONE = "*"


class InvalidRoleMap(ValueError):
    """OIDC_ROLE_MAP is not `group=role,...` with roles the console knows."""


@dataclass(frozen=True)
class RoleMap:
    entries: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> "RoleMap":
        """`group=role` pairs separated by commas; the last `=` splits (group names may hold
        one). Blank entries are skipped; a role the console does not know is refused."""
        entries: list[tuple[str, str]] = []
        for raw in text.split(","):
            if not raw.strip():
                continue
            group, sep, role = raw.rpartition("=")
            group, role = group.strip(), role.strip().lower()
            if not sep or not group:
                raise InvalidRoleMap(f"{raw.strip()!r} is not group=role")
            if role not in ROLES:
                raise InvalidRoleMap(
                    f"{raw.strip()!r}: the role must be one of {', '.join(ROLES)}")
            entries.append((group, role))
        return cls(tuple(entries))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def role_for(self, groups: Iterable[str]) -> str | None:
        """The most privileged role any of `groups` (or `*`) maps to, or None."""
        held = set(groups)
        matched = {role for group, role in self.entries if group == ANYONE or group in held}
        return next((role for role in ROLES if role in matched), None)


def claim_values(claims: Mapping[str, object], path: str) -> list[str]:
    """The strings at a claim, which may be dotted into nested objects (Keycloak's
    `realm_access.roles`): a list of strings, or a single string (Google's `hd`)."""
    value: object = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return []
        value = value[part]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
