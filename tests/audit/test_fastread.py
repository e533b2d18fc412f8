"""The fast reader's canonical bytes are byte for byte `canonical_bytes`' for any entry:
values JSON escapes (quotes, backslashes, control characters, non-ASCII), nulls, the
optional fields set or not, categories stored in any order, a time stored in another
form."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from gateway.audit import fastread
from gateway.audit import service as audit
from gateway.audit.chain import canonical_bytes
from gateway.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from gateway.audit.service import AuditEvent
from gateway.audit.verify import verify_log
from tests.support.audit import PERMIT
from tests.support.gateway import Gateway

TRICKY = ["plain", 'a"b', "a\\b", "é", "\x7f", "tab\t", "", "ü\u2028", "😀", "\x01", "</x>"]
TEXTS = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
MAYBE = st.one_of(st.none(), TEXTS)
EVENTS = st.builds(
    AuditEvent,
    org=TEXTS,
    actor=MAYBE,
    actor_role=MAYBE,
    purpose=TEXTS,
    action=TEXTS,
    decision=st.just(PERMIT),
    subject_ref=MAYBE,
    object_id=MAYBE,
    categories=st.frozensets(TEXTS, max_size=4),
    request_id=MAYBE,
    owner=MAYBE,
    trace_id=st.one_of(st.none(), st.sampled_from(["4bf92f3577b34da6a3ce929d0e0e4736", 'x"y'])),
)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def reset(session: Session) -> None:
    session.execute(delete(AuditEntry))
    session.execute(update(AuditHead).values(seq=0, hash=GENESIS_HASH))


def both(session: Session) -> tuple[list[bytes], list[bytes]]:
    fast = [leaf for _, leaves, _, _ in fastread.batches(session, 0, 7) for leaf in leaves]
    rows = session.execute(select(AuditEntry.seq, *fastread.LEAF_COLUMNS).order_by(AuditEntry.seq))
    return fast, [canonical_bytes(row) for row in rows]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(EVENTS, min_size=1, max_size=20), micros=st.integers(0, 10**6 - 1))
def test_the_fast_bytes_are_the_canonical_bytes(
    gateway: Gateway, events: list[AuditEvent], micros: int
) -> None:
    db = gateway.services.db
    with db.sessions() as session, session.begin():
        reset(session)
        for n, event in enumerate(events):
            now = START + timedelta(seconds=n, microseconds=micros if n % 2 else 0)
            audit.append(session, event, now=now)
    with db.sessions() as session:
        fast, slow = both(session)
        assert fast == slow
        assert verify_log(session).ok


def test_a_time_or_categories_stored_in_another_form_take_the_slow_way(
    gateway: Gateway, database_url: str
) -> None:
    db = gateway.services.db
    with db.sessions() as session, session.begin():
        for n in range(3):
            event = AuditEvent(
                org="o",
                actor="a",
                actor_role=None,
                purpose="p.q",
                action="x",
                decision=PERMIT,
                categories=frozenset({"b", "a", "c"}),
            )
            audit.append(session, event, now=START + timedelta(seconds=n))
    with db.sessions() as session, session.begin():
        session.execute(text("""UPDATE audit_entries SET categories = '["c", "a", "b"]'"""))
        if database_url.startswith("sqlite"):
            session.execute(text("UPDATE audit_entries SET time = '2026-12-01 09:00:01' WHERE seq = 2"))  # fmt: skip  # noqa: E501
    with db.sessions() as session:
        fast, slow = both(session)
        assert fast == slow
        # Neither changes what the entry says: the log still verifies.
        assert verify_log(session).ok


def test_each_value_json_escapes_alone_in_an_otherwise_plain_entry(gateway: Gateway) -> None:
    """One escaped value among plain ones: the entry must not be written as it is."""
    plain = AuditEvent(
        org="o", actor="a", actor_role="r", purpose="p.q", action="x", decision=PERMIT
    )
    events = [plain]
    for value in TRICKY:
        events += [
            replace(plain, org=value),
            replace(plain, actor=value),
            replace(plain, owner=value),
            replace(plain, categories=frozenset({value, "z"})),
        ]
    with gateway.services.db.sessions() as session, session.begin():
        for n, event in enumerate(events):
            audit.append(session, event, now=START + timedelta(seconds=n))
    with gateway.services.db.sessions() as session:
        fast, slow = both(session)
        assert fast == slow
