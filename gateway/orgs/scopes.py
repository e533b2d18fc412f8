"""The scopes an access token can carry, and what each organisation kind gets by default."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "transfers:write": "push dossiers, record inzage",
    "transfers:read": "list, read and acknowledge transfers addressed to the organisation",
    "enrolments:write": "register and decide aanmeldingen",
    "consents:write": "register and withdraw consents for parents, register gezag",
    "consents:read": "read consents the organisation registered or is named in",
    "policies:read": "read and dry-run the policy catalog",
    "audit:read": "read the audit log (privacy officer)",
}

_CONSENTS = ("consents:write", "consents:read")
_SCHOOL = ("transfers:write", "transfers:read", "enrolments:write", "policies:read", *_CONSENTS)
# Care organisations register consents too (a wijkteam records the family's consent).
_RECEIVER = ("transfers:write", "transfers:read", "policies:read", *_CONSENTS)
# An MBO school registers its aanmeldingen (overdracht.vo_mbo) and its own students too.
SCHOOL_KINDS = frozenset(
    {"school_po", "school_sbo", "school_so", "school_vo", "school_vso", "school_pro", "mbo"}
)


def default_scopes(kind: str) -> list[str]:
    return sorted(_SCHOOL if kind in SCHOOL_KINDS else _RECEIVER)
