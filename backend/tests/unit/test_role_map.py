"""OIDC_ROLE_MAP: the most privileged match wins, `*` is everyone else, bad maps are refused."""

import pytest

from app.domain.role_map import InvalidRoleMap, RoleMap, claim_values


def test_the_most_privileged_matching_group_wins() -> None:
    roles = RoleMap.parse("sre=responder, sre-admins=admin ,*=viewer")
    assert roles.role_for(["sre"]) == "responder"
    assert roles.role_for(["sre", "sre-admins"]) == "admin"
    assert roles.role_for(["marketing"]) == "viewer"
    assert roles.role_for([]) == "viewer"


def test_without_a_default_nobody_matching_gets_no_role() -> None:
    roles = RoleMap.parse("sre-admins=admin")
    assert roles.role_for(["sre"]) is None


def test_group_names_may_hold_an_equals_sign_and_roles_any_case() -> None:
    assert RoleMap.parse("a=b=Admin").entries == (("a=b", "admin"),)


@pytest.mark.parametrize("text", ["sre", "=admin", "sre=owner", "sre=admin,ops"])
def test_a_malformed_map_is_refused(text: str) -> None:
    with pytest.raises(InvalidRoleMap):
        RoleMap.parse(text)


def test_claims_may_be_lists_strings_or_nested() -> None:
    claims = {"groups": ["a", 3, "b"], "hd": "example.com", "realm_access": {"roles": ["x"]}}
    assert claim_values(claims, "groups") == ["a", "b"]
    assert claim_values(claims, "hd") == ["example.com"]
    assert claim_values(claims, "realm_access.roles") == ["x"]
    assert claim_values(claims, "missing.path") == []
