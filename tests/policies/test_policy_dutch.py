"""Every word of the catalog has its Dutch label for the FG's register and explanation.

A new org kind, category, purpose, retention class, safeguard, obligation or meldcode
step without one falls back to the English label with its code; this test names it.
"""

from __future__ import annotations

from policies import nl
from policies.catalog import Catalog


def test_every_catalog_name_has_a_dutch_label(catalog: Catalog) -> None:
    tax = catalog.taxonomy
    missing = {
        "org kinds": set(tax.org_kinds) - set(nl.ORG_KINDS),
        "parties": set(tax.parties) - set(nl.ORG_KINDS),
        "categories": set(tax.categories) - set(nl.CATEGORIES),
        "purposes": set(tax.purposes) - set(nl.PURPOSES),
        "retention classes": set(tax.retention_classes) - set(nl.RETENTION),
        "safeguards": set(tax.safeguards) - set(nl.SAFEGUARDS),
        "obligations": set(tax.obligations) - set(nl.OBLIGATIONS),
        "meldcode steps": set(tax.meldcode_steps) - set(nl.MELDCODE_STEPS),
    }
    assert {k: v for k, v in missing.items() if v} == {}


def test_a_name_without_a_dutch_label_keeps_its_code(catalog: Catalog) -> None:
    assert nl.kind("school_po", catalog) == "Basisschool"
    assert nl.kind("bakery", catalog) == "bakery"
    assert nl.category("nope", catalog) == "nope"
    assert nl.retention("nope", catalog) == "nope"
