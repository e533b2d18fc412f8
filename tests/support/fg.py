"""Privacy officers and log entries made to order, for the FG's pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.orgs import officers
from policies.model import Decision
from tests.support.gateway import Gateway, Org


def register_officer(gateway: Gateway, org: Org, sub: str) -> None:
    services = gateway.services
    with services.db.sessions() as session, session.begin():
        officers.add(
            session,
            org_id=org.id,
            sub=sub,
            pseudonyms=gateway.keyring.pseudonyms,
            catalog=services.catalog,
            now=gateway.clock.now(),
        )


def decision(effect: str, code: str | None = None) -> Decision:
    return Decision(
        effect="deny" if effect == "deny" else "permit",
        code=code,
        flow=None,
        legal_basis=None,
        rule=f"test/{effect}",
        reasons=(),
        obligations=(),
        policy_version="v1",
    )


def event(
    org: str,
    *,
    actor: str = "medewerker-1",
    action: str = "transfer.read",
    purpose: str = "overdracht.po_vo",
    effect: str = "permit",
    code: str | None = None,
    subject_ref: str | None = None,
    object_id: str | None = None,
    owner: str | None = None,
) -> AuditEvent:
    made = AuditEvent(
        org=org,
        actor=actor,
        actor_role="ib",
        purpose=purpose,
        action=action,
        decision=decision(effect, code),
        subject_ref=subject_ref,
        object_id=object_id,
    )
    return replace(made, owner=owner)


def put(gateway: Gateway, *events: AuditEvent, at: datetime | None = None) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        for made in events:
            audit.append(session, made, now=at or gateway.clock.now())
