"""A dossier cut down to the categories that may be released, as OSO XML."""

from __future__ import annotations

from lxml import etree

from connectors.oso.categories import (
    CATEGORY_PATHS,
    REQUIRED_BY_XSD,
    category_elements,
    released_categories,
)
from connectors.oso.errors import OsoError
from connectors.oso.model import OsoDossier
from connectors.oso.parser import load_document
from connectors.oso.rules import errors, meldingen
from connectors.oso.xsd import invalid_reason, qualify

# Both OPT-UIT and VERBODEN pass the XSD (categorieType is a plain string) and the
# XSL rules OS.cat05-16, which demand only that the data is then absent. OPT-UIT is
# what codelist 48 has for "could be delivered, left out of this delivery", which is
# what filtering does; VERBODEN is the profile's own word that a category never goes
# in this kind of transfer, so a VERBODEN declaration is kept and never newly claimed.
_LEFT_OUT = "OPT-UIT"
_FORBIDDEN = "VERBODEN"


def filter_dossier(dossier: OsoDossier, allowed: frozenset[str]) -> bytes:
    """OSO XML holding only the content categories that are allowed and not withheld.

    Structure (metadata, overdrachtsoort, inzage) is kept. Every other category loses
    its elements and is declared OPT-UIT. The result is checked against the XSD and
    against the standard's business rules: what leaves yields no `Fout`.
    """
    keep = released_categories(dossier.declared, allowed)
    if REQUIRED_BY_XSD - keep:
        raise OsoError("an OSO dossier cannot leave out the school or leerling category")
    root = load_document(dossier.raw)
    for category in CATEGORY_PATHS:
        if category not in keep:
            _leave_out(root, category)
    _drop_empty(root, "huidigeschool/leerling/onderwijsondersteuning")
    reason = invalid_reason(root.getroottree())
    if reason is not None:  # a bug of ours: never hand out an invalid dossier
        raise OsoError(f"filtered dossier is invalid: {reason}")
    refused = errors(meldingen(root))
    if refused:  # a bug of ours as well: the rules' texts name what broke
        texts = "; ".join(sorted({m.text for m in refused}))
        raise OsoError(f"filtered dossier breaks the OSO business rules: {texts}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _leave_out(root: etree._Element, category: str) -> None:
    for element in category_elements(root, category):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    declaration = root.find(qualify(f"metadata/categorie_uitlevering/cat_{category}"))
    if declaration is not None and declaration.text != _FORBIDDEN:
        declaration.text = _LEFT_OUT


def _drop_empty(root: etree._Element, path: str) -> None:
    # onderwijsondersteuning is shared by two categories (OS.cat09 and OS.cat13); once
    # both are gone its empty block says nothing and is removed too.
    for element in root.iterfind(qualify(path)):
        parent = element.getparent()
        if len(element) == 0 and parent is not None:
            parent.remove(element)
