"""The OSO XSD is compiled when the app is built, not by the first pushes at once.

Several threads compiling it together made libxml2 fail with XMLSchemaParseError (seen
as a 500 on one of the first pushes of `make bench`).
"""

from __future__ import annotations

from pathlib import Path

from connectors.oso import xsd
from tests.support.gateway import Gateway


def test_the_schema_is_compiled_before_the_first_request(
    sqlite_template: Path, tmp_path: Path
) -> None:
    xsd.xml_schema.cache_clear()
    path = tmp_path / "gateway.db"
    path.write_bytes(sqlite_template.read_bytes())
    harness = Gateway(f"sqlite:///{path}", tmp_path / "var")
    try:
        assert xsd.xml_schema.cache_info().currsize == 1
    finally:
        harness.close()
