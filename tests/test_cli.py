"""The command line as an operator uses it: a real process on a real database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gateway.core import migrate
from tests.support.gateway import Gateway, make_dossier, make_subject


def gateway_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def test_orgs_add_prints_credentials_as_json(tmp_path: Path) -> None:
    env = {"GATEWAY_DATA_DIR": str(tmp_path)}
    migrate.upgrade(f"sqlite:///{tmp_path / 'gateway.db'}")
    result = gateway_cli(
        "orgs",
        "add",
        "--name",
        "OBS De Hien",
        "--kind",
        "school_po",
        "--brin",
        "12AB",
        "--json",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["id"].startswith("org_") and created["client_secret"]
    refused = gateway_cli("orgs", "add", "--name", "X", "--kind", "bakery", "--json", env=env)
    assert refused.returncode == 2


def test_audit_verify_fails_on_one_altered_row(gateway: Gateway, database_url: str) -> None:
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    subject = make_subject()
    enrolled = gateway.client.post(
        "/v1/enrolments", json={"subject": subject}, headers=vo.headers()
    )
    assert enrolled.status_code == 201
    denied = gateway.client.post(
        "/v1/transfers",
        headers=po.headers(),
        json={"recipient": vo.id, "subject": make_subject("123456782"), "dossier": make_dossier()},
    )
    assert denied.status_code == 403
    env = {"GATEWAY_DATABASE_URL": database_url}
    ok = gateway_cli("audit", "verify", env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout) == {"ok": True, "entries": 2}

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET decision = 'permit' WHERE seq = 2"))
    engine.dispose()
    broken = gateway_cli("audit", "verify", env=env)
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["first_bad_seq"] == 2


@pytest.mark.parametrize("command", [["--help"], ["db", "--help"]])
def test_help_runs(command: list[str]) -> None:
    assert gateway_cli(*command, env={}).returncode == 0


def test_policy_explain_walks_the_decision_in_words() -> None:
    result = gateway_cli(
        "policy",
        "explain",
        "--purpose",
        "overdracht.po_vo",
        "--sender-kind",
        "school_po",
        "--recipient-kind",
        "school_vo",
        "--category",
        "school",
        "--category",
        "vve",
        "--action",
        "send",
        "--age",
        "12",
        "--aanmelding",
        env={},
    )
    assert result.returncode == 0, result.stderr
    assert "FAILED: Categories forbidden (VERBODEN): vve." in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Result: DENY (category_forbidden)")


def test_policy_explain_asks_what_the_push_asks_unless_told_release() -> None:
    """Like the API's dry run, the explanation is of the exchange itself by default."""
    base = ["policy", "explain", "--purpose", "overdracht.po_vo", "--sender-kind", "school_po"]
    base += ["--recipient-kind", "school_vo", "--category", "school", "--age", "12"]
    default = gateway_cli(*base, env={})
    release = gateway_cli(*base, "--action", "release", env={})
    unknown = gateway_cli(*base, "--action", "read", env={})
    assert default.stdout.startswith("Request: send for purpose overdracht.po_vo")
    assert release.stdout.startswith("Request: release for purpose overdracht.po_vo")
    assert unknown.returncode != 0


def test_policy_check_accepts_the_catalog_and_refuses_a_broken_one(tmp_path: Path) -> None:
    catalog = Path(__file__).resolve().parents[1] / "policies" / "catalog"
    assert gateway_cli("policy", "check", str(catalog), env={}).returncode == 0
    broken = tmp_path / "catalog"
    shutil.copytree(catalog, broken)
    flows = broken / "flows.yaml"
    flows.write_text(flows.read_text().replace("overstapadvies", "overstapadviesX", 1))
    refused = gateway_cli("policy", "check", str(broken), env={})
    assert refused.returncode == 1
    assert "overstapadviesX" in refused.stderr


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_policy_register_lists_every_purpose(fmt: str) -> None:
    result = gateway_cli("policy", "register", "--format", fmt, env={})
    assert result.returncode == 0, result.stderr
    for purpose in ("overdracht.po_vo", "jeugdhulp.verwijzing", "meldcode.melding"):
        assert purpose in result.stdout
