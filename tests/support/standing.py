"""Giving a sender the standing with a pupil its flow asks (`sender_relation`).

A test about something else starts from a world in which the relation already exists:
the school has the pupil in its leerlingadministratie, the SWV received the TLV request,
the wijkteam the referral, the party sits at the case's table. `stand` puts that on
record directly (a received transfer comes from a counterpart of the kind that sends
it). The test gateway does this before every push unless `auto_standing` is off.
The relation look-ups themselves are exercised end to end in
tests/transfers/test_sender_standing.py.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gateway.cases.models import Case, CaseParticipant
from gateway.core.errors import Unprocessable
from gateway.enrolments.models import Enrolment
from gateway.orgs import service as orgs
from gateway.transfers import formats
from gateway.transfers.models import Transfer
from gateway.transfers.relation import related
from policies.compiled import SenderRelation
from tests.support.gateway import REGISTRATION, Gateway, Org

SCHOOL_ACTORS = frozenset(
    {"school_po", "school_sbo", "school_so", "school_vo", "school_vso", "school_pro", "mbo"}
)


def stand(
    gateway: Gateway,
    sender: Org,
    subject: dict[str, Any],
    purpose: str,
    recipient_kind: str | None = None,
    *,
    lenient: bool = False,
) -> None:
    """`sender` gets the standing with the pupil its route for `purpose` asks; nothing
    where the flow asks none (meldcode) or the sender is on no route of it. `lenient`:
    a relation this cannot give (a voorschool's registered consent) is left out, for the
    gateway to refuse."""
    relation = _relation(gateway, sender.kind, purpose, recipient_kind)
    if relation is None or _holds(gateway, relation, sender, subject, purpose):
        return
    if relation.enrolled and sender.kind in SCHOOL_ACTORS:
        enrolled(gateway, sender, subject)
        return
    if relation.received:
        received(gateway, sender, subject, sorted(relation.received)[0])
        return
    if relation.holds_data:
        received(gateway, sender, subject, "overdracht.po_vo")
        return
    if relation.case:
        at_the_table(gateway, sender, subject)
        return
    if lenient:
        return
    raise AssertionError(f"no way to give a {sender.kind} standing for {purpose} here")


def before_push(gateway: Gateway, url: str, request: dict[str, Any]) -> None:
    """The sender of a push gets its standing; a push this cannot read is left as is
    (the gateway refuses it on its own)."""
    headers = request.get("headers") or {}
    token = str(headers.get("Authorization", "")).removeprefix("Bearer ")
    sender = next((org for org in gateway.orgs if org.token == token), None)
    purpose = headers.get("X-Purpose")
    if sender is None or not purpose:
        return
    try:
        subject, recipient = _pushed(gateway, url, request)
        kind = _kind_of(gateway, recipient)
        if subject is not None and kind is not None:
            stand(gateway, sender, subject, purpose, kind, lenient=True)
    except Exception:  # whatever it is, the gateway answers it itself
        return


def _pushed(
    gateway: Gateway, url: str, request: dict[str, Any]
) -> tuple[dict[str, Any] | None, str | None]:
    if request.get("json") is not None:
        body = request["json"]
        return body.get("subject"), body.get("recipient")
    raw = request.get("content")
    if isinstance(raw, str):
        raw = raw.encode()
    if not isinstance(raw, bytes):
        return None, None
    query = parse_qs(urlsplit(url).query)
    recipient = query.get("recipient", [None])[0]
    try:
        dossier = formats.parse_oso(raw)
        subject = formats.oso_subject(dossier, today=gateway.clock.now().date())
    except Unprocessable:
        body = json.loads(raw)
        return body.get("subject"), body.get("recipient")
    return subject.model_dump(mode="json"), recipient


def before_case(gateway: Gateway, request: dict[str, Any]) -> None:
    """The creator of a case gets the standing to start one; a request this cannot read
    is left as is (the gateway refuses it on its own)."""
    headers = request.get("headers") or {}
    token = str(headers.get("Authorization", "")).removeprefix("Bearer ")
    creator = next((org for org in gateway.orgs if org.token == token), None)
    body = request.get("json")
    if creator is None or not isinstance(body, dict) or not isinstance(body.get("subject"), dict):
        return
    try:
        to_start(gateway, creator, body["subject"])
    except Exception:  # whatever it is, the gateway answers it itself
        return


def to_start(gateway: Gateway, org: Org, subject: dict[str, Any]) -> None:
    """`org` gets the standing the catalog asks of whoever starts a case about the
    pupil (`create_relation`): a school has them enrolled, another party received them
    through the gateway under the first purpose that reaches its kind. Nothing where it
    has it already, or no relation can give it (the gateway refuses)."""
    catalog = gateway.services.catalog
    flow = catalog.flow_for_purpose("knooppunt.casus")
    relation = None if flow is None else flow.create_relation
    if relation is None or _holds(gateway, relation, org, subject, "knooppunt.casus"):
        return
    if relation.enrolled and org.kind in SCHOOL_ACTORS:
        enrolled(gateway, org, subject)
        return
    for purpose in sorted(relation.received):
        found = catalog.flow_for_purpose(purpose)
        if found is not None and any(org.kind in r.recipients for r in found.routes):
            received(gateway, org, subject, purpose)
            return


def _kind_of(gateway: Gateway, org_id: str | None) -> str | None:
    if org_id is None:
        return None
    with gateway.services.db.sessions() as session:
        return orgs.kind_of(session, org_id)


def enrolled(gateway: Gateway, school: Org, subject: dict[str, Any]) -> None:
    """The pupil ingeschreven at the school, as its leerlingadministratie has them.

    Put on record directly, like the pupil's record the school already had: the push
    then states the pupil's facts as before, and a school with narrow scopes (no
    `enrolments:write`) still has its pupils.
    """
    ref = gateway.keyring.pseudonyms.subject_ref(subject["bsn"])
    now = gateway.clock.now()
    with gateway.services.db.sessions() as session, session.begin():
        session.add(
            Enrolment(
                id="enr_" + secrets.token_hex(10),
                org_id=school.id,
                subject_ref=ref,
                purpose=REGISTRATION,
                status="ingeschreven",
                created_at=now,
                updated_at=now,
            )
        )


def at_the_table(gateway: Gateway, org: Org, subject: dict[str, Any]) -> None:
    """An open case about the pupil with `org` at the table (with a mandate)."""
    ref = gateway.keyring.pseudonyms.subject_ref(subject["bsn"])
    now = gateway.clock.now()
    case_id = "case_" + secrets.token_hex(10)
    with gateway.services.db.sessions() as session, session.begin():
        session.add(
            Case(
                id=case_id,
                subject_ref=ref,
                kind="knooppunt",
                title=b"",
                status="open",
                created_by_org=org.id,
                regie_org=org.id,
                policy_version=gateway.services.catalog.version,
                created_at=now,
                updated_at=now,
                closed_at=None,
                evaluated_at=None,
            )
        )
        session.flush()
        session.add(
            CaseParticipant(
                case_id=case_id,
                org_id=org.id,
                role="deelnemer",
                person="actor-1",
                mandate=True,
                added_by_org=org.id,
                joined_at=now,
                left_at=None,
            )
        )


def received(gateway: Gateway, org: Org, subject: dict[str, Any], purpose: str) -> str:
    """A transfer under `purpose` about the pupil, received by `org` from a counterpart."""
    ref = gateway.keyring.pseudonyms.subject_ref(subject["bsn"])
    catalog = gateway.services.catalog
    flow = catalog.flow_for_purpose(purpose)
    assert flow is not None, purpose
    kind = next(iter(sorted(next(r for r in flow.routes if org.kind in r.recipients).senders)))
    now = gateway.clock.now()
    transfer_id = "tr_" + secrets.token_hex(10)
    with gateway.services.db.sessions() as session, session.begin():
        counterpart = orgs.register(
            session,
            name=f"counterpart {kind}",
            kind=kind,
            now=now,
            known_kinds=catalog.org_kinds,
        ).org.id
        transfer = Transfer(
            id=transfer_id,
            purpose=purpose,
            sender_org_id=counterpart,
            recipient_org_id=org.id,
            subject_ref=ref,
            status="received",
            format="json",
            categories=["leerling"],
            dossier=b"",
            inzage_date=None,
            inzage_akkoord=None,
            zienswijze=None,
            conversation_date=None,
            notes=None,
            context=None,
            retention=flow.retention.key,
            policy_version=catalog.version,
            created_at=now,
            updated_at=now,
        )
        session.add(transfer)
    return transfer_id


def _holds(
    gateway: Gateway, relation: SenderRelation, sender: Org, subject: dict[str, Any], purpose: str
) -> bool:
    ref = gateway.keyring.pseudonyms.subject_ref(subject["bsn"])
    with gateway.services.db.sessions() as session:
        return related(session, relation, org_id=sender.id, subject_ref=ref, purpose=purpose)


def _relation(
    gateway: Gateway, kind: str, purpose: str, recipient_kind: str | None
) -> SenderRelation | None:
    flow = gateway.services.catalog.flow_for_purpose(purpose)
    if flow is None or "sender_related" not in flow.preconditions.get("send", ()):
        return None
    for route in flow.routes:
        if kind in route.senders and (recipient_kind is None or recipient_kind in route.recipients):
            return route.sender_relation
    return None
