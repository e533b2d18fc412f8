"""Soak: the gateway as a real server for half an hour at half its measured capacity.

One gateway server (uvicorn, one worker process per core unless --workers says
otherwise; SQLite, the embedded default, or `--backend postgresql`) serves a region of
a PO school, a VO school and a wijkteam: the VO school has the pupil's aanmelding, the
PO school has the consent pupil enrolled with the mother's gezag on record and lets its
privacy officer read the audit log. The load is a realistic mix:

- pushes of the overstapdossier by the PO school, as JSON (inzage recorded) and as the
  OSO POVO full example in XML (173 kB);
- reads of those transfers by the VO school, and its inbox; the PO school's outbox;
- consents registered by the PO school (a parent with gezag, to the wijkteam) and read;
- audit reads (`GET /v1/audit/events`) by the PO school's privacy officer;
- each organisation fetches a new access token every 10 minutes, as a client must.

First the capacity is measured briefly with a closed loop (32 clients, the same mix),
unless `--rate` names the rate; the soak then runs at half of it.

The load generator is an open loop in Python (asyncio + httpx2), not `wrk`: `wrk` is a
closed loop (each connection waits for its answer before it sends again), so when the
server stalls it sends less and the stall hides from its percentiles (coordinated
omission); wrk2's constant rate is not available here. Here each request has an
intended start on a fixed schedule (rate r: one every 1/r s) whatever the server does,
and its latency counts from that intended start, so time a request waited because the
server (or the generator) was behind is in the figures. The generator shares the
machine with the server, so its own delays count against the server: the figures are
conservative.

Reported per minute: requests, errors (any answer other than the expected 200/201, any
transport error or timeout), p50/p99 latency, and the server's RSS (the sum of VmRSS
over the uvicorn process and all its descendants, from /proc, sampled every 5 s).

Definitions (warm-up: the first `--warmup` minutes, default 3):
- p99 drift: p99 of all requests in the last 5 minutes against p99 of all requests in
  the first 5 minutes after warm-up (minutes 4-8 of 30), (last - first) / first. A
  lower p99 at the end is no drift; the target is drift < 20%.
- RSS growth: mean RSS of the last minute against mean RSS of the first minute after
  warm-up (minute 4), (last - first) / first; target < 5%.
- errors: 0 over the whole run, warm-up included.
(Runs shorter than warm-up + 10 minutes compare the first and last half after warm-up.)

Run: `make soak` (or `.venv/bin/python bench/soak.py --minutes 2 --rate 20` to try it).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.transfers_bench import start_server  # noqa: E402
from gateway.core import migrate  # noqa: E402
from gateway.core.clock import SystemClock  # noqa: E402
from gateway.core.db import Database  # noqa: E402
from gateway.crypto.keyring import ensure_local_keys  # noqa: E402
from gateway.orgs import service as orgs  # noqa: E402
from gateway.orgs.scopes import default_scopes  # noqa: E402
from policies.catalog import load_catalog  # noqa: E402
from tests.support.postgres import PostgresServer  # noqa: E402

DOSSIER = ROOT / "tests" / "data" / "oso" / "examples" / "Voorbeelddossier_OV_POVO_full.xml"
BORN = b"<geboortedatum>2003-03-17</geboortedatum>"
OSO_PUPIL_BSN = "269326728"  # the example's pupil, made 12 years old today
CONSENT_PUPIL_BSN = "111222333"  # a pupil of 10 at the PO school
MOTHER = {"role": "parent", "name": "Anna de Vries", "bsn": "123456708"}
OVERSTAP = "overdracht.po_vo"
REGISTRATION = "leerling.inschrijving"
REFERRAL = "jeugdhulp.verwijzing"
OFFICER = "audit.toezicht"
JSON_DOSSIER = {
    "school": {"naam": "OBS De Hien", "brin": "12AB"},
    "leerling": {"roepnaam": "Sam"},
    "oudersverzorgers": [{"relatie": "moeder"}],
    "schoolloopbaan": [{"groep": 8}],
    "overstapadvies": {"advies": "havo/vwo"},
    "toetsresultaten": [{"toets": "rekenen", "niveau": "1F"}],
}
# The mix, in shares of all requests (token refreshes come on top, a few per run).
MIX = {
    "push_json": 15,
    "push_xml": 10,
    "read_transfer": 25,
    "list_inbox": 10,
    "list_outbox": 5,
    "consent_grant": 8,
    "consent_read": 15,
    "audit_read": 12,
}
TOKEN_REFRESH_SECONDS = 600
RSS_SAMPLE_SECONDS = 5.0
POOL = 200  # the newest ids kept for reads


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def years_ago(years: int, days: int = 100) -> str:
    return (SystemClock().now() - timedelta(days=years * 365 + days)).date().isoformat()


def prepare(database_url: str, data_dir: Path) -> dict[str, dict[str, str]]:
    ensure_local_keys(data_dir / "keys")
    migrate.upgrade(database_url)
    db = Database.connect(database_url)
    kinds = load_catalog().org_kinds
    scopes = {"school_po": [*default_scopes("school_po"), "audit:read"]}
    made = {}
    with db.sessions() as session, session.begin():
        for kind in ("school_po", "school_vo", "wijkteam"):
            reg = orgs.register(
                session,
                name=f"soak {kind}",
                kind=kind,
                known_kinds=kinds,
                now=SystemClock().now(),
                scopes=scopes.get(kind),
            )
            made[kind] = {
                "id": reg.org.id,
                "client_id": reg.client_id,
                "secret": reg.client_secret or "",
            }
    db.dispose()
    return made


def descendants(root_pid: int) -> list[int]:
    """`root_pid` and every process below it, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children[ppid].append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def process_tree_rss(root_pid: int) -> int:
    """Bytes of resident memory of `root_pid` and all its descendants, from /proc."""
    total = 0
    for pid in descendants(root_pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


@dataclass
class Org:
    id: str
    client_id: str
    secret: str
    token: str = ""
    issued: float = 0.0

    def headers(self, purpose: str, actor: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Purpose": purpose, "X-Actor": actor}


@dataclass
class Outcome:
    op: str
    ok: bool
    status: int | str
    latency: float  # seconds, from the intended start
    intended: float  # seconds since the soak began


@dataclass
class Region:
    base: str
    po: Org
    vo: Org
    wijkteam: Org
    oso_pupil: dict[str, str]
    consent_pupil: dict[str, str]
    xml: bytes
    transfers: list[str] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)

    def remember(self, pool: list[str], item: str) -> None:
        pool.append(item)
        if len(pool) > POOL:
            del pool[: len(pool) - POOL]


class Load:
    """The operations of the mix, each one request, judged by its expected status."""

    def __init__(self, client: httpx.AsyncClient, region: Region, seed: int) -> None:
        self.client = client
        self.region = region
        self.random = random.Random(seed)
        ops, weights = zip(*MIX.items(), strict=True)
        self.ops: list[str] = list(ops)
        self.weights: list[int] = list(weights)

    def pick(self) -> str:
        return self.random.choices(self.ops, self.weights)[0]

    async def refresh_tokens(self, force: bool = False) -> list[tuple[str, int | str]]:
        """New tokens for the organisations whose token is 10 minutes old."""
        results: list[tuple[str, int | str]] = []
        for org in (self.region.po, self.region.vo, self.region.wijkteam):
            if force or time.monotonic() - org.issued >= TOKEN_REFRESH_SECONDS:
                basic = base64.b64encode(f"{org.client_id}:{org.secret}".encode()).decode()
                try:
                    response = await self.client.post(
                        f"{self.region.base}/oauth/token",
                        data={"grant_type": "client_credentials"},
                        headers={"Authorization": f"Basic {basic}"},
                    )
                except httpx.HTTPError as error:
                    results.append(("token", type(error).__name__))
                    continue
                if response.status_code == 200:
                    org.token, org.issued = response.json()["access_token"], time.monotonic()
                results.append(("token", response.status_code))
        return results

    async def run(self, op: str) -> int | str:
        """Sends one request of kind `op`; returns the status, or the error's name."""
        handler: Callable[[], Awaitable[tuple[httpx.Response, int]]] = getattr(self, op)
        if op == "read_transfer" and not self.region.transfers:
            handler = self.push_json
        if op == "consent_read" and not self.region.consents:
            handler = self.consent_grant
        try:
            response, expected = await handler()
        except httpx.HTTPError as error:
            return type(error).__name__
        return response.status_code if response.status_code != expected else 0

    async def push_json(self) -> tuple[httpx.Response, int]:
        r = self.region
        body = {
            "recipient": r.vo.id,
            "subject": r.oso_pupil,
            "dossier": JSON_DOSSIER,
            "inzage": {"date": datetime.now(UTC).date().isoformat(), "akkoord": True},
        }
        response = await self.client.post(
            f"{r.base}/v1/transfers", json=body, headers=r.po.headers(OVERSTAP, "ib-1")
        )
        if response.status_code == 201 and response.json()["status"] == "available":
            r.remember(r.transfers, response.json()["id"])
        return response, 201

    async def push_xml(self) -> tuple[httpx.Response, int]:
        r = self.region
        headers = {**r.po.headers(OVERSTAP, "ib-1"), "Content-Type": "application/xml"}
        response = await self.client.post(
            f"{r.base}/v1/transfers?recipient={r.vo.id}", content=r.xml, headers=headers
        )
        if response.status_code == 201 and response.json()["status"] == "available":
            r.remember(r.transfers, response.json()["id"])
        return response, 201

    async def read_transfer(self) -> tuple[httpx.Response, int]:
        r = self.region
        transfer = self.random.choice(r.transfers)
        response = await self.client.get(
            f"{r.base}/v1/transfers/{transfer}", headers=r.vo.headers(OVERSTAP, "zc-1")
        )
        return response, 200

    async def list_inbox(self) -> tuple[httpx.Response, int]:
        r = self.region
        response = await self.client.get(
            f"{r.base}/v1/transfers?box=inbox", headers=r.vo.headers(OVERSTAP, "zc-1")
        )
        return response, 200

    async def list_outbox(self) -> tuple[httpx.Response, int]:
        r = self.region
        response = await self.client.get(
            f"{r.base}/v1/transfers?box=outbox", headers=r.po.headers(OVERSTAP, "ib-1")
        )
        return response, 200

    async def consent_grant(self) -> tuple[httpx.Response, int]:
        r = self.region
        until = (datetime.now(UTC) + timedelta(days=180)).date().isoformat()
        body = {
            "subject": r.consent_pupil,
            "purpose": REFERRAL,
            "recipients": [r.wijkteam.id],
            "categories": ["leerling", "oudersverzorgers"],
            "granted_by": [MOTHER],
            "valid_until": until,
            "evidence": "digital",
        }
        response = await self.client.post(
            f"{r.base}/v1/consents", json=body, headers=r.po.headers(REFERRAL, "ib-1")
        )
        if response.status_code == 201:
            r.remember(r.consents, response.json()["id"])
        return response, 201

    async def consent_read(self) -> tuple[httpx.Response, int]:
        r = self.region
        consent = self.random.choice(r.consents)
        response = await self.client.get(
            f"{r.base}/v1/consents/{consent}", headers=r.po.headers(REFERRAL, "ib-1")
        )
        return response, 200

    async def audit_read(self) -> tuple[httpx.Response, int]:
        r = self.region
        response = await self.client.get(
            f"{r.base}/v1/audit/events", headers=r.po.headers(OFFICER, "fg-1")
        )
        return response, 200


def setup_region(base: str, made: dict[str, dict[str, str]], data_dir: Path) -> Region:
    """Tokens, the aanmelding at the VO school, the consent pupil and the gezag."""

    def org(kind: str) -> Org:
        m = made[kind]
        return Org(m["id"], m["client_id"], m["secret"])

    oso_born = years_ago(12)
    body = DOSSIER.read_bytes()
    assert body.count(BORN) == 1
    region = Region(
        base=base,
        po=org("school_po"),
        vo=org("school_vo"),
        wijkteam=org("wijkteam"),
        oso_pupil={"bsn": OSO_PUPIL_BSN, "birth_date": oso_born},
        consent_pupil={"bsn": CONSENT_PUPIL_BSN, "birth_date": years_ago(10)},
        xml=body.replace(BORN, f"<geboortedatum>{oso_born}</geboortedatum>".encode()),
    )
    with httpx.Client(base_url=base) as client:
        for o in (region.po, region.vo, region.wijkteam):
            basic = base64.b64encode(f"{o.client_id}:{o.secret}".encode()).decode()
            response = client.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                headers={"Authorization": f"Basic {basic}"},
            )
            response.raise_for_status()
            o.token, o.issued = response.json()["access_token"], time.monotonic()
        steps = [
            (
                "/v1/enrolments",
                {"subject": region.oso_pupil, "status": "aangemeld"},
                region.vo.headers(OVERSTAP, "admin-vo"),
            ),
            (
                # The primary school sends only about its own pupil.
                "/v1/enrolments",
                {"subject": region.oso_pupil, "status": "ingeschreven"},
                region.po.headers(REGISTRATION, "admin-1"),
            ),
            (
                "/v1/enrolments",
                {"subject": region.consent_pupil, "status": "ingeschreven"},
                region.po.headers(REGISTRATION, "admin-1"),
            ),
            (
                "/v1/subjects/gezag",
                {"subject": region.consent_pupil, "person": MOTHER, "gezag": True},
                region.po.headers(REGISTRATION, "admin-1"),
            ),
        ]
        for path, payload, headers in steps:
            response = client.post(path, json=payload, headers=headers)
            if response.status_code != 201:
                raise RuntimeError(f"setup {path}: {response.status_code} {response.text}")
    return region


async def check_mix(load: Load) -> None:
    """Every operation once, in order, so that a broken mix fails before the soak."""
    for op in load.ops:
        status = await load.run(op)
        if status != 0:
            raise RuntimeError(f"the mix's {op} answers {status}, not what it should")


async def capacity(load: Load, seconds: float, clients: int) -> dict[str, Any]:
    """Closed loop: `clients` callers, each sending its next request on the last answer."""
    done: list[int | str] = []
    stop = time.monotonic() + seconds

    async def caller() -> None:
        while time.monotonic() < stop:
            done.append(await load.run(load.pick()))

    started = time.monotonic()
    await asyncio.gather(*(caller() for _ in range(clients)))
    elapsed = time.monotonic() - started
    ok = sum(1 for status in done if status == 0)
    return {
        "seconds": round(elapsed, 1),
        "clients": clients,
        "requests": len(done),
        "errors": len(done) - ok,
        "rps": ok / elapsed,
    }


async def soak(
    load: Load, rate: float, minutes: int, server_pid: int, progress: bool
) -> tuple[list[Outcome], list[tuple[float, int]], float]:
    """Open loop at `rate`/s for `minutes`; returns the outcomes, RSS samples and how far
    the scheduler fell behind at worst (seconds)."""
    outcomes: list[Outcome] = []
    rss: list[tuple[float, int]] = []
    duration = minutes * 60.0
    interval = 1.0 / rate
    start = time.monotonic()
    tasks: set[asyncio.Task[None]] = set()
    worst_lag = 0.0

    async def one(op: str, intended: float) -> None:
        status = await load.run(op)
        now = time.monotonic()
        outcomes.append(Outcome(op, status == 0, status, now - intended, intended - start))

    async def refresher() -> None:
        while time.monotonic() - start < duration:
            began = time.monotonic()
            for op, status in await load.refresh_tokens():
                now = time.monotonic()
                outcomes.append(
                    Outcome(
                        op,
                        status == 200,
                        status if status != 200 else 0,
                        now - began,
                        began - start,
                    )
                )
            await asyncio.sleep(5)

    async def sampler() -> None:
        last_minute = -1
        while time.monotonic() - start < duration:
            at = time.monotonic() - start
            rss.append((at, process_tree_rss(server_pid)))
            minute = int(at // 60)
            if progress and minute != last_minute and minute > 0:
                last_minute = minute
                row = minute_rows(outcomes, rss, minute)[-1]
                print(format_row(row), flush=True)
            await asyncio.sleep(RSS_SAMPLE_SECONDS)

    helpers = [asyncio.create_task(refresher()), asyncio.create_task(sampler())]
    n = 0
    while True:
        intended = start + n * interval
        if intended - start >= duration:
            break
        delay = intended - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            worst_lag = max(worst_lag, -delay)
        task = asyncio.create_task(one(load.pick(), intended))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        n += 1
    if tasks:
        await asyncio.wait(tasks)
    for helper in helpers:
        helper.cancel()
    rss.append((time.monotonic() - start, process_tree_rss(server_pid)))
    return outcomes, rss, worst_lag


def minute_rows(
    outcomes: list[Outcome], rss: list[tuple[float, int]], minutes: int
) -> list[dict[str, Any]]:
    """One row per minute of intended start: requests, errors, p50, p99, mean RSS."""
    by_minute: dict[int, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_minute[int(o.intended // 60)].append(o)
    rss_by_minute: dict[int, list[int]] = defaultdict(list)
    for at, value in rss:
        rss_by_minute[min(int(at // 60), minutes - 1)].append(value)
    rows = []
    for minute in range(minutes):
        got = by_minute.get(minute, [])
        latencies = sorted(o.latency for o in got)
        samples = rss_by_minute.get(minute, [])
        rows.append(
            {
                "minute": minute + 1,
                "requests": len(got),
                "errors": sum(1 for o in got if not o.ok),
                "p50_ms": percentile(latencies, 0.50) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000,
                "rss_mb": (sum(samples) / len(samples) / 2**20) if samples else float("nan"),
            }
        )
    return rows


def per_op(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Requests, errors, p50 and p99 of each operation over the whole soak."""
    by_op: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_op[o.op].append(o)
    summary = {}
    for op, got in sorted(by_op.items()):
        latencies = sorted(o.latency for o in got)
        summary[op] = {
            "requests": len(got),
            "errors": sum(1 for o in got if not o.ok),
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
        }
    return summary


def format_row(row: dict[str, Any]) -> str:
    return (
        f"{row['minute']:>6} {row['requests']:>9} {row['errors']:>7} "
        f"{row['p50_ms']:>9.1f} {row['p99_ms']:>9.1f} {row['rss_mb']:>9.1f}"
    )


def judge(
    outcomes: list[Outcome], rows: list[dict[str, Any]], minutes: int, warmup: int
) -> dict[str, Any]:
    after = list(range(warmup, minutes))  # minute indexes after warm-up
    if len(after) < 2:
        raise SystemExit("the run is too short to judge: it needs two minutes after warm-up")
    width = 5 if len(after) >= 10 else len(after) // 2
    first, last = after[:width], after[-width:]

    def p99(window: list[int]) -> float:
        latencies = sorted(o.latency for o in outcomes if int(o.intended // 60) in window)
        return percentile(latencies, 0.99) * 1000

    p99_first, p99_last = p99(first), p99(last)
    rss_first, rss_last = rows[after[0]]["rss_mb"], rows[after[-1]]["rss_mb"]
    errors = sum(1 for o in outcomes if not o.ok)
    drift = (p99_last - p99_first) / p99_first
    growth = (rss_last - rss_first) / rss_first
    return {
        "errors": errors,
        "error_kinds": dict(Counter(f"{o.op}:{o.status}" for o in outcomes if not o.ok)),
        "p99_first_window_minutes": [first[0] + 1, first[-1] + 1],
        "p99_last_window_minutes": [last[0] + 1, last[-1] + 1],
        "p99_first_ms": p99_first,
        "p99_last_ms": p99_last,
        "p99_drift": drift,
        "rss_first_minute": after[0] + 1,
        "rss_last_minute": after[-1] + 1,
        "rss_first_mb": rss_first,
        "rss_last_mb": rss_last,
        "rss_growth": growth,
        "targets": {
            "errors == 0": errors == 0,
            "p99 drift < 20%": drift < 0.20,
            "RSS growth < 5%": growth < 0.05,
        },
    }


def run(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"soak-{args.backend}-"))
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
    log = data_dir / "server.log"
    server = start_server(
        env, port, args.workers, log, app="gateway.main:create_app", wait_seconds=90
    )
    try:
        region = setup_region(base, made, data_dir)
        return asyncio.run(drive(args, region, server.pid))
    except BaseException:
        print(f"server log tail ({log}):", file=sys.stderr)
        print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        # A server still working off a backlog may not stop gracefully in time.
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in sorted(descendants(server.pid), reverse=True):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            server.kill()
            server.wait()
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


async def drive(args: argparse.Namespace, region: Region, server_pid: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=64)
    timeout = httpx.Timeout(30.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        load = Load(client, region, seed=args.seed)
        await check_mix(load)
        measured = None
        if args.rate:
            rate = args.rate
        else:
            print(f"capacity: closed loop, 32 clients, {args.capacity_seconds} s ...", flush=True)
            await capacity(load, 5, 32)  # warm the workers and the pools
            measured = await capacity(load, args.capacity_seconds, 32)
            print(
                f"capacity: {measured['rps']:.1f}/s ({measured['requests']} requests, "
                f"{measured['errors']} errors)",
                flush=True,
            )
            rate = measured["rps"] / 2
        print(f"soak: {rate:.1f}/s for {args.minutes} min, open loop", flush=True)
        print(
            f"{'minute':>6} {'requests':>9} {'errors':>7} {'p50 ms':>9} {'p99 ms':>9} "
            f"{'RSS MB':>9}",
            flush=True,
        )
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        outcomes, rss, lag = await soak(load, rate, args.minutes, server_pid, progress=True)
        elapsed = time.monotonic() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        # Still answering once the load stops? (A server that hangs fails every request
        # after the hang; this tells a hang from an overload.)
        try:
            ready = await client.get(f"{region.base}/health/ready", timeout=10)
            answers_after: int | str = ready.status_code
        except httpx.HTTPError as error:
            answers_after = type(error).__name__
    generator_cpu = (
        cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    )
    rows = minute_rows(outcomes, rss, args.minutes)
    return {
        "capacity": measured,
        "rate": rate,
        "achieved_rps": len(outcomes) / elapsed,
        "generator_cpu_share": generator_cpu / elapsed,
        "scheduler_worst_lag_ms": lag * 1000,
        "ready_after_soak": answers_after,
        "ops": per_op(outcomes),
        "minutes": rows,
        "rss_samples": [[round(at, 1), value] for at, value in rss],
        "verdict": judge(outcomes, rows, args.minutes, args.warmup),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="minutes of warm-up (default 3)")
    parser.add_argument("--rate", type=float, help="requests/s; default: half the capacity")
    parser.add_argument("--capacity-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    args = parser.parse_args()
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    if args.backend == "sqlite":
        db_dir = Path(tempfile.mkdtemp(prefix="soak-sqlite-db-"))
        try:
            result = run(args, f"sqlite:///{db_dir / 'gateway.db'}")
        finally:
            shutil.rmtree(db_dir, ignore_errors=True)
    else:
        postgres = PostgresServer()
        postgres.start()
        try:
            result = run(args, postgres.create_database("soak"))
        finally:
            postgres.stop()
    result = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": args.backend,
        "workers": args.workers,
        "minutes": args.minutes,
        "warmup_minutes": args.warmup,
        "mix": MIX,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        **result,
    }
    verdict = result["verdict"]
    print()
    print(
        f"rate {result['rate']:.1f}/s (achieved {result['achieved_rps']:.1f}/s; generator "
        f"CPU {result['generator_cpu_share']:.0%} of a core; scheduler behind by at most "
        f"{result['scheduler_worst_lag_ms']:.0f} ms)"
    )
    for op, stats in result["ops"].items():
        print(
            f"  {op:<14} {stats['requests']:>7} requests {stats['errors']:>4} errors "
            f"p50 {stats['p50_ms']:8.1f} ms p99 {stats['p99_ms']:8.1f} ms"
        )
    print(f"errors: {verdict['errors']} {verdict['error_kinds'] or ''}")
    print(f"/health/ready once the load stopped: {result['ready_after_soak']}")
    print(
        f"p99 minutes {verdict['p99_first_window_minutes']}: {verdict['p99_first_ms']:.1f} ms; "
        f"minutes {verdict['p99_last_window_minutes']}: {verdict['p99_last_ms']:.1f} ms; "
        f"drift {verdict['p99_drift']:+.1%}"
    )
    print(
        f"RSS minute {verdict['rss_first_minute']}: {verdict['rss_first_mb']:.1f} MB; minute "
        f"{verdict['rss_last_minute']}: {verdict['rss_last_mb']:.1f} MB; growth "
        f"{verdict['rss_growth']:+.1%}"
    )
    for target, met in verdict["targets"].items():
        print(f"  {target}: {'met' if met else 'MISSED'}")
    passed = all(verdict["targets"].values())
    print(f"verdict: {'PASS' if passed else 'FAIL'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1))
    print(f"written: {args.json}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
