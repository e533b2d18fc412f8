"""A webhook reaches the public internet only: its URL is refused at registration
when its host is (or spells) an internal address, and the worker refuses a host that
resolves to one and connects to the address it checked (pinned), never redirected."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gateway.core.errors import Unprocessable
from gateway.core.settings import Settings
from gateway.delivery.pinning import PinnedTransport
from gateway.delivery.service import check_url
from tests.delivery.helpers import deliveries, hook, push, schools, worker
from tests.support.gateway import Gateway
from tests.support.receiver import Receiver

REFUSED = [
    "https://2130706433/",  # 127.0.0.1 as one decimal number
    "https://0x7f000001/",
    "https://127.1/",
    "https://017700000001/",  # octal
    "https://10.1/",
    "https://0/",
    "https://2852039166/",  # 169.254.169.254
    "https://01.2.3.4/",  # not canonical
    "https://localhost./",
    "https://hook.localhost/",
    "https://169.254.169.254.nip.io/",
    "https://10-0-0-7.sslip.io/",
    "https://metadata.google.internal/",
    "https://printer.local/",
    "https://intranet/",  # a single label
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "https://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
    "https://[::ffff:127.0.0.1]/",
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    "https://[fe80::1%25eth0]/",
    "https://100.64.0.1/",  # carrier-grade NAT
]


@pytest.fixture
def production(tmp_path: Path) -> Settings:
    return Settings(environment="production", data_dir=tmp_path)


@pytest.mark.parametrize("url", REFUSED)
def test_an_internal_host_in_any_spelling_is_refused_in_production(
    production: Settings, url: str
) -> None:
    with pytest.raises(Unprocessable) as refused:
        check_url(url, production)
    assert refused.value.code == "invalid_webhook_url"


@pytest.mark.parametrize(
    "url",
    [
        "https://zorg.example/hook",
        "https://Zorg.Example./hook",
        "https://8.8.8.8/hook",
        "https://[2001:4860:4860::8888]/hook",
        "https://[64:ff9b::808:808]/hook",  # NAT64 of a public address
        "https://1.2.3.4.example/hook",
    ],
)
def test_a_public_host_is_accepted_in_production(production: Settings, url: str) -> None:
    assert check_url(url, production) == url


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, str]) -> list[str]:
    """Resolves the names in `answers` to their address; the asked names in order."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return asked


def attempted(gateway: Gateway, org: Any) -> list[tuple[int | None, str | None]]:
    (delivery,) = deliveries(gateway, org)
    return [(a["status_code"], a["error"]) for a in delivery["history"]]


def test_the_worker_in_production_refuses_a_loopback_url_stored_before(
    gateway: Gateway, receiver: Receiver
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, receiver.url)  # registered in development: http://127.0.0.1:…
    assert push(gateway, po, vo).status_code == 201
    assert worker(gateway, environment="production").run_once() == 1
    assert receiver.posts == []
    assert attempted(gateway, vo) == [(None, "forbidden_address")]


def test_a_name_resolving_to_an_internal_address_is_refused_when_posting(
    gateway: Gateway, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    po, vo = schools(gateway)
    port = receiver.url.split(":")[2].split("/")[0]
    hook(gateway, vo, f"https://rebind.zorg.example:{port}/hook")
    asked = fake_dns(monkeypatch, {"rebind.zorg.example": "127.0.0.1"})
    assert push(gateway, po, vo).status_code == 201
    assert worker(gateway, environment="production").run_once() == 1
    assert asked == ["rebind.zorg.example"]
    assert receiver.posts == []
    assert attempted(gateway, vo) == [(None, "forbidden_address")]


def test_development_allows_loopback_but_no_other_internal_address(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, "https://metadata.zorg.example/hook")
    fake_dns(monkeypatch, {"metadata.zorg.example": "169.254.169.254"})
    assert push(gateway, po, vo).status_code == 201
    assert worker(gateway).run_once() == 1
    assert attempted(gateway, vo) == [(None, "forbidden_address")]


def test_the_worker_connects_to_the_checked_address_with_the_name_as_host(
    receiver: Receiver,
) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    answers: list[str] = []

    def resolve(host: str, port: int, **_: Any) -> Any:
        answers.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    transport = PinnedTransport(loopback=True, resolve=resolve)
    with httpx2.Client(transport=transport) as client:
        answer = client.post(f"http://zorg.example:{port}/hook", content=b"{}")
    assert answer.status_code == 204
    assert answers == ["zorg.example"]
    (post,) = receiver.posts
    assert post.headers["Host"] == f"zorg.example:{port}"


def test_over_tls_the_pinned_address_is_dialled_with_the_name_as_sni(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[httpx2.Request] = []

    def dial(self: httpx2.HTTPTransport, request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(204)

    monkeypatch.setattr(httpx2.HTTPTransport, "handle_request", dial)

    def resolve(host: str, port: int, **_: Any) -> Any:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:4860:4860::8888", port, 0, 0))]

    transport = PinnedTransport(loopback=False, resolve=resolve)
    with httpx2.Client(transport=transport) as client:
        assert client.post("https://zorg.example/hook", content=b"{}").status_code == 204
    (request,) = sent
    assert str(request.url) == "https://[2001:4860:4860::8888]/hook"
    assert request.extensions["sni_hostname"] == "zorg.example"
    assert request.headers["Host"] == "zorg.example"


@pytest.fixture
def redirecting(receiver: Receiver) -> Iterator[str]:
    """A webhook that answers 307 towards the receiver."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", receiver.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed(gateway: Gateway, receiver: Receiver, redirecting: str) -> None:
    po, vo = schools(gateway)
    hook(gateway, vo, redirecting)
    assert push(gateway, po, vo).status_code == 201
    assert worker(gateway).run_once() == 1
    assert receiver.posts == []
    assert attempted(gateway, vo) == [(307, "http")]
