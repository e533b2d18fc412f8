"""Who may open the FG pages: a privacy officer, logged in with the portal's own login.

The FG role and organisation come from the IdP's claims when the deployment trusts them
(`oidc_trust_role_claims`, claim names in the settings), or else from the registration
per organisation (`gateway orgs officer add`). Someone who is neither is refused with a
Dutch page, and the refusal is on the log. An FG session holds the officer's keyed
pseudonym and organisation only; it has no parent in it, so the parents' pages do not
open for it, and a parent's session has no officer in it.

Every FG page view is an audit entry under `audit.toezicht`, the officer its actor by
pseudonym, written in the page's own transaction (`Officer.record`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import SUPERVISION_PURPOSE, supervision_decision
from gateway.core.context import PORTAL_ORG, ActContext, Principal
from gateway.core.errors import Forbidden
from gateway.core.settings import Settings
from gateway.deps import Services, SessionDep
from gateway.orgs import officers
from gateway.orgs.models import Organisation
from gateway.web import session
from gateway.web.oidc import LoginClaims
from gateway.web.session import LoginRequired
from policies.model import Decision

FG, INTENT = "fg", "intent"
REGISTERED, ASSERTED = "register", "claims"
ROLE = "fg"
CLIENT = "portaal-fg"


class OfficerLoginRequired(LoginRequired):
    """No FG logged in: the FG's start page, not the parents'."""


class NotAnOfficer(Forbidden):
    code = "not_privacy_officer"


@dataclass(frozen=True, slots=True)
class Officer:
    """The privacy officer logged in: a keyed pseudonym and an organisation, no name."""

    ref: str
    org_id: str
    org_kind: str
    org_name: str

    def context(self, request: Request) -> ActContext:
        request_id = str(request.scope.get("state", {}).get("request_id", ""))
        principal = Principal(self.org_id, self.org_kind, CLIENT, frozenset())
        return ActContext(principal, SUPERVISION_PURPOSE, self.ref, ROLE, request_id)

    def record(
        self,
        db: Session,
        request: Request,
        services: Services,
        *,
        action: str,
        subject_ref: str | None = None,
    ) -> Decision:
        """The page view on the organisation's log, in the page's transaction."""
        ctx = self.context(request)
        now = services.clock.now()
        allowed = supervision_decision(services.catalog, ctx, action=action, now=now)
        event = AuditEvent.of(ctx, action=action, decision=allowed, subject_ref=subject_ref)
        audit.append(db, event, now=now)
        return allowed


def want_officer_login(request: Request) -> None:
    """The login about to start is an FG's: the callback completes it as one."""
    request.session[INTENT] = FG


def wants_officer(request: Request) -> bool:
    return request.session.get(INTENT) == FG


async def complete_login(
    request: Request, db: Session, services: Services, login: LoginClaims
) -> Officer:
    """The officer behind a completed login, or a logged refusal."""
    settings = services.settings
    sub = await login.get("sub")
    ref = services.keyring.pseudonyms.officer_ref(str(sub))
    org_id = await _asserted_org(settings, login) or _registered_org(db, ref)
    org = db.get(Organisation, org_id) if org_id else None
    if org is None:
        principal = Principal(PORTAL_ORG, PORTAL_ORG, CLIENT, frozenset())
        ctx = ActContext(principal, SUPERVISION_PURPOSE, ref, None, "")
        refusal = NotAnOfficer("This login is no privacy officer of any organisation.")
        event = _refused(ctx, services, refusal)
        refusal.record = partial(_append, event=event, now=services.clock.now())
        raise refusal
    officer = Officer(ref, org.id, org.kind, org.name)
    request.session.clear()
    source = REGISTERED if org_id == _registered_org(db, ref) else ASSERTED
    request.session[FG] = {"ref": ref, "org": org.id, "source": source}
    request.session[session.CSRF] = secrets.token_urlsafe(32)
    session.renew(request)
    officer.record(db, request, services, action="audit.fg_login")
    return officer


def _append(db: Session, *, event: AuditEvent, now: datetime) -> None:
    audit.append(db, event, now=now)


def _refused(ctx: ActContext, services: Services, refusal: NotAnOfficer) -> AuditEvent:
    now = services.clock.now()
    return audit.Attempt(ctx, "audit.fg_login", services.catalog.version, now).denial(refusal)


async def _asserted_org(settings: Settings, login: LoginClaims) -> str | None:
    """The organisation the IdP asserts for an FG, when the deployment trusts it."""
    if not settings.oidc_trust_role_claims:
        return None
    roles: Any = await login.get(settings.oidc_roles_claim)
    if isinstance(roles, str):
        roles = roles.split()
    if not isinstance(roles, list) or settings.oidc_fg_role not in roles:
        return None
    org: Any = await login.get(settings.oidc_org_claim)
    return org if isinstance(org, str) and org else None


def _registered_org(db: Session, ref: str) -> str | None:
    found = officers.organisations_of(db, ref)
    return found[0] if found else None


def officer_of(request: Request, db: Session) -> Officer | None:
    """The officer of this session; a registration since removed ends it."""
    held: Any = request.session.get(FG)
    if not isinstance(held, dict):
        return None
    ref, org_id = held.get("ref"), held.get("org")
    if not isinstance(ref, str) or not isinstance(org_id, str):
        return None
    if held.get("source") != ASSERTED and org_id not in officers.organisations_of(db, ref):
        return None
    org = db.get(Organisation, org_id)
    if org is None:
        return None
    return Officer(ref, org.id, org.kind, org.name)


async def current_officer(request: Request, db: SessionDep) -> Officer:
    officer = officer_of(request, db)
    if officer is None:
        raise OfficerLoginRequired("Log in as privacy officer first.", code="login_required")
    return officer


OfficerDep = Annotated[Officer, Depends(current_officer)]
