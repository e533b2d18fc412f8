"""SIGKILL in the middle of a burst of pushes loses no acknowledged push and makes none twice.

The gateway runs as a real process (`gateway serve`). Several clients push dossiers,
each request with its own Idempotency-Key and a marker (the key) inside the dossier.
At a seeded moment (after a seeded number of 201s, plus a seeded millisecond or so) the
server and all its workers get SIGKILL; it is restarted on the same database and every
request that got no answer is retried, same key and same body. Then:

- every push answered 201 before the kill is on record right after the restart (its
  Idempotency-Key remembers the same answer): nothing is acknowledged before it is
  committed, which on SQLite is the promise of the group commit;
- a retry of a request that had landed replays the first answer, one that had not is
  done now, and every request is finally answered 201;
- the recipient's inbox and the sender's outbox hold each push exactly once, and
  reading each transfer shows the marker of exactly one request (none twice, none lost);
- each transfer has exactly one `transfer.send` entry in the audit log, and
  `gateway audit verify` passes.

Three kills per database, at different moments; one worker process in some rounds,
two (`--workers 2`) in others.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from gateway.audit.models import AuditEntry
from gateway.core.clock import SystemClock
from gateway.core.db import Database
from gateway.core.idempotency import IdempotencyRecord
from gateway.orgs import service as orgs
from gateway.transfers.models import Transfer
from policies.catalog import load_catalog
from tests.support.gateway import make_dossier
from tests.support.served import ServedGateway

# Fixed, so CI kills on the same schedule every run; set CRASH_SEED for other moments.
SEED = int(os.environ.get("CRASH_SEED", "20260915"))
CLIENTS = 8
KILLS = 3
# Worker processes of each start: the first round, the rounds after each restart.
WORKERS = (1, 2, 1, 1)
PURPOSE = "overdracht.po_vo"
BSN = "111222333"
# A safety net should the server hang, not a measurement.
PATIENCE = 180.0


# Idempotency-Key -> the status and body it remembers.
Records = dict[str, tuple[int, dict[str, Any]]]


@dataclass
class Push:
    key: str
    body: dict[str, Any]
    status: int | None = None  # of the first attempt; None: no answer (killed)
    answer: dict[str, Any] | None = None
    error: str | None = None
    final: dict[str, Any] | None = None  # the 201 it finally got, first or retried


@dataclass(frozen=True)
class Party:
    id: str
    headers: dict[str, str]


def test_sigkill_during_pushes_loses_nothing_acknowledged_and_doubles_nothing(
    database_url: str, tmp_path: Path
) -> None:
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    schedule = random.Random(f"{SEED}-{backend}")
    server = ServedGateway(database_url, tmp_path / "var")
    credentials = register_schools(database_url)
    server.start(workers=WORKERS[0])
    try:
        po, vo = (signed_in(server, *credentials[kind]) for kind in ("school_po", "school_vo"))
        pupil = enrol_pupil(server, po, vo)
        pushes: list[Push] = []
        for round_ in range(KILLS):
            threshold = schedule.randint(5, 40)
            # Soon after an answer: were a push answered before its commit, that is the
            # moment its commit would still be under way (the group's fsync).
            delay = schedule.uniform(0.0, 0.005)
            sent = asyncio.run(
                asyncio.wait_for(
                    burst(server, po, vo.id, pupil, round_, threshold, delay), PATIENCE
                )
            )
            assert len([p for p in sent if p.status == 201]) >= threshold
            assert not [p for p in sent if p.status not in (201, None)], [
                (p.status, p.answer) for p in sent if p.status not in (201, None)
            ]
            unanswered = [p for p in sent if p.status is None]
            server.start(workers=WORKERS[round_ + 1])
            landed, stored = on_record(database_url, po.id)
            check_durable(round_, sent, landed, stored, server)
            asyncio.run(asyncio.wait_for(retry(server, po, unanswered, landed), PATIENCE))
            pushes.extend(sent)
            # The schedule, for the record (pytest -s): how the kill fell.
            print(
                f"{backend} kill {round_ + 1}/{KILLS} ({WORKERS[round_]} worker(s)): after "
                f"{threshold} acks + {delay * 1000:.0f} ms; {len(sent)} sent, "
                f"{len(sent) - len(unanswered)} answered 201, {len(unanswered)} without "
                f"an answer ({len([p for p in unanswered if p.error == 'ConnectError'])} "
                f"refused at connect), of which "
                f"{len([p for p in unanswered if p.key in landed])} had landed"
            )

        asyncio.run(asyncio.wait_for(replay_all(server, po, pushes), PATIENCE))
        check_exactly_once(server, po, vo, pushes)
        check_store(database_url, pushes)
    finally:
        server.stop()
    verified = server.audit_verify()
    assert verified["ok"] is True
    assert verified["entries"] >= len(pushes)


def register_schools(database_url: str) -> dict[str, tuple[str, str, str]]:
    """A PO school and a VO school, registered before the first start, with their
    client credentials: org id, client id, secret."""
    db = Database.connect(database_url)
    made: dict[str, tuple[str, str, str]] = {}
    try:
        with db.sessions() as session, session.begin():
            for kind in ("school_po", "school_vo"):
                reg = orgs.register(
                    session,
                    name=f"crash {kind}",
                    kind=kind,
                    known_kinds=load_catalog().org_kinds,
                    now=SystemClock().now(),
                )
                made[kind] = (reg.org.id, reg.client_id, reg.client_secret or "")
    finally:
        db.dispose()
    return made


def signed_in(server: ServedGateway, org_id: str, client_id: str, secret: str) -> Party:
    """The school with a token (kept across restarts: the keys are in the data dir)."""
    token = server.token(client_id, secret)
    return Party(
        org_id, {"Authorization": f"Bearer {token}", "X-Purpose": PURPOSE, "X-Actor": "ib-1"}
    )


def enrol_pupil(server: ServedGateway, po: Party, vo: Party) -> dict[str, str]:
    """A pupil of 12 today, the PO school's own and aangemeld at the VO school: the
    overstap may be pushed."""
    born = (datetime.now(UTC) - timedelta(days=12 * 365 + 100)).date().isoformat()
    pupil = {"bsn": BSN, "birth_date": born}
    own = httpx2.post(
        f"{server.base}/v1/enrolments",
        json={"subject": pupil, "status": "ingeschreven"},
        headers={**po.headers, "X-Purpose": "leerling.inschrijving"},
    )
    assert own.status_code == 201, own.text
    response = httpx2.post(
        f"{server.base}/v1/enrolments",
        json={"subject": pupil, "status": "aangemeld"},
        headers=vo.headers,
    )
    assert response.status_code == 201, response.text
    return pupil


def push_body(recipient: str, pupil: dict[str, str], key: str) -> dict[str, Any]:
    """A POVO dossier whose leerling carries `key`: each transfer names its request."""
    dossier = make_dossier()
    dossier["leerling"] = {"roepnaam": "Sam", "leerlingnummer": key}
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    return {
        "recipient": recipient,
        "subject": pupil,
        "dossier": dossier,
        "inzage": {"date": yesterday, "akkoord": True, "zienswijze": None},
    }


async def burst(
    server: ServedGateway,
    po: Party,
    recipient: str,
    pupil: dict[str, str],
    round_: int,
    threshold: int,
    delay: float,
) -> list[Push]:
    """Pushes from CLIENTS clients, each sending its next request as soon as the last
    is answered, until the kill stops them; the kill comes from a thread of its own
    `delay` seconds after the `threshold`-th 201, wherever the clients are by then.
    Each client ends with one request without an answer: cut off by the kill, or
    refused at connect after it."""
    sent: list[Push] = []
    acknowledged = 0
    reached = asyncio.Event()
    killed = threading.Event()

    async def client(n: int) -> None:
        nonlocal acknowledged
        async with httpx2.AsyncClient(base_url=server.base, timeout=PATIENCE) as http:
            for i in itertools.count():
                key = f"crash-{round_}-{n}-{i}"
                push = Push(key, push_body(recipient, pupil, key))
                sent.append(push)
                try:
                    response = await http.post(
                        "/v1/transfers",
                        json=push.body,
                        headers={**po.headers, "Idempotency-Key": key},
                    )
                except httpx2.TransportError as exc:
                    push.error = type(exc).__name__
                    if not killed.is_set():
                        raise AssertionError(f"{key} failed before the kill: {exc!r}") from exc
                    return
                push.status, push.answer = response.status_code, response.json()
                if response.status_code == 201:
                    acknowledged += 1
                    if acknowledged >= threshold:
                        reached.set()

    def kill() -> None:
        time.sleep(delay)
        killed.set()
        server.kill()

    clients = [asyncio.ensure_future(client(n)) for n in range(CLIENTS)]
    # Should a client fail before the threshold, its error ends the wait (and the test).
    waiter = asyncio.ensure_future(reached.wait())
    await asyncio.wait([waiter, *clients], return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    try:
        await asyncio.to_thread(kill)
    finally:
        await asyncio.gather(*clients)
    return sent


def on_record(database_url: str, org_id: str) -> tuple[Records, set[str]]:
    """What the gateway has on record, read from its database: each Idempotency-Key
    with its answer, and the ids of the transfers stored."""
    db = Database.connect(database_url)
    try:
        with db.sessions() as session:
            records = session.scalars(
                select(IdempotencyRecord).where(IdempotencyRecord.org_id == org_id)
            ).all()
            stored = set(session.scalars(select(Transfer.id)).all())
            return {r.key: (r.status_code, r.body) for r in records}, stored
    finally:
        db.dispose()


def check_durable(
    round_: int,
    sent: list[Push],
    landed: Records,
    stored: set[str],
    server: ServedGateway,
) -> None:
    """Right after the restart: what was acknowledged is stored and remembered, and
    whatever was stored is remembered under its key (else a retry would make it twice)."""
    for push in sent:
        if push.status != 201:
            continue
        answer = push.answer or {}
        if answer.get("id") not in stored:
            pytest.fail(
                f"kill {round_ + 1}: {push.key} was answered 201 ({answer.get('id')}) and its "
                f"transfer is lost after the restart\n{server.log_tail()}"
            )
        if landed.get(push.key) != (201, answer):
            pytest.fail(
                f"kill {round_ + 1}: {push.key} was answered 201 and its Idempotency-Key "
                f"does not remember that answer after the restart"
            )
        push.final = answer
    remembered = {body.get("id") for _, body in landed.values()}
    if stored - remembered:
        pytest.fail(
            f"kill {round_ + 1}: {len(stored - remembered)} transfer(s) stored without the "
            "Idempotency-Key that made them: a retry would push them twice"
        )
    if any(status != 201 for status, _ in landed.values()):
        pytest.fail(f"kill {round_ + 1}: a key is on record without a 201 answer")


async def retry(
    server: ServedGateway,
    po: Party,
    unanswered: list[Push],
    landed: Records,
) -> None:
    """Every request cut off by the kill, again: the same key, the same body."""
    async with httpx2.AsyncClient(base_url=server.base, timeout=PATIENCE) as http:

        async def again(push: Push) -> None:
            response = await http.post(
                "/v1/transfers", json=push.body, headers={**po.headers, "Idempotency-Key": push.key}
            )
            assert response.status_code == 201, (push.key, response.text)
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            if push.key in landed:  # it had landed before the kill: the first answer again
                assert replayed, push.key
                assert (201, response.json()) == landed[push.key], push.key
            else:  # it had not: done now, once
                assert not replayed, push.key
            push.final = response.json()

        for start in range(0, len(unanswered), CLIENTS):
            await asyncio.gather(*(again(p) for p in unanswered[start : start + CLIENTS]))


async def replay_all(server: ServedGateway, po: Party, pushes: list[Push]) -> None:
    """Every request once more, after the last restart: each replays its 201."""
    async with httpx2.AsyncClient(base_url=server.base, timeout=PATIENCE) as http:

        async def again(push: Push) -> None:
            response = await http.post(
                "/v1/transfers", json=push.body, headers={**po.headers, "Idempotency-Key": push.key}
            )
            assert response.status_code == 201, (push.key, response.text)
            assert response.headers.get("Idempotent-Replayed") == "true", push.key
            assert response.json() == push.final, push.key

        for start in range(0, len(pushes), CLIENTS):
            await asyncio.gather(*(again(p) for p in pushes[start : start + CLIENTS]))


def listed(server: ServedGateway, party: Party, box: str) -> list[str]:
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"box": box, "limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = httpx2.get(f"{server.base}/v1/transfers", params=params, headers=party.headers)
        assert page.status_code == 200, page.text
        ids += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next"]
        if not cursor:
            return ids


def check_exactly_once(server: ServedGateway, po: Party, vo: Party, pushes: list[Push]) -> None:
    """Each request is one transfer: in the inbox and the outbox once, its marker read once."""
    finals = {p.key: p.final for p in pushes}
    assert all(final is not None for final in finals.values())
    ids = {p.key: (p.final or {})["id"] for p in pushes}
    assert len(set(ids.values())) == len(pushes), "two requests were answered with one transfer"
    inbox, outbox = listed(server, vo, "inbox"), listed(server, po, "outbox")
    assert len(inbox) == len(set(inbox)) == len(pushes), (len(inbox), len(pushes))
    assert sorted(inbox) == sorted(outbox) == sorted(ids.values())
    markers: Counter[str] = Counter()
    with httpx2.Client(base_url=server.base, headers=vo.headers) as http:
        for transfer_id in inbox:
            read = http.get(f"/v1/transfers/{transfer_id}")
            assert read.status_code == 200, read.text
            marker = read.json()["dossier"]["leerling"]["leerlingnummer"]
            markers[marker] += 1
            assert ids[marker] == transfer_id, marker
    assert set(markers) == set(ids)
    assert set(markers.values()) == {1}, [k for k, n in markers.items() if n > 1]


def check_store(database_url: str, pushes: list[Push]) -> None:
    """In the database itself: one transfer per request, one `transfer.send` per transfer."""
    ids = sorted((p.final or {})["id"] for p in pushes)
    db = Database.connect(database_url)
    try:
        with db.sessions() as session:
            stored = sorted(session.scalars(select(Transfer.id)).all())
            sends = session.execute(
                select(AuditEntry.object_id, func.count())
                .where(AuditEntry.action == "transfer.send", AuditEntry.decision == "permit")
                .group_by(AuditEntry.object_id)
            ).all()
    finally:
        db.dispose()
    assert stored == ids
    assert sorted(object_id or "" for object_id, _ in sends) == ids
    assert {count for _, count in sends} == {1}
