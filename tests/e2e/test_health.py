"""GET /health and GET /health/ready (API.md, Health and discovery)."""
import pytest

from e2elib import HTTP_TIMEOUT, assert_detail, assert_json_response, body_of, url


@pytest.mark.parametrize("path", ["/health", "/health/"])
def test_health(http, path):
    r = http.get(url(path), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"status": "ok", "service": "genesis-iam"}


@pytest.mark.parametrize("path", ["/health/ready", "/health/ready/"])
def test_ready(http, path):
    r = http.get(url(path), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"status": "ok", "database": "ok"}


def test_health_with_query_string(http):
    r = http.get(url("/health?probe=1"), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    assert body_of(r) == {"status": "ok", "service": "genesis-iam"}


def test_every_worker_answers(http):
    # nginx spreads requests over the pool; a few rounds reach each worker.
    for _ in range(12):
        r = http.get(url("/health/ready"), timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("method,path", [
    ("DELETE", "/health"),
    ("POST", "/health"),
    ("PUT", "/health/"),
    ("POST", "/health/ready"),
    ("DELETE", "/health/ready/"),
])
def test_wrong_method_is_405_with_allow(http, method, path):
    r = http.request(method, url(path), timeout=HTTP_TIMEOUT)
    assert_detail(r, 405, "Method Not Allowed")
    allow = [m.strip() for m in r.headers.get("Allow", "").split(",")]
    assert "GET" in allow, r.headers
    assert method not in allow, r.headers


@pytest.mark.parametrize("path", ["/nope", "/health/nope", "/healthz", "/users/x/y/z"])
def test_unknown_route_is_404(http, path):
    r = http.get(url(path), timeout=HTTP_TIMEOUT)
    assert_detail(r, 404, "Not Found")
