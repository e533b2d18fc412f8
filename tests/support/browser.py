"""The gateway served on a real port with its portal logging in at a real dev IdP
process, and the headless Chromium the browser tests drive (Debian's `chromium`)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from gateway.core import migrate
from tests.support.gateway import Gateway
from tests.support.idp import PARENT, portal_settings, start_idp
from tests.support.portal import Region, make_region

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@dataclass
class LivePortal:
    url: str
    gateway: Gateway
    region: Region


@contextmanager
def live_portal_at(tmp_path: Path) -> Iterator[LivePortal]:
    """The gateway on a real port, its portal logging in at a real dev IdP process."""
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    migrate.upgrade(database_url)
    # Bound and listening before uvicorn starts: the browser's first request waits in
    # the backlog instead of racing the server's start.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    idp = start_idp(tmp_path, f"{url}/portaal/login/callback")
    gateway = Gateway(database_url, tmp_path / "var", issuer=url, **portal_settings(idp))
    server = uvicorn.Server(uvicorn.Config(gateway.app, lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        yield LivePortal(url, gateway, make_region(gateway, PARENT[1]))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
        gateway.close()
        idp.stop()
