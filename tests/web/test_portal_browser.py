"""The portal in a real browser, end to end, as a parent on a phone.

Headless Chromium (Debian's `chromium`, driven by Playwright) logs a parent in through a
real OpenID Connect provider process (deploy/dev-idp, npm `oidc-provider`) against the
gateway served by uvicorn on a random port, with JavaScript switched off: the portal and
its explanations of words work without it. The parent grants a consent, records
inzage with a zienswijze on the waiting dossier, reads the SWV's TLV decision with its
objection route, withdraws the consent and finds each act in the child's access log; a
pupil of 16 reads their own data; a parent and a pupil of 13 each open the knooppunt
case about them and add their own view. Every page is saved as test-artifacts/portal/NN-name.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    LivePortal,
    live_portal_at,
)
from tests.support.idp import PARENT, PUPIL_13, PUPIL_16
from tests.support.portal import (
    AGREEMENTS,
    CHILD,
    OVERSTAP,
    join_case,
    register_gezag,
    start_case,
    write_case_entry,
)

SHOTS = ARTIFACTS / "portal"
PHONE = {"width": 390, "height": 844}
ZIENSWIJZE = "Sam heeft extra tijd nodig bij toetsen; dat staat niet in het dossier."


@pytest.fixture
def live_portal(tmp_path: Path) -> Iterator[LivePortal]:
    with live_portal_at(tmp_path) as live:
        yield live


@pytest.fixture
def page() -> Iterator[Page]:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, locale="nl-NL", java_script_enabled=False)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def log_in(
    page: Page,
    portal: LivePortal,
    account: tuple[str, str] = PARENT,
    overview: str = "Mijn kinderen",
) -> None:
    page.goto(f"{portal.url}/portaal/")
    expect(page.get_by_role("heading", name="Welkom")).to_be_visible()
    shot(page, "01-start")
    page.get_by_role("link", name="Inloggen met DigiD").click()
    expect(page.get_by_text("Ontwikkel-IdP — niet voor productie")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill(account[0])
    page.get_by_label("Wachtwoord").fill("demo")
    shot(page, "02-idp-inloggen")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name=overview, level=1)).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name=overview)).to_be_visible()
    shot(page, "03-overzicht")


def send_tlv_decision(portal: LivePortal) -> None:
    """The SWV's TLV decision to the primary school, about the parent's child."""
    swv = portal.gateway.make_org("swv_po", name="SWV Onderwijs dat Past")
    sent = portal.gateway.client.post(
        "/v1/transfers",
        json={
            "recipient": portal.region.po.id,
            "subject": CHILD,
            "dossier": {"leerling": {}, "tlv_besluit": {"besluit": "toegekend", "soort": "tlv"}},
        },
        headers=swv.headers(purpose="tlv.besluit", actor="tlv-1", role="tlv_commissie"),
    )
    assert sent.status_code == 201, sent.text


def read_tlv_decision(page: Page) -> None:
    decision = page.locator("li.kaart", has=page.get_by_role("heading", level=3, name="Besluit"))
    expect(decision.get_by_role("heading")).to_have_text("Besluit over toelaatbaarheid (TLV)")
    expect(decision).to_contain_text("Sam de Vries naar het speciaal basisonderwijs")
    expect(decision).to_contain_text(
        "Dan kunt u bezwaar maken. Stuur binnen 6 weken een brief naar SWV Onderwijs dat Past."
    )


def grant_referral_consent(page: Page) -> None:
    page.get_by_role("link", name="Toestemming geven").click()
    page.get_by_label("Waarvoor geeft u toestemming?").select_option("jeugdhulp.verwijzing")
    shot(page, "05-toestemming-doel")
    page.get_by_role("button", name="Verder").click()
    page.get_by_label("Sociaal Wijkteam Dordrecht").check()
    expect(page.get_by_label("Ontwikkelingsperspectiefplan (OPP)")).to_be_visible()
    expect(page.get_by_text("Wat dan al gedeeld is, blijft bij de organisatie")).to_be_visible()
    page.get_by_label("Gegevens van ouders en verzorgers").check()
    page.get_by_label("Geldig tot en met").fill("2016-12-31")
    shot(page, "06-toestemming-formulier")
    page.get_by_role("button", name="Toestemming geven").click()
    expect(page.get_by_role("status")).to_have_text("Uw toestemming is vastgelegd.")
    shot(page, "07-toestemming-gegeven")


def record_inzage(page: Page) -> None:
    page.get_by_role("link", name="Dossier inzien en reageren").click()
    expect(page.get_by_role("heading", name="Schooladvies")).to_be_visible()
    expect(page.get_by_text("Tegenhouden kunt u het dossier niet")).to_be_visible()
    explained = page.get_by_text("Uw zienswijze is uw mening over het dossier")
    expect(explained).to_be_hidden()
    page.get_by_text("Wat betekenen inzage en zienswijze?").click()
    expect(explained).to_be_visible()
    page.get_by_label("Nee, niet helemaal").check()
    page.get_by_label("Uw zienswijze").fill(ZIENSWIJZE)
    shot(page, "08-dossier-inzage")
    page.get_by_role("button", name="Inzage vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw inzage is vastgelegd")
    expect(page.get_by_text("U heeft het dossier op 15 april 2016 ingezien.")).to_be_visible()
    shot(page, "09-inzage-vastgelegd")


def test_a_parent_consents_gives_inzage_withdraws_and_reads_the_log(
    live_portal: LivePortal, page: Page
) -> None:
    send_tlv_decision(live_portal)
    log_in(page, live_portal)
    page.get_by_role("link", name="Sam de Vries").click()
    expect(page.get_by_role("heading", name="Sam de Vries", level=1)).to_be_visible()
    expect(page.get_by_text("*****2333")).to_be_visible()
    read_tlv_decision(page)
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("Het geeft zelf geen toestemming om gegevens te delen.")
    expect(footer).not_to_contain_text("Uw gegevens")
    shot(page, "04-kind")

    grant_referral_consent(page)
    record_inzage(page)
    school = live_portal.region.vo
    read = live_portal.gateway.client.get(
        f"/v1/transfers/{live_portal.region.transfer_id}",
        headers=school.headers(purpose=OVERSTAP, actor="mentor-7", role="mentor"),
    )
    assert (read.status_code, read.json()["zienswijze"]) == (200, ZIENSWIJZE)

    page.get_by_role("button", name="Toestemming intrekken").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Gegevens die een organisatie al eerder kreeg, blijven bij die organisatie."
    )
    page.reload()
    log = page.locator("ol.log")
    you = "U (rol: ouder, via het ouderportaal)"
    referral = (
        "een verwijzing naar het wijkteam, jeugdhulp, schoolmaatschappelijk werk of de "
        "jeugdgezondheidszorg"
    )
    for act in (
        f"{you} legde een toestemming vast voor {referral}",
        f"{you} las het dossier voor uw recht op inzage",
        f"{you} legde de inzage in het dossier vast voor uw recht op inzage",
        f"{you} trok een toestemming in voor {referral}",
        "Da Vinci College (rol: mentor) las het dossier voor overdracht naar het voortgezet",
    ):
        expect(log).to_contain_text(act)
    assert "111222333" not in page.url and "111222333" not in page.content()
    shot(page, "10-toegangslog")
    ask_for_a_correction(page)


def ask_for_a_correction(page: Page) -> None:
    """The inzage report opens from the child's page; a correction is filed from it."""
    page.get_by_role("link", name="Overzicht van alle gegevens").click()
    heading = "Inzage: alle gegevens van Sam de Vries"
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Wie de gegevens heeft gebruikt")).to_be_visible()
    page.get_by_label("Gegevens verbeteren").check()
    page.get_by_label("Bij welke organisatie?").select_option(label="OBS De Hien")
    page.get_by_label("Welke gegevens kloppen niet").fill("De achternaam is verkeerd gespeld")
    page.get_by_role("button", name="Verzoek indienen").click()
    expect(page.get_by_role("status")).to_contain_text("Het verzoek is ingediend")
    expect(page.get_by_text("Antwoord uiterlijk op 15 mei 2016")).to_be_visible()
    shot(page, "11-inzage-verzoek")


def test_a_pupil_of_16_reads_their_own_data_and_a_parent_the_rule_that_applies(
    live_portal: LivePortal, page: Page
) -> None:
    noor = {"bsn": PUPIL_16[1], "birth_date": "1999-03-01", "given_name": "Noor"}
    register_gezag(live_portal.gateway, live_portal.region.po, noor, PARENT[1])

    log_in(page, live_portal)
    page.get_by_role("link", name="Noor").click()
    expect(page.get_by_text("Daarom regelt Noor de privacy nu zelf")).to_be_visible()
    expect(page.get_by_text("het onderwijskundig rapport (het dossier voor")).to_be_visible()
    shot(page, "11-kind-van-16")
    page.get_by_role("button", name="Uitloggen").click()
    page.context.clear_cookies()  # the IdP's own session too: another person logs in

    log_in(page, live_portal, PUPIL_16, overview="Mijn gegevens")
    expect(page.get_by_text("Mijn kinderen")).to_have_count(0)
    page.get_by_role("link", name="Noor").click()
    expect(page.get_by_role("link", name="Terug naar mijn gegevens")).to_be_visible()
    shot(page, "12-mijn-gegevens")


def open_case(page: Page, name: str, heading: str) -> None:
    page.get_by_role("link", name=name).click()
    cases = page.locator("section", has=page.get_by_role("heading", name="Overleg over"))
    expect(cases.get_by_role("heading", level=3)).to_have_text("Knooppunt")
    cases.get_by_role("link", name="Overleg bekijken").click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


def test_a_parent_and_a_pupil_of_12_see_the_case_and_add_their_view(
    live_portal: LivePortal, page: Page
) -> None:
    gateway, school = live_portal.gateway, live_portal.region.po
    wijkteam = live_portal.region.wijkteam
    daan = {"bsn": PUPIL_13[1], "birth_date": "2003-01-10", "given_name": "Daan"}  # 13
    register_gezag(gateway, school, daan, PARENT[1])
    for child in (CHILD, daan):
        case_id = start_case(gateway, school, child)
        join_case(gateway, case_id, school, wijkteam, "jeugdprofessional")
        write_case_entry(gateway, case_id, wijkteam, "knooppunt_afspraken", AGREEMENTS)

    log_in(page, live_portal)
    open_case(page, "Sam de Vries", "Knooppunt over Sam de Vries")
    expect(page.get_by_text("Dit overleg loopt nog.")).to_be_visible()
    seat = page.locator("li.kaart", has=page.get_by_role("heading", name="Sociaal Wijkteam"))
    expect(seat).to_contain_text("jeugdprofessional")
    expect(seat).to_contain_text("ja, mag beslissen namens de organisatie")
    expect(page.get_by_text("Onderwijs, op school; eigenaar: de school")).to_be_visible()
    explained = page.get_by_text("Wie mandaat heeft, mag in het overleg beslissen")
    expect(explained).to_be_hidden()
    page.get_by_text("Wat betekent mandaat?").click()
    expect(explained).to_be_visible()
    shot(page, "13-overleg-ouder")
    page.get_by_label("Hoe ziet u het?").fill("Sam heeft rust nodig in de klas.")
    page.get_by_role("button", name="Visie toevoegen").click()
    expect(page.get_by_role("status")).to_have_text("Uw visie is toegevoegd aan het overleg.")
    view = page.locator("li.kaart", has=page.get_by_role("heading", name="Eigen visie"))
    expect(view).to_contain_text("Geschreven door u")
    expect(view).to_contain_text("Ook te lezen voor: OBS De Hien, Sociaal Wijkteam Dordrecht.")
    shot(page, "14-eigen-visie")
    page.get_by_role("button", name="Uitloggen").click()
    page.context.clear_cookies()

    log_in(page, live_portal, PUPIL_13, overview="Mijn gegevens")
    open_case(page, "Daan", "Knooppunt over jou")
    expect(page.get_by_text("Jij en je ouders doen mee.")).to_be_visible()
    page.get_by_label("Hoe zie jij het?").fill("Ik wil in mijn eigen klas blijven.")
    page.get_by_role("button", name="Visie toevoegen").click()
    expect(page.get_by_role("status")).to_have_text("Je visie is toegevoegd aan het overleg.")
    expect(page.get_by_text("Ik wil in mijn eigen klas blijven.")).to_be_visible()
    shot(page, "15-overleg-leerling")
