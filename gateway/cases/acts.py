"""What every act on a case shares: the purpose, membership, the audit entry, sealing.

Acts on a case are done under knooppunt.casus only. To anyone who does not (or no
longer) take part, the case answers as an id that never existed, and the attempt is on
the creator's record. Every act and every refusal is written to the audit log in the
act's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gateway.audit import service as audit
from gateway.audit.service import AuditEvent
from gateway.cases.models import Case, CaseParticipant
from gateway.catalog.enforce import basis_decision
from gateway.core.context import ActContext
from gateway.core.errors import Conflict, Forbidden, NotFound
from gateway.edges import Edges
from gateway.subjects import service as subjects
from gateway.subjects.authority import FactAuthority
from gateway.transfers.relation import related
from policies.compiled import Flow
from policies.model import Decision

PURPOSE = "knooppunt.casus"
REASONS = {
    "create": "A core partner starts a case on its own task and takes part in it.",
    "participant": "A participant with a mandate brings a partner to the table.",
    "leave": "A participant leaves the case; it reads nothing of it from now on.",
    "close": "A participant with a mandate closes the case; entries keep their own term.",
    "read": "A participant reads the case it takes part in.",
    "list": "An organisation lists the cases it takes part in.",
    "write": "A participant records its own entry; it stays that party's.",
    "release": "A participant reads what its own task or the case consent releases to it.",
    "export": "A participant exports what it may read of the case, signed, for a dispute body.",
    "mdo": "The case becomes an MDO; regie passes to the SWV's trajectbegeleider.",
    "evaluate": "The participants evaluated the case, as they do at least once a year.",
}


def flow(ctx: ActContext, edges: Edges) -> Flow:
    """Acts on a case are done under knooppunt.casus only, and only while the catalog
    has the flow."""
    if ctx.purpose != PURPOSE:
        raise Forbidden(
            f"Cases are handled under the purpose {PURPOSE} only.", code="purpose_mismatch"
        )
    found = edges.catalog.flow_for_purpose(PURPOSE)
    if found is None or not found.enabled:
        raise Forbidden("The policy catalog has no knooppunt flow.", code="flow_not_allowed")
    return found


def member(
    session: Session, act: audit.Attempt, case_id: str, ctx: ActContext
) -> tuple[Case, CaseParticipant]:
    """The case and the caller's place at it; to anyone else, the answer for an unknown
    id, with the attempt on the creator's record (its privacy officer sees it)."""
    case = session.get(Case, case_id)
    # An id that names nothing is not logged: it is the caller's text, not ours.
    if case is not None:
        act.subject_ref, act.object_id, act.owner = case.subject_ref, case.id, case.created_by_org
    me = session.get(CaseParticipant, (case_id, ctx.org_id)) if case is not None else None
    if case is None or me is None or me.left_at is not None:
        raise NotFound("No such case.")
    return case, me


def creator_related(
    session: Session,
    act: audit.Attempt,
    found: Flow,
    ctx: ActContext,
    subject_ref: str,
    authority: FactAuthority,
) -> None:
    """The caller has the standing the catalog asks of whoever starts a case about the
    pupil (`create_relation`); else `sender_not_related`, with the attempt also on the
    record of the school whose pupil it is (its privacy officer sees who tried)."""
    if related(
        session,
        found.create_relation,
        org_id=ctx.org_id,
        subject_ref=subject_ref,
        purpose=PURPOSE,
    ):
        return
    act.owner = subjects.school_of_record(session, subject_ref, authority)
    raise Forbidden(
        "The organisation has no standing with the pupil to start a case about them.",
        code="sender_not_related",
    )


def mandated(me: CaseParticipant) -> None:
    if not me.mandate:
        raise Forbidden("Only a participant with a mandate does this.", code="mandate_missing")


def still_open(case: Case) -> None:
    if case.status != "open":
        raise Conflict("The case is closed.", code="case_closed")


def permit(edges: Edges, act: str, categories: frozenset[str] = frozenset()) -> Decision:
    return basis_decision(
        edges.catalog,
        purpose=PURPOSE,
        rule=f"{PURPOSE}/case/{act}",
        reason=REASONS[act],
        categories=categories,
    )


def log(
    session: Session,
    ctx: ActContext,
    edges: Edges,
    action: str,
    reason: str,
    case: Case,
    *,
    object_id: str | None = None,
    categories: frozenset[str] | None = None,
) -> None:
    event = AuditEvent.of(
        ctx,
        action=action,
        decision=permit(edges, reason, categories or frozenset()),
        subject_ref=case.subject_ref,
        object_id=object_id or case.id,
        categories=categories,
    )
    audit.append(session, event, now=edges.now)


def entry_scope(case_id: str, writer_org: str) -> str:
    """The data key of one writer's entries in one case: stamped with one class on one
    close date, they expire together (`gateway.crypto.envelope`)."""
    return f"case:{case_id}/{writer_org}"


def seal(
    session: Session, case: Case, record_id: str, data: bytes, edges: Edges, *, scope: str = ""
) -> bytes:
    return edges.keyring.envelope.seal(
        session,
        subject_ref=case.subject_ref,
        purpose=PURPOSE,
        record_id=record_id,
        plaintext=data,
        now=edges.now,
        scope=scope,
    )


def open_sealed(session: Session, record_id: str, data: bytes, edges: Edges) -> bytes:
    return edges.keyring.envelope.open(
        session, record_id=record_id, purpose=PURPOSE, ciphertext=data
    )


def attempt(ctx: ActContext, edges: Edges, action: str) -> audit.AttemptScope:
    return audit.attempt(ctx, action=action, policy_version=edges.catalog.version, now=edges.now)
