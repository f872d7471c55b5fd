"""OIDC.md "Hosted pages" and SECURITY.md C-T22/C-T24: the headers of
every page, HTML escaping, CSRF, 303 after credential POSTs, the browser
cookie, session fixation, and page logins under the limits, lockouts and
non-revealing failure of POST /token, listed by /auth/sessions."""
import html
import re
import uuid

import pytest

import e2elib
import oidclib
from abuselib import LOCKOUT_THRESHOLD, wrong_password
from oidclib import (COOKIE_NAME, COOKIE_VALUE_RE, WRONG_LOGIN_TEXT, Browser,
                     assert_code_redirect, assert_error_page, assert_page,
                     assert_redirect_error, auth_params, hidden, login_page, make_client,
                     pkce_pair, set_cookie_headers, sign_in)


@pytest.fixture(scope="module")
def rp():
    return make_client()


@pytest.fixture(scope="module")
def consent_rp():
    return make_client(require_consent=True)


@pytest.fixture
def user():
    return oidclib.new_user()


@pytest.fixture
def browser():
    b = Browser()
    yield b
    b.close()


def _no_session(browser, client):
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(client, challenge=ch, prompt="none", state="ns"))
    assert_redirect_error(r, client, "login_required", state="ns")


def _assert_forged(r):
    """A refused form POST: the 400 page, no cookie, no redirect."""
    assert_error_page(r)
    assert not set_cookie_headers(r), r.headers


# --- headers of every page -------------------------------------------------------------

def test_login_page_headers_and_form(rp, browser):
    page = login_page(browser, rp)
    assert_page(page, 200)
    f = browser.login_form(page)
    assert f["inputs"]["password"]["type"] == "password"
    assert any(b["type"] == "submit" for b in f["buttons"]), f
    assert 'href="/oauth/static/genesis.css"' in page.text


def test_wrong_password_page_headers(rp, user, browser):
    page = login_page(browser, rp)
    r = browser.submit_login(page, user.username, wrong_password())
    assert_page(r, 401)
    assert WRONG_LOGIN_TEXT in r.text
    assert not set_cookie_headers(r)


def test_error_page_headers(rp, browser):
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, redirect_uri="https://evil.example/cb"))
    assert_error_page(r)
    assert "evil.example" not in r.headers.get("Location", "")


def test_consent_page_headers(consent_rp, user, browser):
    page = login_page(browser, consent_rp)
    r = browser.submit_login(page, user.username, user.password)
    assert r.status_code == 303, r.headers
    c = browser.get(r.headers["Location"])
    assert_page(c, 200)
    browser.consent_form(c)


def test_logout_confirmation_page_headers(rp, user, browser):
    sign_in(browser, rp, user)
    r = browser.get("/oauth/logout")
    assert_page(r, 200)
    f = oidclib.form_posting_to(r, "/oauth/logout")
    assert "csrf" in hidden(f)


def test_static_stylesheet_is_served():
    r = e2elib.api("GET", "/oauth/static/genesis.css")
    assert r.status_code == 200, r.status_code
    assert r.headers.get("Content-Type", "").startswith("text/css"), r.headers


# --- escaping (C-T24) ----------------------------------------------------------------------

XSS_NAME = "<script>alert(1)</script>"
XSS_HINT = '"><script>alert(2)</script><img src=x onerror=alert(3)>\'<b>&amp;'


def _assert_inert(page, text):
    """text is rendered (after unescaping) but none of its markup is raw."""
    body = page.text
    assert text in html.unescape(body), body[:3000]
    assert "<script" not in body.lower(), body[:3000]
    assert "<img" not in body.lower(), body[:3000]
    assert text not in body


def test_client_name_with_markup_is_inert_on_the_login_page(browser):
    c = make_client(name=XSS_NAME)
    page = login_page(browser, c)
    assert_page(page, 200)
    _assert_inert(page, XSS_NAME)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text.replace("&#60;", "&lt;") \
        .replace("&#62;", "&gt;").replace("&#x3c;", "&lt;").replace("&#x3e;", "&gt;")


def test_client_name_with_markup_is_inert_on_the_consent_page(user, browser):
    c = make_client(name=XSS_NAME, require_consent=True)
    page = login_page(browser, c)
    r = browser.submit_login(page, user.username, user.password)
    assert r.status_code == 303, r.headers
    cp = browser.get(r.headers["Location"])
    assert_page(cp, 200)
    _assert_inert(cp, XSS_NAME)


def test_login_hint_with_markup_is_inert(rp, browser):
    page = login_page(browser, rp, login_hint=XSS_HINT)
    assert_page(page, 200)
    _assert_inert(page, XSS_HINT)
    f = browser.login_form(page)
    assert f["inputs"]["username"]["value"] == XSS_HINT, f


def test_login_hint_with_markup_is_inert_after_a_wrong_password(rp, user, browser):
    page = login_page(browser, rp, login_hint=XSS_HINT)
    r = browser.submit_login(page, XSS_HINT, wrong_password())
    assert_page(r, 401)
    assert "<script" not in r.text.lower() and "<img" not in r.text.lower()


def test_client_name_with_markup_is_inert_on_the_logout_page(user, browser):
    c = make_client(name=XSS_NAME)
    sign_in(browser, c, user)
    r = browser.get("/oauth/logout?client_id=%s" % c.id)
    assert_page(r, 200)
    assert "<script" not in r.text.lower()


# --- CSRF (C-T22) ----------------------------------------------------------------------------

def test_login_post_without_csrf_is_400_and_sets_no_cookie(rp, user, browser):
    page = login_page(browser, rp)
    f = hidden(browser.login_form(page))
    del f["csrf"]
    f.update(username=user.username, password=user.password)
    _assert_forged(browser.post("/oauth/login", f))
    _no_session(browser, rp)


def test_login_post_with_empty_csrf_is_400(rp, user, browser):
    page = login_page(browser, rp)
    _assert_forged(browser.submit_login(page, user.username, user.password, csrf=""))
    _no_session(browser, rp)


def test_login_post_with_another_requests_csrf_is_400(rp, user, browser):
    a = hidden(browser.login_form(login_page(browser, rp)))
    b = hidden(browser.login_form(login_page(browser, rp)))
    assert a["csrf"] != b["csrf"] and a["req"] != b["req"]
    _assert_forged(browser.post("/oauth/login", {"req": a["req"], "csrf": b["csrf"],
                                                 "username": user.username,
                                                 "password": user.password}))
    _no_session(browser, rp)


def test_login_post_from_another_browser_with_its_own_csrf_is_400(rp, user):
    victim, attacker = Browser(), Browser()
    v = hidden(victim.login_form(login_page(victim, rp)))
    a = hidden(attacker.login_form(login_page(attacker, rp)))
    _assert_forged(victim.post("/oauth/login", {"req": v["req"], "csrf": a["csrf"],
                                                "username": user.username,
                                                "password": user.password}))
    victim.close()
    attacker.close()


def test_login_post_with_unknown_req_is_400(rp, user, browser):
    page = login_page(browser, rp)
    _assert_forged(browser.submit_login(page, user.username, user.password,
                                        req=e2elib.b64url(uuid.uuid4().bytes * 2)))


def test_login_page_with_unknown_req_is_400(browser):
    assert_error_page(browser.get("/oauth/login?req=%s" % e2elib.b64url(uuid.uuid4().bytes)))
    assert_error_page(browser.get("/oauth/login"))


def test_consent_post_without_or_with_another_csrf_is_400(consent_rp, user, browser):
    page = login_page(browser, consent_rp)
    r = browser.submit_login(page, user.username, user.password)
    c1 = browser.get(r.headers["Location"])
    f1 = hidden(browser.consent_form(c1))
    # A second pending request of the same browser, with its own consent page.
    _, ch = pkce_pair()
    r2 = browser.authorize(auth_params(consent_rp, challenge=ch, state="two"))
    c2 = browser.get(r2.headers["Location"]) if r2.status_code in (302, 303) else r2
    f2 = hidden(browser.consent_form(c2))
    assert f1["csrf"] != f2["csrf"]
    for data in ({"req": f1["req"], "decision": "allow"},
                 {"req": f1["req"], "csrf": "", "decision": "allow"},
                 {"req": f1["req"], "csrf": f2["csrf"], "decision": "allow"}):
        r = browser.post("/oauth/consent", data)
        assert_error_page(r)
    # The real form still works afterwards: nothing was granted by the forgeries.
    assert oidclib._path_of(c1.url) == "/oauth/consent"
    r = browser.submit_consent(c1, "allow")
    assert r.status_code == 303
    assert_code_redirect(r, consent_rp, state=None)


def test_logout_post_without_csrf_keeps_the_session(rp, user, browser):
    sign_in(browser, rp, user)
    r = browser.post("/oauth/logout", {})
    assert_error_page(r)
    _, ch = pkce_pair()
    assert_code_redirect(browser.authorize(auth_params(rp, challenge=ch, prompt="none",
                                                       state="still")), rp, state="still")


# --- 303 and the cookie -----------------------------------------------------------------

def _cookie_of(resp):
    cs = [c for c in set_cookie_headers(resp) if c.split("=", 1)[0].strip() == COOKIE_NAME]
    assert len(cs) == 1, set_cookie_headers(resp)
    return cs[0]


def test_login_is_a_303_with_the_browser_cookie(rp, user, browser):
    page = login_page(browser, rp)
    r = browser.submit_login(page, user.username, user.password)
    assert r.status_code == 303, (r.status_code, r.headers)
    raw = _cookie_of(r)
    value, *attrs = [p.strip() for p in raw.split(";")]
    value = value.split("=", 1)[1]
    e2elib.note_secret(value)
    assert COOKIE_VALUE_RE.match(value), raw
    names = {a.split("=", 1)[0].lower(): (a.split("=", 1) + [None])[1] for a in attrs}
    assert "httponly" in names, raw
    assert names.get("samesite", "").lower() == "lax", raw
    assert names.get("path") == "/", raw
    assert "domain" not in names, raw
    assert "secure" not in names, raw          # the test stack is plain http (op_cookie_secure = no)
    # Stored hashed: the raw value is nowhere in sessions, its SHA-256 is.
    import hashlib
    h = hashlib.sha256(value.encode()).hexdigest()
    rows = e2elib.root_sql("SELECT kind, user_id FROM sessions WHERE browser_hash = UNHEX('%s')"
                           % h, db="genesis")
    assert rows == [["browser", user.id]], rows


def test_a_new_cookie_at_every_login(rp, user, browser):
    browser.set_cookie("A" * 43)                             # fixed by an attacker
    page = login_page(browser, rp)
    r = browser.submit_login(page, user.username, user.password)
    assert r.status_code == 303
    first = browser.cookie
    assert first and first != "A" * 43
    _, ch = pkce_pair()
    r = browser.authorize(auth_params(rp, challenge=ch, prompt="login"))
    page = browser.follow_to_login(r)
    r = browser.submit_login(page, user.username, user.password)
    assert r.status_code == 303
    second = browser.cookie
    assert second and second != first
    # The old id no longer names a session.
    old = Browser()
    old.set_cookie(first)
    _no_session(old, rp)
    old.close()


def test_the_cookie_is_the_session(rp, user, browser):
    sign_in(browser, rp, user)
    other = Browser()
    other.set_cookie(browser.cookie)
    _, ch = pkce_pair()
    assert_code_redirect(other.authorize(auth_params(rp, challenge=ch, prompt="none",
                                                     state="c")), rp, state="c")
    other.close()


# --- page logins obey the limits of POST /token ------------------------------------------------

def test_unknown_user_and_wrong_password_look_the_same(rp, user, browser):
    p1 = login_page(browser, rp)
    r1 = browser.submit_login(p1, user.username, wrong_password())
    p2 = login_page(browser, rp)
    r2 = browser.submit_login(p2, "nobody_%s" % uuid.uuid4().hex[:10], wrong_password())
    assert r1.status_code == r2.status_code == 401
    strip = lambda t: re.sub(r'value="[^"]*"', 'value=""', t)
    assert strip(r1.text) == strip(r2.text), (r1.text, r2.text)


def test_wrong_password_then_right_one_on_the_new_form(rp, user, browser):
    page = login_page(browser, rp)
    r = browser.submit_login(page, user.username, wrong_password())
    assert r.status_code == 401
    r = browser.submit_login(r, user.username, user.password)
    assert r.status_code in (303,), (r.status_code, r.text[:500])


def test_lockout_after_five_wrong_passwords_on_the_page(rp, user):
    b = Browser()
    for _ in range(LOCKOUT_THRESHOLD):
        r = b.submit_login(login_page(b, rp), user.username, wrong_password())
        assert r.status_code == 401, r.status_code
        assert WRONG_LOGIN_TEXT in r.text
    # The right password: refused from that address, with the same answer ...
    r = b.submit_login(login_page(b, rp), user.username, user.password)
    assert r.status_code == 401, (r.status_code, r.headers)
    assert WRONG_LOGIN_TEXT in r.text
    assert not set_cookie_headers(r)
    # ... by POST /token as well (one lockout for every way in) ...
    r = e2elib.login_response(user.username, user.password, source=b.source)
    assert r.status_code == 401, r.text
    # ... but accepted from another address.
    other = Browser()
    r = other.submit_login(login_page(other, rp), user.username, user.password)
    assert r.status_code == 303, r.status_code
    b.close()
    other.close()


def test_failures_at_post_token_lock_the_page_too(rp, user):
    b = Browser()
    for _ in range(LOCKOUT_THRESHOLD):
        r = e2elib.login_response(user.username, wrong_password(), source=b.source)
        assert r.status_code == 401
    r = b.submit_login(login_page(b, rp), user.username, user.password)
    assert r.status_code == 401, r.status_code
    assert WRONG_LOGIN_TEXT in r.text
    b.close()


def test_page_logins_are_under_the_token_rate_limit(rp):
    b = Browser()
    statuses = []
    for _ in range(26):
        r = b.post("/oauth/login", {"req": "x", "csrf": "y", "username": "nobody",
                                    "password": "x"})
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.headers.get("Retry-After", "").isdigit(), r.headers
            break
    assert 429 in statuses, statuses
    assert statuses.index(429) >= 20, statuses
    b.close()


def test_a_page_login_is_a_session_in_auth_sessions(rp, user, browser):
    user.login()
    def sessions():
        r = e2elib.api("GET", "/auth/sessions", token=user.access)
        assert r.status_code == 200, r.text
        return r.json()
    before = sessions()
    page = login_page(browser, rp)
    assert browser.submit_login(page, user.username, user.password).status_code == 303
    after = sessions()
    assert after["total"] == before["total"] + 1, (before, after)
    new = [s for s in after["sessions"] if s["id"] not in {x["id"] for x in before["sessions"]}]
    assert len(new) == 1 and new[0]["is_current"] is False, new
    assert set(new[0]) == e2elib.SESSION_FIELDS, new
    # Revoking it there ends the browser session.
    r = e2elib.api("DELETE", "/auth/sessions/%s" % new[0]["id"], token=user.access)
    assert r.status_code == 200, r.text
    _no_session(browser, rp)


# --- the pending request (10 min, in the database) ---------------------------------------------

def _req_hash_sql(req):
    return "UNHEX(SHA2(%s, 256))" % e2elib.sql_quote(req)


def test_the_pending_request_lives_ten_minutes_in_the_database(rp, browser):
    page = login_page(browser, rp, state="ten")
    req = hidden(browser.login_form(page))["req"]
    rows = e2elib.root_sql("SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at), state, "
                           "client_id FROM oauth_requests WHERE id_hash = %s"
                           % _req_hash_sql(req), db="genesis")
    assert rows == [["600", "ten", rp.id]], rows


def test_an_expired_pending_request_is_400(rp, user, browser):
    page = login_page(browser, rp)
    req = hidden(browser.login_form(page))["req"]
    e2elib.root_sql("UPDATE oauth_requests SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
                    "WHERE id_hash = %s" % _req_hash_sql(req), db="genesis")
    _assert_forged(browser.submit_login(page, user.username, user.password))
    assert_error_page(browser.get("/oauth/login?req=%s" % req))
    _no_session(browser, rp)


def test_page_login_by_email(rp, user, browser):
    page = login_page(browser, rp)
    r = browser.submit_login(page, user.email, user.password)
    assert r.status_code == 303, (r.status_code, r.text[:300])


def test_a_password_change_ends_the_browser_session(rp, user, browser):
    sign_in(browser, rp, user)
    user.login()
    new = e2elib.strong_password()
    r = e2elib.api("PUT", "/users/%s" % user.id, token=user.access,
                   json={"password": new, "current_password": user.password})
    assert r.status_code == 200, r.text
    user.password = new
    _no_session(browser, rp)


def test_a_disabled_user_loses_the_browser_session(rp, user, browser):
    sign_in(browser, rp, user)
    r = e2elib.api("POST", "/admin/users/%s/disable" % user.id, token=oidclib.admin_token(),
                   json={"disabled": True})
    assert r.status_code == 200, r.text
    _no_session(browser, rp)
    r = browser.submit_login(login_page(browser, rp), user.username, user.password)
    assert r.status_code in (401, 403), r.status_code     # POST /token: 403 deactivated
    assert_page(r)
    assert not set_cookie_headers(r)


def test_login_csrf_with_an_attackers_whole_form_is_400(rp, user):
    """Login CSRF (C-T22): an attacker starts a request of their own and
    has the victim's browser post that form (req and csrf) with the
    attacker's credentials.  The victim must not end up signed in as the
    attacker."""
    attacker_acct = oidclib.new_user()
    attacker, victim = Browser(), Browser()
    form = hidden(attacker.login_form(login_page(attacker, rp)))
    form.update(username=attacker_acct.username, password=attacker_acct.password)
    r = victim.post("/oauth/login", form)
    _assert_forged(r)
    _no_session(victim, rp)
    # The attacker's own browser may still use its form.
    r = attacker.post("/oauth/login", form)
    assert r.status_code == 303, r.status_code
    attacker.close()
    victim.close()
