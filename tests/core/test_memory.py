"""The allocator settings of a long-running server (gateway/core/memory.py).

What they are for is measured by `make soak` (README, Soak); here: that they are taken
on this platform, and that the app applies them unless told not to.
"""

from __future__ import annotations

import platform
import shutil
from pathlib import Path

import pytest

import gateway.main
from gateway.core import memory
from tests.support.gateway import Gateway


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the settings are glibc's")
def test_glibc_takes_the_settings() -> None:
    assert memory.tune_allocator() is True


@pytest.mark.parametrize("tuning", [True, False])
def test_the_app_tunes_the_allocator_unless_told_not_to(
    tuning: bool, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(gateway.main, "tune_allocator", lambda: calls.append(True) or True)
    shutil.copyfile(sqlite_template, tmp_path / "gateway.db")
    harness = Gateway(f"sqlite:///{tmp_path}/gateway.db", tmp_path / "var", malloc_tuning=tuning)
    harness.close()
    assert calls == ([True] if tuning else [])
