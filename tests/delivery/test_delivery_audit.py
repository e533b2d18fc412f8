"""A delivery hands its notification over as a poll does: one `webhook.deliver` entry
per delivery that succeeded, in the transaction that marks it delivered, naming the
notification and its pupil; none for a failed attempt, a dead letter or a lost claim."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from gateway.audit.models import AuditEntry
from gateway.delivery.worker import Outcome
from tests.delivery.helpers import deliveries, hook, polled, push, schools, worker
from tests.support.consent import refresh
from tests.support.gateway import Gateway
from tests.support.receiver import Receiver
from tests.web.test_meldcode_restriction import report


def entries(gateway: Gateway) -> list[AuditEntry]:
    with gateway.services.db.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "webhook.deliver")
        return list(session.scalars(query.order_by(AuditEntry.seq)))


def test_a_delivery_is_one_entry_when_delivered_none_for_its_failed_attempts(
    gateway: Gateway, receiver: Receiver
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)
    receiver.fail_first = 2
    pushed = push(gateway, po, vo).json()
    delivering = worker(gateway, delivery_max_attempts=5)
    delivering.rand = lambda: 0.0
    for _ in range(2):
        assert delivering.run_once() == 1
        gateway.clock.advance(timedelta(hours=1))
    assert entries(gateway) == []  # two failed attempts: nothing handed over
    assert delivering.run_once() == 1
    refresh(gateway, vo)
    (note,) = polled(gateway, vo)
    (entry,) = entries(gateway)
    assert (entry.org, entry.actor, entry.purpose, entry.decision) == (
        vo.id,
        None,
        "koppeling.webhooks",
        "permit",
    )
    assert (entry.object_id, entry.rule) == (note["id"], "koppeling.webhooks/deliver")
    assert entry.subject_ref == gateway.internal_ref(po, pushed["subject_ref"])
    (done,) = deliveries(gateway, vo)
    assert done["status"] == "delivered"
    assert delivering.run_once() == 0
    assert len(entries(gateway)) == 1


def test_a_dead_letter_or_a_lost_claim_writes_no_delivery(
    gateway: Gateway, receiver: Receiver
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)
    receiver.always_fail = True
    assert push(gateway, po, vo).status_code == 201
    delivering = worker(gateway, delivery_max_attempts=2)
    for _ in range(3):
        delivering.run_once()
        gateway.clock.advance(timedelta(hours=2))
    refresh(gateway, vo)
    refresh(gateway, po)
    assert [d["status"] for d in deliveries(gateway, vo)] == ["dead"]
    assert entries(gateway) == []

    # A worker whose lease ran out while it posted: another took the delivery over and
    # delivered it; the first one's answer is not recorded, nor logged a second time.
    receiver.always_fail = False
    assert push(gateway, po, vo).status_code == 201
    slow = worker(gateway)
    (claimed,) = slow.claim()
    gateway.clock.advance(timedelta(seconds=gateway.settings.delivery_lease_seconds + 1))
    assert worker(gateway).run_once() == 1
    assert slow.record(claimed, Outcome(204, None)) is None
    (entry,) = entries(gateway)
    assert entry.object_id == claimed.notification["id"]


def test_the_delivery_of_a_meldcode_reports_notification_names_no_pupil(
    gateway: Gateway, receiver: Receiver
) -> None:
    school = gateway.make_org("school_po", name="OBS De Hien")
    vt = gateway.make_org("veilig_thuis", name="Veilig Thuis Zuid-Holland Zuid")
    hook(gateway, vt, receiver.url)
    sent = report(gateway, school, vt, told=False)
    assert sent.status_code == 201, sent.text
    assert worker(gateway).run_once() == 1
    assert len(receiver.keys()) == 1
    (entry,) = entries(gateway)
    assert (entry.org, entry.subject_ref) == (vt.id, None)
