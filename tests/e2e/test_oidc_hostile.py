"""Bad input at the provider's endpoints always gets a clear 4xx (or a
redirect error), never a 500, never a crashed worker (common.md, SECURITY.md
C-T24 for the pages: markup in any echoed value stays inert)."""
import urllib.parse

import pytest

import e2elib
import oidclib
from oidclib import Browser, assert_error_page, make_client, pkce_pair

MARKUP = '"><script>alert(9)</script><img src=x onerror=alert(9)>'


@pytest.fixture(scope="module")
def rp():
    return make_client()


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


def _raw_query(browser, path, query):
    r = browser.s.get(e2elib.url(path) + "?" + query, allow_redirects=False,
                      timeout=e2elib.HTTP_TIMEOUT)
    return r


HOSTILE_QUERIES = {
    "bad percent-encoding": "client_id=%zz&redirect_uri=%&scope=%E0%A4",
    "NUL byte": "client_id=%00&response_type=code%00&scope=openid%00",
    "not UTF-8": "client_id=%ff%fe&state=%c3%28&nonce=%80",
    "huge scope": "scope=" + "openid+" * 3000,
    "huge state": "state=" + "A" * 20000,
    "many parameters": "&".join("p%d=v" % i for i in range(2000)),
    "empty names": "=&=&&&=x",
    "only separators": "&&&&&&",
}


@pytest.mark.parametrize("path", ["/oauth/authorize", "/oauth/login", "/oauth/consent",
                                  "/oauth/logout", "/oauth/userinfo"])
@pytest.mark.parametrize("which", sorted(HOSTILE_QUERIES))
def test_hostile_query_is_a_4xx(browser, path, which):
    r = _raw_query(browser, path, HOSTILE_QUERIES[which])
    assert 400 <= r.status_code < 500 or r.status_code == 200 and path == "/oauth/logout", \
        (path, which, r.status_code, r.text[:300])
    assert "Location" not in r.headers, r.headers


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/login", "/oauth/consent",
                                  "/oauth/revoke", "/oauth/introspect", "/oauth/authorize",
                                  "/oauth/logout", "/oauth/userinfo"])
@pytest.mark.parametrize("which", sorted(HOSTILE_QUERIES))
def test_hostile_form_is_a_4xx(path, which):
    s = e2elib._client_for(e2elib.login_source())
    r = s.post(e2elib.url(path), data=HOSTILE_QUERIES[which].encode(),
               headers={"Content-Type": "application/x-www-form-urlencoded"},
               allow_redirects=False, timeout=e2elib.HTTP_TIMEOUT)
    assert 400 <= r.status_code < 500 or (r.status_code == 200 and path == "/oauth/logout"), \
        (path, which, r.status_code, r.text[:300])


def test_the_workers_survived():
    r = e2elib.api("GET", "/health")
    assert r.status_code == 200, r.text


def test_markup_in_a_bad_redirect_uri_is_inert_on_the_error_page(rp, browser):
    _, ch = pkce_pair()
    r = browser.authorize(oidclib.auth_params(rp, redirect_uri=rp.redirect_uri + MARKUP,
                                              state=MARKUP, challenge=ch))
    assert_error_page(r)
    low = r.text.lower()
    assert "<script" not in low and "<img" not in low, r.text


def test_markup_in_a_client_id_is_inert_on_the_error_page(browser):
    r = browser.get("/oauth/authorize?" + urllib.parse.urlencode({
        "client_id": MARKUP, "response_type": "code", "scope": "openid",
        "redirect_uri": MARKUP}))
    assert_error_page(r)
    low = r.text.lower()
    assert "<script" not in low and "<img" not in low, r.text


def test_markup_in_logout_parameters_is_inert(rp, browser):
    r = browser.get("/oauth/logout?" + urllib.parse.urlencode({
        "client_id": rp.id, "state": MARKUP, "post_logout_redirect_uri": MARKUP}))
    assert "Location" not in r.headers
    oidclib.assert_page(r)
    low = r.text.lower()
    assert "<script" not in low and "<img" not in low, r.text
    for f in oidclib.forms_of(r.text):
        for name, v in f["inputs"].items():
            if name == "state":
                assert v["value"] == MARKUP            # carried through, escaped
