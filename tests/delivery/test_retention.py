"""Notifications end 30 days after they were made, never while a delivery is pending."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from gateway.delivery.models import Delivery
from gateway.retention import job
from tests.delivery.helpers import counts, hook, push, schools
from tests.support.gateway import Gateway


def test_a_notification_goes_after_its_term_but_not_while_it_is_pending(
    gateway: Gateway,
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, "https://zorg.example/hook")
    assert push(gateway, po, vo).status_code == 201
    assert counts(gateway) == (1, 1)

    def run(*, dry_run: bool = False) -> dict[tuple[str, str], int]:
        report = job.run(
            gateway.services.db,
            catalog=gateway.services.catalog,
            clock=gateway.clock.now,
            dry_run=dry_run,
        )
        return dict(report.destroyed)

    gateway.clock.advance(timedelta(days=31))
    assert ("notification", "notification") not in run()  # its delivery is pending
    assert counts(gateway) == (1, 1)

    with gateway.services.db.unit_of_work() as session:
        session.execute(update(Delivery).values(status="delivered"))
    assert run(dry_run=True)[("notification", "notification")] == 1
    assert counts(gateway) == (1, 1)  # the dry run changes nothing
    assert run()[("notification", "notification")] == 1
    assert counts(gateway) == (0, 0)
