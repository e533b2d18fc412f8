"""The audit chain detects any changed, removed, inserted or reordered entry."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry, AuditHead
from tests.support.audit import read_event, rewrite
from tests.support.gateway import Gateway


def fill(gateway: Gateway, count: int) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        for n in range(count):
            audit.append(session, read_event(f"org_{n}", f"sr_{n}"), now=gateway.clock.now())


def verify(gateway: Gateway) -> audit.Verification:
    with gateway.services.db.sessions() as session:
        return audit.verify(session)


def test_an_intact_chain_verifies(gateway: Gateway) -> None:
    fill(gateway, 5)
    result = verify(gateway)
    assert result.ok and result.checked == 5


FIELDS = st.sampled_from(["org", "actor", "purpose", "subject_ref", "decision", "rule"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seq=st.integers(min_value=1, max_value=6),
    field=FIELDS,
    tamper=st.sampled_from(["change", "remove", "remove_last", "swap"]),
)
def test_any_tampering_is_detected(gateway: Gateway, seq: int, field: str, tamper: str) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        session.execute(delete(AuditEntry))
        session.execute(update(AuditHead).values(seq=0, hash="0" * 64))
    fill(gateway, 6)
    with gateway.services.db.sessions() as session, session.begin():
        if tamper == "change":
            rewrite(session, seq, **{field: "tampered"})
        elif tamper == "remove":
            session.execute(delete(AuditEntry).where(AuditEntry.seq == seq))
        elif tamper == "remove_last":
            session.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
        else:
            pairs = session.execute(
                select(AuditEntry.org, AuditEntry.subject_ref)
                .where(AuditEntry.seq.in_((1, 2)))
                .order_by(AuditEntry.seq)
            ).all()
            for seq_, (org, subject_ref) in zip((2, 1), pairs, strict=True):
                rewrite(session, seq_, org=org, subject_ref=subject_ref)
    assert not verify(gateway).ok
