"""The HTTP edge: request ids, trace context, limits, problem+json, OpenAPI, health."""

from __future__ import annotations

from tests.support.gateway import Gateway, make_subject

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_request_id_is_echoed_and_trace_continued(gateway: Gateway) -> None:
    response = gateway.client.get(
        "/health/live",
        headers={"X-Request-Id": "req-42", "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
    )
    assert response.headers["x-request-id"] == "req-42"
    assert response.headers["traceparent"].startswith(f"00-{TRACE_ID}-")
    generated = gateway.client.get("/health/live")
    assert len(generated.headers["x-request-id"]) == 32


def test_bodies_over_5_mb_are_413_and_store_nothing(gateway: Gateway) -> None:
    po = gateway.make_org("school_po")
    response = gateway.client.post(
        "/v1/transfers",
        headers={**po.headers(), "Content-Type": "application/xml"},
        content=b"<a>" + b"x" * (5 * 1024 * 1024) + b"</a>",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert response.headers["content-type"] == "application/problem+json"


def test_invalid_bsn_is_422_without_echoing_it(gateway: Gateway) -> None:
    vo = gateway.make_org("school_vo")
    response = gateway.client.post(
        "/v1/enrolments", headers=vo.headers(), json={"subject": make_subject(bsn="123456789")}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_bsn"
    assert "123456789" not in response.text


def test_unknown_routes_are_problem_json(gateway: Gateway) -> None:
    response = gateway.client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_openapi_is_served(gateway: Gateway) -> None:
    spec = gateway.client.get("/v1/openapi.json").json()
    assert {
        "/v1/transfers",
        "/v1/transfers/{transfer_id}",
        "/v1/enrolments",
        "/v1/policies/evaluate",
    } <= set(spec["paths"])


def test_health_and_metrics(gateway: Gateway) -> None:
    assert gateway.client.get("/health/live").json() == {"status": "ok"}
    ready = gateway.client.get("/health/ready").json()
    assert ready["database"] == "up"
    metrics = gateway.client.get("/metrics")
    assert "gateway_http_requests_total" in metrics.text
