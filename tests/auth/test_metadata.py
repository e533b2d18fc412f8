"""RFC 8414 metadata names the gateway as it is served: a real `gateway serve` process.

The issuer is the address `serve` listens on unless GATEWAY_ISSUER names one, and it
is one string everywhere: the metadata, the JWKS location and every token's `iss`.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from gateway.core.settings import served_issuer

STARTUP_SECONDS = 60
METADATA = "/.well-known/oauth-authorization-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def gateway_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return {**env, "GATEWAY_DATA_DIR": str(data_dir), **extra}


@contextmanager
def served(port: int, env: dict[str, str]) -> Iterator[str]:
    """`gateway serve --port PORT` on loopback; yields its base URL once it answers."""
    command = [sys.executable, "-m", "gateway", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_live(process, base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def wait_until_live(process: subprocess.Popen[bytes], base: str) -> None:
    """Readiness, not timing: poll until the process answers, within a bounded wait."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"gateway serve exited with {process.returncode}: {stderr}")
        try:
            if httpx2.get(f"{base}/health/live", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gateway serve did not answer within {STARTUP_SECONDS} s")


def add_org(env: dict[str, str]) -> dict[str, str]:
    command = [sys.executable, "-m", "gateway", "orgs", "add", "--name", "X", "--kind"]
    result = subprocess.run(
        [*command, "school_po", "--json"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    created: dict[str, str] = json.loads(result.stdout)
    return created


def token_issuer(base: str, org: dict[str, str]) -> str:
    response = httpx2.post(
        f"{base}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(org["client_id"], org["client_secret"]),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    payload = response.json()["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["iss"])


def test_metadata_names_the_port_it_is_served_on(tmp_path: Path) -> None:
    port = free_port()
    env = gateway_env(tmp_path)
    with served(port, env) as base:
        metadata = httpx2.get(f"{base}{METADATA}", timeout=10).json()
        assert metadata["issuer"] == base
        assert metadata["token_endpoint"] == f"{base}/oauth/token"
        assert metadata["jwks_uri"] == f"{base}/.well-known/jwks.json"
        assert httpx2.get(metadata["jwks_uri"], timeout=10).json()["keys"]
        assert token_issuer(base, add_org(env)) == base


def test_gateway_issuer_overrides_the_served_address(tmp_path: Path) -> None:
    issuer = "https://gateway.regio.example"
    env = gateway_env(tmp_path, GATEWAY_ISSUER=issuer)
    with served(free_port(), env) as base:
        metadata = httpx2.get(f"{base}{METADATA}", timeout=10).json()
        assert metadata["issuer"] == issuer
        assert metadata["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
        assert token_issuer(base, add_org(env)) == issuer


def test_a_wildcard_or_ipv6_listener_names_a_usable_address() -> None:
    assert served_issuer("0.0.0.0", 9000) == "http://127.0.0.1:9000"  # noqa: S104
    assert served_issuer("::1", 9000) == "http://[::1]:9000"
    assert served_issuer("gateway.local", 80) == "http://gateway.local:80"
