"""A parent's zienswijze is free text, but no bidi override: refused with the form's page."""

from __future__ import annotations

from tests.support.gateway import Gateway
from tests.support.idp import PARENT, login
from tests.support.portal import child_url, csrf_token, make_region


def test_a_zienswijze_with_a_bidi_override_is_the_forms_422_and_records_nothing(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    assert login(portal.client, PARENT).status_code == 303
    dossier_url = f"{child_url(portal.client)}/dossier/{region.transfer_id}"
    dossier = portal.client.get(dossier_url)
    refused = portal.client.post(
        f"{dossier_url}/inzage",
        data={"csrf_token": csrf_token(dossier.text), "akkoord": "nee", "zienswijze": "\u202egreB"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "Controleer het formulier" in refused.text
    outbox = portal.client.get("/v1/transfers?box=outbox", headers=region.po.headers())
    assert [t["status"] for t in outbox.json()["items"]] == ["awaiting_inzage"]
