"""The served OpenAPI description, completed in one place after FastAPI generates it.

FastAPI documents what a route declares; the contract also holds what every route
shares and none declares: the bearer token, RFC 9457 problem+json for every refusal
(never FastAPI's `HTTPValidationError`), and the refusals an operation's shape implies.
Routes may still declare a 4xx themselves (by status alone); it gets the Problem body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from gateway.core.context import ACTOR_PATTERN, PURPOSE_PATTERN, ROLE_PATTERN
from gateway.core.errors import PROBLEM_JSON

COMPONENTS = "#/components/schemas/"
# For pydantic's `model_json_schema(ref_template=...)` in a route's `openapi_extra`.
COMPONENT_SCHEMAS = COMPONENTS + "{model}"
PROBLEM_REF = {"$ref": f"{COMPONENTS}Problem"}
BEARER = "bearer"
WRITES = {"post", "put", "patch", "delete"}
METHODS = WRITES | {"get", "head", "options", "trace"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: every refusal. `detail` never holds personal data.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]*$",
            "description": "Machine-readable reason, e.g. consent_missing, invalid_bsn.",
        },
        "errors": {
            "type": "array",
            "description": "Validation errors (422): where and what kind, never the value.",
            "items": {
                "type": "object",
                "required": ["loc", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "type": {"type": "string"},
                },
            },
        },
        "decision": {
            "type": "object",
            "description": "A policy denial: the decision (effect deny, flow, legal_basis, "
            "rule, reasons, obligations, policy_version).",
        },
    },
}

# The context headers: what each means and the shape it must have (else 400
# context_invalid). X-Purpose and X-Actor are required (else 400 context_missing).
CONTEXT = {
    "x-purpose": ("The purpose code of the flow, e.g. overdracht.po_vo.", PURPOSE_PATTERN),
    "x-actor": (
        "An opaque id of the person acting inside the organisation; never a BSN.",
        ACTOR_PATTERN,
    ),
    "x-actor-role": ("Optional: the actor's role, e.g. ib, leerplichtambtenaar.", ROLE_PATTERN),
}
REQUIRED_CONTEXT = {"x-purpose", "x-actor"}
IDEMPOTENCY_KEY = {"type": "string", "minLength": 1, "maxLength": 128}

# What each refusal means here (API.md, Conventions).
MEANING = {
    400: "Context headers missing or invalid (context_missing).",
    401: "Not authenticated: no valid bearer token.",
    403: "Authenticated but not allowed: scope, policy or consent.",
    404: "Unknown, or not yours.",
    409: "State conflict (e.g. inzage_missing, subject_conflict, an Idempotency-Key reused).",
    413: "The body is too large.",
    422: "Validation error: nothing was stored.",
    503: "Overloaded: too many requests in flight; nothing was done. Retry after Retry-After.",
}


def install_openapi(app: FastAPI) -> None:
    """Serve FastAPI's document completed by `complete`, built once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def complete(document: dict[str, Any]) -> dict[str, Any]:
    schemas = _schemas(document)
    _hoist_defs(document["paths"], schemas)
    schemas["Problem"] = PROBLEM_SCHEMA
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /oauth/token; it names the organisation.",
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/v1/") and method in METHODS:
                _refusals(method, path, operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        if not _mentions(document, f"{COMPONENTS}{unused}"):
            schemas.pop(unused, None)
    return document


def _refusals(method: str, path: str, operation: dict[str, Any]) -> None:
    """Every /v1 call carries a token; the rest follows from the operation's shape."""
    operation["security"] = [{BEARER: []}]
    params = operation.get("parameters", [])
    headers = {p["name"].lower() for p in params if p["in"] == "header"}
    has_body = "requestBody" in operation
    implied = {401, 403, 503}
    if "x-purpose" in headers:
        implied.add(400)
        if method in WRITES and not path.endswith("/search"):
            implied.add(409)
    if "idempotency-key" in headers:
        implied.add(409)
    if any(p["in"] == "path" for p in params):
        implied.add(404)
    if has_body:
        implied |= {413, 422}
    if params:
        implied.add(422)
    for param in params:
        name = param["name"].lower()
        if param["in"] == "header" and name in CONTEXT:
            description, pattern = CONTEXT[name]
            # Declared optional so that a missing one is our 400, not FastAPI's 422.
            param["required"] = name in REQUIRED_CONTEXT
            param["description"] = description
            param["schema"] = {"type": "string", "pattern": f"^{pattern}$"}
        elif param["in"] == "header" and name == "idempotency-key":
            param["schema"] = IDEMPOTENCY_KEY
    responses = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code[0] in "45"}
    for status in implied | declared:
        given = responses.get(str(status), {})
        responses[str(status)] = {
            "description": given.get("description") or MEANING.get(status, "Refused."),
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        }
    operation["responses"] = dict(sorted(responses.items()))


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> None:
    """Pydantic `$defs` embedded by a route's `openapi_extra` move to the components.

    A `#/$defs/X` reference resolves nowhere in an OpenAPI document; the same model
    under its own name in `components.schemas` is what every other route refers to.
    """
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            _hoist_defs(schema, schemas)
            schemas.setdefault(name, schema)
        if isinstance(node.get("$ref"), str):
            node["$ref"] = node["$ref"].replace("#/$defs/", COMPONENTS)
        for value in node.values():
            _hoist_defs(value, schemas)
    elif isinstance(node, list):
        for item in node:
            _hoist_defs(item, schemas)


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    return found


def _mentions(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_mentions(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(item, ref) for item in node)
    return False
