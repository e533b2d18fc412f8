"""Which elements of an OSO dossier belong to which data category.

The mapping is the standard's own: ValideerOSOgegevensset.xsl (validatieversie
2019.1.1, included by ValideerOverstapprofielen.xsl and ValideerSwvPaO-profielen.xsl),
in the `match="/"` template, section "Validatie van Categorie velden wanneer verplicht,
verboden of uitgezet", business rules OS.cat01-OS.cat16. For each category it names
the elements that must be present when the category is VERPLICHT and absent when it is
VERBODEN or OPT-UIT. The paths below are those XPaths relative to `/dossier`.

Two categories have no such rule ("altijd verplicht middels XSD", OS.cat03/OS.cat04):
`school` is every child of `huidigeschool` in the XSD's schoolType except `leerling`;
`leerling` is every child of `leerling` in the XSD's leerlingType that no other
category claims. tests/connectors/test_oso_categories.py checks both derivations.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from lxml import etree

from connectors.oso.xsd import NS, qualify

_S = "huidigeschool/"
_L = "huidigeschool/leerling/"
_O = "huidigeschool/leerling/onderwijsondersteuning/"

CATEGORY_PATHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # OS.cat03: the XSD's schoolType (extending instellingType) minus `leerling`.
        "school": tuple(
            _S + name
            for name in (
                "naam",
                "adreslijst",
                "communicatielijst",
                "brincode",
                "vestigingscode",
                "aanleverpunt",
                "soort",
                "type",
                "naamdirecteur",
                "website",
            )
        ),
        # OS.cat04: the XSD's leerlingType minus the elements of the categories below.
        "leerling": tuple(
            _L + name
            for name in (
                "voornaam",
                "voorletters-1",
                "voorvoegsel",
                "achternaam",
                "roepnaam",
                "geboortedatum",
                "geboortemaand",
                "geslacht",
                "adresgeheim",
                "adreslijst",
                "postcode4adres",
                "communicatielijst",
                "gba",
                "adresbuitenland",
                "geboorteplaats",
                "nationaliteit",
                "onderwijsnummer",
                "bsn",
                "leerlingid",
                "onderwijssinds",
                "startdatumhuidigonderwijs",
                "datuminschrijving",
                "datumuitschrijving",
                "teruggeplaatstnaarbrin",
                "leerlinggewicht",
                "nnca",
                "tehuis",
                "huisarts",
            )
        ),
        # OS.cat05
        "oudersverzorgers": (
            _L + "verzorgersaansprakelijk",
            _L + "verzorger",
            _L + "aansprakelijkeinstelling",
        ),
        # OS.cat06
        "vve": (
            _L + "vanpeuterspeelzaal",
            _L + "naampeuterspeelzaal",
            _L + "voorschools",
            _L + "vroegschools",
        ),
        # OS.cat07
        "schoolloopbaan": (_L + "schoolloopbaanlijst",),
        # OS.cat08
        "overstapadvies": (_L + "overstapadvies",),
        # OS.cat09: the blocks inside `onderwijsondersteuning`, not the block itself,
        # because `handelingsplan` inside it is a category of its own (OS.cat13). The
        # XSL's VERBODEN/OPT-UIT rules misspell the first one as
        # "toelichting_onderwijsbehoefte"; the XSD and the VERPLICHT rule have it right.
        "onderwijsondersteuning": (
            _O + "toelichting_onderwijsbehoeften",
            _O + "diagnose",
            _O + "medicijngebruik",
            _O + "opp",
            _O + "tlv",
            _O + "arrangement_cluster12",
            _O + "arrangement_pao",
            _O + "lwoo",
            _O + "rvc",
        ),
        # OS.cat10
        "verzuim": (_L + "verzuim",),
        # OS.cat11
        "eindtoetsbo": (_L + "eindtoets_basisonderwijs",),
        # OS.cat12 (numbered "OS.cat120" in the XSL)
        "toetsresultaten": (_L + "toetslijst",),
        # OS.cat13
        "handelingsplannen": (_O + "handelingsplan",),
        # OS.cat14
        "cijferlijsten": (_L + "cijferlijstlijst",),
        # OS.cat15
        "vombo": (
            _L + "bevorderd",
            _L + "examenresultaat",
            _L + "resultaatvakkenvo",
            _L + "certificaat",
            _L + "competenties",
            _L + "stage",
            _L + "overigvombo",
        ),
        # OS.cat16
        "bijlagedocs": (_L + "overigdocumentlijst",),
    }
)

# Structure, not content (DOMAIN.md §4): always kept, never counted as a category.
# OS.cat01 and OS.cat02.
STRUCTURE_PATHS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"metadata": ("metadata", "overdrachtsoort"), "ouderinzage": ("inzage",)}
)

CONTENT_CATEGORIES = frozenset(CATEGORY_PATHS)
# The XSD makes huidigeschool (naam, brincode, ...) and leerling (achternaam) mandatory,
# so no valid OSO document can leave these two categories out.
REQUIRED_BY_XSD = frozenset({"school", "leerling"})
# Codelist 48. Both withholding values oblige the sender to leave the data out.
DECLARATIONS = frozenset({"VERPLICHT", "OPTIONEEL", "OPT-UIT", "VERBODEN"})
WITHHELD = frozenset({"OPT-UIT", "VERBODEN"})

_QUALIFIED = {cat: tuple(qualify(p) for p in paths) for cat, paths in CATEGORY_PATHS.items()}


def category_elements(root: etree._Element, category: str) -> list[etree._Element]:
    """The elements of `category` in the dossier under `root`, in mapping order."""
    return [el for path in _QUALIFIED[category] for el in root.iterfind(path)]


# One compiled XPath per category: a union of its paths, asked only "is any there?".
_PRESENT = {
    category: etree.XPath(
        "boolean("
        + " | ".join("/".join(f"o:{step}" for step in p.split("/")) for p in paths)
        + ")",
        namespaces={"o": NS},
    )
    for category, paths in CATEGORY_PATHS.items()
}


def present_categories(root: etree._Element) -> frozenset[str]:
    """The content categories that carry at least one element in the dossier."""
    return frozenset(category for category, present in _PRESENT.items() if present(root))


def released_categories(declared: Mapping[str, str], allowed: frozenset[str]) -> frozenset[str]:
    """The content categories that may leave: allowed, and not withheld by the sender.

    A category the sender declared OPT-UIT or VERBODEN must not be in the dossier at
    all; should it be there anyway, it is dropped rather than passed on.
    """
    withheld = {category for category, value in declared.items() if value in WITHHELD}
    return (allowed & CONTENT_CATEGORIES) - withheld
