"""OIDC.md "Authorization endpoint" and SECURITY.md C-T20/C-T21: a bad
client or redirect_uri gets our page and never a Location (every near-miss
URI); the other errors are redirect errors carrying iss and the exact
state; PKCE downgrades are refused; prompt and max_age."""
import time
import urllib.parse
import uuid

import pytest

import e2elib
import oidclib
from oidclib import (Browser, assert_code_redirect, assert_error_page, assert_page,
                     assert_redirect_error, auth_params, make_client, pkce_pair, sign_in)


@pytest.fixture(scope="module")
def rp():
    return make_client(redirect_uris=["http://127.0.0.1:8999/cb/%s" % uuid.uuid4().hex[:8]])


@pytest.fixture(scope="module")
def rp_two_uris():
    return make_client(redirect_uris=[oidclib.new_redirect_uri(), oidclib.new_redirect_uri()])


@pytest.fixture(scope="module")
def public():
    return make_client(auth_method="none")


@pytest.fixture(scope="module")
def pkce_rp():
    return make_client(require_pkce=True)


@pytest.fixture(scope="module")
def user():
    return oidclib.new_user()


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


def _near_misses(ru):
    u = urllib.parse.urlsplit(ru)
    return {
        "trailing slash": ru + "/",
        "case of path": u._replace(path=u.path.upper()).geturl(),
        "case of scheme and host": ru.replace("http://127.0.0.1", "HTTP://LOCALHOST", 1),
        "extra query": ru + "?a=1",
        "empty query": ru + "?",
        "other port": ru.replace(":8999/", ":8998/", 1),
        "no port": ru.replace(":8999/", "/", 1),
        "fragment": ru + "#frag",
        "userinfo": ru.replace("http://", "http://user@", 1),
        "userinfo with password": ru.replace("http://", "http://user:pw@", 1),
        "other host": ru.replace("127.0.0.1", "127.0.0.2", 1),
        "prefix": ru[:-1],
        "longer path": ru + "x",
        "dot segment": ru.replace("/cb/", "/cb/./", 1),
        "percent-encoded": ru.replace("/cb/", "/%63b/", 1),
        "https": ru.replace("http://", "https://", 1),
    }


NEAR_MISS_NAMES = sorted(_near_misses("http://127.0.0.1:8999/cb/x"))


@pytest.mark.parametrize("which", NEAR_MISS_NAMES)
def test_near_miss_redirect_uri_gets_a_page_and_no_location(rp, browser, which):
    bad = _near_misses(rp.redirect_uri)[which]
    assert bad != rp.redirect_uri
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, redirect_uri=bad, state="s1", challenge=ch))
    assert_error_page(r)
    assert "code=" not in r.text


@pytest.mark.parametrize("which", ["trailing slash", "extra query", "fragment"])
def test_near_miss_by_post_gets_a_page_too(rp, browser, which):
    bad = _near_misses(rp.redirect_uri)[which]
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, redirect_uri=bad, challenge=ch), method="POST")
    assert_error_page(r)


def test_near_miss_with_a_session_still_gets_a_page(rp, user, browser):
    sign_in(browser, rp, user)              # now the browser has a session
    bad = _near_misses(rp.redirect_uri)["trailing slash"]
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, redirect_uri=bad, challenge=ch, prompt="none"))
    assert_error_page(r)


@pytest.mark.parametrize("case", ["unknown", "malformed", "missing", "inactive", "empty"])
def test_bad_client_id_gets_a_page(rp, browser, case):
    p = auth_params(rp, state="s")
    if case == "unknown":
        p["client_id"] = str(uuid.uuid4())
    elif case == "malformed":
        p["client_id"] = "<not a uuid>"
    elif case == "missing":
        del p["client_id"]
    elif case == "empty":
        p["client_id"] = ""
    else:
        c = make_client(is_active=False)
        p = auth_params(c, state="s")
    r = browser.authorize(p)
    assert_error_page(r)


def test_redirect_uri_may_be_omitted_with_exactly_one_registered(rp, user, browser):
    _, ch = pkce_pair()
    p = auth_params(rp, state="one", challenge=ch, response_type="token")
    del p["redirect_uri"]
    # The error is a redirect error: the registered URI was taken.
    assert_redirect_error(browser.authorize(p), rp, "unsupported_response_type", state="one")


def test_redirect_uri_may_not_be_omitted_with_two_registered(rp_two_uris, browser):
    _, ch = pkce_pair()
    p = auth_params(rp_two_uris, state="two", challenge=ch)
    del p["redirect_uri"]
    assert_error_page(browser.authorize(p))


def test_second_registered_uri_is_accepted(rp_two_uris, user, browser):
    ru = rp_two_uris.redirect_uris[1]
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp_two_uris, redirect_uri=ru, state="x",
                                      challenge=ch, response_type="bogus"))
    assert_redirect_error(r, rp_two_uris, "unsupported_response_type", state="x",
                          redirect_uri=ru)


# --- redirect errors -------------------------------------------------------------

REDIRECT_ERRORS = {
    "response_type token": ({"response_type": "token"}, "unsupported_response_type"),
    "response_type id_token": ({"response_type": "id_token"}, "unsupported_response_type"),
    "response_type code id_token": ({"response_type": "code id_token"},
                                    "unsupported_response_type"),
    "scope without openid": ({"scope": "profile email"}, "invalid_scope"),
    "unknown scope": ({"scope": "openid admin"}, "invalid_scope"),
    "scope beyond the client's": ({"scope": "openid email"}, "invalid_scope"),
    "repeated scope": ([("scope", "openid")], "invalid_request"),
    "repeated response_type": ([("response_type", "code")], "invalid_request"),
    "repeated nonce": ([("nonce", "a"), ("nonce", "b")], "invalid_request"),
    "challenge method plain": ({"code_challenge_method": "plain"}, "invalid_request"),
    "challenge method absent": ({"code_challenge_method": None}, "invalid_request"),
    "challenge method unknown": ({"code_challenge_method": "S512"}, "invalid_request"),
    "prompt none, no session": ({"prompt": "none"}, "login_required"),
}


@pytest.fixture(scope="module")
def narrow_rp():
    return make_client(scopes=("openid", "profile"))


@pytest.mark.parametrize("which", sorted(REDIRECT_ERRORS))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_redirect_error_carries_iss_and_exact_state(narrow_rp, browser, which, method):
    change, error = REDIRECT_ERRORS[which]
    _, ch = pkce_pair()
    state = "st %s&=+%%/?" % uuid.uuid4().hex
    p = auth_params(narrow_rp, state=state, challenge=ch)
    if isinstance(change, dict):
        for k, v in change.items():
            if v is None:
                p.pop(k, None)
            else:
                p[k] = v
        params = p
    else:
        params = list(p.items()) + change
    r = browser.authorize(params, method=method)
    assert_redirect_error(r, narrow_rp, error, state=state)


def test_redirect_error_without_state_invents_none(narrow_rp, browser):
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(narrow_rp, challenge=ch, response_type="token"))
    assert_redirect_error(r, narrow_rp, "unsupported_response_type", state=None)


def _state_512():
    printable = "".join(chr(c) for c in range(0x20, 0x7f))
    s = (printable * 6)[:512]
    assert len(s.encode()) == 512
    return s


def test_512_byte_state_is_echoed_byte_for_byte_on_error(narrow_rp, browser):
    state = _state_512()
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(narrow_rp, state=state, challenge=ch, scope="openid email"))
    assert_redirect_error(r, narrow_rp, "invalid_scope", state=state)


def test_512_byte_state_is_echoed_byte_for_byte_with_the_code(rp, user, browser):
    state = _state_512()
    flow = sign_in(browser, rp, user, state=state)
    assert flow.state == state
    again = sign_in(browser, rp, user, state=state)        # with the session now
    assert not again.logged_in


# --- PKCE at the authorization endpoint (C-T21) ---------------------------------------

def test_public_client_without_challenge_is_refused(public, browser):
    r = browser.authorize(auth_params(public, state="pub"))
    assert_redirect_error(r, public, "invalid_request", state="pub")


def test_require_pkce_client_without_challenge_is_refused(pkce_rp, browser):
    r = browser.authorize(auth_params(pkce_rp, state="rp"))
    assert_redirect_error(r, pkce_rp, "invalid_request", state="rp")


@pytest.mark.parametrize("method", ["plain", None])
def test_public_client_plain_challenge_is_refused(public, browser, method):
    v, _ = pkce_pair()
    r = browser.authorize(auth_params(public, state="pl", challenge=v, method=method))
    assert_redirect_error(r, public, "invalid_request", state="pl")


def test_public_client_with_s256_gets_the_login_page(public, browser):
    page = oidclib.login_page(browser, public, state="ok")
    assert_page(page, 200)


# --- who the user is: prompt, max_age ------------------------------------------------

def test_no_session_shows_the_login_page(rp, browser):
    page = oidclib.login_page(browser, rp)
    assert_page(page, 200)
    assert "Sign in" in page.text


def test_session_gives_a_code_without_the_page(rp, user, browser):
    first = sign_in(browser, rp, user)
    assert first.logged_in
    second = sign_in(browser, rp, user, prompt="none")
    assert not second.logged_in


def test_prompt_login_shows_the_login_page_again(rp, user, browser):
    sign_in(browser, rp, user)
    v, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, prompt="login", state="pl"))
    page = browser.follow_to_login(r)
    assert oidclib._is_login_page(page), (r.status_code, r.headers)


def test_prompt_login_gives_a_new_auth_time(rp, user, browser):
    from oidclib import claims, redeem, assert_tokens
    f1 = sign_in(browser, rp, user)
    t1 = claims(assert_tokens(redeem(rp, f1))["id_token"])["auth_time"]
    time.sleep(1.2)
    f2 = sign_in(browser, rp, user, prompt="login")
    assert f2.logged_in
    t2 = claims(assert_tokens(redeem(rp, f2))["id_token"])["auth_time"]
    assert t2 > t1, (t1, t2)


def test_prompt_none_with_session_returns_the_code(rp, user, browser):
    sign_in(browser, rp, user)
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, prompt="none", state="pn"))
    assert_code_redirect(r, rp, state="pn")


def test_prompt_none_without_session_is_login_required(rp, browser):
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, prompt="none", state="lr"))
    assert_redirect_error(r, rp, "login_required", state="lr")


def test_prompt_none_with_a_forged_cookie_is_login_required(rp, browser):
    browser.set_cookie(e2elib.b64url(uuid.uuid4().bytes * 2))
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, prompt="none", state="fc"))
    assert_redirect_error(r, rp, "login_required", state="fc")


def test_prompt_none_and_consent_needed_is_consent_required(user, browser):
    c = make_client(require_consent=True)
    rp0 = make_client()
    sign_in(browser, rp0, user)             # a session, but no grant for c
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(c, challenge=ch, prompt="none", state="cr"))
    assert_redirect_error(r, c, "consent_required", state="cr")


def test_max_age_older_than_the_session_shows_the_login_page(rp, user, browser):
    from oidclib import claims, redeem, assert_tokens
    f1 = sign_in(browser, rp, user, scope="openid")
    t1 = claims(assert_tokens(redeem(rp, f1))["id_token"])["auth_time"]
    time.sleep(2.2)
    # A young enough session: no page.
    f2 = sign_in(browser, rp, user, max_age="3600")
    assert not f2.logged_in
    t2 = claims(assert_tokens(redeem(rp, f2))["id_token"])["auth_time"]
    assert t2 == t1
    # Older than max_age: the page again, and a new auth_time.
    f3 = sign_in(browser, rp, user, max_age="1")
    assert f3.logged_in
    t3 = claims(assert_tokens(redeem(rp, f3))["id_token"])["auth_time"]
    assert t3 > t1


def test_max_age_with_prompt_none_and_old_session_is_login_required(rp, user, browser):
    sign_in(browser, rp, user)
    time.sleep(2.2)
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, prompt="none", max_age="1",
                                      state="ma"))
    assert_redirect_error(r, rp, "login_required", state="ma")


def test_authorize_by_post_gives_a_code(rp, user, browser):
    sign_in(browser, rp, user)
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, state="post"), method="POST")
    assert_code_redirect(r, rp, state="post")
