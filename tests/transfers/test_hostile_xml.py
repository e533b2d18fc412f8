"""Malformed XML, external entities and entity bombs: 422, nothing expanded or stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gateway import Gateway

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE dossier [<!ENTITY secret SYSTEM "file://%s">]>
<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2019/dossier">&secret;</dossier>"""
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">]>
<dossier>&lol7;</dossier>"""


@pytest.mark.parametrize("name", ["xxe", "bomb", "malformed", "not_oso"])
def test_hostile_or_invalid_xml_is_422(gateway: Gateway, tmp_path: Path, name: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    bodies = {
        "xxe": XXE % str(secret).encode(),
        "bomb": BOMB,
        "malformed": b"<dossier><leerling></dossier>",
        "not_oso": b"<dossier><leerling>x</leerling></dossier>",
    }
    po, vo = gateway.make_org("school_po"), gateway.make_org("school_vo")
    response = gateway.client.post(
        f"/v1/transfers?recipient={vo.id}",
        content=bodies[name],
        headers={**po.headers(), "Content-Type": "application/xml"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_dossier"
    assert "TOPSECRET" not in response.text
    assert "lol" not in response.json()["detail"]
    outbox = gateway.client.get("/v1/transfers?box=outbox", headers=po.headers())
    assert outbox.json()["items"] == []
