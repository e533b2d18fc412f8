"""Every act goes through the engine; a deny becomes a refusal that is on record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
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
    "not_authoritative": 403,
    "category_missing": 422,
    "out_of_scope": 422,
    "inzage_missing": 409,
}


def catalog_names(catalog: Catalog, names: Iterable[str]) -> frozenset[str]:
    """The categories as the catalog knows them; every other name the sender chose
    becomes `unknown_<n>`, so a decision, an error or an audit entry never repeats it (a
    key can be any text, a diagnosis included). Unknown names are refused all the same."""
    given = set(names)
    known = given & catalog.categories
    return frozenset(known) | {f"unknown_{n}" for n in range(1, len(given - known) + 1)}


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
            " ".join(decision.reasons) or "The policy catalog does not permit this.",
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
    owner: str | None = None,
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
        raise PolicyDenied(decision, replace(event, owner=owner), now)
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
REGISTRATION_PURPOSE = "leerling.inschrijving"


def supervision_decision(
    catalog: Catalog, ctx: ActContext, *, action: str, now: datetime
) -> Decision:
    """May the caller read its organisation's audit log (the FG's supervision)?

    Reading the log moves nothing between organisations, so it is no exchange flow the
    engine evaluates: the catalog holds the purpose with its own legal basis, and only
    that purpose, declared in X-Purpose, opens the log.
    """
    return own_task_decision(
        catalog,
        ctx,
        purpose=SUPERVISION_PURPOSE,
        action=action,
        now=now,
        reason="The organisation's privacy officer supervises its processing.",
    )


def own_task_decision(
    catalog: Catalog,
    ctx: ActContext,
    *,
    purpose: str,
    action: str,
    now: datetime,
    reason: str,
    subject_ref: str | None = None,
    owner: str | None = None,
) -> Decision:
    """An act under a purpose without an exchange flow: the organisation's own task.

    Permitted only when X-Purpose names that purpose, the catalog gives it a legal
    basis, and the caller's kind is one the catalog lets act under it (`actors`). A
    refusal is logged like any other; without the purpose in the catalog nothing is
    permitted.
    """
    basis = catalog.legal_basis(purpose)
    spec = catalog.taxonomy.purposes.get(purpose)
    actors = spec.actors if spec is not None else ()
    if ctx.purpose == purpose and basis is not None and (not actors or ctx.org_kind in actors):
        return basis_decision(catalog, purpose=purpose, rule=f"{purpose}/permit", reason=reason)
    if basis is None:
        code, why = "flow_not_allowed", f"The catalog names no legal basis for {purpose}."
    elif ctx.purpose != purpose:
        code, why = "purpose_mismatch", f"This act is done under the purpose {purpose} only."
    else:
        code, why = "not_authoritative", f"A {ctx.org_kind} does not act under {purpose}."
    denied = Decision(
        effect="deny",
        code=code,
        flow=None,
        legal_basis=None,
        rule=f"{purpose}/deny/{code}",
        reasons=(why,),
        obligations=(),
        policy_version=catalog.version,
    )
    event = AuditEvent.of(ctx, action=action, decision=denied, subject_ref=subject_ref)
    raise PolicyDenied(denied, replace(event, owner=owner), now)


def basis_decision(
    catalog: Catalog,
    *,
    purpose: str,
    rule: str,
    reason: str,
    categories: frozenset[str] = frozenset(),
) -> Decision:
    """A permitted act that is no exchange (a registry act, a school's own task), logged
    under the legal basis the catalog gives its purpose."""
    basis = catalog.legal_basis(purpose)
    return Decision(
        effect="permit",
        code=None,
        flow=purpose if catalog.flow_for_purpose(purpose) else None,
        legal_basis=basis.label if basis else None,
        rule=rule,
        reasons=(reason,),
        obligations=(),
        policy_version=catalog.version,
        released=categories,
    )


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
