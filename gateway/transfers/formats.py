"""The two shapes a dossier travels in: a JSON object of categories, or OSO XML."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError

from connectors.oso import (
    SUBJECT_PATHS,
    OsoDossier,
    OsoError,
    filter_dossier,
    parse_dossier,
    to_json,
)
from gateway.core.errors import Unprocessable
from gateway.subjects.schemas import ClientSubject
from policies.catalog import Catalog


def parse_oso(raw: bytes) -> OsoDossier:
    try:
        return parse_dossier(raw)
    except OsoError as exc:
        raise Unprocessable(
            f"The OSO dossier is not valid: {exc.reason}.", code="invalid_dossier"
        ) from exc


def oso_subject(dossier: OsoDossier, *, today: date) -> ClientSubject:
    """The pupil an OSO dossier names, held to the rules of a subject sent as JSON.

    The XSD allows any BSN, any length of name and any date; the refusal names the
    element (`leerling.achternaam`), never its content.
    """
    if dossier.bsn is None or dossier.birth_date is None:
        raise Unprocessable(
            "The dossier names no pupil by BSN and birth date.", code="invalid_dossier"
        )
    facts = {
        "bsn": dossier.bsn,
        "birth_date": dossier.birth_date,
        "given_name": dossier.given_name,
        "family_name": dossier.family_name,
    }
    try:
        return ClientSubject.model_validate(facts, context={"today": today})
    except ValidationError as exc:
        errors = [
            {"loc": SUBJECT_PATHS[str(error["loc"][0])].split("."), "type": error["type"]}
            for error in exc.errors(include_input=False, include_url=False)
        ]
    bad_bsn = any(error["type"] == "invalid_bsn" for error in errors)
    where = ", ".join(f"{'.'.join(e['loc'])} ({e['type']})" for e in errors)
    raise Unprocessable(
        f"The pupil in the OSO dossier is not valid: {where}.",
        code="invalid_bsn" if bad_bsn else "invalid_dossier",
        extra={"errors": errors},
    )


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
