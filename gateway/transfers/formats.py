"""The two shapes a dossier travels in: a JSON object of categories, or OSO XML."""

from __future__ import annotations

import json
from typing import Any

from connectors.oso import OsoDossier, OsoError, filter_dossier, parse_dossier, to_json
from gateway.core.errors import Unprocessable
from policies.catalog import Catalog


def parse_oso(raw: bytes) -> OsoDossier:
    try:
        return parse_dossier(raw)
    except OsoError as exc:
        raise Unprocessable(
            f"The OSO dossier is not valid: {exc.reason}.", code="invalid_dossier"
        ) from exc


def check_profile(
    catalog: Catalog, *, purpose: str, sender_kind: str, recipient_kind: str, profile: str
) -> None:
    """An OSO dossier travels only on a route of its own profile (POVO on po_vo, …)."""
    found = catalog.routes.get((purpose, sender_kind, recipient_kind))
    if found is None:
        return  # no route at all: the engine refuses it, on record
    expected = found.route.oso_profile
    if expected != profile:
        wanted = f"profile {expected}" if expected else "no OSO dossier"
        raise Unprocessable(
            f"This flow carries {wanted}; the dossier has profile {profile}.",
            code="profile_mismatch",
        )


def release(fmt: str, plaintext: bytes, released: frozenset[str], *, as_xml: bool) -> Any:
    """The stored dossier cut down to the released categories, in the asked format."""
    if fmt == "json":
        content = json.loads(plaintext)
        return {key: value for key, value in content.items() if key in released}
    dossier = parse_dossier(plaintext)
    return filter_dossier(dossier, released) if as_xml else to_json(dossier, released)
