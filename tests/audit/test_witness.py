"""Checkpoints go to an external witness (a file, or another organisation's HTTP
endpoint); a witness that fails is tried again next time and never holds up an act."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from gateway.audit import checkpoints
from gateway.audit.models import AuditCheckpoint
from gateway.main import publisher_of
from tests.support.audit import check_note
from tests.support.gateway import Gateway, audit_log, audited


def publish_to(gateway: Gateway, witness: str) -> AuditCheckpoint | None:
    publisher = publisher_of(gateway.services)
    publisher.witness = witness
    return publisher.publish()


def pending(gateway: Gateway) -> list[int]:
    with gateway.services.db.sessions() as session:
        rows = session.query(AuditCheckpoint).filter(AuditCheckpoint.witnessed_at.is_(None))
        return sorted(c.tree_size for c in rows)


def test_a_failing_witness_is_retried_and_a_file_witness_gets_every_note(
    gateway: Gateway, tmp_path: Path
) -> None:
    officer = audited(gateway, "school_po")
    verifier = gateway.keyring.checkpoints.active(gateway.settings.audit_origin).verifier_key
    audit_log(gateway, officer)
    unreachable = "http://127.0.0.1:9/add-checkpoint"
    assert publish_to(gateway, unreachable) is not None  # published; the push failed
    audit_log(gateway, officer)  # acts go on meanwhile
    assert publish_to(gateway, unreachable) is not None
    assert pending(gateway) == [1, 2]

    witness = tmp_path / "witness" / "checkpoints.log"
    witness.parent.mkdir()
    assert (
        checkpoints.push_to_witness(gateway.services.db, str(witness), now=gateway.clock.now()) == 2
    )
    assert pending(gateway) == []
    # One note after another, a blank line between: inside a note, the blank line is
    # followed by its signature lines, which start with an em dash.
    notes = re.split(r"\n\n(?=[^\u2014])", witness.read_text().rstrip("\n") + "\n")
    assert [check_note(note.rstrip("\n") + "\n", verifier)[1] for note in notes] == [1, 2]


class _Witness(BaseHTTPRequestHandler):
    received: list[str] = []  # noqa: RUF012

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(self.rfile.read(length).decode())
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def http_witness() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/add-checkpoint"
    finally:
        server.shutdown()
        server.server_close()


def test_an_http_witness_receives_the_signed_note(gateway: Gateway, http_witness: str) -> None:
    _Witness.received = []
    officer = audited(gateway, "school_po")
    audit_log(gateway, officer)
    made = publish_to(gateway, http_witness)
    assert made is not None
    assert _Witness.received == [made.note]
    assert pending(gateway) == []
