"""The parents read the SWV's decision in the portal as a beschikking: what was decided,
until when it holds, and until when they may object; never the experts' advice."""

from __future__ import annotations

import re

from tests.support.gateway import Gateway
from tests.support.idp import PARENT, login
from tests.support.portal import CHILD, child_url, make_region
from tests.tlv.procedure import advised, decide, open_tlv, parties, push, request_dossier


def test_the_parents_see_the_decision_with_its_validity_and_objection_deadline(
    portal: Gateway,
) -> None:
    region = make_region(portal, PARENT[1])
    p = parties(portal, region.po, CHILD)
    request_id = push(portal, p.school, p.swv, "tlv.aanvraag", request_dossier(), pupil=CHILD)
    opened = open_tlv(portal, p.swv, request_id)
    assert opened.status_code == 201, opened.text
    tlv_id = opened.json()["id"]
    advised(portal, p, tlv_id, pupil=CHILD)
    assert decide(portal, p.swv, tlv_id).status_code == 200
    assert login(portal.client, PARENT).status_code == 303

    page = portal.client.get(child_url(portal.client)).text

    decision = re.search(r'<section aria-labelledby="kop-besluiten">(.*?)</section>', page, re.S)
    assert decision is not None
    for said in (
        "<h3>Besluit over toelaatbaarheid (TLV)</h3>",
        "Van SWV Onderwijs dat Past, gestuurd op 15 april 2016.",
        "Het samenwerkingsverband heeft de TLV toegekend.",
        "Categorie: midden.",
        "De TLV geldt van 1 augustus 2016 tot 31 juli 2018.",
        "U kunt bezwaar maken tot en met 27 mei 2016.",
        "artikel 6:5 en 6:7",
    ):
        assert said in decision.group(1), said
    assert "Toelaatbaar" not in page  # the experts' advice stays with the SWV
    assert "nam een besluit over de TLV" in page  # the access log's line
