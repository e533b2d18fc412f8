"""`gateway audit checkpoint` and `gateway audit verify` as an operator runs them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import create_engine, text

from gateway.crypto.notes import NoteKeys
from tests.support.gateway import Gateway, audit_log, audited
from tests.test_cli import gateway_cli


def test_checkpoints_from_the_command_line_verify_whole_and_from_a_checkpoint(
    gateway: Gateway, database_url: str, tmp_path: Path
) -> None:
    NoteKeys.create(tmp_path / "keys")
    env = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_DATA_DIR": str(tmp_path),
        "GATEWAY_ISSUER": "https://gateway.example",
        "GATEWAY_AUDIT_WITNESS": str(tmp_path / "witness.log"),
    }
    officer = audited(gateway, "school_po")
    for _ in range(5):
        audit_log(gateway, officer)
    first = gateway_cli("audit", "checkpoint", env=env)
    assert first.returncode == 0, first.stderr
    made = json.loads(first.stdout)
    assert made["published"] is True and made["tree_size"] == 5
    assert made["key_id"].startswith("gateway.example/audit+")
    again = json.loads(gateway_cli("audit", "checkpoint", env=env).stdout)
    assert again["published"] is False and again["tree_size"] == 5
    for _ in range(20):
        audit_log(gateway, officer)
    assert json.loads(gateway_cli("audit", "checkpoint", env=env).stdout)["tree_size"] == 25
    assert (tmp_path / "witness.log").read_text().count("gateway.example/audit\n") == 2
    for _ in range(3):
        audit_log(gateway, officer)

    whole = gateway_cli("audit", "verify", env=env)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert json.loads(whole.stdout) == {"ok": True, "entries": 28, "checkpoints": 2}
    since = gateway_cli("audit", "verify", "--from-checkpoint", "5", env=env)
    # Checkpoint 5's root and the newer one's.
    assert json.loads(since.stdout) == {"ok": True, "entries": 23, "checkpoints": 2}
    unknown = gateway_cli("audit", "verify", "--from-checkpoint", "7", env=env)
    assert unknown.returncode == 1

    stranger = NoteKeys.generate().active("gateway.example/audit").verifier_key
    foreign = gateway_cli("audit", "verify", "--verifier-key", stranger, env=env)
    assert foreign.returncode == 1
    assert "checkpoint 5" in json.loads(foreign.stdout)["problem"]

    # A checkpoint rewritten to a forged root no longer carries a valid signature.
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_checkpoints SET root_hash = :forged WHERE tree_size = 25"),
            {"forged": "ab" * 32},
        )
    engine.dispose()
    forged = gateway_cli("audit", "verify", env=env)
    assert forged.returncode == 1
    assert json.loads(forged.stdout)["problem"].startswith("checkpoint 25")


def test_the_log_keeps_the_origin_of_its_first_checkpoint(
    gateway: Gateway, database_url: str, tmp_path: Path
) -> None:
    """The gateway served at another address (`make run PORT=…`), or the CLI run without
    the server's issuer, still signs and verifies one log under one origin."""
    NoteKeys.create(tmp_path / "keys")
    served = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_DATA_DIR": str(tmp_path),
        "GATEWAY_ISSUER": "http://127.0.0.1:8422",
    }
    elsewhere = {**served, "GATEWAY_ISSUER": "http://127.0.0.1:8000"}
    officer = audited(gateway, "school_po")
    audit_log(gateway, officer)
    first = json.loads(gateway_cli("audit", "checkpoint", env=served).stdout)
    assert first["key_id"].startswith("127.0.0.1:8422/audit+")
    for _ in range(3):
        audit_log(gateway, officer)
    later = json.loads(gateway_cli("audit", "checkpoint", env=elsewhere).stdout)
    assert later["published"] is True
    assert later["key_id"].startswith("127.0.0.1:8422/audit+")
    assert later["note"].startswith("127.0.0.1:8422/audit\n")
    assert later["verifier_key"].startswith("127.0.0.1:8422/audit+")
    checked = gateway_cli("audit", "verify", env=elsewhere)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["checkpoints"] == 2


def test_the_witness_file_holds_the_log_to_what_was_published(
    gateway: Gateway, database_url: str, tmp_path: Path
) -> None:
    """With the stored checkpoints and the tree's row gone and the log cut short, only
    the file witness remembers: `verify` reads it by default."""
    NoteKeys.create(tmp_path / "keys")
    env = {
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_DATA_DIR": str(tmp_path),
        "GATEWAY_ISSUER": "https://gateway.example",
        "GATEWAY_AUDIT_WITNESS": str(tmp_path / "witness.log"),
    }
    officer = audited(gateway, "school_po")
    for _ in range(6):
        audit_log(gateway, officer)
    assert json.loads(gateway_cli("audit", "checkpoint", env=env).stdout)["published"]
    deep = gateway_cli("audit", "verify", "--deep", env=env)
    assert deep.returncode == 0, deep.stdout + deep.stderr

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_checkpoints"))
        connection.execute(text("UPDATE audit_tree SET size = 0"))
        connection.execute(text("DELETE FROM audit_entries WHERE seq > 3"))
        leaf = connection.execute(text("SELECT leaf FROM audit_entries WHERE seq = 3")).scalar()
        digest = hashlib.sha256(str(leaf).encode()).hexdigest()
        connection.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": digest})
    engine.dispose()

    elsewhere = tmp_path / "empty.log"
    elsewhere.write_text("")
    unwitnessed = gateway_cli("audit", "verify", "--witnessed", str(elsewhere), env=env)
    assert unwitnessed.returncode == 0, unwitnessed.stdout  # consistent with itself
    cut = gateway_cli("audit", "verify", env=env)
    assert cut.returncode == 1
    assert json.loads(cut.stdout)["problem"] == "entries are missing at the end"
