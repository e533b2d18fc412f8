"""The privacy officer's workplace in a real browser, end to end.

Headless Chromium (Debian's `chromium`, driven by Playwright) with JavaScript off logs
the FG of Da Vinci College in through the real dev IdP process, against the gateway
served by uvicorn: the overview with its alerts and two SVG charts, an alert's search,
the search form, the CSV export, the look-up of a pupil by BSN (a POST form), and the
register of processing; a member of staff who is no FG is refused. Every page is saved
as test-artifacts/fg/NN-name.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from gateway.audit import reviews
from gateway.web.security import CSP
from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    LivePortal,
    live_portal_at,
)
from tests.support.fg import event, put, register_officer
from tests.support.idp import OFFICER, STAFF
from tests.support.portal import CHILD

SHOTS = ARTIFACTS / "fg"
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def live_portal(tmp_path: Path) -> Iterator[LivePortal]:
    with live_portal_at(tmp_path) as live:
        yield live


@pytest.fixture
def browser() -> Iterator[Browser]:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser: Browser) -> Page:
    context = browser.new_context(
        viewport=DESK, locale="nl-NL", java_script_enabled=False, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def a_fortnight_at_the_school(live: LivePortal) -> None:
    """Da Vinci's log: daily reads and a few refusals, then a day of many refusals, a
    colleague reading far more than the rest, another's tries on its objects, a
    break-glass use to review and a verwijsindex alert."""
    gateway, vo, wijkteam = live.gateway, live.region.vo, live.region.wijkteam
    now = gateway.clock.now()
    pupil = gateway.keyring.pseudonyms.subject_ref(CHILD["bsn"])
    for back in range(1, 14):
        day = now - timedelta(days=back)
        reads = [event(vo.id, actor=f"mentor-{n}", subject_ref=pupil) for n in range(3)]
        put(gateway, *reads, event(vo.id, effect="deny", code="no_consent"), at=day)
    refused = [
        event(wijkteam.id, actor="wt-7", effect="deny", code="forbidden", owner=vo.id)
        for _ in range(9)
    ]
    busy = [event(vo.id, actor="mentor-9", subject_ref=pupil) for _ in range(120)]
    probe = event(
        vo.id,
        action="signal.volume_alert",
        purpose="verwijsindex.signaal",
        effect="deny",
        code="unusual_volume",
    )
    put(gateway, *refused, *busy, probe, at=now)
    with gateway.services.db.sessions() as session, session.begin():
        reviews.open_review(
            session,
            org_id=vo.id,
            actor="zorg-1",
            purpose="meldcode.melding",
            object_id="tr_demo",
            subject_ref=pupil,
            parents_told=False,
            now=now,
        )


def log_in(page: Page, live: LivePortal, account: tuple[str, str]) -> None:
    page.goto(f"{live.url}/portaal/fg/")
    welcome = page.get_by_role("heading", name="Werkplek functionaris gegevensbescherming")
    expect(welcome).to_be_visible()
    if account == OFFICER:
        shot(page, "01-start")
    page.get_by_role("link", name="Inloggen als FG").click()
    expect(page.get_by_text("Ontwikkel-IdP — niet voor productie")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill(account[0])
    page.get_by_label("Wachtwoord").fill("demo")
    if account == OFFICER:
        shot(page, "02-idp-inloggen")
    page.get_by_role("button", name="Inloggen").click()


def test_the_fg_supervises_da_vinci_college_in_a_browser(
    live_portal: LivePortal, browser: Browser
) -> None:
    register_officer(live_portal.gateway, live_portal.region.vo, OFFICER[1])
    a_fortnight_at_the_school(live_portal)
    page = new_page(browser)

    log_in(page, live_portal, OFFICER)
    expect(page.get_by_role("heading", name="Overzicht voor Da Vinci College")).to_be_visible()
    expect(page.get_by_role("heading", name="Veel weigeringen op 15 april 2016")).to_be_visible()
    expect(page.get_by_text("Persoon mentor-9 bekeek 120 keer gegevens")).to_be_visible()
    expect(page.get_by_role("heading", name="Doorbraak wacht op uw beoordeling")).to_be_visible()
    expect(page.get_by_role("heading", name="Mogelijk zoeken in de verwijsindex")).to_be_visible()
    expect(page.get_by_role("img", name="Toegang per doel")).to_be_visible()
    expect(page.get_by_role("img", name="Weigeringen per dag")).to_be_visible()
    shot(page, "03-overzicht")
    overview = page.request.get(f"{live_portal.url}/portaal/fg/")
    assert overview.headers["content-security-policy"] == CSP

    spike = page.locator("li.kaart", has=page.get_by_role("heading", name="Veel weigeringen"))
    spike.get_by_role("link", name="Bekijk de regels").click()
    expect(page.get_by_role("heading", name="Zoeken in het logboek")).to_be_visible()
    expect(page.get_by_label("Besluit")).to_have_value("deny")
    expect(page.get_by_role("cell", name="Sociaal Wijkteam Dordrecht").first).to_be_visible()
    shot(page, "04-zoeken-signaal")

    page.get_by_role("link", name="Zoeken", exact=True).click()
    page.get_by_label("Doel").select_option("overdracht.po_vo")
    page.get_by_label("Besluit").select_option("permit")
    page.get_by_label("Van").fill("2016-04-10")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("cell", name="toegestaan").first).to_be_visible()
    expect(page.get_by_role("link", name="Oudere regels")).to_be_visible()
    shot(page, "05-zoeken")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteer als CSV").click()
    saved = SHOTS / "export.csv"
    download.value.save_as(saved)
    assert saved.read_text().startswith("volgnummer,tijd (UTC),organisatie")
    assert download.value.suggested_filename.startswith("logboek-")

    page.get_by_role("link", name="Leerling opzoeken").click()
    page.get_by_label("BSN van de leerling").fill(CHILD["bsn"])
    shot(page, "06-leerling-formulier")
    page.get_by_role("button", name="Opzoeken").click()
    expect(page.get_by_role("heading", name="Leerling met BSN")).to_be_visible()
    expect(page.get_by_role("button", name="Maak het inzagerapport")).to_be_visible()
    assert CHILD["bsn"] not in page.url and CHILD["bsn"] not in page.content()
    shot(page, "07-leerling")
    page.get_by_role("button", name="Oudere regels").click()
    expect(page.get_by_role("heading", name="Leerling met BSN")).to_be_visible()
    assert CHILD["bsn"] not in page.content()
    page.get_by_role("button", name="Maak het inzagerapport").click()
    expect(
        page.get_by_role("heading", name="Inzagerapport van de leerling met BSN")
    ).to_be_visible()
    expect(page.get_by_text("Da Vinci College").first).to_be_visible()
    assert CHILD["bsn"] not in page.url and CHILD["bsn"] not in page.content()
    shot(page, "07b-inzagerapport")

    page.get_by_role("link", name="Verwerkingsregister").click()
    expect(page.get_by_role("heading", name="Verwerkingsregister", level=1)).to_be_visible()
    expect(page.get_by_text("overdracht.po_vo").first).to_be_visible()
    shot(page, "08-verwerkingsregister")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("status")).to_have_text("U bent uitgelogd.")
    page.context.close()

    stranger = new_page(browser)
    log_in(stranger, live_portal, STAFF)
    expect(stranger.get_by_role("heading", name="Geen toegang")).to_be_visible()
    shot(stranger, "09-geen-fg")
    stranger.context.close()
