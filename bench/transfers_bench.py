"""Pushes per second of POST /v1/transfers against a bare baseline, in the same run.

For each database (SQLite, the embedded default, and a real PostgreSQL server) one
gateway server is started; `wrk` (concurrency 32) then alternates between the bare
baseline (store the body, nothing else) and the full gateway path (token, context,
hardened OSO parse + XSD, policy decision, pseudonym, envelope encryption, the transfer
and its hash-chained audit entry) with the OSO POVO full example as the body.

Both endpoints run in the same server, with the same worker processes (one per core
unless --workers says otherwise) and the same per-process limit on acts in progress
(`GATEWAY_PUSH_CONCURRENCY`).

Run: `make bench` (or `.venv/bin/python bench/transfers_bench.py --seconds 20`).
Target: the gateway path reaches at least 60% of the baseline's throughput on SQLite and
80% on PostgreSQL.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.core import migrate  # noqa: E402
from gateway.core.clock import SystemClock  # noqa: E402
from gateway.core.db import Database  # noqa: E402
from gateway.crypto.keyring import ensure_local_keys  # noqa: E402
from gateway.orgs import service as orgs  # noqa: E402
from policies.catalog import load_catalog  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

DOSSIER = ROOT / "tests" / "data" / "oso" / "examples" / "Voorbeelddossier_OV_POVO_full.xml"
# The example's pupil, born 17 March 2003, is past primary school today: the body sent
# is the example with the pupil made 12 (`pupil_dossier`), so the bench measures permits.
BORN = b"<geboortedatum>2003-03-17</geboortedatum>"
BSN = "269326728"
TARGETS = {"sqlite": 0.6, "postgresql": 0.8}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(database_url: str, data_dir: Path) -> dict[str, Any]:
    ensure_local_keys(data_dir / "keys")
    migrate.upgrade(database_url)
    db = Database.connect(database_url)
    kinds = load_catalog().org_kinds
    made = {}
    with db.sessions() as session, session.begin():
        for kind in ("school_po", "school_vo"):
            reg = orgs.register(
                session, name=f"bench {kind}", kind=kind, known_kinds=kinds, now=SystemClock().now()
            )
            made[kind] = {"id": reg.org.id, "client_id": reg.client_id, "secret": reg.client_secret}
    db.dispose()
    return made


def token(base: str, org: dict[str, Any]) -> str:
    basic = base64.b64encode(f"{org['client_id']}:{org['secret']}".encode()).decode()
    response = httpx.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def start_server(
    env: dict[str, str],
    port: int,
    workers: int,
    log: Path,
    *,
    app: str = "bench.app:app_factory",
    wait_seconds: float = 60,
) -> subprocess.Popen[bytes]:
    """The app as uvicorn serves it, with `workers` processes, once it answers ready."""
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the server did not start; see {log}")


def pupil_dossier(data_dir: Path) -> tuple[Path, dict[str, str]]:
    """The POVO example, its pupil 12 years old today, and that pupil as a subject."""
    born = (SystemClock().now() - timedelta(days=12 * 365 + 100)).date().isoformat()
    body = DOSSIER.read_bytes()
    assert body.count(BORN) == 1
    path = data_dir / "dossier.xml"
    path.write_bytes(body.replace(BORN, f"<geboortedatum>{born}</geboortedatum>".encode()))
    return path, {"bsn": BSN, "birth_date": born}


def wrk(url: str, seconds: int, body: Path, auth: str = "") -> dict[str, Any]:
    env = {
        **os.environ,
        "BENCH_BODY": str(body),
        "BENCH_TYPE": "application/xml",
        "BENCH_AUTH": auth,
        "BENCH_PURPOSE": "overdracht.po_vo",
    }
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "post.lua"),
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
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    made = prepare(database_url, data_dir)
    dossier, pupil = pupil_dossier(data_dir)
    env = {
        **os.environ,
        "GATEWAY_DATA_DIR": str(data_dir),
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_ISSUER": base,
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    server = start_server(env, port, args.workers, data_dir / "server.log")
    try:
        vo = token(base, made["school_vo"])
        enrolled = httpx.post(
            f"{base}/v1/enrolments",
            json={"subject": pupil},
            headers={
                "Authorization": f"Bearer {vo}",
                "X-Purpose": "overdracht.po_vo",
                "X-Actor": "b",
            },
        )
        enrolled.raise_for_status()
        po = token(base, made["school_po"])
        # The primary school sends only about its own pupil.
        own = httpx.post(
            f"{base}/v1/enrolments",
            json={"subject": pupil, "status": "ingeschreven"},
            headers={
                "Authorization": f"Bearer {po}",
                "X-Purpose": "leerling.inschrijving",
                "X-Actor": "b",
            },
        )
        own.raise_for_status()
        auth = f"Bearer {po}"
        gateway_url = f"{base}/v1/transfers?recipient={made['school_vo']['id']}"
        wrk(f"{base}/bench/baseline", 2, dossier)
        wrk(gateway_url, 2, dossier, auth)
        rounds = []
        for _ in range(args.rounds):
            baseline = wrk(f"{base}/bench/baseline", args.seconds, dossier)
            full = wrk(gateway_url, args.seconds, dossier, auth)
            rounds.append(
                {"baseline": baseline, "gateway": full, "ratio": full["rps"] / baseline["rps"]}
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "backend": name,
        "rounds": rounds,
        "ratio": sum(r["ratio"] for r in rounds) / len(rounds),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server worker processes (default: one per core)",
    )
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: `apt-get install wrk` (make bench does)", file=sys.stderr)
        return 2
    backends = args.backends.split(",")
    results = []
    if "sqlite" in backends:
        sqlite_dir = Path(tempfile.mkdtemp(prefix="bench-sqlite-db-"))
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
            b, g = r["baseline"], r["gateway"]
            print(
                f"{result['backend']:<10} round {n}: baseline {b['rps']:7.1f}/s "
                f"p50 {b['p50_us'] / 1000:6.1f} ms p99 {b['p99_us'] / 1000:6.1f} ms | gateway "
                f"{g['rps']:7.1f}/s p50 {g['p50_us'] / 1000:6.1f} ms "
                f"p99 {g['p99_us'] / 1000:6.1f} ms | ratio {r['ratio']:.2f} "
                f"(errors {g['errors_status'] + g['errors_other']})"
            )
        target = TARGETS[result["backend"]]
        verdict = "meets" if result["ratio"] >= target else "MISSES"
        print(
            f"{result['backend']:<10} mean ratio {result['ratio']:.2f}: {verdict} the "
            f"target of {target:.0%}"
        )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
