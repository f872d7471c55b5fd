"""OIDC.md "Logout" (RP-Initiated Logout 1.0): a valid id_token_hint ends
the browser session and redirects to a registered post_logout_redirect_uri
with state; without one, a CSRF-protected confirmation page first; after
it, prompt=none is login_required."""
import urllib.parse

import pytest

import e2elib
import oidclib
from oidclib import (Browser, assert_code_redirect, assert_error_page, assert_page,
                     assert_redirect_error, auth_params, code_tokens, hidden, make_client,
                     pkce_pair, sign_in)


@pytest.fixture(scope="module")
def rp():
    return make_client()


@pytest.fixture
def user():
    return oidclib.new_user()


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


def _prompt_none(browser, client, state="after"):
    _, ch = pkce_pair()
    return browser.authorize(auth_params(client, challenge=ch, prompt="none", state=state))


def _logged_out(browser, client):
    assert_redirect_error(_prompt_none(browser, client), client, "login_required", state="after")


def _plr_redirect(resp, uri, state):
    assert resp.status_code in (302, 303), (resp.status_code, resp.headers, resp.text[:500])
    loc = resp.headers["Location"]
    if state is None:
        assert loc == uri, loc
        return
    assert loc.startswith(uri + "?"), (loc, uri)
    q = dict(urllib.parse.parse_qsl(loc[len(uri) + 1:], keep_blank_values=True))
    assert q.get("state") == state, q


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_with_hint_redirects_with_state_and_ends_the_session(rp, user, browser, method):
    _, tk = code_tokens(browser, rp, user)
    params = {"id_token_hint": e2elib.note_secret(tk["id_token"]),
              "post_logout_redirect_uri": rp.post_logout_redirect_uris[0],
              "state": "bye & <state>", "client_id": rp.id}
    if method == "GET":
        r = browser.get("/oauth/logout?" + urllib.parse.urlencode(params))
    else:
        r = browser.post("/oauth/logout", params)
    _plr_redirect(r, rp.post_logout_redirect_uris[0], "bye & <state>")
    _logged_out(browser, rp)


def test_logout_with_hint_and_no_redirect_uri_shows_signed_out(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    r = browser.post("/oauth/logout", {"id_token_hint": tk["id_token"]})
    assert "Location" not in r.headers, r.headers
    assert_page(r, 200)
    _logged_out(browser, rp)


def test_unregistered_post_logout_redirect_uri_is_not_followed(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    for bad in ("https://evil.example/", rp.post_logout_redirect_uris[0] + "/",
                rp.redirect_uri):
        r = browser.post("/oauth/logout", {"id_token_hint": tk["id_token"],
                                           "post_logout_redirect_uri": bad, "state": "s"})
        assert "Location" not in r.headers, (bad, r.headers)
        assert r.status_code in (200, 400), r.status_code
        assert_page(r)


def test_another_clients_post_logout_redirect_uri_is_not_followed(rp, user, browser):
    other = make_client()
    _, tk = code_tokens(browser, rp, user)
    r = browser.post("/oauth/logout", {"id_token_hint": tk["id_token"],
                                       "post_logout_redirect_uri":
                                           other.post_logout_redirect_uris[0]})
    assert "Location" not in r.headers, r.headers


def test_logout_without_hint_asks_first_then_signs_out(rp, user, browser):
    sign_in(browser, rp, user)
    r = browser.get("/oauth/logout?" + urllib.parse.urlencode({
        "client_id": rp.id, "post_logout_redirect_uri": rp.post_logout_redirect_uris[0],
        "state": "conf"}))
    assert_page(r, 200)
    assert "Location" not in r.headers
    # Asking did not sign out.
    assert_code_redirect(_prompt_none(browser, rp, "still"), rp, state="still")
    f = oidclib.form_posting_to(r, "/oauth/logout")
    data = hidden(f)
    assert data.get("client_id") == rp.id and data.get("state") == "conf", data
    assert data.get("post_logout_redirect_uri") == rp.post_logout_redirect_uris[0], data
    r = browser.post("/oauth/logout", data)
    _plr_redirect(r, rp.post_logout_redirect_uris[0], "conf")
    _logged_out(browser, rp)


def test_logout_confirmation_with_another_browsers_csrf_is_400(rp, user, browser):
    sign_in(browser, rp, user)
    other = Browser()
    sign_in(other, rp, user)
    page = other.get("/oauth/logout")
    data = hidden(oidclib.form_posting_to(page, "/oauth/logout"))
    mine = hidden(oidclib.form_posting_to(browser.get("/oauth/logout"), "/oauth/logout"))
    assert data["csrf"] != mine["csrf"]
    r = browser.post("/oauth/logout", data)
    assert_error_page(r)
    assert_code_redirect(_prompt_none(browser, rp, "kept"), rp, state="kept")
    other.close()


def test_bad_hint_is_the_confirmation_page(rp, user, browser):
    sign_in(browser, rp, user)
    r = browser.get("/oauth/logout?id_token_hint=not.a.jwt&post_logout_redirect_uri=%s"
                    % urllib.parse.quote(rp.post_logout_redirect_uris[0], safe=""))
    assert "Location" not in r.headers, r.headers
    assert_page(r, 200)
    oidclib.form_posting_to(r, "/oauth/logout")
    assert_code_redirect(_prompt_none(browser, rp, "kept"), rp, state="kept")


def test_expired_hint_is_fine(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    # Age the ID token: re-sign it with our key with exp in the past, as
    # the provider would have issued it an hour ago.
    h, c = e2elib.jwt_decode(tk["id_token"])
    c["iat"] -= 7200
    c["exp"] = c["iat"] + 3600
    old = e2elib.note_secret(e2elib.jwt_rs256(h, c, e2elib.signing_key()))
    r = browser.post("/oauth/logout", {"id_token_hint": old,
                                       "post_logout_redirect_uri": rp.post_logout_redirect_uris[0]})
    _plr_redirect(r, rp.post_logout_redirect_uris[0], None)
    _logged_out(browser, rp)


def test_logout_ends_the_session_listed_by_auth_sessions(rp, user, browser):
    user.login()
    _, tk = code_tokens(browser, rp, user)
    n = e2elib.api("GET", "/auth/sessions", token=user.access).json()["total"]
    r = browser.post("/oauth/logout", {"id_token_hint": tk["id_token"]})
    assert r.status_code in (200, 302, 303), r.status_code
    after = e2elib.api("GET", "/auth/sessions", token=user.access).json()["total"]
    assert after < n, (n, after)
    # The user's own API session is not touched.
    assert e2elib.api("GET", "/users/me", token=user.access).status_code == 200


def test_the_old_cookie_is_dead_after_logout(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    cookie = browser.cookie
    r = browser.post("/oauth/logout", {"id_token_hint": tk["id_token"]})
    assert r.status_code in (200, 302, 303), r.status_code
    for c in oidclib.set_cookie_headers(r):
        assert cookie not in c, c
    # Replaying the old cookie gives no session.
    b = Browser()
    b.set_cookie(cookie)
    _logged_out(b, rp)
    b.close()
