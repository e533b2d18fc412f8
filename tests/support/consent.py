"""Small helpers for consent tests: pupils of a given age, grantors, consent bodies."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx2 import Response

from consent import gezag
from gateway.registry.standing import RECIPIENT
from gateway.transfers.relation import related
from tests.support.gateway import REGISTRATION, START, Gateway, Org, enrol_pupil
from tests.support.standing import received, stand

PUPIL_BSN = "111222333"
MOTHER_BSN = "123456708"
FATHER_BSN = "123456721"
OTHER_BSN = "123456733"
NAMES = ("Anna de Vries", "Bram de Vries", "Sam de Vries")
REFERRAL = "jeugdhulp.verwijzing"


def born_aged(age: int, *, birthday_in_days: int = -1) -> str:
    """A birth date that makes the pupil `age` on START; the birthday is that many days off."""
    birthday = START.date() + timedelta(days=birthday_in_days)
    years = age + 1 if birthday_in_days > 0 else age
    return date(birthday.year - years, birthday.month, birthday.day).isoformat()


def pupil_aged(age: int, bsn: str = PUPIL_BSN, **birthday: int) -> dict[str, str]:
    return {"bsn": bsn, "birth_date": born_aged(age, **birthday)}


def parent(
    name: str = NAMES[0], bsn: str | None = MOTHER_BSN, role: str = "parent"
) -> dict[str, str]:
    """A parent grantor, by default the mother, named by BSN as the registry requires."""
    return {"role": role, "name": name, **({"bsn": bsn} if bsn else {})}


def guardian(name: str = NAMES[1], bsn: str = FATHER_BSN) -> dict[str, str]:
    return parent(name, bsn, role="guardian")


def child(name: str = NAMES[2], bsn: str | None = None) -> dict[str, str]:
    return {"role": "pupil", "name": name, **({"bsn": bsn} if bsn else {})}


def days_from_start(days: int) -> str:
    return (START.date() + timedelta(days=days)).isoformat()


def consent_body(
    recipients: list[str],
    *,
    subject: dict[str, str] | None = None,
    granted_by: list[dict[str, str]] | None = None,
    purpose: str = REFERRAL,
    categories: tuple[str, ...] = ("leerling", "oudersverzorgers"),
    valid_until: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "subject": subject or pupil_aged(10),
        "purpose": purpose,
        "recipients": recipients,
        "categories": list(categories),
        "granted_by": granted_by or [parent()],
        "valid_until": valid_until or days_from_start(180),
        "evidence": "digital",
        **extra,
    }


def grant(
    gateway: Gateway,
    org: Org,
    body: dict[str, Any],
    *,
    gezag: bool = True,
    standing: bool = True,
    **headers: str,
) -> Response:
    """Registers a consent; with `gezag` the pupil's school first records that each parent
    grantor named by BSN holds gezag, as the registry requires; with `standing` the
    registering organisation first gets the relation with the pupil its flow asks."""
    if gezag:
        with_gezag(gateway, body["subject"], *body["granted_by"])
    if standing:
        stand_to_register(gateway, org, body["subject"], body["purpose"])
    return gateway.client.post(
        "/v1/consents",
        json=body,
        headers={**org.headers(purpose=body["purpose"], actor="ib-1"), **headers},
    )


def stand_to_register(gateway: Gateway, org: Org, subject: dict[str, Any], purpose: str) -> None:
    """The standing a registrant needs (gateway/registry/standing.py): a sender on the flow
    the one its route asks (a voorschool none: its consent is its standing), a recipient
    data on the pupil it received under the flow."""
    flow = gateway.services.catalog.flow_for_purpose(purpose)
    if flow is None or not isinstance(subject.get("bsn"), str):
        return
    if any(org.kind in route.senders for route in flow.routes):
        stand(gateway, org, subject, purpose, lenient=True)
    elif any(org.kind in route.recipients for route in flow.routes):
        ref = gateway.keyring.pseudonyms.subject_ref(subject["bsn"])
        with gateway.services.db.sessions() as session:
            holds = related(session, RECIPIENT, org_id=org.id, subject_ref=ref, purpose=purpose)
        if not holds:
            received(gateway, org, subject, purpose)


def granted(gateway: Gateway, org: Org, body: dict[str, Any]) -> dict[str, Any]:
    response = grant(gateway, org, body)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def register_gezag(
    gateway: Gateway, school: Org, subject: dict[str, str], person: dict[str, str], *, has: bool
) -> Response:
    """The school enrols the pupil (if it has not yet) and records gezag, as it must."""
    enrol_pupil(gateway, school, subject)
    return post_gezag(gateway, school, subject, person, has=has)


def post_gezag(
    gateway: Gateway,
    school: Org,
    subject: dict[str, str],
    person: dict[str, str],
    *,
    has: bool,
    purpose: str = REGISTRATION,
) -> Response:
    return gateway.client.post(
        "/v1/subjects/gezag",
        json={"subject": subject, "person": person, "gezag": has},
        headers=school.headers(purpose=purpose, actor="admin-1"),
    )


def pupils_school(gateway: Gateway) -> Org:
    """The school where the test's pupils are enrolled, made once per gateway, with a
    token fresh on the gateway's clock."""
    found: tuple[Org, object] | None = getattr(gateway, "pupils_school", None)
    if found is None:
        school = gateway.make_org("school_po", name="De school van de leerling")
    else:
        school, issued = found
        if issued != gateway.clock.now():
            refresh(gateway, school)
    gateway.pupils_school = (school, gateway.clock.now())  # type: ignore[attr-defined]
    return school


def with_gezag(gateway: Gateway, subject: dict[str, str], *people: dict[str, str]) -> None:
    """Gezag on record for every parent or guardian among `people` named by BSN."""
    pseudonyms = gateway.keyring.pseudonyms
    pupil = pseudonyms.subject_ref(subject["bsn"])
    with gateway.services.db.sessions() as session:
        holders = [
            p
            for p in people
            if p["role"] in ("parent", "guardian")
            and p.get("bsn")
            and not gezag.holds_gezag(
                session, subject_ref=pupil, person_ref=pseudonyms.subject_ref(p["bsn"])
            )
        ]
    if not holders:
        return
    school = pupils_school(gateway)
    for person in holders:
        holder = {"bsn": person["bsn"], "name": person["name"], "role": person["role"]}
        response = register_gezag(gateway, school, subject, holder, has=True)
        assert response.status_code == 201, response.text


def refresh(gateway: Gateway, *orgs: Org) -> None:
    """New access tokens after the clock moved past the old ones' expiry."""
    for org in orgs:
        org.token = gateway.token(org.client_id, org.client_secret)
