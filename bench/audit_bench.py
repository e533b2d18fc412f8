"""The audit log: appends per second through the gateway's write path, and verification
speed, each against a baseline measured in the same run.

- Appends: threads appending one entry per write, as every act does (`Database.write`:
  SQLite's group commit, PostgreSQL's own transactions; the head row lock, the chain
  hash), against a baseline that writes a row of the same size the same way without
  the lock and the hashing. SQLite and a real PostgreSQL server.
- Verification: `verify_log` end to end, as `gateway audit verify` runs it, over a log
  of `--e2e-entries` on SQLite (a quarter of that on PostgreSQL) with a signed
  checkpoint every 1,000 entries: the schema check, every checkpoint's signature,
  every entry read from the database and hashed into the tree, every root compared,
  the chain past the last checkpoint and the head. In one process and in one worker
  process per CPU; and once with no checkpoint key, so that every entry's chain hash is
  computed as well. The baseline: one SHA-256 of each entry's bytes, already in memory,
  in one process (the least any verifier does).

    .venv/bin/python bench/audit_bench.py [--appends N] [--e2e-entries N]

Target: verification of at least 500,000 entries per second.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import itertools
import json
import os
import resource
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, update  # noqa: E402

from gateway.audit import merkle  # noqa: E402
from gateway.audit import service as audit  # noqa: E402
from gateway.audit.chain import canonical_text  # noqa: E402
from gateway.audit.checkpoints import note_text  # noqa: E402
from gateway.audit.models import (  # noqa: E402
    GENESIS_HASH,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
)
from gateway.audit.service import AuditEvent  # noqa: E402
from gateway.audit.verify import verify_log  # noqa: E402
from gateway.core import migrate  # noqa: E402
from gateway.core.db import Database  # noqa: E402
from gateway.crypto.notes import NoteKey, NoteKeys, NoteVerifier  # noqa: E402
from policies.model import Decision  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

TARGET_VERIFY_PER_SECOND = 500_000
CHECKPOINT_EVERY = 1000
BATCH = 8192
THREADS = 8
JOBS = os.cpu_count() or 1
ORIGIN = "bench.gateway.example/audit"
# The baseline's rows sit far past the chain's seqs.
_BARE_SEQS = itertools.count(10**12)
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DECISION = Decision(
    effect="permit",
    code=None,
    flow="overdracht.po_vo",
    legal_basis="WPO art. 42 lid 1; Besluit informatievoorziening in de zorg art. 3",
    rule="overdracht.po_vo/permit",
    reasons=(),
    obligations=(),
    policy_version="2026.11-3f9c2a1d",
)


def event(n: int) -> AuditEvent:
    return AuditEvent(
        org=f"org_{n % 97:016x}",
        actor=f"actor-{n % 1013}",
        actor_role="ib",
        purpose="overdracht.po_vo",
        action="transfer.read",
        decision=DECISION,
        subject_ref=hashlib.sha256(str(n).encode()).hexdigest()[:43],
        object_id=f"tr_{n:016x}",
        categories=frozenset({"school", "leerling", "schoolloopbaan", "overstapadvies"}),
        request_id=hashlib.md5(str(n).encode()).hexdigest(),  # noqa: S324
    )


def leaf(n: int, previous: str) -> str:
    """Entry n + 1 as the gateway stores it, linked to `previous`."""
    e = event(n)
    return canonical_text(
        SimpleNamespace(
            seq=n + 1,
            time=START + timedelta(microseconds=n * 1371),
            org=e.org,
            actor=e.actor,
            actor_role=e.actor_role,
            purpose=e.purpose,
            legal_basis=DECISION.legal_basis,
            subject_ref=e.subject_ref,
            categories=sorted(e.categories),
            action=e.action,
            object_id=e.object_id,
            decision="permit",
            code=None,
            rule=DECISION.rule,
            policy_version=DECISION.policy_version,
            request_id=e.request_id,
            owner=None,
            transaction_id=f"{n:032x}",
            trace_id=f"{n // 4:032x}",
            prev_hash=previous,
        )
    )


class Rates(NamedTuple):
    cpu: float  # per second of CPU time (this process and its workers): the work itself
    wall: float  # per second of wall time: what a shared host gave it


class Timer:
    """Both clocks: on a host shared with other work, wall time counts the others' turns.
    CPU time counts this process's and its finished worker processes'."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.rates = Rates(0.0, 0.0)

    @staticmethod
    def _cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime

    def __enter__(self) -> Timer:
        self._cpu_at, self._wall = self._cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        cpu = self._cpu() - self._cpu_at
        wall = time.perf_counter() - self._wall
        self.rates = Rates(self.count / cpu, self.count / wall)


def bare_sha256(leaves: list[bytes]) -> Rates:
    sha256 = hashlib.sha256
    with Timer(len(leaves)) as timer:
        for at in range(0, len(leaves), BATCH):
            [sha256(data).digest() for data in leaves[at : at + BATCH]]
    return timer.rates


def best_of(rounds: int, *runs: Any) -> list[Rates]:
    """Each measurement in alternating rounds; the best round of each, by CPU time."""
    best = [Rates(0.0, 0.0)] * len(runs)
    for _ in range(rounds):
        for i, run in enumerate(runs):
            found = run()
            best[i] = Rates(max(best[i].cpu, found.cpu), max(best[i].wall, found.wall))
    return best


def appends(db: Database, count: int, *, bare: bool) -> float:
    """Entries per second, `THREADS` threads each writing one entry per transaction."""
    lock = threading.Lock()

    def one(n: int) -> None:
        if bare:
            with lock:
                seq = next(_BARE_SEQS)
            row = {"seq": seq, "leaf": leaf(n, GENESIS_HASH)}
            db.write(lambda session: session.execute(insert(AuditEntry), row))
        else:
            db.write(lambda session: audit.append(session, event(n), now=START))

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(one, range(count)))
    return count / (time.perf_counter() - started)


def append_bench(url: str, count: int) -> dict[str, float]:
    migrate.upgrade(url)
    db = Database.connect(url)
    try:
        appends(db, 200, bare=False)  # warm up
        gateway, bare = 0.0, 0.0
        for _ in range(2):
            gateway = max(gateway, appends(db, count, bare=False))
            bare = max(bare, appends(db, count, bare=True))
        with db.sessions() as session:
            assert verify_log(session).ok is False  # the bare rows are no part of the chain
    finally:
        db.dispose()
    return {"per_second": round(gateway), "baseline": round(bare), "ratio": gateway / bare}


def load_log(url: str, count: int, key: NoteKey) -> list[bytes]:
    """`count` entries as the gateway writes them (the same bytes), inserted in bulk, and
    a checkpoint signed every `CHECKPOINT_EVERY`: appending a million one at a time
    would measure the appends again. Returns the entries' bytes."""
    migrate.upgrade(url)
    engine = create_engine(url)
    previous, seq, data = GENESIS_HASH, 0, []
    compact = merkle.CompactRange()
    with engine.begin() as connection:
        for at in range(0, count, 20_000):
            rows, signed = [], []
            for n in range(at, min(at + 20_000, count)):
                text = leaf(n, previous)
                data.append(text.encode())
                previous = hashlib.sha256(data[-1]).hexdigest()
                compact.append(merkle.leaf_hash(data[-1]))
                rows.append({"seq": n + 1, "leaf": text})
                seq = n + 1
                if seq % CHECKPOINT_EVERY == 0:
                    signed.append(_checkpoint(key, seq, compact.root()))
            connection.execute(insert(AuditEntry), rows)
            if signed:
                connection.execute(insert(AuditCheckpoint), signed)
        connection.execute(update(AuditHead).values(seq=seq, hash=previous))
    engine.dispose()
    return data


def _checkpoint(key: NoteKey, size: int, root: bytes) -> dict[str, Any]:
    text = note_text(key.name, size, root)
    signature = key.sign(text)
    return {
        "tree_size": size,
        "root_hash": root.hex(),
        "time": START,
        "key_id": key.key_id,
        "signature": base64.b64encode(signature).decode(),
        "note": key.signed_note(text, signature),
        "witnessed_at": None,
    }


def end_to_end(url: str, count: int, rounds: int) -> dict[str, Rates]:
    """`verify_log` of the whole log in one process, in `JOBS` worker processes, and in
    them with no key (every chain hash computed), and the baseline (measured first, in
    this run); best of `rounds`."""
    key = NoteKeys.generate().active(ORIGIN)
    data = load_log(url, count, key)
    db = Database.connect(url)

    def run(jobs: int, keys: list[NoteVerifier] | None) -> Rates:
        with db.sessions() as session, Timer(count) as timer:
            result = verify_log(session, keys=keys, jobs=jobs)
        assert result.ok and result.checked == count, result
        return timer.rates

    signed = [key.verifier]
    (bare,) = best_of(rounds, partial(bare_sha256, data))
    # The baseline's bytes are let go before the worker processes are forked: a million
    # objects in the parent would be copied page by page into each child as it ran.
    del data
    gc.collect()
    try:
        found = best_of(
            rounds, lambda: run(1, signed), lambda: run(JOBS, signed), lambda: run(JOBS, None)
        )
    finally:
        db.dispose()
    labels = ("one process", f"{JOBS} processes", "no key", "bare")
    return dict(zip(labels, (*found, bare), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--e2e-entries", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {"load_average_before": os.getloadavg(), "jobs": JOBS}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        backends = {"sqlite": f"sqlite:///{workdir / 'appends.db'}"}
        logs = {"sqlite": f"sqlite:///{workdir / 'verify.db'}"}
        server = None
        if not args.skip_postgres:
            server = PostgresServer()
            server.start()
            backends["postgresql"] = server.create_database("audit_bench")
            logs["postgresql"] = server.create_database("audit_verify")
        try:
            for name, url in logs.items():
                count = args.e2e_entries if name == "sqlite" else args.e2e_entries // 4
                found = end_to_end(url, count, args.rounds)
                bare = found["bare"]
                for label in ("one process", f"{JOBS} processes", "no key"):
                    rates = found[label]
                    met = rates.wall >= TARGET_VERIFY_PER_SECOND
                    print(
                        f"gateway audit verify on {name}, {count:,} entries, {label}: "
                        f"{rates.wall:,.0f} entries/s wall ({rates.cpu:,.0f}/s per CPU "
                        f"second, worker processes included); baseline (one SHA-256 per "
                        f"entry in memory, one process) {bare.wall:,.0f}/s; "
                        f"ratio {rates.wall / bare.wall:.2f}; "
                        f"target >= {TARGET_VERIFY_PER_SECOND:,}/s: {'met' if met else 'NOT met'}"
                    )
                    result[f"verify_{name}_{label.replace(' ', '_')}"] = {
                        "entries": count,
                        "per_wall_second": round(rates.wall),
                        "baseline_per_wall_second": round(bare.wall),
                        "ratio": round(rates.wall / bare.wall, 3),
                        "target_met": met,
                    }
            for name, url in backends.items():
                found_appends = append_bench(url, args.appends)
                print(
                    f"appends on {name} ({THREADS} threads, one entry per write): "
                    f"{found_appends['per_second']:,}/s; bare row writes "
                    f"{found_appends['baseline']:,}/s; ratio {found_appends['ratio']:.2f}"
                )
                result[f"appends_{name}"] = {
                    **found_appends,
                    "ratio": round(found_appends["ratio"], 3),
                }
        finally:
            if server is not None:
                server.stop()
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
