"""`gateway worker --once` as an operator runs it: a real process posting what is due."""

from __future__ import annotations

import json
from pathlib import Path

from joserfc import jws
from joserfc.jwk import KeySet

from gateway.crypto.keyring import Keyring, ensure_local_keys
from gateway.delivery import outbox
from tests.delivery.helpers import hook
from tests.support.gateway import Gateway
from tests.support.receiver import Receiver
from tests.test_cli import gateway_cli


def test_gateway_worker_once_posts_what_is_due_signed_with_the_local_key(
    sqlite_template: Path, tmp_path: Path, receiver: Receiver
) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    (tmp_path / "gateway.db").write_bytes(sqlite_template.read_bytes())
    ensure_local_keys(tmp_path / "keys")
    gateway = Gateway(url, tmp_path)
    try:
        vo = gateway.make_org("school_vo")
        hook(gateway, vo, receiver.url)
        with gateway.services.db.unit_of_work() as session:
            data = {"match_id": "vim_1", "signal_id": "sig_1"}
            note = outbox.emit(
                session, org_id=vo.id, event="signal.match", data=data, now=gateway.clock.now()
            )
    finally:
        gateway.close()
    env = {"GATEWAY_DATA_DIR": str(tmp_path), "GATEWAY_DATABASE_URL": url}
    result = gateway_cli("worker", "--once", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"attempted": 1}
    (post,) = receiver.posts
    assert post.key == note.id
    keys = KeySet.import_key_set(Keyring.local(tmp_path / "keys").signing.jwks())  # type: ignore[arg-type]
    verified = jws.deserialize_compact(post.body.decode(), keys, algorithms=["Ed25519"])
    assert json.loads(verified.payload)["data"] == data
    again = gateway_cli("worker", "--once", env=env)
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"attempted": 0}
