"""Dossiers per second of `gateway import` (a PO-VO batch of full POVO dossiers) on SQLite.

Every dossier is the fullest POVO example (tests/data/oso, about 170 kB) for another
pupil: its own BSN, family name and a birth date that makes the pupil 12 today. The
PO school has each pupil ingeschreven and the VO school aangemeld, so every push is a
permit: the whole path (hardened parse and XSD, the standard's business rules in
Saxon-HE, the policy decision, pseudonym, envelope encryption, the transfer, its
idempotency record and its hash-chained audit entry, the journal line), 64 files to a
transaction, each in its own savepoint.

Measured in the same run, on the same files:

- baseline `xsd`: hardened parse + XSD validation only, one process;
- `rules`: the business rules only (`parser.judge`), one process;
- `import, workers=0`: the import reading (parse, XSD, rules) in the importing process;
- `import, workers=N`: the reading in N worker processes (spawned), which read the next
  batch while the importing process writes the last; the importing process reads too
  whenever the next reading is not back (`--workers 0,1,2` by default).

Each import runs on a fresh database; its time includes reading the batch and starting
the worker processes. Every figure is the median of `--repeat` runs (3), since the
host's other load moves single runs by a third; `vs xsd` is the ratio to the baseline
measured in the same run. `cpu ms`: CPU time per dossier, the worker processes' included
(what the dossiers cost whatever else runs on the host).
Run: `.venv/bin/python bench/import_bench.py --dossiers 600`.
Target: at least 200 dossiers/s on a 2-core machine, judged on the path `gateway import`
takes by default (`bulk.WORKERS`: one worker process where there are two CPUs or more).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.oso.parser import judge, load_document  # noqa: E402
from gateway.core import migrate  # noqa: E402
from gateway.core.clock import SystemClock  # noqa: E402
from gateway.core.context import ActContext, Principal  # noqa: E402
from gateway.core.db import Database  # noqa: E402
from gateway.crypto.keyring import Keyring, ensure_local_keys  # noqa: E402
from gateway.edges import Edges  # noqa: E402
from gateway.enrolments import service as enrolments  # noqa: E402
from gateway.enrolments.authority import EnrolledSchool  # noqa: E402
from gateway.enrolments.schemas import EnrolmentCreate  # noqa: E402
from gateway.orgs import service as orgs  # noqa: E402
from gateway.transfers import bulk  # noqa: E402
from policies.catalog import load_catalog  # noqa: E402

EXAMPLE = ROOT / "tests" / "data" / "oso" / "examples" / "Voorbeelddossier_OV_POVO_full.xml"
BSN = b"<bsn>269326728</bsn>"
BORN = b"<geboortedatum>2003-03-17</geboortedatum>"
NAME = b"<achternaam>Berg</achternaam>"
TARGET = 200.0


def bsn(n: int) -> str:
    head = f"{10_000_000 + (n * 7919) % 89_000_000:08d}"
    total = sum(int(d) * w for d, w in zip(head, range(9, 1, -1), strict=True))
    return head + str(total % 11) if total % 11 != 10 else bsn(n + 5_000_000)


def make_batch(folder: Path, count: int) -> list[dict[str, str]]:
    body = EXAMPLE.read_bytes()
    for marker in (BSN, BORN, NAME):
        if marker not in body:
            raise SystemExit(f"the example no longer holds {marker!r} once")
    today = date.today()
    born = today.replace(year=today.year - 12, day=min(today.day, 28)).isoformat()
    pupils = []
    folder.mkdir(parents=True)
    for n in range(count):
        number = bsn(n)
        raw = (
            body.replace(BSN, f"<bsn>{number}</bsn>".encode(), 1)
            .replace(BORN, f"<geboortedatum>{born}</geboortedatum>".encode())
            .replace(NAME, f"<achternaam>Leerling{n}</achternaam>".encode(), 1)
        )
        (folder / f"{n:05d}.xml").write_bytes(raw)
        pupils.append(
            {
                "bsn": number,
                "birth_date": born,
                "given_name": "Daan",
                "family_name": f"van de Leerling{n}",
            }
        )
    return pupils


def world(data_dir: Path, pupils: list[dict[str, str]]) -> tuple[Database, Keyring, dict[str, Any]]:
    url = f"sqlite:///{data_dir / 'gateway.db'}"
    ensure_local_keys(data_dir / "keys")
    migrate.upgrade(url)
    db = Database.connect(url)
    keyring = Keyring.local(data_dir / "keys")
    catalog = load_catalog()
    now = SystemClock().now()
    with db.sessions() as session, session.begin():
        made: dict[str, str] = {
            kind: orgs.register(
                session, name=f"bench {kind}", kind=kind, known_kinds=catalog.org_kinds, now=now
            ).org.id
            for kind in ("school_po", "school_vo")
        }
    # Each pupil as the schools register them (POST /v1/enrolments): the PO school's own
    # pupil, with the facts its dossier states, and the aanmelding at the VO school.
    edges = Edges(catalog, keyring, now, EnrolledSchool())
    for kind, purpose, status in (
        ("school_po", "leerling.inschrijving", "ingeschreven"),
        ("school_vo", "overdracht.po_vo", "aangemeld"),
    ):
        ctx = ActContext(
            principal=Principal(made[kind], kind, "bench", frozenset()),
            purpose=purpose,
            actor="bench-admin",
            actor_role=None,
            request_id="bench",
        )
        with db.sessions() as session, session.begin():
            for pupil in pupils:
                body = EnrolmentCreate.model_validate({"subject": pupil, "status": status})
                enrolments.register(session, body=body, ctx=ctx, edges=edges)
    return db, keyring, made


def timed_import(batch: Path, pupils: list[dict[str, str]], workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        data_dir = Path(tmp)
        db, keyring, made = world(data_dir, pupils)
        catalog = load_catalog()
        options = bulk.Options(
            sender=made["school_po"],
            actor="bench-admin",
            recipient=made["school_vo"],
            workers=workers,
        )
        importer = bulk.Importer(
            db,
            lambda: Edges(catalog, keyring, SystemClock().now(), EnrolledSchool()),
            options,
            bulk.Journal(data_dir / "journal.jsonl"),
            sender_kind="school_po",
        )
        started, cpu = time.perf_counter(), cpu_seconds()
        sources, manifest = bulk.read_batch(batch)
        rows = importer.run(sources, manifest)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
        db.dispose()
    refused = [row for row in rows if row["outcome"] != "accepted"]
    if refused:
        raise SystemExit(f"{len(refused)} refused, e.g. {refused[0]}")
    return {
        "dossiers": len(rows),
        "seconds": round(seconds, 2),
        "per_s": len(rows) / seconds,
        "cpu_ms": round(cpu * 1000 / len(rows), 2),
    }


def cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the worker processes)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(files: list[bytes], work: Any) -> dict[str, Any]:
    started, cpu = time.perf_counter(), cpu_seconds()
    for raw in files:
        work(raw)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "dossiers": len(files),
        "seconds": round(seconds, 2),
        "per_s": len(files) / seconds,
        "cpu_ms": round(cpu * 1000 / len(files), 2),
    }


def median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate, and every run's rate beside it."""
    ranked = sorted(runs, key=lambda run: run["per_s"])
    return ranked[len(ranked) // 2] | {"runs": [round(run["per_s"], 1) for run in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1000)
    parser.add_argument("--workers", default="0,1,2", help="worker counts to run, e.g. 0,2")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the median kept")
    args = parser.parse_args()
    repeat = range(max(1, args.repeat))
    with tempfile.TemporaryDirectory(prefix="import-batch-") as tmp:
        batch = Path(tmp) / "batch"
        pupils = make_batch(batch, args.dossiers)
        files = [path.read_bytes() for path in sorted(batch.iterdir())]
        judge(files[0])  # compile the stylesheets outside the measurement
        results = {
            "xsd": median([timed(files, load_document) for _ in repeat]),
            "rules": median([timed(files, judge) for _ in repeat]),
        }
        for workers in (int(n) for n in args.workers.split(",")):
            runs = [timed_import(batch, pupils, workers) for _ in repeat]
            results[f"import, workers={workers}"] = median(runs)
    baseline = results["xsd"]["per_s"]
    print(f"{'path':<22} {'dossiers/s':>11} {'vs xsd':>8} {'seconds':>8} {'cpu ms':>7}  runs")
    for name, found in results.items():
        found["vs_baseline"] = round(found["per_s"] / baseline, 3)
        found["per_s"] = round(found["per_s"], 1)
        line = f"{name:<22} {found['per_s']:>11} {found['vs_baseline']:>8} {found['seconds']:>8}"
        line += f" {found['cpu_ms']:>7}"
        print(f"{line}  {found['runs']}")
    # The target is judged on `gateway import` as a school runs it: the default workers.
    default = results.get(f"import, workers={bulk.WORKERS}")
    if default is None:
        print(
            f"target {TARGET:.0f} dossiers/s: not judged "
            f"(the default, workers={bulk.WORKERS}, was not run)"
        )
    else:
        verdict = "met" if default["per_s"] >= TARGET else "NOT met"
        print(
            f"target {TARGET:.0f} dossiers/s: {verdict} "
            f"(gateway import's default, workers={bulk.WORKERS}: {default['per_s']}/s)"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
