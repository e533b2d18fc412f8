"""`gateway audit export` reads the log, and so is on it: one `audit.export` entry per run,
the operator its actor, naming the organisation (or the operator), the format and the
run of entries by seq; written before the first line, and nothing exported without it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gateway.audit import service as audit
from gateway.audit.models import AuditEntry
from gateway.cli import app
from gateway.core.settings import get_settings
from gateway.crypto.keyring import ensure_local_keys
from tests.audit.test_logboek import BSNS, enrol, stored
from tests.support.gateway import Gateway, Org, audit_log, audited
from tests.test_cli import gateway_cli


@pytest.fixture
def env(gateway: Gateway, database_url: str, tmp_path: Path) -> dict[str, str]:
    ensure_local_keys(tmp_path / "keys")
    return {"GATEWAY_DATABASE_URL": database_url, "GATEWAY_DATA_DIR": str(tmp_path)}


def exports(gateway: Gateway) -> list[AuditEntry]:
    with gateway.services.db.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == "audit.export")
        return list(session.scalars(query.order_by(AuditEntry.seq)))


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def seqs(records: list[dict[str, Any]]) -> list[int]:
    return [r["attributes"]["gateway.audit.seq"] for r in records]


def two_schools(gateway: Gateway) -> tuple[Org, Org]:
    a, b = audited(gateway, "school_vo"), audited(gateway, "school_vo")
    enrol(gateway, a, BSNS[0])
    enrol(gateway, b, BSNS[1])
    return a, b


def test_a_whole_log_export_is_one_entry_of_the_operator_naming_format_and_run(
    gateway: Gateway, env: dict[str, str]
) -> None:
    two_schools(gateway)
    head = max(stored(gateway))
    done = gateway_cli("audit", "export", "--format", "logboek", env=env)
    assert done.returncode == 0, done.stderr
    assert seqs(lines(done.stdout)) == list(range(1, head + 1))
    (entry,) = exports(gateway)
    assert entry.seq == head + 1  # appended before the export read, and left out of it
    assert (entry.org, entry.actor, entry.actor_role, entry.purpose) == (
        "gateway",
        "gateway-beheer",
        "beheer",
        "audit.toezicht",
    )
    assert (entry.decision, entry.rule) == ("permit", "audit.toezicht/export/logboek")
    assert entry.legal_basis  # the catalog's basis for the supervision
    assert (entry.object_id, entry.subject_ref, entry.request_id) == (f"seq:1..{head}", None, "cli")
    assert entry.trace_id is not None
    assert not any(bsn in str(vars(entry)) for bsn in BSNS)
    with gateway.services.db.sessions() as session:
        assert audit.verify(session).ok


def test_an_organisations_export_is_on_its_own_log_with_its_run(
    gateway: Gateway, env: dict[str, str]
) -> None:
    a, _ = two_schools(gateway)
    own = sorted(seq for seq, e in stored(gateway).items() if a.id in (e.org, e.owner))
    out = Path(env["GATEWAY_DATA_DIR"]) / "a.jsonl"
    done = gateway_cli("audit", "export", "--org", a.id, "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert seqs(lines(out.read_text())) == own
    (entry,) = exports(gateway)
    assert (entry.org, entry.object_id) == (a.id, f"seq:{own[0]}..{own[-1]}")
    # Its privacy officer sees the export among the organisation's acts.
    assert "audit.export" in [e["action"] for e in audit_log(gateway, a)]

    # A range that matches nothing: still one entry, naming no run; an empty file.
    late = gateway_cli("audit", "export", "--org", a.id, "--from", "2999-01-01", env=env)
    assert late.returncode == 0 and late.stdout == ""
    assert [(e.org, e.object_id) for e in exports(gateway)][1:] == [(a.id, None)]


def test_an_export_refused_reads_nothing_and_an_unknown_organisation_is_refused(
    gateway: Gateway, env: dict[str, str]
) -> None:
    two_schools(gateway)
    before = len(stored(gateway))
    unknown = gateway_cli("audit", "export", "--org", "org_nonexistent", env=env)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "No such organisation" in unknown.stderr
    assert gateway_cli("audit", "export", "--format", "csv", env=env).returncode == 2
    assert len(stored(gateway)) == before


@pytest.fixture
def in_process(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_nothing_is_exported_when_its_entry_cannot_be_written(
    gateway: Gateway, in_process: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_schools(gateway)
    real = audit.append

    def failing(session, event, *, now):  # type: ignore[no-untyped-def]
        if event.action == "audit.export":
            raise RuntimeError("the disk is full")
        return real(session, event, now=now)

    with monkeypatch.context() as patched:
        patched.setattr("gateway.audit.export.audit.append", failing)
        refused = in_process.invoke(app, ["audit", "export"])
    assert refused.exit_code != 0 and refused.stdout == ""
    assert exports(gateway) == []
    done = in_process.invoke(app, ["audit", "export"])
    assert done.exit_code == 0, done.output
    assert lines(done.stdout) and len(exports(gateway)) == 1
