"""The standard's own business rules, run with Saxon-HE (XSLT 2.0 through saxonche).

Edustandaard publishes two validators, each including the codelist and category
checks of ValideerOSOgegevensset (schema/include/ValideerOSOgegevensset_2019.1.xsl):

- ValideerOverstapprofielen.xsl for `overstapdossier` and `overdrachtbinnenbrin`
  (rules OVa.* and OVb.*: POPO, POVO, VOVO and the binnen-BRIN overdracht);
- ValideerSwvPaO-profielen.xsl for `swv-dossier` (rules PaO.*: POSWV, VOSWV).

Each answers a `<meldingen>` document; every `<melding>` of type `Fout` refuses the
dossier. A melding's text is a literal of the stylesheet and its location an XPath of
element names and positions; neither quotes the document. `meldingen` holds them to
that all the same: a text that is not one of the stylesheets' own literals is replaced,
a location that is more than `/name[n]` steps is dropped, so no value of the pupil can
ride along should a future validator echo one.

Saxon threads: a compiled stylesheet (XsltExecutable) is immutable in Saxon's Java
API, but SaxonC's Python objects keep the state of a call (the source node, parameters,
the last error) on the executable and on the processor, and SaxonC documents no
guarantee for concurrent calls. Each process therefore compiles each stylesheet once
(`_validators`) and runs one transformation or compilation at a time under `_RUNNING`;
parallelism comes from processes (the bulk import validates in a process pool).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

from connectors.oso.categories import CATEGORY_PATHS
from connectors.oso.errors import OsoError
from connectors.oso.xsd import NS, qualify

SCHEMA_DIR = Path(__file__).with_name("schema")
STYLESHEETS: Mapping[str, Path] = MappingProxyType(
    {
        "overstap": SCHEMA_DIR / "ValideerOverstapprofielen.xsl",
        "swv": SCHEMA_DIR / "ValideerSwvPaO-profielen.xsl",
    }
)
INCLUDED = SCHEMA_DIR / "include" / "ValideerOSOgegevensset_2019.1.xsl"
# Codelist 29: which validator judges which kind of dossier.
VALIDATOR_FOR = MappingProxyType(
    {"overstapdossier": "overstap", "overdrachtbinnenbrin": "overstap", "swv-dossier": "swv"}
)
_MELDINGEN = "{http://www.edustandaard.nl/oso_gegevensset/2019/schemas/Meldingen}"
_XSL = "{http://www.w3.org/1999/XSL/Transform}"
_LOCATION = re.compile(r"(?:/[A-Za-z_][A-Za-z0-9_.-]{0,63}\[[0-9]{1,6}\]){1,32}")
_CAT_TEST = re.compile(r"od:cat_([a-z0-9]+)")
_STEP = re.compile(r"/([A-Za-z_][A-Za-z0-9_.-]*)\[[0-9]+\]")
UNKNOWN_TEXT = "Melding van de validator (tekst weggelaten)."
_RUNNING = threading.Lock()


@dataclass(frozen=True, slots=True)
class Melding:
    """One finding of a validator: `Fout` refuses the dossier."""

    type: str
    text: str
    location: str
    category: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "type": self.type,
            "text": self.text,
            "location": self.location,
            "category": self.category,
        }


class OsoRulesError(OsoError):
    """A dossier the standard's own business rules refuse, with their meldingen."""

    def __init__(self, meldingen: tuple[Melding, ...], profile: str | None = None) -> None:
        super().__init__(f"the OSO business rules report {len(meldingen)} error(s) (Fout)")
        self.meldingen = meldingen
        # Codelist 16 (POVO, POSWV, ...): which of the gateway's flows the dossier is for.
        self.profile = profile


class _Validators:
    """One Saxon processor per process, each stylesheet compiled once, when first needed
    (about 0.1 s each: a POVO batch's worker never compiles the SWV validator)."""

    def __init__(self) -> None:
        self.processor = PySaxonProcessor(license=False)
        self.compiler = self.processor.new_xslt30_processor()
        self.executables: dict[str, PyXsltExecutable] = {}

    def compiled(self, name: str) -> PyXsltExecutable:
        with _RUNNING:
            return self._compiled(name)

    def _compiled(self, name: str) -> PyXsltExecutable:
        found = self.executables.get(name)
        if found is None:
            found = self.compiler.compile_stylesheet(stylesheet_file=str(STYLESHEETS[name]))
            self.executables[name] = found
        return found

    def run(self, name: str, document: str) -> bytes:
        with _RUNNING:
            executable = self._compiled(name)
            node = self.processor.parse_xml(xml_text=document)
            result = executable.transform_to_string(xdm_node=node)
        if not isinstance(result, str):
            raise OsoError("the OSO business-rule validator gave no answer")
        return result.encode("utf-8")


@functools.cache
def _validators() -> _Validators:
    return _Validators()


def warm(names: Iterable[str] = tuple(STYLESHEETS)) -> None:
    """Compile these stylesheets now (about 0.1 s each) rather than at the first dossier
    that needs one; none: only start the Saxon processor."""
    validators = _validators()
    for name in names:
        validators.compiled(name)


@functools.cache
def known_texts() -> Mapping[str, str | None]:
    """Every melding text the validators can produce (the literals of their `tekst`),
    with the gateway category whose `cat_` declaration its rule tests, if any."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    texts: dict[str, str | None] = {}
    for path in (*STYLESHEETS.values(), INCLUDED):
        root = etree.parse(str(path), parser).getroot()
        for param in root.iter(f"{_XSL}with-param"):
            if param.get("name") == "tekst" and len(param) == 0:
                text = _normal(param.text or "")
                texts[text] = texts.get(text) or _declared_category(param)
    return MappingProxyType(texts)


def _declared_category(param: etree._Element) -> str | None:
    """OS.cat05-16 test `od:cat_<category>`: the category a melding is about."""
    for ancestor in param.iterancestors(f"{_XSL}if", f"{_XSL}when"):
        named = _CAT_TEST.findall(ancestor.get("test", ""))
        if len(set(named)) == 1 and named[0] in CATEGORY_PATHS:
            return str(named[0])
    return None


def meldingen(root: etree._Element) -> tuple[Melding, ...]:
    """What the standard's validator for this kind of dossier reports about it."""
    kind = root.findtext(qualify("overdrachtsoort"))
    validator = VALIDATOR_FOR.get((kind or "").strip())
    if validator is None:
        raise OsoError("overdrachtsoort holds no known kind of dossier (codelist 29)")
    document = _for_saxon(root)
    try:
        answer = _validators().run(validator, document)
    except OsoError:
        raise
    except Exception as exc:  # PySaxonApiError and friends: their text may quote input
        raise OsoError("the OSO business-rule validator could not read the dossier") from exc
    return read_meldingen(answer)


# Base64 attachments: most of a full dossier's bytes, and no rule reads them (a test
# holds the stylesheets to that). Saxon gets a short stand-in that still satisfies the
# XSD's nonEmptyStringType, and builds its tree about four times faster.
UNREAD = ("bestandsinhoud",)
_STAND_IN = "-"


def _for_saxon(root: etree._Element) -> str:
    """The tree lxml accepted (no DOCTYPE, no entities), re-serialised for Saxon, with
    the elements no rule reads cut short; `root` itself is left as it was.

    Each such element is swapped for a short stand-in of the same name and back again:
    moving a node costs nothing, where setting its text and restoring it copies the
    attachment twice (half of this function's time, which was 0.27 ms a full dossier).
    """
    swapped = []
    for name in UNREAD:
        for element in list(root.iter(f"{{{NS}}}{name}")):
            stand_in = etree.Element(element.tag)
            stand_in.text, stand_in.tail = _STAND_IN, element.tail
            parent = element.getparent()
            if parent is not None:  # the root is a dossier, never one of these
                parent.replace(element, stand_in)
                swapped.append((parent, stand_in, element))
    try:
        return etree.tostring(root, encoding="unicode")
    finally:
        for parent, stand_in, element in swapped:
            parent.replace(stand_in, element)


def read_meldingen(answer: bytes) -> tuple[Melding, ...]:
    """A validator's `<meldingen>`, held to texts and locations that quote no data."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(answer, parser)
    texts = known_texts()
    found = []
    for melding in root.iter(f"{_MELDINGEN}melding"):
        text = _normal(melding.findtext(f"{_MELDINGEN}tekst") or "")
        location = (melding.findtext(f"{_MELDINGEN}locatie") or "").strip()
        if not _LOCATION.fullmatch(location):
            location = ""
        known = text in texts
        found.append(
            Melding(
                type=(melding.findtext(f"{_MELDINGEN}type") or "Fout").strip()[:20],
                text=text if known else UNKNOWN_TEXT,
                location=location,
                category=(texts[text] if known else None) or category_of(location),
            )
        )
    return tuple(found)


def errors(found: tuple[Melding, ...]) -> tuple[Melding, ...]:
    return tuple(m for m in found if m.type == "Fout")


def check(root: etree._Element) -> None:
    """Raise OsoRulesError when the standard's validator reports any `Fout`."""
    raise_for(root, errors(meldingen(root)))


def raise_for(root: etree._Element, refused: tuple[Melding, ...]) -> None:
    """Raise OsoRulesError for these `Fout` meldingen about `root`, if there are any."""
    if refused:
        profile = (root.findtext(qualify("metadata/overstap")) or "").strip()[:10]
        raise OsoRulesError(refused, profile or None)


_BY_PATH = {path: category for category, paths in CATEGORY_PATHS.items() for path in paths}


def category_of(location: str) -> str | None:
    """The gateway category of an element the validator names, if it lies in one."""
    steps = _STEP.findall(location)
    if steps[:1] != ["dossier"]:
        return None
    inner = steps[1:]
    for end in range(len(inner), 0, -1):
        category = _BY_PATH.get("/".join(inner[:end]))
        if category is not None:
            return category
    return None


def _normal(text: str) -> str:
    return " ".join(text.split())


__all__ = ["NS", "Melding", "OsoRulesError", "check", "meldingen", "warm"]
