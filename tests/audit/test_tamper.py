"""Any single change, removal, insertion or reordering of stored entries is caught: by
`verify` and by inclusion proofs checked against the signed checkpoint, also when
whoever tampered rewrote the hash chain after it to hide the seam."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from gateway.audit import checkpoints, merkle, tree
from gateway.audit import service as audit
from gateway.audit.chain import stored_leaf_hash
from gateway.audit.models import (
    GENESIS_HASH,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditTree,
    AuditTreeNode,
)
from gateway.audit.verify import check_signature, verify_log
from tests.support.audit import leaf_of, publish, read_event, rechain, rewrite
from tests.support.gateway import Gateway

SIZE = 37  # past two stored blocks of 16, with a tail hashed from its entries
FIELDS = [
    *("org", "actor", "purpose", "subject_ref", "decision", "rule", "action", "time"),
    *("trace_id", "transaction_id"),
]
MUTATIONS = st.sampled_from(["change", "remove", "insert", "reorder"])


def reset(session: Session) -> None:
    for table in (AuditEntry, AuditTreeNode, AuditCheckpoint):
        session.execute(delete(table))
    session.execute(update(AuditHead).values(seq=0, hash=GENESIS_HASH))
    session.execute(update(AuditTree).values(size=0))


def fill(gateway: Gateway, count: int, start: int = 0) -> None:
    """`count` entries, each unlike any other of the log (numbered from `start`): a swap
    of two identical entries would change nothing there is to detect."""
    with gateway.services.db.sessions() as session, session.begin():
        for n in range(start, start + count):
            event = read_event(f"org_{n % 5}", f"sr_{n}")
            audit.append(session, event, now=gateway.clock.now())


def mutate(session: Session, kind: str, at: int, other: int, field: str) -> None:
    leaves = {seq: leaf for seq, leaf in session.execute(select(AuditEntry.seq, AuditEntry.leaf))}
    if kind == "change":
        value = json.loads(leaves[at])[field]
        rewrite(
            session, at, **{field: value[:20] + "000001+00:00" if field == "time" else "tampered"}
        )
    elif kind == "remove":
        session.execute(delete(AuditEntry).where(AuditEntry.seq == at))
        for seq in range(at + 1, SIZE + 1):  # closing the gap, as a forger would
            session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq - 1))
    elif kind == "insert":
        forged = leaf_of(json.loads(leaves[at]) | {"subject_ref": "forged"})
        for seq in range(SIZE, at - 1, -1):
            session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq + 1))
        session.execute(insert(AuditEntry).values(seq=at, leaf=forged))
    else:
        a, b = min(at, other), max(at, other) if at != other else at % SIZE + 1
        for seq, leaf in ((a, leaves[b]), (b, leaves[a])):
            session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(leaf=leaf))


def proofs_fail(session: Session, gateway: Gateway) -> bool:
    """Does the inclusion proof of some entry fail against the signed checkpoint?"""
    signed = checkpoints.latest(session)
    assert signed is not None
    key = gateway.keyring.checkpoints.active(gateway.settings.audit_origin)
    assert check_signature(signed, [key.verifier]) is None
    root = bytes.fromhex(signed.root_hash)
    for index in range(signed.tree_size):
        try:
            (entry,) = tree.entry_rows(session, index, index + 1)
            path = tree.inclusion_proof(session, index, signed.tree_size)
        except tree.TreeError:
            return True
        if not merkle.verify_inclusion(
            stored_leaf_hash(entry.leaf), index, signed.tree_size, path, root
        ):
            return True
    return False


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=MUTATIONS,
    at=st.integers(1, SIZE),
    other=st.integers(1, SIZE),
    field=st.sampled_from(FIELDS),
    forger_rechains=st.booleans(),
)
# Two entries swapped across the two checkpoints, the chain rewritten after.
@example(kind="reorder", at=1, other=21, field="org", forger_rechains=True)
# Another request's trace put on an entry.
@example(kind="change", at=7, other=7, field="trace_id", forger_rechains=False)
@example(kind="change", at=30, other=30, field="trace_id", forger_rechains=True)
def test_any_single_tampering_is_detected_by_verify_and_by_a_proof(
    gateway: Gateway, kind: str, at: int, other: int, field: str, forger_rechains: bool
) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        reset(session)
    fill(gateway, 20)
    publish(gateway)
    fill(gateway, SIZE - 20, start=20)
    publish(gateway)
    key = gateway.keyring.checkpoints.active(gateway.settings.audit_origin)
    with gateway.services.db.sessions() as session:
        assert verify_log(session, keys=[key.verifier]).ok
        assert verify_log(session, keys=[key.verifier], jobs=2, chunk_level=2).ok
        assert not proofs_fail(session, gateway)

    with gateway.services.db.sessions() as session, session.begin():
        mutate(session, kind, at, other, field)
        if forger_rechains:
            rechain(session)

    with gateway.services.db.sessions() as session:
        result = verify_log(session, keys=[key.verifier])
        # In pieces of 4, here and side by side in two worker processes: caught, and
        # the same finding either way.
        pieces = verify_log(session, keys=[key.verifier], chunk_level=2)
        assert not pieces.ok
        assert verify_log(session, keys=[key.verifier], jobs=2, chunk_level=2) == pieces
        assert not result.ok
        assert result.first_bad_seq is None or result.first_bad_seq <= SIZE + 1
        if kind == "change" and not forger_rechains:
            assert result.first_bad_seq == at  # named, though its chain hash went unchecked
        assert proofs_fail(session, gateway)
        if kind == "change":
            # The changed entry's own proof fails, wherever it sits in the tree.
            (entry,) = tree.entry_rows(session, at - 1, at)
            path = tree.inclusion_proof(session, at - 1, SIZE)
            root = bytes.fromhex(checkpoints.latest(session).root_hash)  # type: ignore[union-attr]
            assert not merkle.verify_inclusion(
                stored_leaf_hash(entry.leaf), at - 1, SIZE, path, root
            )


def test_a_rechained_log_still_verifies_its_chain_but_not_its_checkpoints(
    gateway: Gateway,
) -> None:
    """The reason for the tree: a rewritten chain is self-consistent; only the signed
    checkpoint shows it."""
    fill(gateway, SIZE)
    publish(gateway)
    with gateway.services.db.sessions() as session, session.begin():
        mutate(session, "change", 5, 5, "org")
        rechain(session)
    with gateway.services.db.sessions() as session:
        result = verify_log(session)
    assert not result.ok and result.problem is not None
    assert "checkpoint" in result.problem
