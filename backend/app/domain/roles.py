"""The console's roles, once: who outranks whom and who works incidents.

A viewer reads everything and changes nothing; a responder works incidents (and may own one,
send alerts, apply runbook steps); an admin also manages people, services and settings.
"""

ROLES = ("admin", "responder", "viewer")  # most privileged first
RANK = {role: len(ROLES) - i for i, role in enumerate(ROLES)}
# Who works incidents: may own one, change it, send alerts on its behalf.
WORKERS = ("admin", "responder")


def can_own(role: str) -> bool:
    """May this role own (be assigned) an incident?"""
    return role in WORKERS


def lesser(a: str, b: str) -> str:
    """The less privileged of two roles (an API token acts with at most its person's role)."""
    return a if RANK[a] <= RANK[b] else b


def above(role: str) -> list[str]:
    """The roles that outrank `role`."""
    return [r for r in ROLES if RANK[r] > RANK[role]]
