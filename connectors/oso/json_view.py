"""A dossier cut down to the categories that may be released, as plain JSON.

Shape, per released category that has data: `{category: {element: value}}`, where
the keys are the category's top elements (the last step of its CATEGORY_PATHS) and
namespaces are dropped. A value is:

- the element's text, as a string (no type conversion: "2003-03-17", "true");
- for an element with child elements, an object of its children;
- for an element with attributes, an object with "@name" per attribute and, for a
  leaf, "#text" for its text;
- a list, in document order, wherever the XSD lets the element repeat, even when the
  document has only one (so the shape does not depend on the pupil's data).
"""

from __future__ import annotations

from lxml import etree

from connectors.oso.categories import CATEGORY_PATHS, released_categories
from connectors.oso.model import OsoDossier
from connectors.oso.parser import load_document
from connectors.oso.shape import ElementPath, repeatable_paths
from connectors.oso.xsd import qualify


def to_json(dossier: OsoDossier, allowed: frozenset[str]) -> dict[str, object]:
    """The released categories of `dossier` as JSON-ready data (see the module doc)."""
    keep = released_categories(dossier.declared, allowed)
    root = load_document(dossier.raw)
    repeatable = repeatable_paths()
    view: dict[str, object] = {}
    for category, paths in CATEGORY_PATHS.items():
        if category not in keep:
            continue
        body: dict[str, object] = {}
        for path in paths:
            steps = tuple(path.split("/"))
            values = [_value(el, steps, repeatable) for el in root.iterfind(qualify(path))]
            if values:
                body[steps[-1]] = _one_or_list(values, steps in repeatable)
        if body:
            view[category] = body
    return view


def _value(
    element: etree._Element, path: ElementPath, repeatable: frozenset[ElementPath]
) -> object:
    attributes: dict[str, object] = {
        f"@{etree.QName(name).localname}": value for name, value in element.attrib.items()
    }
    if len(element) == 0:
        text = element.text or ""
        return {**attributes, "#text": text} if attributes else text
    grouped: dict[str, list[object]] = {}
    for child in element:
        name = etree.QName(child).localname
        grouped.setdefault(name, []).append(_value(child, (*path, name), repeatable))
    children = {
        name: _one_or_list(values, (*path, name) in repeatable) for name, values in grouped.items()
    }
    return {**attributes, **children}


def _one_or_list(values: list[object], repeatable: bool) -> object:
    # A second occurrence where the XSD allows one cannot pass validation; should it
    # happen all the same, a list keeps every value rather than silently dropping one.
    return values if repeatable or len(values) > 1 else values[0]
