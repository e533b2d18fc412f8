"""The fuzzing runs of this session, for the closing summary (tests/fuzz/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.fuzz.harness import Net

REPORTS: list[tuple[str, Net]] = []
