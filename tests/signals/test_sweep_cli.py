"""`gateway signals sweep` as an operator's scheduler runs it: a real process."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.crypto.keyring import ensure_local_keys
from tests.signals.helpers import child, reporter, signalled
from tests.support.gateway import Gateway, audit_log
from tests.test_cli import gateway_cli


def test_the_sweep_command_archives_and_destroys_by_the_system_clock(
    gateway: Gateway, database_url: str, tmp_path: Path
) -> None:
    school = reporter(gateway, "school_vo")
    # Signalled in 2016 (the tests' clock) of a child born in 2004: by today's clock two
    # years active and five archived have long passed, the 23rd birthday has not.
    made = signalled(gateway, school, child(gateway, school, 60, age=12))
    ensure_local_keys(tmp_path / "keys")
    env = {"GATEWAY_DATABASE_URL": database_url, "GATEWAY_DATA_DIR": str(tmp_path)}
    swept = gateway_cli("signals", "sweep", env=env)
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert json.loads(swept.stdout) == {"destroyed": 1, "archived": 1, "reminded": 0}
    acts = [(e["action"], e["object_id"]) for e in audit_log(gateway, school)]
    assert ("signal.expire", made["id"]) in acts and ("signal.destroy", made["id"]) in acts
    again = gateway_cli("signals", "sweep", env=env)
    assert json.loads(again.stdout) == {"destroyed": 0, "archived": 0, "reminded": 0}
