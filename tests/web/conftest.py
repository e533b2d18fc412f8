"""The portal under test: the real app on a real database, logging in at the real dev IdP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.web.dev_idp import DevIdp
from tests.support.gateway import Gateway
from tests.support.idp import portal_settings, start_idp

# Plain http on loopback: the one place the portal's session cookie is not Secure.
PORTAL_ISSUER = "http://127.0.0.1"


@pytest.fixture(scope="session")
def dev_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevIdp]:
    idp = start_idp(tmp_path_factory.mktemp("idp"), f"{PORTAL_ISSUER}/portaal/login/callback")
    try:
        yield idp
    finally:
        idp.stop()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, dev_idp: DevIdp) -> Iterator[Gateway]:
    harness = Gateway(
        database_url, tmp_path / "var", issuer=PORTAL_ISSUER, **portal_settings(dev_idp)
    )
    try:
        yield harness
    finally:
        harness.close()
