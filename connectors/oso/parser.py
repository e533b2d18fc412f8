"""Hardened parsing of an OSO 2019.1 dossier.

No DTD is loaded, no entity is expanded, nothing is fetched from the network, and a
document with a DOCTYPE is refused outright: an OSO dossier never needs one, so XXE
and entity-expansion attacks fail before any entity is used.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace

from lxml import etree

from connectors.oso.categories import DECLARATIONS, present_categories
from connectors.oso.errors import OsoError
from connectors.oso.model import OsoDossier, OsoInzage
from connectors.oso.rules import Melding, OsoRulesError, errors, meldingen
from connectors.oso.rules import check as check_rules
from connectors.oso.xsd import NS, invalid_reason, qualify

# Codelist 16 "Soort overstap/dossier", as ValideerOSOgegevensset.xsl checks it.
PROFILES = frozenset(
    {
        "VSPO", "VSWEC", "POPO", "POWEC", "POVO", "VOVO", "VOMBO", "VOHBO", "VOWO",
        "WECWEC", "WECVO", "WECMBO", "POSWV", "VOSWV", "WECHBO", "WECWO", "OVERIG",
    }
)  # fmt: skip
_ROOT = f"{{{NS}}}dossier"
# libxml2's XML_ERR_RESOURCE_LIMIT. Without huge_tree it refuses a text node over
# 10 MB (so a bijlage over about 7.5 MB, base64-encoded), nesting deeper than 256
# and excessive entity amplification.
_RESOURCE_LIMIT = 114
_CAT_PREFIX = "cat_"
# Where the pupil's facts in `OsoDossier` come from, as paths a refusal may name.
SUBJECT_PATHS = {
    "bsn": "leerling.bsn",
    "birth_date": "leerling.geboortedatum",
    "given_name": "leerling.roepnaam",
    "family_name": "leerling.achternaam",
}


def _new_parser() -> etree.XMLParser:
    # A parser costs about 1 µs to make, so each call gets its own: lxml parsers must
    # not be shared between threads, and a thread-local would buy nothing measurable.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        remove_blank_text=True,
    )


def load_document(data: bytes) -> etree._Element:
    """Parse `data` safely and return its root, or raise OsoError; XSD-valid when returned."""
    if not isinstance(data, bytes):
        raise OsoError("an OSO document must be given as bytes")
    # libxml2's messages may quote the document, so none is passed on.
    try:
        root = etree.fromstring(data, _new_parser())
    except etree.XMLSyntaxError as error:
        if getattr(error, "code", None) == _RESOURCE_LIMIT:  # `code` is not in lxml-stubs
            raise OsoError("document exceeds the XML parser's safety limits") from None
        raise OsoError("document is not well-formed XML") from None
    except (etree.LxmlError, ValueError):
        raise OsoError("document is not well-formed XML") from None
    tree = root.getroottree()
    docinfo = tree.docinfo
    # libxml2 records an internal subset for every DOCTYPE, with or without [...].
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise OsoError("document has a DOCTYPE, which an OSO dossier never needs")
    # The XSD declares many global elements (adres, leerling, ...), each of which would
    # validate on its own as a document root: only a whole dossier is accepted.
    if root.tag != _ROOT:
        raise OsoError("document root is not an OSO 2019.1 dossier")
    reason = invalid_reason(tree)
    if reason is not None:
        raise OsoError(reason)
    return root


# Judges the XSD-valid tree by the standard's business rules; raises OsoError.
RuleCheck = Callable[[etree._Element], None]


def parse_dossier(data: bytes, *, rules: RuleCheck | None = check_rules) -> OsoDossier:
    """Parse and validate an OSO 2019.1 dossier; raise OsoError when it is refused.

    Validation is the XSD and then `rules`, by default the standard's own validators
    (`connectors.oso.rules`); a `Fout` raises OsoRulesError with the meldingen. Only a
    dossier that passed them before (stored after a push) is read with `rules=None`.
    """
    root = load_document(data)
    leerling = root.find(qualify("huidigeschool/leerling"))
    if leerling is None:  # the XSD requires it; kept for the type checker
        raise OsoError("document has no leerling")
    profile, declared = _profile(root), _declared(root)
    if rules is not None:
        rules(root)
    return OsoDossier(
        profile=profile,
        declared=declared,
        categories=present_categories(root),
        bsn=_text(leerling, "bsn"),
        birth_date=_date(_text(leerling, "geboortedatum")),
        given_name=_text(leerling, "roepnaam") or _text(leerling, "voornaam"),
        family_name=_family_name(leerling),
        inzage=_inzage(root),
        raw=data,
    )


def _text(parent: etree._Element, path: str) -> str | None:
    text = parent.findtext(qualify(path))
    if text is None:
        return None
    return text.strip() or None


def _date(text: str | None) -> datetime.date | None:
    # xs:date may carry a time zone ("2003-03-17+01:00"); the day is the first ten.
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _profile(root: etree._Element) -> str:
    # Overstap and SWV/PaO dossiers alike carry their profile in metadata/overstap
    # (business rules OVa.OS01 and PaO.SO01).
    profile = _text(root, "metadata/overstap")
    if profile is None or profile not in PROFILES:
        raise OsoError("metadata/overstap holds no known profile (codelist 16)")
    return profile


def _declared(root: etree._Element) -> dict[str, str]:
    block = root.find(qualify("metadata/categorie_uitlevering"))
    # Optional in the XSD, but OVa.MD03, OVb.MD03 and PaO.MD03 require it for every
    # overdrachtsoort in codelist 29; without it nothing says what may be withheld.
    if block is None:
        raise OsoError("metadata has no categorie_uitlevering")
    declared = {etree.QName(el).localname.removeprefix(_CAT_PREFIX): el.text or "" for el in block}
    if not set(declared.values()) <= DECLARATIONS:
        raise OsoError("categorie_uitlevering holds a value outside codelist 48")
    return declared


def _family_name(leerling: etree._Element) -> str | None:
    parts = (_text(leerling, "voorvoegsel"), _text(leerling, "achternaam"))
    return " ".join(part for part in parts if part) or None


def _inzage(root: etree._Element) -> OsoInzage | None:
    """The parents' inzage, or None unless they had it and its date is known."""
    block = root.find(qualify("inzage"))
    if block is None or _text(block, "inzage") not in ("true", "1"):
        return None
    date = _date(_text(block, "inzagedatum"))
    if date is None:
        return None
    return OsoInzage(
        date=date,
        akkoord=_text(block, "akkoord") == "Ja",
        zienswijze=_text(block, "redennietakkoord"),
    )


def judge(data: bytes) -> tuple[Melding, ...] | None:
    """The business rules' `Fout` meldingen about `data`, for a worker process to find
    ahead of the push; None when the document fails before the rules (the push then
    says why). Takes and returns only picklable values."""
    try:
        return errors(meldingen(load_document(data)))
    except OsoError:
        return None


@dataclass(frozen=True, slots=True)
class Examined:
    """What `parse_dossier` made of a document, carried back from a worker process.

    Exceptions do not survive pickling with their fields, so a refusal travels as its
    parts and is raised again, the same, by `dossier`. The dossier travels without its
    bytes (the importer holds them already).
    """

    found: OsoDossier | None
    reason: str | None = None
    meldingen: tuple[Melding, ...] | None = None
    profile: str | None = None

    def dossier(self, data: bytes) -> OsoDossier:
        """The dossier read from `data`, or the OsoError its reading raised."""
        if self.found is not None:
            return replace(self.found, raw=data)
        if self.meldingen is not None:
            raise OsoRulesError(self.meldingen, self.profile)
        raise OsoError(self.reason or "document is not a valid OSO dossier")


def examine(data: bytes) -> Examined:
    """`parse_dossier` with the standard's business rules, as a worker process runs it
    ahead of the push: the hardened parse, the XSD, the rules and the routing facts."""
    try:
        return Examined(replace(parse_dossier(data), raw=b""))
    except OsoRulesError as refused:
        return Examined(None, refused.reason, refused.meldingen, refused.profile)
    except OsoError as refused:
        return Examined(None, refused.reason)


def examine_all(documents: list[bytes]) -> list[Examined]:
    """`examine` for a slice of documents: one round trip to a worker process for all."""
    return [examine(data) for data in documents]
