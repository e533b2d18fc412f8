"""Checkpoints come at a fixed size and a fixed interval, and only when the log grew."""

from __future__ import annotations

from datetime import timedelta

from gateway.audit import service as audit
from gateway.audit.publisher import CheckpointPublisher
from tests.support.audit import read_event
from tests.support.gateway import Gateway


def append(gateway: Gateway, count: int) -> None:
    with gateway.services.db.sessions() as session, session.begin():
        for n in range(count):
            audit.append(session, read_event(f"org_{n}"), now=gateway.clock.now())


def test_a_checkpoint_after_so_many_entries_or_so_much_time(gateway: Gateway) -> None:
    publisher = CheckpointPublisher(
        gateway.services.db,
        gateway.keyring.checkpoints.active(gateway.settings.audit_origin),
        gateway.clock,
        every_entries=10,
        interval_seconds=60,
    )
    assert publisher.run_once() is None  # an empty log: nothing to sign
    append(gateway, 1)
    first = publisher.run_once()
    assert first is not None and first.tree_size == 1  # the first one at once

    append(gateway, 9)
    assert publisher.run_once() is None  # 9 new, under a minute
    append(gateway, 1)
    by_size = publisher.run_once()
    assert by_size is not None and by_size.tree_size == 11

    append(gateway, 2)
    assert publisher.run_once() is None
    gateway.clock.advance(timedelta(seconds=61))
    by_time = publisher.run_once()
    assert by_time is not None and by_time.tree_size == 13

    gateway.clock.advance(timedelta(seconds=600))
    assert publisher.run_once() is None  # nothing new: no checkpoint, however long
