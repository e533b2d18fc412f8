"""The verwijsindex's guards: the region switch, the purpose, the catalog, the volume.

Each refusal is a logged deny, written after the act is rolled back, like every other
refusal of the gateway.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.catalog.enforce import PolicyDenied, enforce
from gateway.core.context import ActContext
from gateway.core.db import insert_or_ignore
from gateway.core.errors import GatewayError
from gateway.core.settings import Settings
from gateway.edges import Edges
from gateway.signals.models import SignalVolume
from gateway.transfers.relation import related, relation_for
from policies.engine import evaluate
from policies.model import Decision, Preconditions, Request

SIGNAL, MATCH = "verwijsindex.signaal", "verwijsindex.match"
INDEX = "verwijsindex"
SIGNAL_CATEGORIES = frozenset({"leerling", "signaal"})
MATCH_CATEGORIES = frozenset({"signaal"})


def age_on(destroy_on: date, day: date) -> int:
    """The child's age on `day`, from its 23rd birthday (the one date the index keeps)."""
    born = destroy_on.replace(year=destroy_on.year - 23)
    return day.year - born.year - int((day.month, day.day) < (born.month, born.day))


def twenty_third_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 23)
    except ValueError:  # 29 February: the law's day is 1 March in a common year
        return date(born.year + 23, 3, 1)


def _deny(catalog_version: str, code: str, rule: str, reason: str) -> Decision:
    return Decision(
        effect="deny",
        code=code,
        flow=None,
        legal_basis=None,
        rule=rule,
        reasons=(reason,),
        obligations=(),
        policy_version=catalog_version,
    )


def switched_on(ctx: ActContext, edges: Edges, settings: Settings, action: str) -> None:
    """The region's switch (its catalog) and the deployment's (GATEWAY_VERWIJSINDEX):
    off, every signal call is refused as a flow the region does not allow."""
    if settings.verwijsindex and edges.catalog.settings.verwijsindex:
        return
    denied = _deny(
        edges.catalog.version,
        "flow_not_allowed",
        "verwijsindex/deny/switched_off",
        "The region does not use the verwijsindex.",
    )
    raise PolicyDenied(denied, AuditEvent.of(ctx, action=action, decision=denied), edges.now)


def under(ctx: ActContext, edges: Edges, purpose: str, action: str) -> None:
    """The call is made under `purpose` (X-Purpose), else a logged purpose_mismatch."""
    if ctx.purpose == purpose:
        return
    denied = _deny(
        edges.catalog.version,
        "purpose_mismatch",
        f"{purpose}/deny/purpose_mismatch",
        f"This act is done under the purpose {purpose} only.",
    )
    raise PolicyDenied(denied, AuditEvent.of(ctx, action=action, decision=denied), edges.now)


def standing(
    session: Session, ctx: ActContext, edges: Edges, *, action: str, subject_ref: str
) -> bool:
    """Is the organisation involved with the child, as the route for its kind asks (the
    route's `sender_relation`)? Judged before the child's record is read: a reporter on a
    route without that standing is refused on it alone (`sender_not_related`, logged),
    the same answer for every BSN. Were the age read first, an unknown BSN (no birth date
    on record) or a youth past 23 would answer `out_of_scope` and tell a stranger whether
    the gateway knows the child. False: the kind has no route, which the catalog refuses
    on the kind alone (`signal_decision`)."""
    relation = relation_for(
        edges.catalog, purpose=SIGNAL, sender_kind=ctx.org_kind, recipient_kind=INDEX
    )
    if relation is None:
        return False
    if related(session, relation, org_id=ctx.org_id, subject_ref=subject_ref, purpose=SIGNAL):
        return True
    refused = _not_related(edges)
    event = AuditEvent.of(
        ctx, action=action, decision=refused, subject_ref=subject_ref, categories=SIGNAL_CATEGORIES
    )
    raise PolicyDenied(refused, event, edges.now)


def signal_decision(
    ctx: ActContext,
    edges: Edges,
    *,
    involved: bool,
    age: int | None,
    action: str,
    subject_ref: str,
) -> Decision:
    """May the caller signal this child (flow 12)? Its kind must be a reporter the catalog
    names, the child in the age scope, and the organisation involved with the child
    (`standing`): a stranger cannot signal a child to learn who else is involved. A deny
    is logged."""
    request = Request(
        sender_kind=ctx.org_kind,
        recipient_kind=INDEX,
        purpose=SIGNAL,
        categories=SIGNAL_CATEGORIES,
        subject_age=age,
        action="send",
        preconditions=Preconditions(sender_related=involved),
    )
    return enforce(
        edges.catalog, request, ctx, action=action, now=edges.now, subject_ref=subject_ref
    )


def _not_related(edges: Edges) -> Decision:
    """The catalog's refusal of a reporter on a route it has no standing for, worded as
    the engine words a missing `sender_related` (rule `<flow>/deny/sender_related`)."""
    flow = edges.catalog.flow_for_purpose(SIGNAL)
    return Decision(
        effect="deny",
        code="sender_not_related",
        flow=flow.id if flow is not None else None,
        legal_basis=flow.basis_label if flow is not None else None,
        rule=f"{flow.id if flow is not None else SIGNAL}/deny/sender_related",
        reasons=("Preconditions not met for send: sender_related.",),
        obligations=(),
        policy_version=edges.catalog.version,
    )


def match_decision(edges: Edges, *, org_kind: str, age: int) -> Decision:
    """May the index tell an organisation of this kind about a match (flow 13)?"""
    request = Request(
        sender_kind=INDEX,
        recipient_kind=org_kind,
        purpose=MATCH,
        categories=MATCH_CATEGORIES,
        subject_age=age,
    )
    return evaluate(request, edges.catalog)


class RateLimited(GatewayError):
    status, code, title = 429, "rate_limited", "Too many signals"


def count_signal(session: Session, ctx: ActContext, edges: Edges, settings: Settings) -> None:
    """One more signal in the organisation's window; past the limit a logged 429, and
    the first refusal of a window raises an alert for the privacy officer."""
    window = timedelta(seconds=settings.signals_rate_window_seconds)
    values = {"org_id": ctx.org_id, "window_start": edges.now, "count": 0, "alerted": False}
    insert_or_ignore(session, SignalVolume, values)
    locked = select(SignalVolume).where(SignalVolume.org_id == ctx.org_id).with_for_update()
    volume = session.scalars(locked).one()
    if volume.window_start + window <= edges.now:
        volume.window_start, volume.count, volume.alerted = edges.now, 0, False
    if volume.count >= settings.signals_rate_limit:
        refused = _deny(
            edges.catalog.version,
            "rate_limited",
            "verwijsindex/deny/rate_limited",
            "The organisation registered more signals than its window allows.",
        )
        event = AuditEvent.of(ctx, action="signal.register", decision=refused)
        raise RateLimited(
            "The organisation registered more signals than its window allows; try later.",
            record=lambda s: _refuse_and_alert(s, event, edges),
        )
    volume.count += 1


def _refuse_and_alert(session: Session, event: AuditEvent, edges: Edges) -> None:
    audit.append(session, event, now=edges.now)
    locked = select(SignalVolume).where(SignalVolume.org_id == event.org).with_for_update()
    volume = session.scalars(locked).first()
    if volume is None or volume.alerted:
        return
    volume.alerted = True
    alert = _deny(
        edges.catalog.version,
        "unusual_volume",
        "verwijsindex/alert/unusual_volume",
        "An unusual volume of signals: someone may be fishing for who is involved with whom.",
    )
    entry = replace(event, action="signal.volume_alert", decision=alert, actor=event.actor)
    audit.append(session, entry, now=edges.now)
