"""Fixtures for the policy tests: the packaged catalog and a way to vary a copy of it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import Phase, settings

from policies.catalog import Catalog, load_catalog
from policies.loader import DEFAULT_PATH

# Under mutmut every property runs on fewer examples and does not shrink, so
# `make mutate` stays within minutes; the normal suite keeps hypothesis' defaults.
settings.register_profile(
    "mutation", max_examples=30, phases=[Phase.explicit, Phase.reuse, Phase.generate]
)


def pytest_configure(config: pytest.Config) -> None:
    # Per session, not at import: mutmut forks its runs from a process that imported
    # this module before it named a mutant in MUTANT_UNDER_TEST.
    if os.environ.get("MUTANT_UNDER_TEST"):
        settings.load_profile("mutation")


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A private copy of the packaged catalog that a test may edit."""
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_PATH, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


@pytest.fixture
def edit_yaml() -> Callable[[Path, Callable[[dict[str, Any]], None]], None]:
    def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return edit
