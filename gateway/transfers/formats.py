"""The two shapes a dossier travels in: a JSON object of categories, or OSO XML."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from connectors.oso import (
    SUBJECT_PATHS,
    OsoDossier,
    OsoError,
    OsoRulesError,
    RuleCheck,
    filter_dossier,
    parse_dossier,
    to_json,
)
from connectors.oso.parser import Examined
from connectors.oso.rules import check as check_rules
from consent.period import today
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, Unprocessable
from gateway.edges import Edges
from gateway.subjects import service as subjects
from gateway.subjects.schemas import ClientSubject, SubjectIn
from gateway.transfers.relation import knows
from policies.catalog import Catalog


def parse_oso(
    raw: bytes,
    *,
    rules: RuleCheck = check_rules,
    catalog: Catalog | None = None,
    examined: Examined | None = None,
) -> OsoDossier:
    """The dossier, or 422 `invalid_dossier`: not XSD-valid, or refused by the standard's
    business rules, whose meldingen (type, text, location, the gateway's category) are
    in `meldingen`, with the dossier's `profile` and the catalog's `flows` that carry
    it. Melding texts are the validators' own literals, never the pupil's data.
    `examined`: what a worker process made of `raw` (`connectors.oso.parser.examine`).
    """
    try:
        if examined is not None:
            return examined.dossier(raw)
        return parse_dossier(raw, rules=rules)
    except OsoRulesError as exc:
        flows = sorted(
            {
                purpose
                for (purpose, _, _), found in (catalog.routes.items() if catalog else ())
                if exc.profile is not None and found.route.oso_profile == exc.profile
            }
        )
        raise Unprocessable(
            f"The OSO dossier is not valid: {exc.reason}.",
            code="invalid_dossier",
            extra={
                "profile": exc.profile,
                "flows": flows,
                "meldingen": [melding.to_dict() for melding in exc.meldingen],
            },
        ) from exc
    except OsoError as exc:
        raise Unprocessable(
            f"The OSO dossier is not valid: {exc.reason}.", code="invalid_dossier"
        ) from exc


class NoSubjectRef(Unprocessable):
    """A dossier without BSN (POSWV, VOSWV) pushed without the sender's `subject_ref`.

    Its detail speaks of the API's query parameter; `gateway import`, where the
    subject_ref is a field of manifest.json, tells its own (`bulk.NO_SUBJECT_REF`).
    """


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


def oso_pupil(
    session: Session,
    dossier: OsoDossier,
    subject_ref: str | None,
    *,
    ctx: ActContext,
    edges: Edges,
) -> SubjectIn:
    """The pupil of an OSO dossier: named by its BSN, or, in a passend-onderwijs dossier
    (POSWV, VOSWV), which carries none by the standard's rule, by the sender's own
    `subject_ref` for a pupil on record."""
    if dossier.bsn is None:
        return named_subject(session, subject_ref, dossier, ctx=ctx, edges=edges)
    if subject_ref is not None:
        raise Unprocessable(
            "This dossier names its pupil by BSN; subject_ref is for the passend-onderwijs "
            "profiles, which carry none.",
            code="invalid_request",
        )
    return oso_subject(dossier, today=today(edges.now))


def named_subject(
    session: Session,
    subject_ref: str | None,
    dossier: OsoDossier,
    *,
    ctx: ActContext,
    edges: Edges,
) -> SubjectIn:
    """The pupil a sender names by its own `subject_ref`, as on record.

    For a dossier without BSN (POSWV, VOSWV). Only the sender's own pseudonym opens a
    record; any other value, or a pupil not on record, reads the same. A dossier whose
    birth date is not the record's is about another pupil: 409 `subject_conflict`, told
    only to a sender that holds the pupil's facts (`relation.knows`).
    """
    if subject_ref is None:
        raise NoSubjectRef(
            "This dossier carries no BSN: name the pupil with &subject_ref=<your subject_ref>.",
            code="invalid_request",
        )
    internal = edges.keyring.pseudonyms.from_org(subject_ref, ctx.org_id)
    found = None
    if internal is not None:
        found = subjects.identity(session, internal, keyring=edges.keyring)
    if found is None:
        raise Unprocessable(
            "The subject_ref names no pupil on record for you.", code="unknown_subject"
        )
    differs = dossier.birth_date is not None and dossier.birth_date != found.birth_date
    # Only a sender that holds the pupil's facts learns of the difference; to any other
    # (a school whose subject_ref came with its own aanmelding) it would confirm a guessed
    # birth date. The pupil is the one the subject_ref names, as on record, either way.
    if differs and internal is not None and knows(session, ctx, edges, internal):
        raise Conflict(
            "The dossier's leerling.geboortedatum is not that of the pupil the subject_ref names.",
            code="subject_conflict",
        )
    return found


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
    # Judged by the rules when it was pushed; what leaves is judged again by filter_dossier.
    dossier = parse_dossier(plaintext, rules=None)
    return filter_dossier(dossier, released) if as_xml else to_json(dossier, released)
