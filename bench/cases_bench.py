"""Reading a knooppunt case's entries against reading one transfer, in the same run.

One gateway server per database (SQLite, the embedded default, and a real PostgreSQL
server). In it: a case around one pupil with 50 participants and 200 entries written
by them in the categories each may share, and a case consent that names the reading
wijkteam for part of those categories, so that the read releases some entries and
leaves the others out; and one transfer, the OSO POVO full example (173 kB) pushed
from a primary to a secondary school, with the inzage recorded. `wrk` then alternates
between the baseline, the secondary school reading that transfer
(`GET /v1/transfers/{id}`), and the wijkteam reading the case's entries
(`GET /v1/cases/{id}/entries`): token, context, membership, a policy decision per
writer kind and category, the case consent, unsealing what is released, and the
audit entry, every request.

Run: `make bench` (or `.venv/bin/python bench/cases_bench.py --seconds 20`).
Target: a case read costs at most twice a single transfer read (the ratio of the
transfer read's throughput to the case read's, at the same concurrency).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.transfers_bench import free_port, pupil_dossier, start_server, token  # noqa: E402
from gateway.core import migrate  # noqa: E402
from gateway.core.clock import SystemClock  # noqa: E402
from gateway.core.db import Database  # noqa: E402
from gateway.crypto.keyring import ensure_local_keys  # noqa: E402
from gateway.orgs import service as orgs  # noqa: E402
from policies.catalog import load_catalog  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

CASE = "knooppunt.casus"
OVERSTAP = "overdracht.po_vo"
REGISTRATION = "leerling.inschrijving"
PARTICIPANTS = 50
ENTRIES = 200
# The pupil of the case (another than the transfer's), 10 years old, and the parents.
CASE_PUPIL_BSN = "111222333"
PARENTS = [
    {"role": "parent", "name": "Anna de Vries", "bsn": "123456708"},
    {"role": "guardian", "name": "Bram de Vries", "bsn": "123456721"},
]
# Beside the school that starts the case, the reading wijkteam, leerplicht and the SWV:
# the rest of the table, in turn.
OTHERS = ("jgz", "smw", "jeugdhulp", "wijkteam", "school_vo", "leerplicht")
# What the case consent opens to the reader; the rest of the others' entries stay shut.
CONSENTED = ("leerling", "oudersverzorgers", "onderwijsondersteuning", "gezinsplan", "verzuim")
TARGET = 2.0


def table_kinds() -> list[str]:
    kinds = ["school_po", "wijkteam", "leerplicht", "swv_po", "school_vo"]
    while len(kinds) < PARTICIPANTS:
        kinds.append(OTHERS[len(kinds) % len(OTHERS)])
    return kinds


def prepare(database_url: str, data_dir: Path) -> list[dict[str, Any]]:
    """The organisations at the table (the first the school, the second the reader, the
    fifth the secondary school that receives the transfer), registered directly."""
    ensure_local_keys(data_dir / "keys")
    migrate.upgrade(database_url)
    db = Database.connect(database_url)
    kinds = load_catalog().org_kinds
    made = []
    with db.sessions() as session, session.begin():
        for n, kind in enumerate(table_kinds()):
            reg = orgs.register(
                session,
                name=f"bench {kind} {n}",
                kind=kind,
                known_kinds=kinds,
                now=SystemClock().now(),
            )
            made.append(
                {
                    "kind": kind,
                    "id": reg.org.id,
                    "client_id": reg.client_id,
                    "secret": reg.client_secret,
                }
            )
    db.dispose()
    return made


class Client:
    def __init__(self, base: str, org: dict[str, Any]) -> None:
        self.base, self.org = base, org
        self.auth = f"Bearer {token(base, org)}"

    def call(
        self, method: str, path: str, purpose: str, body: Any = None, expect: int = 200
    ) -> Any:
        headers = {"Authorization": self.auth, "X-Purpose": purpose, "X-Actor": "bench-1"}
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/xml"
            response = httpx.request(method, self.base + path, content=body, headers=headers)
        else:
            response = httpx.request(method, self.base + path, json=body, headers=headers)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()


def transfer(base: str, po: Client, vo: Client, data_dir: Path) -> str:
    """One transfer the secondary school may read: pushed, with the inzage recorded."""
    dossier, pupil = pupil_dossier(data_dir)
    vo.call("POST", "/v1/enrolments", OVERSTAP, {"subject": pupil}, expect=201)
    pushed = po.call(
        "POST", f"/v1/transfers?recipient={vo.org['id']}", OVERSTAP, dossier.read_bytes(), 201
    )
    inzage = {"date": (date.today() - timedelta(days=1)).isoformat(), "akkoord": True}
    po.call("POST", f"/v1/transfers/{pushed['id']}/inzage", OVERSTAP, inzage)
    vo.call("GET", f"/v1/transfers/{pushed['id']}", OVERSTAP)
    return str(pushed["id"])


def case(clients: list[Client]) -> str:
    """The case: 50 participants, 200 entries, a case consent for the reader."""
    school, reader = clients[0], clients[1]
    catalog = load_catalog()
    born = date(date.today().year - 10, 1, 15).isoformat()
    pupil = {"bsn": CASE_PUPIL_BSN, "birth_date": born}
    school.call(
        "POST", "/v1/enrolments", REGISTRATION, {"subject": pupil, "status": "ingeschreven"}, 201
    )
    for person in PARENTS:
        body = {"subject": pupil, "person": person, "gezag": True}
        school.call("POST", "/v1/subjects/gezag", REGISTRATION, body, 201)
    body = {"subject": pupil, "kind": "knooppunt", "title": "Zorgen om de leerling"}
    case_id = str(school.call("POST", "/v1/cases", CASE, body, 201)["id"])
    for n, other in enumerate(clients[1:]):
        person = {"org": other.org["id"], "role": "deelnemer", "person": f"p-{n}", "mandate": True}
        school.call("POST", f"/v1/cases/{case_id}/participants", CASE, person, 201)
    flow = catalog.flow_for_purpose(CASE)
    assert flow is not None
    examples = catalog.taxonomy.categories
    for n in range(ENTRIES):
        writer = clients[n % len(clients)]
        shares = sorted(
            frozenset().union(*(r.allowed for r in flow.routes if writer.org["kind"] in r.senders))
        )
        category = shares[(n // len(clients)) % len(shares)]
        entry = {"category": category, "content": examples[category].example}
        writer.call("POST", f"/v1/cases/{case_id}/entries", CASE, entry, 201)
    consent = {
        "subject": pupil,
        "purpose": CASE,
        "recipients": [reader.org["id"]],
        "categories": list(CONSENTED),
        "granted_by": PARENTS,
        "valid_until": (date.today() + timedelta(days=180)).isoformat(),
        "evidence": "digital",
        "case_id": case_id,
    }
    school.call("POST", "/v1/consents", CASE, consent, 201)
    return case_id


def wrk(url: str, seconds: int, auth: str, purpose: str, connections: int) -> dict[str, Any]:
    env = {**os.environ, "BENCH_AUTH": auth, "BENCH_PURPOSE": purpose}
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "get.lua"),
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


def run_backend(name: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-cases-{name}-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    made = prepare(database_url, data_dir)
    env = {
        **os.environ,
        "GATEWAY_DATA_DIR": str(data_dir),
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_ISSUER": base,
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    server = start_server(env, port, args.workers, data_dir / "server.log")
    try:
        clients = [Client(base, org) for org in made]
        transfer_id = transfer(base, clients[0], clients[4], data_dir)
        case_id = case(clients)
        reader = clients[1]
        shown = reader.call("GET", f"/v1/cases/{case_id}/entries", CASE)["items"]
        transfer_url = f"{base}/v1/transfers/{transfer_id}"
        case_url = f"{base}/v1/cases/{case_id}/entries"
        vo_auth, reader_auth = clients[4].auth, reader.auth
        c = args.connections
        wrk(transfer_url, 2, vo_auth, OVERSTAP, c)
        wrk(case_url, 2, reader_auth, CASE, c)
        rounds = []
        for _ in range(args.rounds):
            baseline = wrk(transfer_url, args.seconds, vo_auth, OVERSTAP, c)
            full = wrk(case_url, args.seconds, reader_auth, CASE, c)
            rounds.append(
                {"transfer": baseline, "case": full, "ratio": baseline["rps"] / full["rps"]}
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "backend": name,
        "participants": PARTICIPANTS,
        "entries": ENTRIES,
        "entries_released": len(shown),
        "connections": args.connections,
        "workers": args.workers,
        "rounds": rounds,
        "ratio": sum(r["ratio"] for r in rounds) / len(rounds),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server worker processes (default: one per core)",
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install wrk` (make bench does)", file=sys.stderr)
        return 2
    backends = args.backends.split(",")
    results = []
    if "sqlite" in backends:
        sqlite_dir = Path(tempfile.mkdtemp(prefix="bench-cases-sqlite-db-"))
        results.append(run_backend("sqlite", f"sqlite:///{sqlite_dir / 'gateway.db'}", args))
        shutil.rmtree(sqlite_dir, ignore_errors=True)
    if "postgresql" in backends:
        postgres = PostgresServer()
        postgres.start()
        try:
            results.append(run_backend("postgresql", postgres.create_database("bench"), args))
        finally:
            postgres.stop()
    for result in results:
        for n, r in enumerate(result["rounds"], 1):
            t, c = r["transfer"], r["case"]
            print(
                f"{result['backend']:<10} round {n}: transfer read {t['rps']:7.1f}/s "
                f"p50 {t['p50_us'] / 1000:6.1f} ms p99 {t['p99_us'] / 1000:6.1f} ms | case read "
                f"{c['rps']:7.1f}/s p50 {c['p50_us'] / 1000:6.1f} ms "
                f"p99 {c['p99_us'] / 1000:6.1f} ms | ratio {r['ratio']:.2f} "
                f"(errors {t['errors_status'] + c['errors_status'] + c['errors_other']})"
            )
        verdict = "meets" if result["ratio"] <= TARGET else "MISSES"
        print(
            f"{result['backend']:<10} mean ratio {result['ratio']:.2f} "
            f"({result['entries_released']} of {ENTRIES} entries released): {verdict} the "
            f"target of at most {TARGET:.0f}x"
        )
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
