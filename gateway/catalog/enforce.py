"""Every act goes through the engine; a deny becomes a refusal that is on record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.core.context import ActContext
from gateway.core.errors import GatewayError
from policies.catalog import Catalog
from policies.engine import evaluate
from policies.model import Decision, Request

# The HTTP meaning of each deny code; any code not listed is a plain 403.
_STATUS = {
    "category_forbidden": 422,
    "category_missing": 422,
    "out_of_scope": 422,
    "inzage_missing": 409,
}


def decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "effect": decision.effect,
        "flow": decision.flow,
        "legal_basis": decision.legal_basis,
        "rule": decision.rule,
        "reasons": list(decision.reasons),
        "obligations": list(decision.obligations),
        "policy_version": decision.policy_version,
        "released": sorted(decision.released),
        "retention": decision.retention,
    }


class PolicyDenied(GatewayError):
    status, code, title = 403, "flow_not_allowed", "Refused by policy"

    def __init__(self, decision: Decision, event: AuditEvent, now: datetime) -> None:
        code = decision.code or "flow_not_allowed"
        super().__init__(
            "; ".join(decision.reasons) or "The policy catalog does not permit this.",
            code=code,
            status=_STATUS.get(code, 403),
            extra={"decision": decision_json(decision)},
            record=lambda session: _record(session, event, now),
        )


def _record(session: Session, event: AuditEvent, now: datetime) -> None:
    audit.append(session, event, now=now)


def enforce(
    catalog: Catalog,
    request: Request,
    ctx: ActContext,
    *,
    action: str,
    now: datetime,
    subject_ref: str | None = None,
    object_id: str | None = None,
    bound_purpose: str | None = None,
) -> Decision:
    """The decision for `request`; raises `PolicyDenied` (to be logged) on a deny.

    `bound_purpose` is the purpose the data was collected for: data is only ever
    used again for that same purpose (doelbinding).
    """
    if bound_purpose is not None and bound_purpose != request.purpose:
        decision = _purpose_mismatch(catalog, request)
    else:
        decision = evaluate(request, catalog)
    if not decision.permitted:
        event = AuditEvent.of(
            ctx,
            action=action,
            decision=decision,
            subject_ref=subject_ref,
            object_id=object_id,
            categories=request.categories,
        )
        raise PolicyDenied(decision, event, now)
    return decision


def registration_decision(
    catalog: Catalog, ctx: ActContext, *, action: str, now: datetime, purpose: str | None = None
) -> Decision:
    """May the caller register an aanmelding that opens the flow of `purpose`?"""
    request = Request(
        sender_kind="",
        recipient_kind=ctx.org_kind,
        purpose=purpose or ctx.purpose,
        categories=frozenset(),
        action="register",
    )
    return enforce(catalog, request, ctx, action=action, now=now)


SUPERVISION_PURPOSE = "audit.toezicht"


def supervision_decision(
    catalog: Catalog, ctx: ActContext, *, action: str, now: datetime
) -> Decision:
    """May the caller read its organisation's audit log (the FG's supervision)?

    Reading the log moves nothing between organisations, so it is no exchange flow the
    engine evaluates: the catalog holds the purpose with its own legal basis, and only
    that purpose, declared in X-Purpose, opens the log. A refusal is logged like any
    other; without the purpose in the catalog nothing is permitted.
    """
    basis = catalog.legal_basis(SUPERVISION_PURPOSE)
    if ctx.purpose == SUPERVISION_PURPOSE and basis is not None:
        return Decision(
            effect="permit",
            code=None,
            flow=None,
            legal_basis=basis.label,
            rule=f"{SUPERVISION_PURPOSE}/permit",
            reasons=("The organisation's privacy officer supervises its processing.",),
            obligations=(),
            policy_version=catalog.version,
        )
    code = "purpose_mismatch" if basis is not None else "flow_not_allowed"
    reason = (
        f"The audit log is read under the purpose {SUPERVISION_PURPOSE} only."
        if basis is not None
        else f"The catalog names no legal basis for {SUPERVISION_PURPOSE}."
    )
    denied = Decision(
        effect="deny",
        code=code,
        flow=None,
        legal_basis=None,
        rule=f"{SUPERVISION_PURPOSE}/deny/{code}",
        reasons=(reason,),
        obligations=(),
        policy_version=catalog.version,
    )
    raise PolicyDenied(denied, AuditEvent.of(ctx, action=action, decision=denied), now)


def _purpose_mismatch(catalog: Catalog, request: Request) -> Decision:
    return Decision(
        effect="deny",
        code="purpose_mismatch",
        flow=None,
        legal_basis=None,
        rule="doelbinding/deny/purpose_mismatch",
        reasons=("The data was collected for another purpose than the one declared.",),
        obligations=(),
        policy_version=catalog.version,
    )
