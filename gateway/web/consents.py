"""Consent from the portal: what a parent can consent to, granting and withdrawing.

The registry's acts (`gateway.registry.service`, the same the HTTP API calls) check
everything a consent must satisfy: gezag on record, the age rule of the purpose,
recipients the flow reaches, categories it carries; and they write the act or its
refusal to the audit log. The portal names the logged-in person as the grantor (by
BSN, so gezag is checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from consent import gezag
from consent import service as registry
from consent.models import Consent
from consent.period import last_day
from consent.schemas import ConsentCreate, GrantorIn
from consent.service import Renewal
from gateway.core.context import ActContext
from gateway.core.errors import GatewayError, NotFound
from gateway.deps import Services, edges_of
from gateway.orgs.models import Organisation
from gateway.registry import service as registry_acts
from gateway.subjects import service as subjects
from gateway.web import wording
from gateway.web.children import Child
from gateway.web.voice import Voice
from policies.catalog import Catalog

# Case consent (knooppunt) is given per case, inside the case the professionals open.
CASE_BOUND = frozenset({"knooppunt.casus"})


@dataclass(frozen=True, slots=True)
class Option:
    """One purpose a parent can consent to, with what the form offers for it."""

    purpose: str
    label: str
    recipients: tuple[tuple[str, str], ...]
    categories: tuple[tuple[str, str, bool], ...]


@dataclass(frozen=True, slots=True)
class ConsentView:
    id: str
    purpose: str
    recipients: tuple[str, ...]
    categories: tuple[str, ...]
    status: str
    granted_at: datetime
    valid_until: date
    withdrawn_at: datetime | None
    # Set while a birthday of the pupil leaves this consent short of the age rule.
    renewal: Renewal | None
    # Did the pupil consent too (so there is nothing for the pupil to add)?
    has_pupil: bool


class ConsentForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    purpose: str = Field(max_length=64)
    recipients: list[str] = Field(min_length=1, max_length=20)
    categories: list[str] = Field(min_length=1, max_length=32)
    valid_until: date


def purposes(catalog: Catalog) -> list[tuple[str, str]]:
    """(purpose, Dutch label) of every flow a parent or pupil can consent to."""
    found = [
        (flow.id, wording.purpose(flow.id))
        for flow in catalog.flows.values()
        if flow.enabled and flow.consent is not None and flow.consent.required
    ]
    return sorted((code, label) for code, label in found if code not in CASE_BOUND)


def option(session: Session, catalog: Catalog, purpose: str) -> Option:
    flow = catalog.flow_for_purpose(purpose)
    if flow is None or purpose not in dict(purposes(catalog)):
        raise NotFound("No consent can be given for this purpose here.")
    query = (
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind.in_(flow.recipient_kinds), Organisation.region == catalog.region)
        .order_by(Organisation.name)
    )
    mandatory = frozenset().union(*(route.mandatory for route in flow.routes))
    categories = sorted(
        ((code, wording.category(code), code in mandatory) for code in flow.categories),
        key=lambda item: (not item[2], item[1]),
    )
    recipients = tuple((org_id, name) for org_id, name in session.execute(query))
    return Option(purpose, wording.purpose(purpose), recipients, tuple(categories))


def for_child(
    session: Session, *, kid: Child, catalog: Catalog, now: datetime
) -> list[ConsentView]:
    """Every consent about the pupil, newest first: active ones, those a birthday left
    short of the age rule (from the birth date the page shows), and the history."""
    query = (
        select(Consent)
        .where(Consent.subject_ref == kid.subject_ref)
        .options(selectinload(Consent.recipients))
        .order_by(Consent.created_at.desc(), Consent.id)
    )
    found = list(session.scalars(query))
    names = _org_names(session, {org for consent in found for org in consent.recipient_ids})
    holding = gezag.holding(session, subject_ref=kid.subject_ref)
    views = []
    for consent in found:
        renewal = registry.renewal(
            consent, birth_date=kid.birth_date, catalog=catalog, gezag_on_record=holding, now=now
        )
        views.append(
            ConsentView(
                id=consent.id,
                purpose=wording.purpose(consent.purpose),
                recipients=tuple(names.get(org, org) for org in consent.recipient_ids),
                categories=tuple(wording.category(code) for code in consent.categories),
                status=registry.status(consent, now, renewal),
                granted_at=consent.created_at,
                valid_until=last_day(consent.valid_until),
                withdrawn_at=consent.withdrawn_at,
                renewal=renewal,
                has_pupil="pupil" in consent.grantor_roles,
            )
        )
    return views


def _org_names(session: Session, org_ids: set[str]) -> dict[str, str]:
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
    return {org_id: name for org_id, name in session.execute(query)}


def grant(
    session: Session,
    *,
    form: ConsentForm,
    child: Child,
    bsn: str,
    ctx: ActContext,
    services: Services,
) -> Consent:
    """The logged-in person consents, as parent with gezag or as the pupil from 16.

    The same act as `POST /v1/consents`, with the person named as the grantor by BSN so
    that the registry checks their gezag."""
    identity = subjects.identity(session, child.subject_ref, keyring=services.keyring)
    if identity is None:
        raise NotFound("No such child for this person.")
    option(session, services.catalog, form.purpose)
    body = ConsentCreate(
        subject=identity,
        purpose=form.purpose,
        recipients=form.recipients,
        categories=form.categories,
        granted_by=[
            GrantorIn.model_validate(
                {"role": child.grantor_role, "name": child.viewer_name, "bsn": bsn}
            )
        ],
        valid_until=form.valid_until,
        evidence="digital",
    )
    return registry_acts.grant(
        session, body=body, ctx=ctx, edges=edges_of(services), issuer=services.settings.issuer
    )


def withdraw(
    session: Session, *, consent_id: str, child: Child, ctx: ActContext, services: Services
) -> Consent:
    """AVG art. 7(3): as easy as granting; every later access stops at once."""
    return registry_acts.withdraw(
        session,
        consent_id=consent_id,
        ctx=ctx,
        edges=edges_of(services),
        subject_ref=child.subject_ref,
    )


def cosign(
    session: Session, *, consent_id: str, child: Child, ctx: ActContext, services: Services
) -> Consent:
    """The pupil, logged in as themself, adds their consent to their parents' one."""
    if not child.is_self:
        raise NotFound("No such consent for this pupil.")
    return registry_acts.cosign(
        session,
        consent_id=consent_id,
        name=child.viewer_name,
        ctx=ctx,
        edges=edges_of(services),
        issuer=services.settings.issuer,
    )


# (to a parent, to the pupil), as `voice.Voice.pick` chooses.
REFUSALS: dict[str, tuple[str, str]] = {
    "consent_grantors_insufficient": (
        "Voor dit doel is bij de leeftijd van uw kind ook de toestemming van iemand anders "
        "nodig (uw kind zelf, of de andere ouder). Vraag de school om dit samen vast te leggen.",
        "Voor dit doel is ook de toestemming van iemand anders nodig (bijvoorbeeld je "
        "ouders). Vraag de school om dit samen vast te leggen.",
    ),
    "gezag_unknown": (
        "Volgens de school heeft u geen gezag over dit kind.",
        "Volgens de school kun je hier geen toestemming geven.",
    ),
    "subject_conflict": (
        "De gegevens van uw kind kloppen niet met die van de school.",
        "Je gegevens kloppen niet met die van de school.",
    ),
    "category_forbidden": (
        "U koos gegevens die voor dit doel niet gedeeld mogen worden.",
        "Je koos gegevens die voor dit doel niet gedeeld mogen worden.",
    ),
    "recipient_not_in_flow": (
        "U koos een organisatie die voor dit doel niets mag ontvangen.",
        "Je koos een organisatie die voor dit doel niets mag ontvangen.",
    ),
    "unknown_recipient": (
        "U koos een organisatie die niet bekend is.",
        "Je koos een organisatie die niet bekend is.",
    ),
    "invalid_validity": (
        "De einddatum ligt in het verleden.",
        "De einddatum ligt in het verleden.",
    ),
    "grantor_mismatch": (
        "U kunt voor dit kind geen toestemming geven.",
        "Je kunt hier geen toestemming geven.",
    ),
}
REFUSED = "Deze toestemming kan zo niet worden vastgelegd."


def refusal_message(exc: GatewayError, voice: Voice) -> str:
    """What the parent or the pupil reads when the registry refuses a consent."""
    texts = REFUSALS.get(exc.code)
    return voice.pick(texts) if texts else REFUSED
