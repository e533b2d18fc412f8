"""Bulk import of OSO dossiers (`gateway import`): a school's yearly PO-VO batch.

Every file goes through the push service exactly as `POST /v1/transfers` with
`Content-Type: application/xml` does: the same parse, XSD and business rules, the same
policy decision, the same sealing under the file's own data key, the same audit entry
in the same transaction as its transfer (a refusal is on record too). Only the reading
(`parser.examine`: hardened parse, XSD, business rules, routing facts) may run ahead,
in worker processes; what it found is handed to the push, which reads nothing twice.

Files are written BATCH to a transaction (one commit, one fsync), each in its own
savepoint. Each file's push records the Idempotency-Key derived from its content
(`oso-import:<sha256>`), so running a batch again creates nothing new. A journal (one
JSON line per file, keyed by its content hash, written once its batch committed) makes
an interrupted run resume where it stopped; a file whose batch committed but whose
journal line was lost is answered from its idempotency record on the next run.

The recipient of every file is `recipient`, unless the batch holds a `manifest.json`
that names one per file: `{"<file name>": {"recipient": "<org id>", "subject_ref":
"<your subject_ref>"}}` (subject_ref for a POSWV or VOSWV dossier, which has no BSN).
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from connectors.oso.parser import Examined, examine, examine_all
from connectors.oso.rules import warm
from gateway.catalog.enforce import decision_json
from gateway.core import idempotency
from gateway.core.context import ActContext, Principal
from gateway.core.db import Database, write_refusal
from gateway.core.errors import GatewayError
from gateway.core.idempotency import fingerprint
from gateway.edges import Edges
from gateway.orgs import service as orgs
from gateway.transfers import push
from gateway.transfers.import_files import Journal as Journal
from gateway.transfers.import_files import Source as Source
from gateway.transfers.import_files import read_batch as read_batch
from gateway.transfers.import_report import NO_SUBJECT_REF as NO_SUBJECT_REF
from gateway.transfers.import_report import created, refusal, refused, replayed
from gateway.transfers.import_report import summary as summary

# Files a worker process reads per task.
SLICE = 8
# Files per write transaction: one commit (one fsync) for all; on SQLite the write lock
# is held for about a quarter of a second at a time.
BATCH = 64
# One worker process reads (parse, XSD, business rules) while this one writes, when the
# machine has a second CPU for it: on the 2-core host 304 against 176 dossiers/s with
# the host otherwise quiet, 145 against 116 with another process holding a core
# (bench/import_bench.py, README "Performance"). This process reads as well whenever
# the next reading is not back, so a busy worker costs no idle time.
WORKERS = 1 if len(os.sched_getaffinity(0)) >= 2 else 0
KEY_PREFIX = "oso-import:"


@dataclass(frozen=True, slots=True)
class Options:
    sender: str
    actor: str
    purpose: str = "overdracht.po_vo"
    role: str | None = None
    recipient: str | None = None
    # Worker processes that read the files (parse, XSD, business rules) while this one
    # writes; 0 reads them in this process (bench/import_bench.py, README "Performance").
    workers: int = WORKERS
    # Files per write transaction, each in a savepoint of its own.
    batch: int = BATCH
    # Test hook: stop (as an interruption would) once this many files are journalled.
    stop_after: int | None = None
    # Files an earlier run refused are tried again (their cause may be mended since).
    retry_refused: bool = False


class Interrupted(Exception):
    """The import stopped before the end of the batch (the `stop_after` hook)."""


def readings(sources: list[Source], workers: int, ahead: int) -> Iterator[Examined]:
    """Each source read as `parse_dossier` reads it (hardened parse, XSD, business rules,
    routing facts), in order. With workers, in worker processes that run up to `ahead`
    files ahead of the one taken last: they read the next batch while this process
    writes the last, and the memory an import takes stays bounded.

    This process never waits idle for them: when the next reading is not back yet (the
    workers are starting, or the host's other load slowed them), it reads the newest
    slice not yet handed out itself, so both cores stay busy whatever the balance of
    reading and writing.
    """
    if workers <= 0:
        for source in sources:
            yield examine(source.data)
        return
    parts = [
        [source.data for source in sources[start : start + SLICE]]
        for start in range(0, len(sources), SLICE)
    ]
    with _readers(workers) as pool:
        # In the batch's order: each slice's index, and a worker's answer to come or the
        # slice as read here.
        pending: deque[tuple[int, Future[list[Examined]] | list[Examined]]] = deque()
        handed = 0  # slices handed out so far (to a worker or read here)
        while handed < len(parts) or pending:
            out = sum(SLICE for _, entry in pending if isinstance(entry, Future))
            while handed < len(parts) and out < ahead:
                pending.append((handed, pool.submit(examine_all, parts[handed])))
                handed, out = handed + 1, out + SLICE
            _, head = pending[0]
            if isinstance(head, Future) and not head.done():
                if handed < len(parts):
                    pending.append((handed, examine_all(parts[handed])))
                    handed += 1
                    continue
                if _take_back(pending, parts):
                    continue
            pending.popleft()
            yield from head.result() if isinstance(head, Future) else head


def _take_back(
    pending: deque[tuple[int, Future[list[Examined]] | list[Examined]]], parts: list[list[bytes]]
) -> bool:
    """Reads here the last slice handed to the workers that none has begun; False: none."""
    for place in range(len(pending) - 1, 0, -1):
        index, entry = pending[place]
        if isinstance(entry, Future) and entry.cancel():
            pending[place] = (index, examine_all(parts[index]))
            return True
    return False


@contextmanager
def _readers(workers: int) -> Iterator[ProcessPoolExecutor]:
    """`workers` processes that read dossiers, started at once (not waited for: until
    they are ready, `readings` reads in this process).

    Spawned, not forked: a forked child would inherit the Saxon runtime's threads. A
    spawned child imports the program that started it (`__main__`) before any work,
    about 2 s for the `gateway` command, though its work (`examine_all`, `warm`) needs
    only the OSO connector: while the children start, `__main__` is a bare module.
    """
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    try:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = ModuleType("__main__")
        try:  # each submit to a pool with no idle process starts one (up to `workers`)
            for _ in range(workers):
                # The Saxon processor only: each validator is compiled at its first
                # dossier, so a POVO batch never compiles the SWV one.
                pool.submit(warm, ())
        finally:
            sys.modules["__main__"] = main
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


class Importer:
    """Pushes a batch through the push service and journals each file's outcome.

    Files are written BATCH at a time in one transaction, each in a savepoint of its
    own: a refused file is rolled back alone and its refusal is written in the same
    transaction, exactly as `Database.unit_of_work` would write it. A file is journalled
    only once its transaction committed; a crash before that leaves nothing of the
    batch, and the next run imports it again.
    """

    def __init__(
        self,
        db: Database,
        edges: Callable[[], Edges],
        options: Options,
        journal: Journal,
        *,
        sender_kind: str,
        on_file: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.db, self.edges, self.options, self.journal = db, edges, options, journal
        self.on_file = on_file or (lambda entry: None)
        principal = Principal(
            org_id=options.sender,
            org_kind=sender_kind,
            client_id="gateway-import",
            scopes=frozenset({"transfers:write"}),
        )
        self.ctx = ActContext(
            principal=principal,
            purpose=options.purpose,
            actor=options.actor,
            actor_role=options.role,
            request_id="import",
        )
        self.done = 0

    def run(self, sources: list[Source], manifest: dict[str, Any]) -> list[dict[str, Any]]:
        """Every source's outcome, the earlier runs' included, in the batch's order.

        `earlier_run`: the journal's outcome, of an earlier run (a re-run or a resume);
        this run did not push the file. Not journalled: any run's journal reads the same.
        """
        finished = self.journal.entries()
        todo = [
            s
            for s in dict((s.sha256, s) for s in sources).values()
            if s.sha256 not in finished or self._again(finished[s.sha256])
        ]
        earlier = set(finished) - {s.sha256 for s in todo}
        size = max(1, self.options.batch)
        try:
            group: list[tuple[Source, Examined]] = []
            for source, examined in zip(
                todo, readings(todo, self.options.workers, 2 * size), strict=True
            ):
                group.append((source, examined))
                if len(group) >= size:
                    self._journal(self._write(group, manifest))
                    group = []
            if group:
                self._journal(self._write(group, manifest))
        finally:
            self.journal.close()
        finished = self.journal.entries()
        return [
            {**finished[s.sha256], "file": s.name, "earlier_run": s.sha256 in earlier}
            for s in sources
            if s.sha256 in finished
        ]

    def _again(self, entry: dict[str, Any]) -> bool:
        return self.options.retry_refused and entry.get("outcome") == "refused"

    def _write(
        self, group: list[tuple[Source, Examined]], manifest: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """One transaction for the group; each file's outcome once it is committed."""
        edges = self.edges()
        keys = [KEY_PREFIX + source.sha256 for source, _ in group]
        with self.db.unit_of_work() as session:
            earlier = idempotency.answers(session, org_id=self.ctx.org_id, keys=keys)
            kinds = _Kinds(session)
            return [
                {"sha256": source.sha256, "file": source.name}
                | self._one(
                    session, edges, kinds, source, examined, manifest.get(source.name), earlier
                )
                for source, examined in group
            ]

    def _one(
        self,
        session: Session,
        edges: Edges,
        kinds: _Kinds,
        source: Source,
        examined: Examined,
        named: Any,
        earlier: dict[str, idempotency.Answer],
    ) -> dict[str, Any]:
        recipient, subject_ref = self.options.recipient, None
        if isinstance(named, dict):
            recipient = str(named.get("recipient") or recipient or "")
            subject_ref = named.get("subject_ref")
        if not recipient:
            return refused("invalid_request", "No recipient: give --recipient or a manifest.")
        key = KEY_PREFIX + source.sha256
        target = f"/v1/transfers?recipient={recipient}&subject_ref={subject_ref}"
        request_print = fingerprint(self.ctx, "POST", target, source.data)
        found = earlier.get(key)
        if found is not None:
            return replayed(found, request_print)
        try:
            with session.begin_nested():
                prepared = push.prepare_oso(
                    session,
                    raw=source.data,
                    recipient_id=recipient,
                    ctx=self.ctx,
                    edges=edges,
                    subject_ref=subject_ref,
                    examined=examined,
                    recipient_kind=kinds.of(recipient),
                )
                transfer = prepared.transfer
                body = created(transfer.id, transfer.status, decision_json(prepared.decision))
                if not idempotency.remember(
                    session,
                    org_id=self.ctx.org_id,
                    key=key,
                    request_fingerprint=request_print,
                    now=edges.now,
                    status=201,
                    body=body,
                ):
                    raise _Taken
                push.store(session, prepared, self.ctx, edges)
        except GatewayError as error:
            write_refusal(session, error)
            return refusal(error)
        except _Taken:  # another import of the same file committed it meanwhile
            taken = idempotency.answers(session, org_id=self.ctx.org_id, keys=[key])
            return replayed(taken[key], request_print)
        return {
            "outcome": "accepted",
            "new": True,
            "transfer": body["id"],
            "status": body["status"],
        }

    def _journal(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.journal.append(entry)
            self.on_file(entry)
            self.done += 1
            if self.options.stop_after is not None and self.done >= self.options.stop_after:
                raise Interrupted(f"stopped after {self.done} files")
        self.journal.flush()


class _Taken(Exception):
    """The file's idempotency key was recorded by another import after this batch began."""


class _Kinds:
    """Recipients' kinds, looked up once per batch transaction (a batch names one or a few)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[str, str | None] = {}

    def of(self, org_id: str) -> str | None:
        if org_id not in self.known:
            self.known[org_id] = orgs.kind_of(self.session, org_id)
        return self.known[org_id]
