"""Each party's own term at the table: the catalog resolves `own_term` per writer kind,
and a catalog that leaves a permitted writer without its class does not load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policies.catalog import Catalog, load_catalog
from policies.loader import CatalogError

Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]


def test_every_writer_at_the_table_keeps_its_own_class(catalog: Catalog) -> None:
    flow = catalog.flow_for_purpose("knooppunt.casus")
    assert flow is not None
    own = flow.retention
    assert (own.key, own.years) == ("own_term", None)
    resolved = {kind: (own.for_writer(kind).key, own.for_writer(kind).years) for kind in
                ("school_po", "school_vo", "school_so", "swv_po", "swv_vo", "wijkteam",
                 "jeugdhulp", "smw", "jgz", "leerplicht", "data_subject")}  # fmt: skip
    assert resolved == {
        "school_po": ("leerlingdossier", 2),
        "school_vo": ("leerlingdossier", 2),
        "school_so": ("leerlingdossier", 2),
        "swv_po": ("swv_3y", 3),
        "swv_vo": ("swv_3y", 3),
        "wijkteam": ("jeugdhulp_20y", 20),
        "jeugdhulp": ("jeugdhulp_20y", 20),
        "smw": ("jeugdhulp_20y", 20),
        "jgz": ("jgz_20y", 20),
        "leerplicht": ("verzuim_5y", 5),
        "data_subject": ("case_view", 2),
    }
    senders = {kind for route in flow.routes for kind in route.senders}
    assert senders <= set(own.by_writer)


def test_a_writer_without_its_own_class_fails_the_load(catalog_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        catalog_dir / "taxonomy.yaml",
        lambda d: d["retention_classes"]["own_term"]["by_writer"].pop("jgz"),
    )
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_dir)
    assert any(
        "knooppunt.casus" in error and "'jgz' has no class of its own" in error
        for error in raised.value.errors
    )


def test_a_writer_class_must_exist_and_be_plain(catalog_dir: Path, edit_yaml: Edit) -> None:
    def bad(d: dict[str, Any]) -> None:
        by_writer = d["retention_classes"]["own_term"]["by_writer"]
        by_writer["jgz"] = "jgz_forever"
        by_writer["smw"] = "own_term"
        by_writer["bakker"] = "swv_3y"

    edit_yaml(catalog_dir / "taxonomy.yaml", bad)
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_dir)
    text = "\n".join(raised.value.errors)
    assert "writer 'jgz': unknown retention class 'jgz_forever'" in text
    assert "writer 'smw': 'own_term' is itself resolved per writer" in text
    assert "unknown writer kind 'bakker'" in text


def test_a_class_resolved_per_writer_has_no_years(catalog_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        catalog_dir / "taxonomy.yaml",
        lambda d: d["retention_classes"]["own_term"].update(years=5),
    )
    with pytest.raises(CatalogError, match="no years of its own"):
        load_catalog(catalog_dir)
