"""The scopes an access token can carry, and what each organisation kind gets by default."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "transfers:write": "push dossiers, record inzage",
    "transfers:read": "list, read and acknowledge transfers addressed to the organisation",
    "enrolments:write": "register and decide aanmeldingen",
    "policies:read": "read and dry-run the policy catalog",
    "audit:read": "read the audit log (privacy officer)",
}

_SCHOOL = ("transfers:write", "transfers:read", "enrolments:write", "policies:read")
_RECEIVER = ("transfers:write", "transfers:read", "policies:read")
SCHOOL_KINDS = frozenset(
    {"school_po", "school_sbo", "school_so", "school_vo", "school_vso", "school_pro"}
)


def default_scopes(kind: str) -> list[str]:
    return sorted(_SCHOOL if kind in SCHOOL_KINDS else _RECEIVER)
