"""Reading OSO 2019.1 dossiers: the real examples, and everything that must be refused."""

from __future__ import annotations

import datetime
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.oso import OsoDossier, OsoError, OsoInzage, OsoRulesError, parse_dossier
from gateway.crypto.bsn import is_valid_bsn
from tests.support import oso

OSO = oso.OSO
NS = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
# Personal data of the example pupil and parents: no refusal may ever echo them.
PERSONAL = ("Daan", "Berg", "Björn", "2003-03-17", "269326728", "Hoofdstraat", "Teveel zorg")


def example(name: str) -> bytes:
    return (OSO / "examples" / f"Voorbeelddossier_{name}.xml").read_bytes()


def refusal(data: bytes) -> OsoError:
    with pytest.raises(OsoError) as caught:
        parse_dossier(data)
    error = caught.value
    # No libxml2 message rides along in a chained exception.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    for word in PERSONAL:
        assert word not in error.reason and word not in str(error)
    return error


POVO_FULL = example("OV_POVO_full")
FULL_PO = frozenset(
    {
        "school",
        "leerling",
        "oudersverzorgers",
        "schoolloopbaan",
        "overstapadvies",
        "onderwijsondersteuning",
        "verzuim",
        "eindtoetsbo",
        "toetsresultaten",
        "handelingsplannen",
        "cijferlijsten",
        "bijlagedocs",
    }
)
OPT_OUT = frozenset({"school", "leerling", "oudersverzorgers", "schoolloopbaan", "overstapadvies"})


# --- the examples of the standard ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "profile", "categories"),
    [
        # No peuterspeelzaal / voorschools data in POVO full (cat_vve VERBODEN).
        ("OV_POVO_full", "POVO", FULL_PO),
        ("OV_POVO_opt_out", "POVO", OPT_OUT),
        # POPO full additionally has vanpeuterspeelzaal, voorschools, vroegschools.
        ("OV_POPO_full", "POPO", FULL_PO | {"vve"}),
        ("OV_POPO_opt_out", "POPO", OPT_OUT),
        # The SWV dossier: vve but no eindtoets_basisonderwijs (cat_eindtoetsbo VERBODEN).
        ("PaO_POSWV_full", "POSWV", FULL_PO - {"eindtoetsbo"} | {"vve"}),
    ],
)
def test_example_dossiers_yield_their_profile_and_exactly_the_categories_with_data(
    name: str, profile: str, categories: frozenset[str]
) -> None:
    dossier = parse_dossier(example(name))

    assert dossier.profile == profile
    assert dossier.categories == categories
    assert not dossier.categories & {"metadata", "ouderinzage"}
    assert len(dossier.declared) == 16


def test_povo_full_yields_the_pupil_and_the_parents_inzage() -> None:
    dossier = parse_dossier(POVO_FULL)

    assert dossier.bsn == "269326728" and is_valid_bsn(dossier.bsn)
    assert dossier.birth_date == datetime.date(2003, 3, 17)
    assert dossier.given_name == "Daan"  # roepnaam before the first voornaam
    assert dossier.family_name == "van de Berg"
    assert dossier.inzage == OsoInzage(
        date=datetime.date(2016, 3, 31),
        akkoord=False,
        zienswijze="Teveel zorggegevens in het dossier",
    )
    assert dossier.declared["vve"] == "VERBODEN"
    assert dossier.declared["onderwijsondersteuning"] == "OPTIONEEL"
    assert dossier.raw == POVO_FULL


@pytest.mark.parametrize("name", ["OV_POVO_opt_out", "OV_POPO_full", "OV_POPO_opt_out"])
def test_overstap_examples_carry_a_valid_bsn(name: str) -> None:
    bsn = parse_dossier(example(name)).bsn

    assert bsn is not None and is_valid_bsn(bsn)


def test_swv_dossier_has_no_bsn_as_rule_pao_ll12_forbids_it() -> None:
    dossier = parse_dossier(example("PaO_POSWV_full"))

    assert dossier.bsn is None
    assert dossier.declared["onderwijsondersteuning"] == "VERPLICHT"


def test_repr_shows_structure_but_no_personal_data() -> None:
    dossier = parse_dossier(POVO_FULL)

    text = repr(dossier) + repr(dossier.inzage)
    assert "POVO" in text and "overstapadvies" in text
    for word in PERSONAL:
        assert word not in text


def test_inzage_is_none_when_parents_have_not_seen_the_dossier() -> None:
    data = POVO_FULL.replace(b"<inzage>true</inzage>", b"<inzage>false</inzage>")

    # The standard's rules refuse an overstapdossier without inzage; read past them.
    assert parse_dossier(data, rules=None).inzage is None
    with pytest.raises(OsoRulesError):
        parse_dossier(data)


def test_inzage_without_a_date_counts_as_no_inzage() -> None:
    data = POVO_FULL.replace(b"<inzagedatum>2016-03-31</inzagedatum>", b"")

    assert parse_dossier(data, rules=None).inzage is None
    with pytest.raises(OsoRulesError):
        parse_dossier(data)


def test_akkoord_ja_is_agreement() -> None:
    data = POVO_FULL.replace(b"<akkoord>Nee</akkoord>", b"<akkoord>Ja</akkoord>")

    inzage = parse_dossier(data).inzage
    assert inzage is not None and inzage.akkoord


# --- hardening --------------------------------------------------------------------------


def with_doctype(doctype: bytes, body_from: bytes = b"<naam>Testschool</naam>") -> bytes:
    """The POVO example with a DOCTYPE and, where given, an entity in the school name."""
    head, rest = POVO_FULL.split(b"\n", 1)
    data = head + b"\n" + doctype + b"\n" + rest
    return data.replace(b"<naam>Testschool</naam>", body_from, 1)


def test_xxe_system_entity_is_refused_and_the_file_never_shows(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-7f3a91")
    data = with_doctype(
        f'<!DOCTYPE dossier [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'.encode(),
        b"<naam>&x;</naam>",
    )

    error = refusal(data)
    assert "DOCTYPE" in error.reason
    assert "CANARY" not in repr(error) and "CANARY" not in error.reason


def test_xxe_through_an_external_parameter_entity_is_refused(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY x "CANARY-7f3a91">')
    data = with_doctype(
        f'<!DOCTYPE dossier [<!ENTITY % p SYSTEM "{dtd.as_uri()}"> %p;]>'.encode(),
        b"<naam>&x;</naam>",
    )

    assert "CANARY" not in refusal(data).reason


def test_external_dtd_reference_is_refused() -> None:
    refusal(with_doctype(b'<!DOCTYPE dossier SYSTEM "http://example.invalid/oso.dtd">'))


def test_a_bare_doctype_is_refused() -> None:
    refusal(with_doctype(b"<!DOCTYPE dossier>"))


def test_billion_laughs_is_refused_fast() -> None:
    levels = [b'<!ENTITY l0 "ha">'] + [
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10)
    ]
    data = with_doctype(b"<!DOCTYPE dossier [" + b"".join(levels) + b"]>", b"<naam>&l9;</naam>")

    started = time.perf_counter()
    refusal(data)
    assert time.perf_counter() - started < 1.0


def test_an_attachment_over_the_10_mb_text_limit_is_refused() -> None:
    start = POVO_FULL.index(b"<bestandsinhoud>") + len(b"<bestandsinhoud>")
    data = POVO_FULL[:start] + b"QUFB" * 2_750_000 + POVO_FULL[start:]

    assert "limits" in refusal(data).reason


def test_nesting_deeper_than_256_is_refused() -> None:
    assert "limits" in refusal(b"<a>" * 300 + b"</a>" * 300).reason


def test_quadratic_blowup_is_refused() -> None:
    entity = b'<!ENTITY big "' + b"x" * 50_000 + b'">'
    data = with_doctype(
        b"<!DOCTYPE dossier [" + entity + b"]>", b"<naam>" + b"&big;" * 5000 + b"</naam>"
    )

    refusal(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(POVO_FULL[: len(POVO_FULL) // 2], id="truncated"),
        pytest.param(POVO_FULL.replace(b"</achternaam>", b"</achter>"), id="tag-mismatch"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, id="binary"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", id="pdf"),
        pytest.param(b'{"dossier": "Daan"}', id="json"),
    ],
)
def test_what_is_not_xml_is_refused(data: bytes) -> None:
    assert "well-formed" in refusal(data).reason


def test_text_instead_of_bytes_is_refused() -> None:
    with pytest.raises(OsoError):
        parse_dossier(POVO_FULL.decode())  # type: ignore[arg-type]


def test_xsd_invalid_dossier_is_refused_without_quoting_the_value() -> None:
    data = POVO_FULL.replace(
        b"<geboortedatum>2003-03-17</geboortedatum>",
        b"<geboortedatum>Daan 17 maart</geboortedatum>",
    )

    error = refusal(data)
    assert "XSD" in error.reason and "line" in error.reason


def test_missing_mandatory_element_is_refused() -> None:
    refusal(POVO_FULL.replace(b"<achternaam>Berg</achternaam>", b""))


def test_a_lone_global_element_of_the_xsd_is_not_a_dossier() -> None:
    # `adres` is a global element of the XSD and validates on its own.
    data = (
        f'<adres xmlns="{NS}"><soortadres>bezoek</soortadres><straat>Hoofdstraat</straat>'
        "<nummer>1</nummer><postcode>7311BA</postcode><plaats>Apeldoorn</plaats></adres>"
    ).encode()

    assert "dossier" in refusal(data).reason


def test_a_dossier_in_another_namespace_is_refused() -> None:
    refusal(
        POVO_FULL.replace(NS.encode(), b"http://www.edustandaard.nl/oso_gegevensset/2018/dossier")
    )


@pytest.mark.parametrize("value", [b"XYZ", b"povo"])
def test_unknown_profile_is_refused(value: bytes) -> None:
    error = refusal(
        POVO_FULL.replace(b"<overstap>POVO</overstap>", b"<overstap>" + value + b"</overstap>")
    )

    assert "profile" in error.reason


def test_missing_profile_is_refused() -> None:
    refusal(POVO_FULL.replace(b"<overstap>POVO</overstap>", b""))


def test_missing_categorie_uitlevering_is_refused() -> None:
    start = POVO_FULL.index(b"<categorie_uitlevering>")
    end = POVO_FULL.index(b"</categorie_uitlevering>") + len(b"</categorie_uitlevering>")

    assert "categorie_uitlevering" in refusal(POVO_FULL[:start] + POVO_FULL[end:]).reason


def test_declaration_outside_codelist_48_is_refused() -> None:
    data = POVO_FULL.replace(
        b"<cat_verzuim>OPTIONEEL</cat_verzuim>", b"<cat_verzuim>MISSCHIEN</cat_verzuim>"
    )

    assert "codelist 48" in refusal(data).reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(min_value=0, max_value=len(POVO_FULL)),
    length=st.integers(min_value=0, max_value=400),
    junk=st.binary(max_size=40),
)
def test_any_damage_to_a_dossier_gives_a_dossier_or_an_oso_error(
    start: int, length: int, junk: bytes
) -> None:
    data = POVO_FULL[:start] + junk + POVO_FULL[start + length :]

    try:
        dossier = parse_dossier(data)
    except OsoError as error:
        for word in PERSONAL:
            assert word not in error.reason
    else:
        assert isinstance(dossier, OsoDossier)


def test_parallel_parsing_gives_each_document_its_own_verdict() -> None:
    invalid = POVO_FULL.replace(b"<geslacht>2</geslacht>", b"<geslacht>twee</geslacht>")
    expected = refusal(invalid).reason
    assert "line" in expected

    def verdict(data: bytes) -> str:
        try:
            return parse_dossier(data).profile
        except OsoError as error:
            return error.reason

    with ThreadPoolExecutor(max_workers=8) as pool:
        verdicts = list(pool.map(verdict, [POVO_FULL, invalid] * 100))

    assert verdicts == ["POVO", expected] * 100
