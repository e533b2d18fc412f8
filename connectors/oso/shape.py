"""The shape of a dossier as the XSD defines it: which element paths exist, which repeat."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from types import MappingProxyType

from lxml import etree

from connectors.oso.xsd import schema_document

_XS = "{http://www.w3.org/2001/XMLSchema}"
_PARTICLES = (f"{_XS}element", f"{_XS}sequence", f"{_XS}choice", f"{_XS}complexContent")

# Local names from below the dossier root, e.g. ("huidigeschool", "leerling", "bsn").
ElementPath = tuple[str, ...]


@functools.cache
def element_shape() -> Mapping[ElementPath, bool]:
    """Every element path the XSD allows, mapped to whether it may occur more than once."""
    root = schema_document().getroot()
    xsd = _Declarations(root)
    shape: dict[ElementPath, bool] = {}
    dossier_type = xsd.type_of(xsd.elements["dossier"])
    if dossier_type is not None:
        _walk(xsd, dossier_type, (), frozenset(), shape)
    return MappingProxyType(shape)


@functools.cache
def repeatable_paths() -> frozenset[ElementPath]:
    """The element paths that may repeat.

    Taken from the schema rather than from a document, so that a list in the JSON view
    is a list whether a pupil has one `verzorger` or three.
    """
    return frozenset(path for path, many in element_shape().items() if many)


class _Declarations:
    def __init__(self, root: etree._Element) -> None:
        self.types = {e.get("name"): e for e in root.iterchildren(f"{_XS}complexType")}
        self.elements = {e.get("name"): e for e in root.iterchildren(f"{_XS}element")}

    def resolve(self, decl: etree._Element) -> etree._Element:
        ref = decl.get("ref")
        return decl if ref is None else self.elements[ref]

    def type_of(self, decl: etree._Element) -> etree._Element | None:
        """The complex type of an element declaration; None for a simple type."""
        decl = self.resolve(decl)
        type_name = decl.get("type")
        if type_name is not None:
            return self.types.get(type_name)
        return decl.find(f"{_XS}complexType")


def _particles(
    xsd: _Declarations, node: etree._Element, many: bool
) -> Iterator[tuple[etree._Element, bool]]:
    """The element declarations under a type, each with whether it may repeat."""
    for child in node.iterchildren(*_PARTICLES, f"{_XS}extension"):
        repeats = many or child.get("maxOccurs", "1") != "1"
        if child.tag == f"{_XS}element":
            yield child, repeats
            continue
        if child.tag == f"{_XS}extension":
            base = xsd.types.get(child.get("base", ""))
            if base is not None:
                yield from _particles(xsd, base, repeats)
        yield from _particles(xsd, child, repeats)


def _walk(
    xsd: _Declarations,
    complex_type: etree._Element,
    prefix: ElementPath,
    seen: frozenset[str],
    shape: dict[ElementPath, bool],
) -> None:
    for decl, many in _particles(xsd, complex_type, many=False):
        name = decl.get("name") or decl.get("ref") or ""
        path = (*prefix, name)
        shape[path] = shape.get(path, False) or many
        child_type = xsd.type_of(decl)
        # A named type met again on the same path would recurse forever.
        key = xsd.resolve(decl).get("type") or "/".join(path)
        if child_type is not None and key not in seen:
            _walk(xsd, child_type, path, seen | {key}, shape)
