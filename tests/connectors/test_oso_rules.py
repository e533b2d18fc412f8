"""The standard's business-rule validators, run with Saxon-HE: compiled once, safe to
call from threads, and their meldingen hold no value of the pupil."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from connectors.oso import rules
from connectors.oso.parser import load_document
from tests.support import oso

M = "http://www.edustandaard.nl/oso_gegevensset/2019/schemas/Meldingen"
POVO = (oso.EXAMPLES / "Voorbeelddossier_OV_POVO_full.xml").read_bytes()
OPT_OUT = POVO.replace(
    b"<cat_verzuim>OPTIONEEL</cat_verzuim>", b"<cat_verzuim>OPT-UIT</cat_verzuim>"
)
VERZUIM = (
    'Een dossier mag geen gegevens uit de categorie "Verzuim" bevatten wanneer deze '
    "categorie is uitgezet."
)


def answer(text: str, location: str) -> bytes:
    return (
        f'<meldingen xmlns="{M}"><melding><type>Fout</type><locatie>{location}</locatie>'
        f"<tekst>{text}</tekst></melding></meldingen>"
    ).encode()


def test_the_stylesheets_are_compiled_once_per_process() -> None:
    rules.warm()
    first = rules._validators()

    rules.meldingen(load_document(POVO))

    assert rules._validators() is first


def test_a_known_text_and_a_plain_location_pass_with_their_category() -> None:
    (found,) = rules.read_meldingen(answer(VERZUIM, "/dossier[1]/huidigeschool[1]/leerling[1]"))

    assert found.text == VERZUIM
    assert found.location == "/dossier[1]/huidigeschool[1]/leerling[1]"
    assert found.category == "verzuim"


def test_a_text_that_is_not_the_stylesheets_own_is_replaced() -> None:
    # A validator that echoed the pupil's name would leak it into the problem detail.
    echoed = "De leerling Jan Berg (269326728) heeft geen adres."

    (found,) = rules.read_meldingen(answer(echoed, "/dossier[1]"))

    assert found.text == rules.UNKNOWN_TEXT
    assert "Berg" not in repr(found) and "269326728" not in repr(found)


def test_a_location_with_anything_but_element_steps_is_dropped() -> None:
    (found,) = rules.read_meldingen(answer(VERZUIM, "/dossier[1]/leerling[achternaam='Berg']"))

    assert found.location == ""


def test_the_location_maps_to_the_gateways_category() -> None:
    where = "/dossier[1]/huidigeschool[1]/leerling[1]/verzorger[2]/naam[1]"

    assert rules.category_of(where) == "oudersverzorgers"
    assert rules.category_of("/dossier[1]/metadata[1]") is None


def test_validations_from_many_threads_each_get_their_own_answer() -> None:
    documents = [POVO, OPT_OUT] * 8

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda raw: rules.errors(rules.meldingen(load_document(raw))), documents)
        )

    assert [bool(found) for found in answers] == [False, True] * 8
    assert {m.text for found in answers for m in found} == {VERZUIM}


def test_a_stylesheet_is_compiled_only_for_the_first_dossier_that_needs_it() -> None:
    validators = rules._Validators()

    validators.run("overstap", rules._for_saxon(load_document(POVO)))

    assert set(validators.executables) == {"overstap"}


def test_no_rule_reads_what_saxon_is_handed_cut_short() -> None:
    for path in (*rules.STYLESHEETS.values(), rules.INCLUDED):
        text = path.read_text("utf-8")
        assert not any(name in text for name in rules.UNREAD), path.name


def test_cutting_the_attachments_short_leaves_the_dossier_as_it_was() -> None:
    root = load_document(POVO)
    before = etree.tostring(root)

    rules.meldingen(root)

    assert etree.tostring(root) == before


def test_the_included_checks_are_the_standards_file_byte_for_byte() -> None:
    assert rules.INCLUDED.read_bytes() == oso.VALIDATOR_XSL.read_bytes()
