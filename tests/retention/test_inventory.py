"""Every table has a retention class from the catalog, or is named as holding no
personal data: a new table cannot be added without saying how long it is kept."""

from __future__ import annotations

import gateway.models
from gateway.retention.inventory import FLOW, NOT_PERSONAL, RETAINED
from policies.catalog import load_catalog


def test_every_table_is_retained_or_named_as_not_personal() -> None:
    tables = set(gateway.models.Base.metadata.tables)
    assert sorted(tables - RETAINED.keys() - NOT_PERSONAL.keys()) == []
    assert sorted(RETAINED.keys() & NOT_PERSONAL.keys()) == []
    # No stale names: each one is a table of the schema.
    assert sorted((RETAINED.keys() | NOT_PERSONAL.keys()) - tables) == []


def test_every_class_named_is_in_the_catalog() -> None:
    classes = load_catalog().taxonomy.retention_classes
    named = {kept.retention for kept in RETAINED.values()} - {FLOW}
    assert sorted(named - classes.keys()) == []
