"""The FG workplace's parts on their own: the SVG charts, the CSV cells, the art. 30 API."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from gateway.audit.models import AuditEntry
from gateway.core.settings import Settings
from gateway.web.fg import access, charts, export
from gateway.web.oidc import LoginClaims
from tests.support.gateway import Gateway

OFFICER = {"purpose": "audit.toezicht", "actor": "fg-1", "role": "fg"}
HOSTILE = '<script>alert(1)</script>" onload="x'


def _no_active_content(svg: str) -> None:
    """Parsed as XML: no script or foreign element, no event handler, style or link."""
    # Our own output, built in this test from known input: no untrusted XML.
    for element in ElementTree.fromstring(svg).iter():  # noqa: S314
        tag = element.tag.rsplit("}", 1)[-1].lower()
        assert tag not in {"script", "foreignobject", "a", "image", "use", "style"}, tag
        for name in element.attrib:
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on") and local not in {"style", "href"}, name


def test_the_charts_are_plain_svg_with_a_title_and_a_description() -> None:
    by_purpose = charts.purposes({"overdracht.po_vo": 12, HOSTILE: 3})
    days = {date(2026, 4, 1) + timedelta(days=n): n % 3 for n in range(14)}
    by_day = charts.denials(days)
    for svg in (str(by_purpose), str(by_day)):
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert 'role="img"' in svg and "<title " in svg and "<desc " in svg
        _no_active_content(svg)
    assert "&lt;script&gt;" in str(by_purpose)
    assert "13 weigeringen" in str(by_day)


def test_an_empty_period_still_draws_and_says_so() -> None:
    assert "Geen toegang in deze periode." in str(charts.purposes({}))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(start: str) -> None:
    assert export.safe(f"{start}1+1") == f"'{start}1+1"


def test_a_plain_cell_is_left_as_it_is() -> None:
    assert export.safe("mentor-7") == "mentor-7" and export.safe("") == ""


def test_the_register_api_serves_the_officers_own_register(gateway: Gateway) -> None:
    officer = gateway.make_org("school_vo", scopes=["audit:read"])
    answer = gateway.client.get("/v1/audit/register", headers=officer.headers(**OFFICER))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["controller"] == officer.id
    ids = [activity["id"] for activity in body["activities"]]
    assert "overdracht.po_vo" in ids and "audit.toezicht" in ids
    overstap = next(a for a in body["activities"] if a["id"] == "overdracht.po_vo")
    assert "school_po" in overstap["sender_kinds"] and "school_vo" in overstap["recipient_kinds"]
    assert overstap["legal_basis"] and overstap["retention"] and overstap["consent"]
    assert "sr_" not in answer.text and "ps_" not in answer.text
    with gateway.services.db.sessions() as session:
        logged = session.query(AuditEntry).filter_by(org=officer.id).all()
    assert [(e.action, e.decision) for e in logged] == [("audit.register", "permit")]


def test_the_register_api_asks_the_audit_scope_and_the_supervision_purpose(
    gateway: Gateway,
) -> None:
    school = gateway.make_org("school_vo")
    answer = gateway.client.get("/v1/audit/register", headers=school.headers(**OFFICER))
    assert answer.status_code == 403
    officer = gateway.make_org("school_vo", scopes=["audit:read"])
    wrong = gateway.client.get("/v1/audit/register", headers=officer.headers())
    assert wrong.status_code == 403


class _Userinfo:
    """A provider whose userinfo holds what the ID token left out."""

    def __init__(self, claims: dict[str, object]) -> None:
        self.claims = claims

    async def userinfo(self, token: dict[str, object]) -> dict[str, object]:
        return self.claims


def _asserted(trust: bool, id_token: dict[str, object], userinfo: dict[str, object]) -> str | None:
    settings = Settings(oidc_trust_role_claims=trust)
    login = LoginClaims({"sub": "x", **id_token}, {}, _Userinfo(userinfo))
    return asyncio.run(access._asserted_org(settings, login))


def test_the_idps_fg_role_counts_only_where_the_deployment_trusts_it() -> None:
    claims = {"roles": ["fg"], "org": "org_a"}
    assert _asserted(True, claims, {}) == "org_a"
    assert _asserted(False, claims, {}) is None
    assert _asserted(True, {}, claims) == "org_a"  # from the userinfo
    assert _asserted(True, {"roles": "medewerker fg", "org": "org_a"}, {}) == "org_a"
    assert _asserted(True, {"roles": ["mentor"], "org": "org_a"}, {}) is None
    assert _asserted(True, {"roles": ["fg"]}, {}) is None
    assert _asserted(True, {"roles": ["fg"], "org": ["org_a"]}, {}) is None
