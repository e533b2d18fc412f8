"""Privacy officers (FG) registered per organisation, for the FG's pages in the portal.

A deployment whose identity provider asserts the FG role and organisation trusts those
claims (`oidc_trust_role_claims`); otherwise the operator registers each FG here, by the
`sub` their login carries. Only a keyed pseudonym of that `sub` is stored, as the portal
keeps a parent only as `person_ref`. Every registration and removal is an audit entry of
the organisation, written in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import SUPERVISION_PURPOSE, basis_decision
from gateway.core.context import ActContext, Principal
from gateway.core.db import Base
from gateway.core.errors import Conflict, NotFound
from gateway.crypto.pseudonym import Pseudonymizer
from gateway.orgs.models import Organisation
from policies.catalog import Catalog

OPERATOR = "gateway-beheer"


class PrivacyOfficer(Base):
    __tablename__ = "privacy_officers"
    __table_args__ = (UniqueConstraint("org_id", "officer_ref"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The keyed pseudonym of the login's `sub` (`Pseudonymizer.officer_ref`).
    officer_ref: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]


def organisations_of(session: Session, officer_ref: str) -> list[str]:
    """The organisations this person is registered as FG of."""
    query = select(PrivacyOfficer.org_id).where(PrivacyOfficer.officer_ref == officer_ref)
    return sorted(session.scalars(query))


def listed(session: Session, org_id: str) -> Sequence[PrivacyOfficer]:
    query = select(PrivacyOfficer).where(PrivacyOfficer.org_id == org_id)
    return session.scalars(query.order_by(PrivacyOfficer.created_at)).all()


def add(
    session: Session,
    *,
    org_id: str,
    sub: str,
    pseudonyms: Pseudonymizer,
    catalog: Catalog,
    now: datetime,
) -> PrivacyOfficer:
    org = _organisation(session, org_id)
    ref = pseudonyms.officer_ref(sub)
    if ref in {officer.officer_ref for officer in listed(session, org_id)}:
        raise Conflict("This person is registered as FG of the organisation already.")
    officer = PrivacyOfficer(
        id="fg_" + secrets.token_hex(10), org_id=org_id, officer_ref=ref, created_at=now
    )
    session.add(officer)
    _record(session, org, "audit.officer_add", officer, catalog, now)
    return officer


def remove(
    session: Session,
    *,
    org_id: str,
    sub: str,
    pseudonyms: Pseudonymizer,
    catalog: Catalog,
    now: datetime,
) -> PrivacyOfficer:
    org = _organisation(session, org_id)
    ref = pseudonyms.officer_ref(sub)
    found = [officer for officer in listed(session, org_id) if officer.officer_ref == ref]
    if not found:
        raise NotFound("This person is not registered as FG of the organisation.")
    session.delete(found[0])
    _record(session, org, "audit.officer_remove", found[0], catalog, now)
    return found[0]


def _organisation(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound("No such organisation.")
    return org


def _record(
    session: Session,
    org: Organisation,
    action: str,
    officer: PrivacyOfficer,
    catalog: Catalog,
    now: datetime,
) -> None:
    """On the organisation's own log: the operator named who may read it."""
    principal = Principal(org.id, org.kind, OPERATOR, frozenset())
    ctx = ActContext(principal, SUPERVISION_PURPOSE, OPERATOR, "beheer", request_id="cli")
    decision = basis_decision(
        catalog,
        purpose=SUPERVISION_PURPOSE,
        rule=f"{action}/permit",
        reason="The operator registers the organisation's privacy officer.",
    )
    event = AuditEvent.of(ctx, action=action, decision=decision, object_id=officer.id)
    audit.append(session, event, now=now)
