"""One organisation's register of processing (AVG art. 30), for its privacy officer.

The register is generated from the policy catalog (`policies.register`), so it cannot
drift from the rules the gateway enforces; this module picks the organisation's own
register out of it, with the deployment's settings, and adds to every exchange the kinds
of organisation that send and receive it. No personal data: the FG's page and
`GET /v1/audit/register` both serve it as built here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from gateway.core.errors import NotFound
from gateway.core.settings import Settings
from gateway.demo import DEMO_DEPLOYMENT
from gateway.orgs.models import Organisation
from policies.compiled import Catalog
from policies.register import (
    GATEWAY,
    Activity,
    Controller,
    ControllerRegister,
    Deployment,
    Location,
    registers,
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One processing activity: its id is the purpose code."""

    activity: Activity
    sender_kinds: tuple[str, ...]
    recipient_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Register:
    controller: ControllerRegister
    entries: tuple[Entry, ...]

    def as_json(self) -> dict[str, Any]:
        head = {k: v for k, v in asdict(self.controller).items() if k != "activities"}
        activities = [
            {
                "id": e.activity.purpose,
                **asdict(e.activity),
                "sender_kinds": list(e.sender_kinds),
                "recipient_kinds": list(e.recipient_kinds),
            }
            for e in self.entries
        ]
        return {**head, "activities": activities}


def controller_of(org: Organisation) -> Controller:
    return Controller(org.id, org.name, org.kind, org.contact or "", org.privacy_officer or "")


def of_organisation(
    session: Session, *, org_id: str, catalog: Catalog, settings: Settings
) -> Register:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("No such organisation.")
    found = registers(catalog, [controller_of(org)], deployment(settings))
    own = next(reg for reg in found if reg.controller == org.id)
    entries = []
    for activity in own.activities:
        flow = catalog.flows.get(activity.purpose)
        senders = tuple(sorted(flow.sender_kinds)) if flow else ()
        recipients = tuple(sorted(flow.recipient_kinds)) if flow else ()
        entries.append(Entry(activity, senders, recipients))
    return Register(own, tuple(entries))


def deployment(settings: Settings) -> Deployment:
    """The operator, DPIA, hosting and IdP as the deployment configures them; the demo
    region in development fills what is not set, so that its register is complete."""
    demo = settings.environment == "development" and settings.region == "demo"
    defaults = {k.removeprefix("GATEWAY_").lower(): v for k, v in DEMO_DEPLOYMENT.items()}

    def value(name: str) -> str:
        given: str = getattr(settings, name)
        return given or (defaults.get(name, "") if demo else "")

    idp_name = settings.idp_name or settings.oidc_issuer or value("idp_name")
    return Deployment(
        operator=Controller(
            GATEWAY,
            value("operator_name"),
            None,
            value("operator_contact"),
            value("operator_privacy_officer"),
        ),
        dpia_reference=value("dpia_reference"),
        hosting=Location("hosting", value("hosting_name"), value("hosting_country")),
        identity_providers=(Location("inlogdienst", idp_name, value("idp_country")),),
    )
