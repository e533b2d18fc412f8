"""The served OpenAPI description is a valid document that tells the contract's truth.

Every reference resolves, every refusal under /v1 is documented as problem+json, the
token endpoint shows its form, and the XML forms of the push and the read are named.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from gateway.core.context import ACTOR_RE, PURPOSE_RE, ROLE_RE
from tests.support.gateway import Gateway

PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    # The description touches no database: one app on an empty SQLite file serves it.
    root: Path = tmp_path_factory.mktemp("openapi")
    harness = Gateway(f"sqlite:///{root / 'gateway.db'}", root / "var")
    try:
        response = harness.client.get("/v1/openapi.json")
        assert response.status_code == 200
        yield response.json()
    finally:
        harness.close()


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    found = set(refs(document))
    assert "#/components/schemas/ClientSubject" in found
    for ref in found:
        resolve(document, ref)


def test_the_push_body_refers_to_the_components(document: dict[str, Any]) -> None:
    body = document["paths"]["/v1/transfers"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    assert "$defs" not in schema
    assert schema["properties"]["subject"] == {"$ref": "#/components/schemas/ClientSubject"}
    assert body["application/xml"]["schema"]["type"] == "string"


def test_the_read_documents_its_xml_form(document: dict[str, Any]) -> None:
    read = document["paths"]["/v1/transfers/{transfer_id}"]["get"]["responses"]
    assert read["200"]["content"]["application/xml"]["schema"]["type"] == "string"
    assert read["409"]["content"] == {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


def test_every_v1_refusal_is_problem_json(document: dict[str, Any]) -> None:
    checked = 0
    for path, method, operation in operations(document):
        if not path.startswith("/v1/"):
            continue
        refusals = {code: r for code, r in operation["responses"].items() if code[0] == "4"}
        assert {"401", "403"} <= set(refusals), (method, path)
        for code, response in refusals.items():
            assert list(response["content"]) == [PROBLEM_JSON], (method, path, code)
        checked += 1
    assert checked > 10
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    assert {"errors", "decision"} <= set(problem["properties"])


def test_refusals_follow_from_what_an_operation_takes(document: dict[str, Any]) -> None:
    paths = document["paths"]
    push = set(paths["/v1/transfers"]["post"]["responses"])
    assert {"400", "401", "403", "409", "413", "422"} <= push
    assert "404" in paths["/v1/transfers/{transfer_id}"]["get"]["responses"]
    catalog = set(paths["/v1/policies"]["get"]["responses"])
    assert catalog == {"200", "401", "403", "503"}


def test_the_token_endpoint_documents_its_form(document: dict[str, Any]) -> None:
    token = document["paths"]["/oauth/token"]["post"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert set(form["properties"]) == {
        "grant_type",
        "scope",
        "client_assertion_type",
        "client_assertion",
        "client_id",
        "client_secret",
    }
    assert form["required"] == ["grant_type"]
    assert "security" not in token


def test_the_dry_run_documents_that_it_asks_about_the_send(document: dict[str, Any]) -> None:
    action = document["components"]["schemas"]["EvaluateIn"]["properties"]["action"]
    assert action["default"] == "send"
    assert action["enum"] == ["send", "release"]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_the_context_headers_document_the_shape_that_is_enforced(
    document: dict[str, Any],
) -> None:
    # Found by tests/fuzz: an X-Actor-Role the document allowed was refused as
    # context_invalid, so generated calls never got past the context check.
    read = document["paths"]["/v1/transfers/{transfer_id}"]["get"]["parameters"]
    headers = {p["name"].lower(): p for p in read if p["in"] == "header"}
    assert headers["x-purpose"]["schema"]["pattern"] == f"^{PURPOSE_RE.pattern}$"
    assert headers["x-actor"]["schema"]["pattern"] == f"^{ACTOR_RE.pattern}$"
    assert headers["x-actor-role"]["schema"]["pattern"] == f"^{ROLE_RE.pattern}$"
    assert (headers["x-purpose"]["required"], headers["x-actor-role"]["required"]) == (True, False)
    push = document["paths"]["/v1/transfers"]["post"]["parameters"]
    key = next(p for p in push if p["name"].lower() == "idempotency-key")
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 128)
