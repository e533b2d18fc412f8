"""Register-with-match latency of POST /v1/signals with 1,000,000 active signals in the
index, against the same request on an empty index, in the same run.

Two gateway servers run side by side on two databases: one whose index holds only the
signals the measured requests match (the "empty" index), one that also holds 1,000,000
active signals with their parents, loaded through the bulk path (pseudonymised rows
inserted with SQL, not a million HTTP calls). `wrk` then alternates rounds between the
two. Every request registers a signal for another child that one other organisation
has signalled already, so every request makes exactly one match: the child's birth
date read from the subject register, the catalog's decision, the match lookups by the
child's and (each request names a parent) the parents' pseudonyms, the sealed contact,
two notifications and three audit entries. After each round the bench counts the matches made.

Run: `make bench` (or `.venv/bin/python bench/signals_bench.py`); `--backends
sqlite,postgresql` for both. Target: p99 at 1M within 1.5x of the p99 on the empty index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.transfers_bench import free_port, start_server, token  # noqa: E402
from gateway.core import migrate  # noqa: E402
from gateway.core.clock import SystemClock  # noqa: E402
from gateway.core.db import Database  # noqa: E402
from gateway.crypto.keyring import Keyring, ensure_local_keys  # noqa: E402
from gateway.orgs import service as orgs  # noqa: E402
from gateway.signals.models import Signal, SignalMatch, SignalParent  # noqa: E402
from gateway.signals.store import CONTACT  # noqa: E402
from gateway.subjects.models import Subject  # noqa: E402
from gateway.subjects.schemas import SubjectIn  # noqa: E402
from gateway.subjects.service import IDENTITY_PURPOSE  # noqa: E402
from policies.catalog import load_catalog  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

TARGET = 1.5
BULK_ORGS = ("wijkteam", "jgz", "jeugdhulp", "smw", "leerplicht")
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def bsn_from(n: int) -> str | None:
    head = f"{n:08d}"
    last = sum(int(d) * w for d, w in zip(head, WEIGHTS, strict=True)) % 11
    return head + str(last) if last < 10 else None


def bsns(start: int, count: int) -> list[str]:
    found, n = [], start
    while len(found) < count:
        value = bsn_from(n)
        if value is not None:
            found.append(value)
        n += 1
    return found


def register_orgs(db: Database) -> dict[str, dict[str, Any]]:
    kinds = load_catalog().org_kinds
    made = {}
    with db.sessions() as session, session.begin():
        for kind in ("school_vo", *BULK_ORGS):
            reg = orgs.register(
                session, name=f"bench {kind}", kind=kind, known_kinds=kinds, now=SystemClock().now()
            )
            made[kind] = {"id": reg.org.id, "client_id": reg.client_id, "secret": reg.client_secret}
    return made


class Loader:
    """Pseudonymised rows straight into the tables, as a migration from another index
    would load them: the index's own keys, the reporter's sealed contact."""

    def __init__(self, db: Database, keyring: Keyring, made: dict[str, dict[str, Any]]) -> None:
        self.db, self.keyring, self.made = db, keyring, made
        self.now = SystemClock().now()
        self.keys: dict[str, tuple[str, bytes]] = {}
        contact = {"name": "Bulk Prof", "phone": "+31 78 000 0000", "email": "bulk@example.org"}
        self.contact = json.dumps(contact).encode()
        with db.sessions() as session, session.begin():
            for kind in BULK_ORGS:
                org_id = made[kind]["id"]
                self.keyring.envelope.seal(
                    session,
                    subject_ref=org_id,
                    purpose=CONTACT,
                    record_id="x",
                    plaintext=b"{}",
                    now=self.now,
                )
        with db.sessions() as session:
            for kind in BULK_ORGS:
                org_id = made[kind]["id"]
                key = self.keyring.envelope.known_key(session, subject_ref=org_id, purpose=CONTACT)
                assert key is not None
                self.keys[org_id] = key

    def signals(self, children: list[str], *, parents: bool, seed: int) -> None:
        rng = random.Random(seed)
        org_ids = [self.made[k]["id"] for k in BULK_ORGS]
        index = self.keyring.index
        batch_size = 5000
        for start in range(0, len(children), batch_size):
            rows, parent_rows = [], []
            for n, bsn in enumerate(children[start : start + batch_size], start):
                org_id = org_ids[n % len(org_ids)]
                signal_id = f"sig_b{seed:02d}{n:017x}"
                born = date(2004, 1, 1) + timedelta(days=rng.randrange(0, 365 * 18))
                rows.append(
                    {
                        "id": signal_id,
                        "org_id": org_id,
                        "child_key": index.child(bsn),
                        "status": "active",
                        "responsible": "bulk",
                        "contact": self.keyring.envelope.seal_with(
                            self.keys[org_id],
                            record_id=signal_id,
                            purpose=CONTACT,
                            plaintext=self.contact,
                        ),
                        "destroy_on": date(born.year + 23, born.month, min(born.day, 28)),
                        "created_at": self.now,
                        "expires_at": self.now + timedelta(days=730),
                    }
                )
                if parents:  # two children a parent: siblings
                    parent = bsns(50_000_000 + (n // 2) * 3, 1)[0]
                    parent_rows.append({"signal_id": signal_id, "parent_key": index.parent(parent)})
            with self.db.sessions() as session, session.begin():
                session.execute(insert(Signal), rows)
                if parent_rows:
                    session.execute(insert(SignalParent), parent_rows)

    def subjects(self, children: list[str]) -> None:
        """The measured children in the subject register, 12 years old, so that the
        gateway reads their birth date as for any signal."""
        born = (self.now - timedelta(days=12 * 365 + 100)).date()
        pseudonyms, envelope = self.keyring.pseudonyms, self.keyring.envelope
        for start in range(0, len(children), 1000):
            with self.db.sessions() as session, session.begin():
                for bsn in children[start : start + 1000]:
                    ref = pseudonyms.subject_ref(bsn)
                    identity = SubjectIn(bsn=bsn, birth_date=born).model_dump_json().encode()
                    sealed = envelope.seal(
                        session,
                        subject_ref=ref,
                        purpose=IDENTITY_PURPOSE,
                        record_id=ref,
                        plaintext=identity,
                        now=self.now,
                    )
                    session.add(Subject(subject_ref=ref, identity=sealed, created_at=self.now))


def prepare(url: str, data_dir: Path, measured: list[str], bulk: int) -> dict[str, Any]:
    ensure_local_keys(data_dir / "keys")
    migrate.upgrade(url)
    db = Database.connect(url)
    made = register_orgs(db)
    loader = Loader(db, Keyring.local(data_dir / "keys"), made)
    started = time.monotonic()
    loader.subjects(measured)
    loader.signals(measured, parents=False, seed=1)  # what each measured request matches
    if bulk:
        loader.signals(bsns(10_000_000, bulk), parents=True, seed=2)
    loaded = time.monotonic() - started
    with db.sessions() as session:
        active = session.scalar(select(func.count()).select_from(Signal))
    db.dispose()
    return {"orgs": made, "load_seconds": loaded, "active_signals": active}


def wrk(
    url: str, seconds: int, children: Path, auth: str, threads: int, conns: int
) -> dict[str, Any]:
    import subprocess

    env = {
        **os.environ,
        "BENCH_CHILDREN": str(children),
        "BENCH_AUTH": auth,
        "BENCH_THREADS": str(threads),
    }
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{conns}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "signals.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def matches(url: str) -> int:
    db = Database.connect(url)
    with db.sessions() as session:
        count = session.scalar(select(func.count()).select_from(SignalMatch)) or 0
    db.dispose()
    return count


def run_backend(name: str, urls: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    per_round = args.children_per_round
    children = bsns(1_000_000, per_round * (args.rounds + 1) * 2)
    servers, bases, info = {}, {}, {}
    dirs = {
        index: Path(tempfile.mkdtemp(prefix=f"bench-signals-{name}-{index}-")) for index in urls
    }
    try:
        for n, (index, url) in enumerate(urls.items()):
            # Each index gets its own measured children: none is registered twice.
            own = children[n::2]
            bulk = args.bulk if index == "1M" else 0
            info[index] = prepare(url, dirs[index], own, bulk)
            print(
                f"{name}/{index}: {info[index]['active_signals']} signals loaded in "
                f"{info[index]['load_seconds']:.0f} s",
                flush=True,
            )
            stripes = [own[r * per_round : (r + 1) * per_round] for r in range(args.rounds + 1)]
            parents = iter(bsns(70_000_000 + n * 5_000_000, len(own)))
            for r, stripe in enumerate(stripes):
                lines = [f"{child},{next(parents)}" for child in stripe]
                (dirs[index] / f"children-{r}.txt").write_text("\n".join(lines) + "\n")
            port = free_port()
            bases[index] = f"http://127.0.0.1:{port}"
            env = {
                **os.environ,
                "GATEWAY_DATA_DIR": str(dirs[index]),
                "GATEWAY_DATABASE_URL": url,
                "GATEWAY_ISSUER": bases[index],
                "GATEWAY_LOG_LEVEL": "WARNING",
                "GATEWAY_SIGNALS_RATE_LIMIT": "10000000",
            }
            servers[index] = start_server(
                env, port, args.workers, dirs[index] / "server.log", app="gateway.main:app_factory"
            )
        auths = {i: f"Bearer {token(bases[i], info[i]['orgs']['school_vo'])}" for i in urls}
        rounds: list[dict[str, Any]] = []
        for r in range(args.rounds + 1):  # round 0 warms up and is not counted
            row: dict[str, Any] = {}
            for index in urls:
                before = matches(urls[index])
                row[index] = wrk(
                    f"{bases[index]}/v1/signals",
                    args.seconds if r else 3,
                    dirs[index] / f"children-{r}.txt",
                    auths[index],
                    args.threads,
                    args.connections,
                )
                row[index]["matches_made"] = matches(urls[index]) - before
            if r:
                row["p99_ratio"] = row["1M"]["p99_us"] / row["empty"]["p99_us"]
                rounds.append(row)
                print(
                    f"{name} round {r}: "
                    + " | ".join(
                        f"{i} {row[i]['rps']:6.1f}/s p50 {row[i]['p50_us'] / 1000:6.1f} ms "
                        f"p99 {row[i]['p99_us'] / 1000:6.1f} ms ({row[i]['requests']} req, "
                        f"{row[i]['matches_made']} matches, {row[i]['errors_status']} non-2xx)"
                        for i in urls
                    )
                    + f" | p99 ratio {row['p99_ratio']:.2f}",
                    flush=True,
                )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)
        for path in dirs.values():
            shutil.rmtree(path, ignore_errors=True)
    ratios = sorted(r["p99_ratio"] for r in rounds)
    return {
        "backend": name,
        "bulk": args.bulk,
        "load": info,
        "rounds": rounds,
        "p99_ratio_median": ratios[len(ratios) // 2],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bulk", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--children-per-round", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--backends", default="sqlite", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install wrk` (make bench does)", file=sys.stderr)
        return 2
    results = []
    backends = args.backends.split(",")
    if "sqlite" in backends:
        db_dir = Path(tempfile.mkdtemp(prefix="bench-signals-db-"))
        urls = {i: f"sqlite:///{db_dir / f'{i}.db'}" for i in ("empty", "1M")}
        results.append(run_backend("sqlite", urls, args))
        shutil.rmtree(db_dir, ignore_errors=True)
    if "postgresql" in backends:
        postgres = PostgresServer()
        postgres.start()
        try:
            urls = {i: postgres.create_database(f"bench_{i.lower()}") for i in ("empty", "1M")}
            results.append(run_backend("postgresql", urls, args))
        finally:
            postgres.stop()
    ok = True
    for result in results:
        met = result["p99_ratio_median"] <= TARGET
        ok = ok and met
        print(
            f"{result['backend']}: median p99 ratio 1M/empty {result['p99_ratio_median']:.2f} "
            f"(target <= {TARGET}): {'met' if met else 'NOT met'}"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
