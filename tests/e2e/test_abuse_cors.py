"""SECURITY.md C-T7 / API.md CORS: only origins of the configured allow-list
(exact scheme, host and port; the test stacks allow http://localhost:5173)
get CORS headers: Access-Control-Allow-Origin: <origin> and Vary: Origin on
responses.  A preflight (OPTIONS with Origin and
Access-Control-Request-Method) from an allowed origin is 204 with
-Allow-Origin, -Allow-Methods (the route's methods), -Allow-Headers:
Authorization, Content-Type, -Max-Age and Vary: Origin; from another
origin it is 400 {"detail":"Disallowed CORS origin"}.  Other origins never
get a CORS header.  cors_origins = * makes the worker refuse to start
(exit 78, naming cors_origins)."""
import os
import shutil
import subprocess
import tempfile

import pytest

from abuselib import (TOKEN_BURST, assert_429, call, fresh_address, parallel,
                      wrong_password)
from e2elib import (CONF, FCGI_BIN, assert_detail, assert_unauthorized, new_account,
                    unique_name)

ALLOWED = "http://localhost:5173"
OTHERS = [
    "http://evil.example",
    "http://localhost:5174",
    "https://localhost:5173",
    "http://localhost",
    "http://localhost:5173.evil.example",
    "http://evil.localhost:5173",
    "http://127.0.0.1:5173",
    "null",
    "*",
]

# Route -> its methods (API.md).
ROUTE_METHODS = {
    "/health": {"GET"},
    "/.well-known/jwks.json": {"GET"},
    "/token": {"POST"},
    "/refresh_token": {"POST"},
    "/token/validate": {"POST"},
    "/logout": {"POST"},
    "/auth/sessions": {"GET", "DELETE"},
    "/auth/sessions/0b6f3c52-7a4c-4d6e-9f1a-2b3c4d5e6f70": {"DELETE"},
    "/users/": {"GET", "POST"},
    "/users/0b6f3c52-7a4c-4d6e-9f1a-2b3c4d5e6f70": {"GET", "PUT", "DELETE"},
    # /users/search is POST /users/search and also matches /users/{id}.
    "/users/search": {"POST", "GET", "PUT", "DELETE"},
    "/users/me/": {"GET", "PUT", "DELETE"},
    "/admin/users/0b6f3c52-7a4c-4d6e-9f1a-2b3c4d5e6f70/role": {"POST"},
    "/admin/users/0b6f3c52-7a4c-4d6e-9f1a-2b3c4d5e6f70/disable": {"POST"},
    "/admin/users/0b6f3c52-7a4c-4d6e-9f1a-2b3c4d5e6f70/unlock": {"POST"},
    "/profile/": {"POST"},
    "/profile/me/": {"GET", "PUT", "DELETE"},
}


def cors_headers(resp):
    return {k: v for k, v in resp.headers.items() if k.lower().startswith("access-control-")}


def vary(resp):
    return {v.strip().lower() for v in resp.headers.get("Vary", "").split(",") if v.strip()}


def assert_allowed(resp):
    assert resp.headers.get("Access-Control-Allow-Origin") == ALLOWED, resp.headers
    assert "origin" in vary(resp), resp.headers
    assert resp.headers.get("Access-Control-Allow-Credentials", "").lower() != "true" or \
        resp.headers.get("Access-Control-Allow-Origin") != "*"


def assert_no_cors(resp):
    assert cors_headers(resp) == {}, resp.headers


def test_allowed_origin_gets_its_origin_back_on_every_kind_of_answer():
    src = fresh_address()
    h = {"Origin": ALLOWED}
    r = call("GET", "/health", src, headers=h)
    assert r.status_code == 200
    assert_allowed(r)
    r = call("GET", "/users/me", src, headers=h)                      # 401
    assert_unauthorized(r, "Not authenticated")
    assert_allowed(r)
    r = call("GET", "/no/such/route", src, headers=h)                 # 404
    assert_detail(r, 404, "Not Found")
    assert_allowed(r)
    r = call("POST", "/users/", src, headers=h, json={"username": 1})  # 422
    assert r.status_code == 422
    assert_allowed(r)
    u, e, p = new_account()
    r = call("POST", "/users/", src, headers=h, json={"username": u, "email": e, "password": p})
    assert r.status_code == 200, r.text
    assert_allowed(r)


def test_allowed_origin_gets_cors_headers_on_429():
    # A browser client can only read Retry-After if the 429 carries them.
    src = fresh_address()

    def one(_):
        return call("POST", "/token", src, headers={"Origin": ALLOWED},
                    data={"username": unique_name("ghost"), "password": wrong_password()})
    rs = parallel(one, range(TOKEN_BURST + 2), threads=8)
    limited = [r for r in rs if r.status_code == 429]
    assert len(limited) == 2, [r.status_code for r in rs]
    for r in rs:
        assert_allowed(r)
    assert_429(limited[0])


@pytest.mark.parametrize("origin", OTHERS)
def test_other_origins_get_no_cors_headers(origin):
    src = fresh_address()
    h = {"Origin": origin}
    for method, path, kw in (("GET", "/health", {}), ("GET", "/users/me", {}),
                             ("POST", "/users/", {"json": {}}),
                             ("GET", "/.well-known/jwks.json", {})):
        r = call(method, path, src, headers=h, **kw)
        assert r.status_code < 500, r.text
        assert_no_cors(r)
    # An OPTIONS that is not a preflight is an ordinary 405.
    r = call("OPTIONS", "/health", src, headers=h)
    assert r.status_code == 405, r.text
    assert_no_cors(r)


def test_no_origin_no_cors_headers():
    r = call("GET", "/health", fresh_address())
    assert r.status_code == 200
    assert_no_cors(r)


@pytest.mark.parametrize("path", sorted(ROUTE_METHODS))
def test_preflight_from_allowed_origin(path):
    methods = ROUTE_METHODS[path]
    want = sorted(methods)[0]
    r = call("OPTIONS", path, fresh_address(), headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": want,
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.content == b""
    assert_allowed(r)
    got = {m.strip() for m in r.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert got == methods, (path, got)
    hdrs = [x.strip().lower() for x in r.headers.get("Access-Control-Allow-Headers", "").split(",")]
    assert sorted(hdrs) == ["authorization", "content-type"], r.headers
    age = r.headers.get("Access-Control-Max-Age", "")
    assert age.isdigit() and int(age) > 0, r.headers


@pytest.mark.parametrize("origin", OTHERS)
def test_preflight_from_other_origin_is_refused(origin):
    r = call("OPTIONS", "/users/me", fresh_address(), headers={
        "Origin": origin, "Access-Control-Request-Method": "GET"})
    assert_detail(r, 400, "Disallowed CORS origin")
    assert_no_cors(r)


# --- a preflight on every path (as FastAPI's CORS middleware answers) ---------------
# so that a browser reads our 404 or 405 instead of "Failed to fetch".

@pytest.mark.parametrize("path,asked,allow", [
    ("/no/such/route", "GET", {"GET"}),
    ("/admin/nothing", "POST", {"POST"}),
    ("/health", "DELETE", {"GET", "DELETE"}),
    ("/admin/users", "GET", {"GET"}),
    ("/admin/login", "POST", {"POST"}),
    ("/auth/sso/providers", "GET", {"GET"}),
])
def test_preflight_on_every_path(path, asked, allow):
    src = fresh_address()
    r = call("OPTIONS", path, src, headers={"Origin": ALLOWED,
                                            "Access-Control-Request-Method": asked})
    assert r.status_code == 204, (r.status_code, r.text)
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED
    got = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert got == allow, got
    # The request itself then gets our answer with the CORS headers.
    r = call(asked, path, src, headers={"Origin": ALLOWED})
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED, r.headers
    assert r.status_code in (200, 401, 404, 405, 422), r.text


def test_preflight_from_other_origin_on_unknown_path():
    r = call("OPTIONS", "/no/such/route", fresh_address(), headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert_detail(r, 400, "Disallowed CORS origin")
    assert "Access-Control-Allow-Origin" not in r.headers


def test_preflight_asking_a_strange_method():
    r = call("OPTIONS", "/health", fresh_address(), headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "get, <X>"})
    # Not a method name: not echoed.
    assert r.status_code == 204, r.text
    assert r.headers["Access-Control-Allow-Methods"] == "GET"


# --- the configuration -------------------------------------------------------------

EX_CONFIG = 78


def conf_with(key, value):
    """A copy of the stack's whole genesis.conf with key set to value, in a
    folder the workers' user can read; returns (folder, path)."""
    d = tempfile.mkdtemp(prefix="genesis-e2e-cors-")
    os.chmod(d, 0o755)
    lines, seen = ["# written by tests/e2e/test_abuse_cors.py"], False
    with open(CONF) as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            k, _, v = s.partition("=")
            if k.strip() == key:
                v, seen = value, True
            lines.append("%s = %s" % (k.strip(), v.strip()))
    if not seen:
        lines.append("%s = %s" % (key, value))
    path = os.path.join(d, "genesis.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o644)
    return d, path


def run_worker(conf):
    """genesis-fcgi -c conf as the workers' user, fd 0 not a FastCGI socket."""
    cmd = ["runuser", "-u", "genesis", "--", "env", "-u", "CREDENTIALS_DIRECTORY",
           "-u", "GENESIS_CONFIG", FCGI_BIN, "-c", conf]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    return p.returncode, p.stderr.decode("utf-8", errors="replace")


@pytest.mark.parametrize("value", ["*", "http://localhost:5173, *", "*, http://localhost:5173"])
def test_wildcard_origin_is_refused_at_start(value):
    d, path = conf_with("cors_origins", value)
    try:
        rc, err = run_worker(path)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert rc == EX_CONFIG, (rc, err)
    lines = err.splitlines()
    assert len(lines) == 1 and "cors_origins" in lines[0], err


def test_allow_list_config_starts():
    # The same copy with the stack's own allow-list gets past the checks
    # (then stops: fd 0 is not a FastCGI socket).
    d, path = conf_with("cors_origins", ALLOWED)
    try:
        rc, err = run_worker(path)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert rc != EX_CONFIG and rc == 64, (rc, err)
