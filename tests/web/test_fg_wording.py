"""The FG pages count in Dutch (one weigering, two weigeringen) and give a refused
entry's reason in Dutch, not as the API's English code."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from gateway.audit.alerts import Alert, Period
from gateway.web.app import _templates
from gateway.web.fg import charts, reasons
from gateway.web.wording import counted
from policies.rules import PRECONDITION_CODES
from tests.support.fg import event, put, register_officer
from tests.support.gateway import Gateway
from tests.support.idp import OFFICER, officer_login

DAY = date(2016, 4, 15)


def test_a_count_of_one_takes_the_singular() -> None:
    assert counted(1, "weigering", "weigeringen") == "1 weigering"
    assert counted(0, "weigering", "weigeringen") == "0 weigeringen"
    assert counted(2, "weigering", "weigeringen") == "2 weigeringen"


def _overview(count: int) -> str:
    """The overview with every card that counts showing `count`."""
    search = {"beslissing": "deny"}
    found = [
        Alert("denial_spike", count, 0.0, day=DAY, search=search),
        Alert("volume", count, 1.0, actor="mentor-7", search=search),
        Alert("break_glass", count, search={"doel": "meldcode.melding"}),
        Alert("probing", count, search=search),
    ]
    period = Period.ending(datetime(2016, 4, 15, 12, tzinfo=UTC), 14)
    template = _templates().env.get_template("fg/overview.html")
    return template.render(
        officer=SimpleNamespace(org_name="Da Vinci College"),
        root="/portaal",
        csrf_token="x",
        title="Overzicht",
        requests_due={"soon": count, "overdue": count},
        alerts=found,
        period=period,
        last_day=period.days()[-1],
        by_purpose={"overdracht.po_vo": count},
        denied={DAY: count},
        purpose_chart=charts.purposes({"overdracht.po_vo": count}),
        denial_chart=charts.denials({DAY: count}),
        query=lambda search: "",
    )


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_count_on_the_overview_agrees_with_its_noun() -> None:
    one = _text(_overview(1))
    for singular in (
        "1 weigering,",
        "1 weigering van",
        "1 verzoek is over de termijn",
        "1 verzoek moet binnen 7 dagen",
        "gaf 1 waarschuwing over",
        "1 keer is gehandeld",
    ):
        assert singular in one, singular
    assert not re.search(r"\b1 (weigeringen|verzoeken|waarschuwingen)\b", one)
    two = _text(_overview(2))
    for plural in (
        "2 weigeringen,",
        "2 weigeringen van",
        "2 verzoeken zijn over de termijn",
        "2 verzoeken moeten binnen 7 dagen",
        "gaf 2 waarschuwingen over",
        "2 keer is gehandeld",
    ):
        assert plural in two, plural


def test_the_overview_of_a_period_with_one_refusal_says_one_weigering(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    put(portal, event(school.id, effect="deny", code="not_found"))
    assert officer_login(portal.client).status_code == 303
    page = _text(portal.client.get("/portaal/fg/").text)
    assert "1 weigering van" in page and "1 weigeringen" not in page


@pytest.mark.parametrize(
    ("code", "dutch"),
    [
        ("not_found", "niet gevonden, of van een andere organisatie"),
        ("consent_missing", "de nodige toestemming ontbreekt"),
        ("inzage_missing", "niet vervuld: inzage door de ouders vóór verstrekking"),
        ("unknown_purpose", "dit doel bestaat niet in de regels"),
    ],
)
def test_a_known_code_reads_as_a_dutch_phrase(code: str, dutch: str) -> None:
    assert reasons.reason(code) == dutch


def test_every_precondition_code_has_its_phrase_and_an_unknown_code_a_dutch_lead_in() -> None:
    assert set(PRECONDITION_CODES.values()) <= set(reasons.REASONS)
    assert reasons.reason("brand_new_code") == "code zonder omschrijving: brand_new_code"


def test_the_fg_table_gives_a_refusal_reason_in_dutch(portal: Gateway) -> None:
    school = portal.make_org("school_vo", name="Da Vinci College")
    register_officer(portal, school, OFFICER[1])
    put(
        portal,
        event(school.id, actor="a-1", effect="deny", code="not_found"),
        event(school.id, actor="a-2", effect="deny", code="brand_new_code"),
    )
    assert officer_login(portal.client).status_code == 303
    page = _text(portal.client.get("/portaal/fg/zoeken").text)
    assert "Reden: niet gevonden, of van een andere organisatie" in page
    assert "Reden: code zonder omschrijving: brand_new_code" in page
    assert "redencode" not in page and "not_found" not in page
    # The CSV keeps the bare code, for whoever sorts or filters on it.
    csv = portal.client.get("/portaal/fg/export.csv").text
    assert ",not_found" in csv or ";not_found" in csv
