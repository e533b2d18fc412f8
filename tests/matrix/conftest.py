"""The access matrix's world: built once per database, every case a cheap look at it."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.core.settings import Settings
from gateway.main import build_services, create_app
from policies.loader import load_catalog
from tests.matrix.world import World
from tests.support.gateway import Gateway, make_keyring
from tests.support.matrix import Matrix, generate
from tests.support.postgres import PostgresServer

TEMPLATE = "gateway_template"
_MATRIX: list[Matrix] = []


def matrix() -> Matrix:
    """The generated matrix, from the packaged catalog and the app's served OpenAPI."""
    if not _MATRIX:
        _MATRIX.append(generate(load_catalog(), served_openapi()))
    return _MATRIX[0]


def served_openapi() -> dict[str, Any]:
    """The OpenAPI document the app serves, from an app on a throwaway database."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/openapi.db", data_dir=tmp)
        services = build_services(settings, keyring=make_keyring())
        try:
            return create_app(settings, services=services).openapi()
        finally:
            services.db.dispose()


def pytest_report_header() -> str:
    return matrix().summary()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(matrix().summary())


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        path = tmp / "gateway.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_database(f"m_{uuid.uuid4().hex[:12]}", template=TEMPLATE)
    gateway = Gateway(url, tmp / "var")
    try:
        yield World(gateway, matrix())
    finally:
        gateway.close()
