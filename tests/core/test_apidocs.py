"""/v1/docs is served from the gateway itself: its page names no other host."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.gateway import Gateway


def test_docs_page_loads_its_assets_from_the_gateway(tmp_path: Path) -> None:
    harness = Gateway(f"sqlite:///{tmp_path / 'gateway.db'}", tmp_path / "var")
    try:
        page = harness.client.get("/v1/docs")
        assert page.status_code == 200
        html = page.text
        assert "/v1/openapi.json" in html
        # Every src and href is a path on this gateway, none an absolute URL.
        links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        assert links, "the page loads no assets at all"
        assert all(link.startswith("/v1/docs/assets/") for link in links), links
        assert "cdn." not in html and "://" not in html
        for link in links:
            asset = harness.client.get(link)
            assert asset.status_code == 200, link
            assert asset.content, link
    finally:
        harness.close()
