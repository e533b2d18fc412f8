"""Handing out a dossier: only the released categories leave, as valid OSO XML or as JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from connectors.oso import (
    CONTENT_CATEGORIES,
    OsoDossier,
    OsoError,
    filter_dossier,
    parse_dossier,
    to_json,
)
from tests.support import oso

OSO = oso.OSO
NS = {"od": "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"}
XSD_BASE = frozenset({"school", "leerling"})
# What the standard's business rules make VERPLICHT in an overstapdossier (OVa.*): a
# filtered dossier must still pass them, so every allowed set here holds these.
BASE = XSD_BASE | {"oudersverzorgers", "schoolloopbaan", "overstapadvies"}
# Text that occurs once in POVO full, inside one category only.
MARKERS = {
    "oudersverzorgers": "Berg@werk.nl",
    "overstapadvies": "De leerling werkt hard.",
    "onderwijsondersteuning": "Slechthorend en slechtziend",
    "verzuim": "Hierin staat hoe vaak de leerling verzuimd heeft.",
    "eindtoetsbo": "Centrale eindtoets (CET)",
    "toetsresultaten": "Drempelonderzoek 678 2010 Technisch lezen",
    "handelingsplannen": "HandelingsplanRekenen.pdf",
    "cijferlijsten": "Rapport 1",
    "bijlagedocs": "groepsplan.txt",
}
EXAMPLES = ["OV_POVO_full", "OV_POVO_opt_out", "OV_POPO_full", "OV_POPO_opt_out", "PaO_POSWV_full"]


def example(name: str) -> bytes:
    return (OSO / "examples" / f"Voorbeelddossier_{name}.xml").read_bytes()


def standard_schema() -> etree.XMLSchema:
    """The XSD as the standard ships it, independent of the connector's copy."""
    return etree.XMLSchema(etree.parse(str(OSO / "OSO_gegevensset_2019.1.xsd")))


SCHEMA = standard_schema()
POVO = parse_dossier(example("OV_POVO_full"))


def assert_valid(data: bytes) -> None:
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert SCHEMA.validate(tree), SCHEMA.error_log


# --- OSO XML ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize(
    "allowed",
    [BASE, BASE | {"oudersverzorgers", "overstapadvies"}, BASE | {"handelingsplannen"}],
    ids=["base", "overstap", "handelingsplannen"],
)
def test_filtered_dossier_is_valid_and_holds_only_allowed_categories(
    name: str, allowed: frozenset[str]
) -> None:
    dossier = parse_dossier(example(name))

    out = filter_dossier(dossier, allowed)

    assert_valid(out)
    again = parse_dossier(out)
    assert again.categories == dossier.categories & allowed
    assert again.profile == dossier.profile
    assert again.inzage == dossier.inzage
    assert again.bsn == dossier.bsn


def test_left_out_categories_are_declared_opt_uit_and_verboden_stays_verboden() -> None:
    out = parse_dossier(filter_dossier(POVO, BASE | {"overstapadvies"}))

    assert out.declared == {
        "metadata": "VERPLICHT",
        "ouderinzage": "VERPLICHT",
        "school": "VERPLICHT",
        "leerling": "VERPLICHT",
        "oudersverzorgers": "VERPLICHT",
        "vve": "VERBODEN",
        "schoolloopbaan": "VERPLICHT",
        "overstapadvies": "VERPLICHT",
        "onderwijsondersteuning": "OPT-UIT",
        "verzuim": "OPT-UIT",
        "eindtoetsbo": "OPT-UIT",
        "toetsresultaten": "OPT-UIT",
        "handelingsplannen": "OPT-UIT",
        "cijferlijsten": "OPT-UIT",
        "vombo": "VERBODEN",
        "bijlagedocs": "OPT-UIT",
    }


@pytest.mark.parametrize("category", sorted(set(MARKERS) - BASE))
def test_text_of_a_removed_category_is_gone_from_the_xml(category: str) -> None:
    marker = MARKERS[category].encode()
    assert marker in POVO.raw

    assert marker not in filter_dossier(POVO, CONTENT_CATEGORIES - {category})
    assert marker in filter_dossier(POVO, CONTENT_CATEGORIES)


def test_structure_is_kept_whatever_is_allowed() -> None:
    root = etree.fromstring(filter_dossier(POVO, BASE))

    assert root.findtext("od:metadata/od:overstap", namespaces=NS) == "POVO"
    assert root.findtext("od:overdrachtsoort", namespaces=NS) == "overstapdossier"
    assert root.findtext("od:inzage/od:redennietakkoord", namespaces=NS) is not None


def test_handelingsplannen_survive_without_the_rest_of_onderwijsondersteuning() -> None:
    root = etree.fromstring(filter_dossier(POVO, BASE | {"handelingsplannen"}))
    block = root.find("od:huidigeschool/od:leerling/od:onderwijsondersteuning", namespaces=NS)

    assert block is not None
    assert {etree.QName(child).localname for child in block} == {"handelingsplan"}


def test_an_emptied_onderwijsondersteuning_block_is_removed() -> None:
    root = etree.fromstring(filter_dossier(POVO, BASE))

    assert root.find(".//od:onderwijsondersteuning", namespaces=NS) is None


@pytest.mark.parametrize("missing", ["school", "leerling"])
def test_the_xsd_mandatory_categories_cannot_be_left_out(missing: str) -> None:
    with pytest.raises(OsoError, match="school or leerling"):
        filter_dossier(POVO, CONTENT_CATEGORIES - {missing})


@pytest.mark.parametrize("missing", sorted(BASE - XSD_BASE))
def test_a_dossier_the_business_rules_would_refuse_never_leaves(missing: str) -> None:
    # POVO makes these VERPLICHT (OVa.*): a flow that left one out would hand out an
    # overstapdossier the recipient's own validator refuses.
    with pytest.raises(OsoError, match="business rules"):
        filter_dossier(POVO, CONTENT_CATEGORIES - {missing})


def test_data_the_sender_declared_withheld_never_leaves() -> None:
    raw = example("OV_POVO_full").replace(
        b"<cat_verzuim>OPTIONEEL</cat_verzuim>", b"<cat_verzuim>OPT-UIT</cat_verzuim>"
    )
    # The standard's rule OS.cat10 refuses it on the way in; a dossier stored before
    # that check (or forged) is still filtered on the way out.
    with pytest.raises(OsoError, match="business rules"):
        parse_dossier(raw)
    dossier = parse_dossier(raw, rules=None)
    assert "verzuim" in dossier.categories  # present although declared OPT-UIT

    assert b"verzuimd heeft" not in filter_dossier(dossier, CONTENT_CATEGORIES)
    assert "verzuim" not in to_json(dossier, CONTENT_CATEGORIES)


def test_structure_names_in_allowed_change_nothing() -> None:
    with_structure = BASE | {"metadata", "ouderinzage", "gezondheid"}

    assert filter_dossier(POVO, with_structure) == filter_dossier(POVO, BASE)
    assert to_json(POVO, with_structure) == to_json(POVO, BASE)


def test_filtering_twice_is_filtering_once() -> None:
    allowed = BASE | {"verzuim", "overstapadvies"}
    once = filter_dossier(POVO, allowed)

    assert filter_dossier(parse_dossier(once), allowed) == once


def test_a_forged_raw_document_is_checked_again() -> None:
    forged = OsoDossier(
        profile="POVO",
        declared={},
        categories=frozenset(),
        bsn=None,
        birth_date=None,
        given_name=None,
        family_name=None,
        inzage=None,
        raw=b"<!DOCTYPE x []><x/>",
    )

    with pytest.raises(OsoError):
        filter_dossier(forged, BASE)
    with pytest.raises(OsoError):
        to_json(forged, BASE)


OPTIONAL = sorted(CONTENT_CATEGORIES - BASE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(EXAMPLES),
    extra=st.frozensets(st.sampled_from(OPTIONAL)),
)
def test_no_category_leaks_for_any_allowed_set(name: str, extra: frozenset[str]) -> None:
    dossier = parse_dossier(example(name))
    allowed = BASE | extra

    out = filter_dossier(dossier, allowed)
    view = to_json(dossier, allowed)

    assert_valid(out)
    assert parse_dossier(out).categories == dossier.categories & allowed
    assert set(view) == dossier.categories & allowed


# --- JSON --------------------------------------------------------------------------------


def test_json_has_one_key_per_allowed_category_with_data() -> None:
    view = to_json(POVO, BASE | {"verzuim", "vve", "vombo"})

    # vve and vombo are allowed but have no data in POVO full.
    assert list(view) == [
        "school",
        "leerling",
        "oudersverzorgers",
        "schoolloopbaan",
        "overstapadvies",
        "verzuim",
    ]


@pytest.mark.parametrize("category", sorted(MARKERS))
def test_text_of_a_removed_category_is_gone_from_the_json(category: str) -> None:
    text = json.dumps(to_json(POVO, CONTENT_CATEGORIES - {category}), ensure_ascii=False)

    assert MARKERS[category] not in text
    assert MARKERS[category] in json.dumps(to_json(POVO, CONTENT_CATEGORIES), ensure_ascii=False)


def test_json_is_plain_and_deterministic() -> None:
    first = json.dumps(to_json(POVO, CONTENT_CATEGORIES), ensure_ascii=False)
    again = json.dumps(to_json(parse_dossier(example("OV_POVO_full")), CONTENT_CATEGORIES))

    assert json.loads(first) == json.loads(again)
    assert "{http" not in first  # namespaces stripped


def test_json_shape_of_the_pupil() -> None:
    leerling = to_json(POVO, BASE)["leerling"]
    assert isinstance(leerling, dict)

    assert leerling["voornaam"] == ["Björn", "Johannes", "Martinus", "Franciscus"]
    assert leerling["achternaam"] == "Berg"
    assert leerling["bsn"] == "269326728"
    # adresbuitenland may repeat per the XSD: a list even with a single entry.
    assert leerling["adresbuitenland"] == ["10 Downing St, London SW1A, UK"]
    # Attributes: "@name", with the text under "#text".
    adres = leerling["adreslijst"]["adres"][0]
    assert adres["land"] == {"@omschrijving": "Nederland", "#text": "6030"}


def test_json_keeps_verzorgers_as_a_list_of_objects() -> None:
    ouders = to_json(POVO, BASE | {"oudersverzorgers"})["oudersverzorgers"]
    assert isinstance(ouders, dict)

    assert isinstance(ouders["verzorger"], list)
    assert all(isinstance(v, dict) for v in ouders["verzorger"])
    assert ouders["verzorgersaansprakelijk"] in ("true", "false")


def test_json_of_onderwijsondersteuning_leaves_handelingsplannen_to_their_own_key() -> None:
    view = to_json(POVO, BASE | {"onderwijsondersteuning", "handelingsplannen"})
    support = view["onderwijsondersteuning"]
    plans = view["handelingsplannen"]
    assert isinstance(support, dict) and isinstance(plans, dict)

    assert "handelingsplan" not in support and "diagnose" in support
    assert list(plans) == ["handelingsplan"]
