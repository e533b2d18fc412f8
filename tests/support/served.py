"""The gateway as a real process (`gateway serve`), to be started, killed and restarted."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

ROOT = Path(__file__).resolve().parents[2]
# Generous: two workers on a busy two-core machine take a while to import the app.
START_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServedGateway:
    """`gateway serve` on loopback; one data directory and database across restarts."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_DATA_DIR": str(data_dir),
            "GATEWAY_ISSUER": self.base,
            "GATEWAY_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.data_dir / f"server-{self.starts}.log"

    def start(self, workers: int = 1) -> None:
        """Starts the server and waits until it answers /health/ready."""
        assert self._process is None, "already running"
        self.starts += 1
        with self.log.open("wb") as log:
            # A session of its own: SIGKILL to its process group reaches every worker.
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gateway",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(workers),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if httpx2.get(f"{self.base}/health/ready", timeout=5).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"the gateway did not start:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to the server and all its workers: no shutdown, no last words."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):  # it had died on its own
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        self._wait_for_group(process.pid)

    def stop(self) -> None:
        """An orderly stop (SIGTERM to the group), for the end of a test."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        except ProcessLookupError:
            process.wait(timeout=30)
        self._wait_for_group(process.pid)

    @staticmethod
    def _wait_for_group(pgid: int) -> None:
        """Workers are the supervisor's children, not ours: wait until they are gone
        too (or zombies, waiting to be reaped), so that none still holds the port or the
        database when the next server starts."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not _live_members(pgid):
                return
            time.sleep(0.02)
        raise AssertionError(f"process group {pgid} outlived SIGKILL")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`gateway <args>` against the same database and data directory."""
        return subprocess.run(
            [sys.executable, "-m", "gateway", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def token(self, client_id: str, secret: str) -> str:
        response = httpx2.post(
            f"{self.base}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, secret),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def audit_verify(self) -> dict[str, Any]:
        done = self.cli("audit", "verify")
        assert done.returncode == 0, f"gateway audit verify failed: {done.stdout}{done.stderr}"
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def _live_members(pgid: int) -> list[int]:
    """The processes of a process group that still run (Linux: from /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members
