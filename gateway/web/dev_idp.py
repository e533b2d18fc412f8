"""The development identity provider of `gateway serve --demo` (deploy/dev-idp).

A Node program on the npm package `oidc-provider`, started here as a child process on
127.0.0.1 with the gateway registered as its client. Its login page says in a banner
that it is for development only; the gateway refuses it in production mode (the
settings refuse a non-https issuer, the portal refuses a provider that marks itself
`ontwikkel_idp`), and so does the program itself.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

IDP_DIR = Path(__file__).resolve().parents[2] / "deploy" / "dev-idp"
CLIENT_ID = "gateway-portaal-demo"
STARTUP_SECONDS = 20.0


class DevIdpUnavailable(RuntimeError):
    """The development IdP cannot run here (no checkout, no node, no npm ci)."""


@dataclass
class DevIdp:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False)

    def environment(self) -> dict[str, str]:
        """The GATEWAY_ settings that point the portal at this provider."""
        return {
            "GATEWAY_OIDC_ISSUER": self.issuer,
            "GATEWAY_OIDC_CLIENT_ID": self.client_id,
            "GATEWAY_OIDC_CLIENT_SECRET": self.client_secret,
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def start(data_dir: Path, redirect_uri: str, *, port: int = 0) -> DevIdp:
    node = shutil.which("node")
    if node is None or not (IDP_DIR / "node_modules" / "oidc-provider").is_dir():
        raise DevIdpUnavailable("run `npm ci --prefix deploy/dev-idp` (make run does)")
    secret = secrets.token_urlsafe(32)
    clients = data_dir / "dev-idp-clients.json"
    clients.write_text(json.dumps([_client(redirect_uri, secret)]))
    clients.chmod(0o600)
    log = (data_dir / "dev-idp.log").open("ab")
    process = subprocess.Popen(  # noqa: S603  # our own program, arguments we built
        [node, str(IDP_DIR / "server.mjs"), "--clients", str(clients), "--port", str(port)],
        # The IdP exits when this pipe closes: it never outlives the gateway, even when
        # the gateway is ended by a signal before it can stop the IdP itself.
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        env={**os.environ, "NODE_ENV": "development"},
    )
    log.close()
    try:
        issuer = json.loads(_first_line(process))["issuer"]
    except (DevIdpUnavailable, ValueError, KeyError):
        DevIdp("", CLIENT_ID, secret, process).stop()
        raise
    return DevIdp(str(issuer), CLIENT_ID, secret, process)


def _client(redirect_uri: str, secret: str) -> dict[str, object]:
    return {
        "client_id": CLIENT_ID,
        "client_secret": secret,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
    }


def _first_line(process: subprocess.Popen[bytes]) -> str:
    """The one JSON line the provider prints when it listens."""
    if process.stdout is None:
        raise DevIdpUnavailable("the development IdP has no output to read")
    line, deadline = b"", time.monotonic() + STARTUP_SECONDS
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([process.stdout], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            raise DevIdpUnavailable("the development IdP did not start in time")
        chunk = os.read(process.stdout.fileno(), 4096)
        if not chunk:
            raise DevIdpUnavailable("the development IdP exited; see dev-idp.log")
        line += chunk
    return line.decode()
