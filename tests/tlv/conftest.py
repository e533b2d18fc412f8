"""The TLV tests use the gateway of every database, and the portal for the parents' view."""

from __future__ import annotations

from tests.web.conftest import dev_idp, portal

__all__ = ["dev_idp", "portal"]
