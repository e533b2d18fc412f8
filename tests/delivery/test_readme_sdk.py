"""The README's client examples, run as they are written against a served gateway that
delivers webhooks: a school pushes with `private_key_jwt`, the receiving school's
system gets the signed webhook and reads the dossier."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx2
import pytest
from joserfc.jwk import OKPKey

from connectors.sdk import GatewayClient
from tests.support.served import ROOT, ServedGateway, free_port

EXAMPLE = re.compile(r"<!-- example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)
PUPIL = {"bsn": "111222333", "birth_date": "2014-06-01"}


def examples() -> dict[str, str]:
    return dict(EXAMPLE.findall((ROOT / "README.md").read_text()))


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            found.put(line.strip())

    threading.Thread(target=read, daemon=True).start()
    return found


def wait_for(lines: queue.Queue[str], prefix: str, seconds: float = 90) -> str:
    while True:
        try:
            line = lines.get(timeout=seconds)
        except queue.Empty:
            pytest.fail(f"no line starting {prefix!r}")
        if line.startswith(prefix):
            return line


def add_org(served: ServedGateway, *args: str) -> dict[str, str]:
    done = served.cli("orgs", "add", *args, "--json")
    assert done.returncode == 0, done.stderr
    found: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_readme_examples_push_and_receive(tmp_path: Path) -> None:
    blocks = examples()
    assert set(blocks) == {"school", "receiver"}
    served = ServedGateway(f"sqlite:///{tmp_path / 'gateway.db'}", tmp_path / "var")
    served.env |= {"GATEWAY_DELIVERY_IN_SERVE": "true", "GATEWAY_DELIVERY_POLL_SECONDS": "0.2"}
    served.start()
    receiving: subprocess.Popen[str] | None = None
    try:
        key = OKPKey.generate_key("Ed25519", auto_kid=True)
        key_file, jwks_file = tmp_path / "school.jwk", tmp_path / "school.jwks.json"
        key_file.write_text(json.dumps(key.as_dict(private=True)))
        jwks_file.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
        po = add_org(
            served, "--name", "OBS De Hien", "--kind", "school_po", "--jwks-file", str(jwks_file)
        )
        vo = add_org(served, "--name", "Da Vinci College", "--kind", "school_vo")
        # The pupil is the PO school's own; the VO school has the aanmelding.
        with GatewayClient(
            served.base, client_id=po["client_id"], key=key, actor="admin-1"
        ) as school:
            school.request(
                "POST",
                "/v1/enrolments",
                purpose="leerling.inschrijving",
                json={"subject": PUPIL, "status": "ingeschreven"},
            )
        vo_token = served.token(vo["client_id"], vo["client_secret"])
        enrolled = httpx2.post(
            f"{served.base}/v1/enrolments",
            json={"subject": PUPIL, "status": "aangemeld"},
            headers={
                "Authorization": f"Bearer {vo_token}",
                "X-Purpose": "overdracht.po_vo",
                "X-Actor": "admin-vo",
            },
        )
        assert enrolled.status_code == 201, enrolled.text

        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GATEWAY_URL": served.base,
            "SCHOOL_KEY_FILE": str(key_file),
            "SCHOOL_CLIENT_ID": po["client_id"],
            "VO_ORG_ID": vo["id"],
            "VO_CLIENT_ID": vo["client_id"],
            "VO_CLIENT_SECRET": vo["client_secret"],
            "PUPIL_BSN": PUPIL["bsn"],
            "PUPIL_BIRTH_DATE": PUPIL["birth_date"],
            "WEBHOOK_PORT": str(free_port()),
        }
        receiving = subprocess.Popen(
            [sys.executable, "-c", blocks["receiver"]],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines = lines_of(receiving)
        wait_for(lines, "listening")
        pushing = subprocess.run(
            [sys.executable, "-c", blocks["school"]],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert pushing.returncode == 0, pushing.stderr
        _, transfer_id, status = pushing.stdout.split()
        assert status == "available"
        received = wait_for(lines, "received").split(maxsplit=2)
        assert received[1] == transfer_id
        assert "overstapadvies" in received[2]
        # The push again, with its Idempotency-Key: the same transfer, nothing new to tell.
        again = subprocess.run(
            [sys.executable, "-c", blocks["school"]],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert again.stdout.split()[1] == transfer_id
        with GatewayClient(
            served.base, client_id=vo["client_id"], secret=vo["client_secret"], actor="x"
        ) as vo_client:
            notes = vo_client.notifications()["items"]
        assert [n["data"]["transfer_id"] for n in notes] == [transfer_id]
    finally:
        if receiving is not None:
            receiving.kill()
            receiving.wait(timeout=30)
            if receiving.stdout is not None:
                receiving.stdout.close()
        served.stop()
