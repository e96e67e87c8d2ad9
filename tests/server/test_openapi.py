"""The OpenAPI document declares each operation's error responses as problem documents, and a
405 names every method of its path (issue 11)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if isinstance(op, dict) and "responses" in op
    ]


def test_every_operation_documents_its_errors_as_problems(app_client: TestClient) -> None:
    doc = app_client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"type", "title", "status", "detail"} <= set(schemas["Problem"]["required"])
    assert "HTTPValidationError" not in schemas  # FastAPI's 422 shape, never sent
    for method, path, op in operations(doc):
        responses = op["responses"]
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == [PROBLEM], (method, path, status)
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        if "authorization" in names:
            assert {"401", "403"} <= set(responses), (method, path)
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            assert "404" in responses, (method, path)
        if "requestBody" in op:
            assert {"413", "422"} <= set(responses), (method, path)
        if path.startswith("/api/") and path != "/api/payments/webhooks/stripe":
            assert "Retry-After" in responses["429"]["headers"], (method, path)
    jobs = doc["paths"]["/api/jobs"]["post"]["responses"]
    assert {"402", "404", "409", "413", "429"} <= set(jobs)
    assert "409" in doc["paths"]["/api/users/register"]["post"]["responses"]
    upload = doc["paths"]["/api/projects/{project_id}/assets"]["post"]["responses"]
    assert {"401", "413", "415"} <= set(upload)
    for crm in ("sync-user", "log-project", "log-purchase", "resync"):  # 409: CRM sync is off
        assert {"404", "409"} <= set(doc["paths"][f"/api/crm/{crm}"]["post"]["responses"])


def test_a_405_names_every_method_of_the_path(app_client: TestClient) -> None:
    for method, path, allowed in [
        ("PUT", "/api/users/me", "DELETE, GET, PATCH"),
        ("OPTIONS", "/api/projects", "GET, POST"),
        ("DELETE", "/api/projects/0b5e9c4e-6a51-4a8e-9d2b-7c3f4b1a2d3e/assets", "GET, POST"),
        ("GET", "/api/users/login", "POST"),
    ]:
        r = app_client.request(method, path)
        assert r.status_code == 405, (method, path)
        assert r.headers["allow"] == allowed, (method, path)
        assert r.headers["content-type"] == PROBLEM
