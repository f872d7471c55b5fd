"""OIDC.md authorize steps 3-4: consent (require_consent, prompt=consent,
Allow / Deny), the grants users list and revoke, and the first-party
Bearer path of /oauth/authorize."""
import re

import pytest

import e2elib
import oidclib
from oidclib import (Browser, assert_code_redirect, assert_oauth_error, assert_page,
                     assert_redirect_error, assert_tokens, auth_params, code_tokens,
                     make_client, pkce_pair, redeem, sign_in, token)


@pytest.fixture
def user():
    u = oidclib.new_user()
    u.login()
    return u


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


def _to_consent(browser, client, user, scope="openid email", state="cs", **kw):
    """Authorize and log in; returns the consent page."""
    page = oidclib.login_page(browser, client, scope=scope, state=state, **kw)
    r = browser.submit_login(page, user.username, user.password)
    assert r.status_code == 303, (r.status_code, r.headers, r.text[:500])
    loc = r.headers["Location"]
    assert oidclib.is_ours(loc) and oidclib._path_of(loc) == "/oauth/consent", loc
    c = browser.get(loc)
    browser.consent_form(c)
    c.verifier = page.verifier
    return c


def _grants(user):
    r = e2elib.api("GET", "/auth/grants", token=user.access)
    assert r.status_code == 200, r.text
    e2elib.assert_json_response(r)
    b = r.json()
    assert set(b) == {"grants"}, b
    return b["grants"]


def test_require_consent_shows_the_consent_page(user, browser):
    c = make_client(require_consent=True, name="Consent RP %s" % user.username[-6:])
    page = _to_consent(browser, c, user, scope="openid email profile")
    assert_page(page, 200)
    assert c.name in page.text
    scopes = re.search(r'<ul class="scopes">(.*?)</ul>', page.text, re.S)
    assert scopes and scopes.group(1).count("<li>") >= 2, page.text
    assert "Allow" in page.text and "Deny" in page.text


def test_deny_is_access_denied(user, browser):
    c = make_client(require_consent=True)
    page = _to_consent(browser, c, user, state="deny-me")
    r = browser.submit_consent(page, "deny")
    assert r.status_code == 303, (r.status_code, r.headers)
    q = oidclib.client_redirect(r, c)
    assert q["error"] == "access_denied" and q["state"] == "deny-me", q
    assert q["iss"] == oidclib.issuer() and q.get("error_description"), q
    assert "code" not in q
    assert _grants(user) == []


def test_allow_gives_a_code_and_a_remembered_grant(user, browser):
    c = make_client(require_consent=True)
    page = _to_consent(browser, c, user, state="allow-me")
    r = browser.submit_consent(page, "allow")
    assert r.status_code == 303, (r.status_code, r.headers)
    code = assert_code_redirect(r, c, state="allow-me")
    flow = oidclib.Flow(code=code, verifier=page.verifier)
    assert_tokens(redeem(c, flow), scope="openid email")
    # Remembered: the next request for the same scopes shows no page.
    again = sign_in(browser, c, user, scope="openid email")
    assert not again.logged_in and not again.consented
    # And prompt=none works now.
    _, ch = pkce_pair()
    assert_code_redirect(browser.authorize(auth_params(c, scope="openid", challenge=ch,
                                                       prompt="none", state="pn")),
                         c, state="pn")
    g = _grants(user)
    assert len(g) == 1, g
    assert g[0]["client_id"] == c.id and g[0]["client_name"] == c.name, g
    assert set(g[0]["scope"].split()) == {"openid", "email"}, g
    for k in ("created_at", "updated_at"):
        assert e2elib.RFC3339_Z_RE.match(g[0][k]), g


def test_more_scopes_than_granted_ask_again(user, browser):
    c = make_client(require_consent=True)
    flow = sign_in(browser, c, user, scope="openid")
    assert flow.consented
    again = sign_in(browser, c, user, scope="openid email")
    assert again.consented


def test_revoking_a_grant_revokes_that_clients_refresh_tokens(user, browser):
    c = make_client(require_consent=True)
    keep = make_client()
    _, tk = code_tokens(browser, c, user, scope="openid offline_access")
    _, tk_keep = code_tokens(browser, keep, user, scope="openid offline_access")
    r = e2elib.api("DELETE", "/auth/grants/%s" % c.id, token=user.access)
    assert r.status_code == 200, r.text
    assert r.json() == {"message": "Grant revoked"}
    assert_oauth_error(token(c, {"grant_type": "refresh_token",
                                 "refresh_token": tk["refresh_token"]}), 400, "invalid_grant")
    assert oidclib.userinfo(tk["access_token"]).status_code == 401
    # The other client's tokens and the user's own session stay.
    assert_tokens(token(keep, {"grant_type": "refresh_token",
                               "refresh_token": tk_keep["refresh_token"]}), refresh=True)
    assert e2elib.api("GET", "/users/me", token=user.access).status_code == 200
    assert all(g["client_id"] != c.id for g in _grants(user))
    # Consent is asked again.
    assert sign_in(browser, c, user).consented


def test_grants_need_a_first_party_token():
    r = e2elib.api("GET", "/auth/grants")
    assert r.status_code == 401, r.text


def test_prompt_consent_shows_the_page_for_a_client_without_require_consent(user, browser):
    c = make_client()
    first = sign_in(browser, c, user)
    assert not first.consented
    again = sign_in(browser, c, user, prompt="consent", scope="openid offline_access")
    assert again.consented
    assert_tokens(redeem(c, again), scope="openid offline_access", refresh=True)


def test_prompt_none_for_a_consent_client_without_grant_is_consent_required(user, browser):
    c = make_client(require_consent=True)
    sign_in(browser, make_client(), user)
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(c, challenge=ch, prompt="none", state="cr"))
    assert_redirect_error(r, c, "consent_required", state="cr")


# --- the first-party Bearer path ----------------------------------------------------------

def test_first_party_bearer_gives_a_code_for_a_client_without_consent(user):
    c = make_client()
    s = e2elib.client(oidclib.browser_source())
    v, ch = pkce_pair()
    r = s.get(e2elib.url("/oauth/authorize"), params=auth_params(c, challenge=ch, state="fp"),
              headers=e2elib.bearer(user.access), allow_redirects=False,
              timeout=e2elib.HTTP_TIMEOUT)
    code = assert_code_redirect(r, c, state="fp")
    b = assert_tokens(redeem(c, oidclib.Flow(code=code, verifier=v)))
    assert oidclib.claims(b["id_token"])["sub"] == user.id
    s.close()


def test_first_party_bearer_gives_no_code_for_a_consent_client(user):
    c = make_client(require_consent=True)
    s = e2elib.client(oidclib.browser_source())
    _, ch = pkce_pair()
    r = s.get(e2elib.url("/oauth/authorize"), params=auth_params(c, challenge=ch, state="fc"),
              headers=e2elib.bearer(user.access), allow_redirects=False,
              timeout=e2elib.HTTP_TIMEOUT)
    loc = r.headers.get("Location", "")
    assert not (loc.startswith(c.redirect_uri) and "code=" in loc), (r.status_code, loc)
    s.close()


def test_a_clients_token_is_not_a_first_party_bearer(user):
    c = make_client()
    b = Browser()
    _, tk = code_tokens(b, c, user)
    b.close()
    s = e2elib.client(oidclib.browser_source())
    _, ch = pkce_pair()
    r = s.get(e2elib.url("/oauth/authorize"), params=auth_params(c, challenge=ch, state="ct",
                                                                 prompt="none"),
              headers=e2elib.bearer(tk["access_token"]), allow_redirects=False,
              timeout=e2elib.HTTP_TIMEOUT)
    assert_redirect_error(r, c, "login_required", state="ct")
    s.close()


def test_a_bad_bearer_is_no_session(user):
    c = make_client()
    s = e2elib.client(oidclib.browser_source())
    _, ch = pkce_pair()
    r = s.get(e2elib.url("/oauth/authorize"), params=auth_params(c, challenge=ch, state="bb",
                                                                 prompt="none"),
              headers=e2elib.bearer("garbage.garbage.garbage"), allow_redirects=False,
              timeout=e2elib.HTTP_TIMEOUT)
    assert_redirect_error(r, c, "login_required", state="bb")
    s.close()
