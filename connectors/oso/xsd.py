"""The OSO 2019.1 XSD, compiled once per process, and validation against it."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from lxml import etree

NS = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"
SCHEMA_PATH = Path(__file__).with_name("schema") / "OSO_gegevensset_2019.1.xsd"
# XMLSchema.validate() fills an error log that belongs to the schema object, not to
# the call: one validation at a time keeps each failure's detail its own.
_VALIDATING = threading.Lock()


def qualify(path: str) -> str:
    """'huidigeschool/leerling' -> the same path with the OSO namespace on every step."""
    return "/".join(f"{{{NS}}}{step}" for step in path.split("/"))


@functools.cache
def schema_document() -> etree._ElementTree:
    # Our own file, but read with the same caution as any input: no DTD, no network.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.parse(str(SCHEMA_PATH), parser)


@functools.cache
def xml_schema() -> etree.XMLSchema:
    """The compiled XSD (about 7 ms to build), shared by all threads."""
    return etree.XMLSchema(schema_document())


def invalid_reason(tree: etree._ElementTree) -> str | None:
    """None when `tree` conforms to the XSD, else a reason without document content."""
    schema = xml_schema()
    with _VALIDATING:
        if schema.validate(tree):
            return None
        error = getattr(schema.error_log, "last_error", None)  # absent from lxml-stubs
    reason = "document does not conform to the OSO 2019.1 XSD"
    if error is None:
        return reason
    # libxml2's message quotes the offending value: only its code and line are used.
    return f"{reason} ({error.type_name} at line {error.line})"
