"""Hostile XML pushed as an OSO dossier: 422, nothing read, fetched, expanded or stored.

Every hostile document here is the standard's real POVO example (which the gateway
accepts) with one hostile part added, so the refusal can only be for that part. Two
defences stand in line: the parser (no entity resolution, no DTD loading, no network,
libxml2's size limits) and, after it, the refusal of any DOCTYPE. Each test names the
reason it expects, so it sees which defence stopped the document: a document the
parser wrongly followed into a file or a DTD breaks on the bad markup planted there
and is refused for that, not for its DOCTYPE.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support import oso
from tests.support.gateway import Gateway, Org
from tests.support.portal import enrol

POVO = (oso.EXAMPLES / "Voorbeelddossier_OV_POVO_full.xml").read_bytes()
PUPIL = {"bsn": "269326728", "birth_date": "2003-03-17"}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
ROEPNAAM = b"<roepnaam>Daan</roepnaam>"
MARKER = "TOPSECRET"
# Text that cannot stand in an element: read by the parser, it makes the document fail.
BROKEN = f"{MARKER} <"

HAS_DOCTYPE = "document has a DOCTYPE, which an OSO dossier never needs"
OVER_LIMITS = "document exceeds the XML parser's safety limits"
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
)  # 10**9 "lol"s


def hostile(doctype: str, roepnaam: str = "Daan") -> bytes:
    """The POVO example with `doctype` after its declaration and `roepnaam` as the name."""
    assert POVO.count(ROEPNAAM) == 1 and POVO.startswith(DECLARATION)
    body = POVO.removeprefix(DECLARATION).replace(
        ROEPNAAM, f"<roepnaam>{roepnaam}</roepnaam>".encode()
    )
    return DECLARATION + doctype.encode() + body


def push(gateway: Gateway, document: bytes) -> tuple[Org, dict[str, object], int]:
    """Pushes `document` for the enrolled pupil; the sender, the answer and its status."""
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    enrol(gateway, vo, PUPIL)
    response = gateway.client.post(
        f"/v1/transfers?recipient={vo.id}",
        content=document,
        headers={**po.headers(), "Content-Type": "application/xml"},
    )
    assert MARKER not in response.text
    return po, response.json(), response.status_code


def assert_refused(gateway: Gateway, document: bytes, reason: str) -> None:
    po, answer, status = push(gateway, document)
    detail = f"The OSO dossier is not valid: {reason}."
    assert (status, answer["code"], answer["detail"]) == (422, "invalid_dossier", detail)
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert outbox.json()["items"] == []


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    """A web server on 127.0.0.1 that records every request: its base URL and the paths."""
    requested: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(f'<!ENTITY remote "{MARKER}">'.encode())

        def log_message(self, *args: object) -> None:
            """Silent: the test reads `requested`, not stderr."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_untouched_example_is_accepted(gateway: Gateway) -> None:
    """The base every hostile document is built on: alone, it is a dossier like any other."""
    _, answer, status = push(gateway, POVO)
    assert status == 201, answer


def test_an_external_entity_is_never_read(gateway: Gateway, tmp_path: Path) -> None:
    """XXE: the entity names a local file; resolving it would put the file in the dossier."""
    secret = tmp_path / "secret.txt"
    secret.write_text(BROKEN)
    doctype = f'<!DOCTYPE dossier [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>'
    assert_refused(gateway, hostile(doctype, "&secret;"), HAS_DOCTYPE)


def test_an_external_dtd_is_never_loaded(gateway: Gateway, tmp_path: Path) -> None:
    dtd = tmp_path / "dossier.dtd"
    dtd.write_text(f'<!ENTITY naam "{MARKER}"> {BROKEN}')
    assert_refused(gateway, hostile(f'<!DOCTYPE dossier SYSTEM "{dtd.as_uri()}">'), HAS_DOCTYPE)


def test_nothing_is_fetched_from_the_network(
    gateway: Gateway, loopback: tuple[str, list[str]]
) -> None:
    """Neither the external DTD nor the external entity at a loopback URL is asked for.

    The libxml2 bundled with lxml 6 (2.14) has no HTTP client, so `no_network` alone
    changes nothing there; the test goes red when entities or DTDs are followed.
    """
    url, requested = loopback
    doctype = (
        f'<!DOCTYPE dossier SYSTEM "{url}/dossier.dtd" [<!ENTITY remote SYSTEM "{url}/naam.txt">]>'
    )
    assert_refused(gateway, hostile(doctype, "&remote;"), HAS_DOCTYPE)
    assert requested == []


@pytest.mark.parametrize(
    ("doctype", "roepnaam"),
    [
        ("<!DOCTYPE dossier>", "Daan"),
        ('<!DOCTYPE dossier [<!ENTITY naam "Daan">]>', "&naam;"),
        (f'<!DOCTYPE dossier [<!ENTITY naam "{MARKER}">]>', "&naam;"),
    ],
    ids=["bare", "entity", "marker"],
)
def test_a_valid_dossier_that_carries_a_doctype_is_refused(
    gateway: Gateway, doctype: str, roepnaam: str
) -> None:
    """The second defence: nothing in the DTD is harmful, but a dossier never needs one."""
    assert_refused(gateway, hostile(doctype, roepnaam), HAS_DOCTYPE)


def test_a_billion_laughs_is_refused_at_the_parsers_limits(gateway: Gateway) -> None:
    """libxml2 caps entity amplification even with `huge_tree` or `resolve_entities` on."""
    document = hostile(f"<!DOCTYPE dossier [{LAUGHS}]>", "&lol9;")
    assert_refused(gateway, document, OVER_LIMITS)


def test_nesting_deeper_than_the_parsers_limit_is_refused(gateway: Gateway) -> None:
    """libxml2 stops at 256 levels unless `huge_tree` lifts the limit to 2048."""
    deep = "<x>" * 300 + "Daan" + "</x>" * 300
    assert_refused(gateway, hostile("", deep), OVER_LIMITS)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (POVO.replace(b"</dossier>", b""), "document is not well-formed XML"),
        (
            b"<dossier><leerling>x</leerling></dossier>",
            "document root is not an OSO 2019.1 dossier",
        ),
    ],
    ids=["malformed", "not_oso"],
)
def test_malformed_or_foreign_xml_is_refused(
    gateway: Gateway, document: bytes, reason: str
) -> None:
    assert_refused(gateway, document, reason)
