"""The element -> category mapping is the standard's own, checked against its XSL and XSD."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from connectors.oso import CATEGORY_PATHS, STRUCTURE_PATHS
from connectors.oso.parser import load_document
from connectors.oso.shape import element_shape
from connectors.oso.xsd import SCHEMA_PATH
from tests.support import oso

OSO = oso.OSO
XSL = "http://www.w3.org/1999/XSL/Transform"
RULE = re.compile(r"cat_(\w+)='(VERPLICHT|VERBODEN|OPT-UIT)'")
PATH = re.compile(r"//od:dossier/((?:od:[\w-]+/?)+)")


def xsl_rules() -> dict[tuple[str, str], set[str]]:
    """(category, VERPLICHT|VERBODEN|OPT-UIT) -> the paths its OS.catNN rules test."""
    xsl = etree.parse(str(OSO / "ValideerOSOgegevensset.xsl"))
    rules: dict[tuple[str, str], set[str]] = {}
    tests = xsl.xpath("//xsl:if/@test", namespaces={"xsl": XSL})
    assert isinstance(tests, list)
    for test in tests:
        rule = RULE.search(str(test))
        if rule is None:
            continue
        paths = {p.replace("od:", "").rstrip("/") for p in PATH.findall(str(test))}
        paths.discard(f"metadata/categorie_uitlevering/cat_{rule[1]}")
        rules.setdefault((rule[1], rule[2]), set()).update(paths)
    return rules


RULES = xsl_rules()
WITH_RULES = sorted({category for category, _ in RULES} - set(STRUCTURE_PATHS))


def test_the_xsl_has_rules_for_every_category_but_school_and_leerling() -> None:
    assert set(WITH_RULES) == set(CATEGORY_PATHS) - {"school", "leerling"}


@pytest.mark.parametrize("category", WITH_RULES)
def test_category_paths_are_those_the_verplicht_rule_demands(category: str) -> None:
    assert set(CATEGORY_PATHS[category]) == RULES[(category, "VERPLICHT")]


@pytest.mark.parametrize("category", WITH_RULES)
@pytest.mark.parametrize("value", ["VERBODEN", "OPT-UIT"])
def test_category_paths_are_those_the_withholding_rules_forbid(category: str, value: str) -> None:
    forbidden = RULES[(category, value)]
    if category == "onderwijsondersteuning":
        # The standard's typo: these rules test an element the XSD does not have.
        typo = "huidigeschool/leerling/onderwijsondersteuning/toelichting_onderwijsbehoefte"
        assert typo in forbidden and tuple(typo.split("/")) not in element_shape()
        forbidden = forbidden - {typo} | {typo + "n"}
    assert set(CATEGORY_PATHS[category]) == forbidden


@pytest.mark.parametrize("category", ["metadata", "ouderinzage"])
def test_structure_paths_are_those_of_the_xsl(category: str) -> None:
    assert set(STRUCTURE_PATHS[category]) == RULES[(category, "VERBODEN")]


def test_every_child_of_school_leerling_and_onderwijsondersteuning_has_exactly_one_category() -> (
    None
):
    containers = {
        ("huidigeschool",),
        ("huidigeschool", "leerling"),
        ("huidigeschool", "leerling", "onderwijsondersteuning"),
    }
    in_xsd = {path for path in element_shape() if path[:-1] in containers} - containers
    mapped = [tuple(p.split("/")) for paths in CATEGORY_PATHS.values() for p in paths]

    assert len(mapped) == len(set(mapped))
    assert set(mapped) == in_xsd


def test_school_and_leerling_are_what_the_xsd_has_left() -> None:
    assert len(CATEGORY_PATHS["school"]) == 10  # instellingType 3 + schoolType 7
    assert "huidigeschool/leerling/bsn" in CATEGORY_PATHS["leerling"]
    assert "huidigeschool/leerling/huisarts" in CATEGORY_PATHS["leerling"]


def test_the_dossier_root_has_only_structure_and_huidigeschool() -> None:
    top = {path[0] for path in element_shape()}

    assert top == {"metadata", "overdrachtsoort", "inzage", "huidigeschool"}


def path_of(element: etree._Element) -> tuple[str, ...]:
    """Local names from below the dossier root down to `element`."""
    chain = [element, *element.iterancestors()][::-1][1:]
    return tuple(etree.QName(el).localname for el in chain)


@pytest.mark.parametrize("name", sorted(p.name for p in (OSO / "examples").glob("*.xml")))
def test_the_xsd_walk_knows_every_element_of_the_examples(name: str) -> None:
    root = load_document((OSO / "examples" / name).read_bytes())

    paths = {path_of(el) for el in root.iterdescendants()}

    assert paths <= set(element_shape())


def test_the_packaged_xsd_is_the_standard_one() -> None:
    assert SCHEMA_PATH.read_bytes() == (OSO / "OSO_gegevensset_2019.1.xsd").read_bytes()
