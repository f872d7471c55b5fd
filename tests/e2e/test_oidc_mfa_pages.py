"""The OpenID Provider's hosted pages with a second factor (issue #11):
the login page's second step (/oauth/login/otp) and the enrolment page
/account/security.  Driven as a browser would, with requests sessions;
the codes come from oathtool (test_mfa_totp.py's helpers)."""
import base64
import hashlib
import os
import re
import time
import uuid

import e2elib
from e2elib import (api, create_admin, jwt_decode, note_secret,
                    register_account)
from test_mfa_totp import STEP, enrol, otp, wrong_code

REDIRECT = "http://127.0.0.1:9/cb"
_admin = []


def admin():
    if not _admin:
        _admin.append(create_admin())
    return _admin[0]


def new_client():
    """A confidential client of the registry: (client_id, secret)."""
    r = api("POST", "/admin/clients", token=admin().access, json={
        "client_name": "MFA pages " + uuid.uuid4().hex[:6],
        "redirect_uris": [REDIRECT],
        "allowed_scopes": ["openid", "profile", "email"],
        "grant_types": ["authorization_code"],
    })
    assert r.status_code == 200, (r.status_code, r.text)
    b = r.json()
    note_secret(b["client_secret"])
    return b["client_id"], b["client_secret"]


def browser():
    return e2elib.client(e2elib.login_source())


def form_value(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, html)
    assert m, (name, html[:800])
    return m.group(1)


def pkce():
    v = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    c = base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()
    return v, c


def password_step(s, cid, acct, challenge):
    """authorize, the login page, the password: the 303 response."""
    r = s.get(e2elib.url("/oauth/authorize"), allow_redirects=False, params={
        "client_id": cid, "redirect_uri": REDIRECT, "response_type": "code",
        "scope": "openid", "state": "st", "nonce": "nn",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    assert r.status_code == 302, (r.status_code, r.text[:300])
    page = s.get(e2elib.url(r.headers["Location"]))
    assert page.status_code == 200
    r = s.post(e2elib.url("/oauth/login"), allow_redirects=False, data={
        "req": form_value(page.text, "req"), "csrf": form_value(page.text, "csrf"),
        "username": acct.username, "password": acct.password})
    return r


def second_step(s, loc):
    page = s.get(e2elib.url(loc))
    assert page.status_code == 200, (page.status_code, page.text[:300])
    assert 'name="otp"' in page.text and 'name="password"' not in page.text
    return form_value(page.text, "req"), form_value(page.text, "csrf")


def redeem(cid, secret, loc, verifier):
    code = re.search(r"[?&]code=([^&]+)", loc).group(1)
    note_secret(code)
    r = api("POST", "/oauth/token", auth=(cid, secret), data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert r.status_code == 200, (r.status_code, r.text)
    b = r.json()
    for k in ("access_token", "id_token"):
        note_secret(b[k])
    return b


def test_password_then_code_on_a_second_step():
    cid, secret = new_client()
    acct = register_account()
    totp, _, t0 = enrol(acct)
    s = browser()
    v, c = pkce()
    r = password_step(s, cid, acct, c)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert r.headers["Location"].startswith("/oauth/login/otp?req=")
    assert "genesis_op=" not in r.headers.get("Set-Cookie", "")
    req, csrf = second_step(s, r.headers["Location"])
    bad = s.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
                 data={"req": req, "csrf": csrf, "otp": wrong_code(totp)})
    assert bad.status_code == 401 and "not right" in bad.text
    assert "Location" not in bad.headers and "genesis_op=" not in bad.headers.get("Set-Cookie", "")
    # The activation spent t0's step: the next one is still in the window.
    ok = s.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
                data={"req": req, "csrf": csrf, "otp": otp(totp, t0 + STEP)})
    assert ok.status_code == 303, (ok.status_code, ok.text[:300])
    assert ok.headers["Location"].startswith(REDIRECT + "?code=")
    assert "genesis_op=" in ok.headers.get("Set-Cookie", "")
    b = redeem(cid, secret, ok.headers["Location"], v)
    idt = jwt_decode(b["id_token"])[1]
    assert idt["amr"] == ["pwd", "otp"] and idt["nonce"] == "nn", idt
    assert jwt_decode(b["access_token"])[1]["auth_method"] == "password+otp"
    # The request is gone: the same step cannot be posted again.
    again = s.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
                   data={"req": req, "csrf": csrf, "otp": otp(totp, t0 + STEP)})
    assert again.status_code == 400


def test_recovery_code_on_the_second_step_works_once():
    cid, secret = new_client()
    acct = register_account()
    totp, codes, _ = enrol(acct)
    for n in range(2):
        s = browser()
        v, c = pkce()
        r = password_step(s, cid, acct, c)
        req, csrf = second_step(s, r.headers["Location"])
        r = s.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
                   data={"req": req, "csrf": csrf, "recovery_code": codes[0]})
        if n == 0:
            assert r.status_code == 303, (r.status_code, r.text[:300])
            idt = jwt_decode(redeem(cid, secret, r.headers["Location"], v)["id_token"])[1]
            assert idt["amr"] == ["pwd", "otp"], idt
        else:
            assert r.status_code == 401, (r.status_code, r.text[:300])


def test_second_step_belongs_to_its_browser():
    cid, _ = new_client()
    acct = register_account()
    enrol(acct)
    s = browser()
    r = password_step(s, cid, acct, pkce()[1])
    req, csrf = second_step(s, r.headers["Location"])
    other = browser()
    r = other.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
                   data={"req": req, "csrf": csrf, "otp": "123456"})
    assert r.status_code == 400 and "Location" not in r.headers


def test_wrong_codes_lock_the_second_step():
    cid, _ = new_client()
    acct = register_account()
    totp, _, t0 = enrol(acct)
    s = browser()
    r = password_step(s, cid, acct, pkce()[1])
    req, csrf = second_step(s, r.headers["Location"])
    for _ in range(5):
        r = s.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
                   data={"req": req, "csrf": csrf, "otp": wrong_code(totp)})
        assert r.status_code == 401
    r = s.post(e2elib.url("/oauth/login/otp"), allow_redirects=False,
               data={"req": req, "csrf": csrf, "otp": otp(totp, t0 + STEP)})
    assert r.status_code == 401 and "Sign-in failed" in r.text, r.text[:300]
    assert "genesis_op=" not in r.headers.get("Set-Cookie", "")


def signed_in_browser(cid, acct):
    s = browser()
    r = password_step(s, cid, acct, pkce()[1])
    assert r.status_code == 303 and r.headers["Location"].startswith(REDIRECT)
    return s


def test_account_page_enrols_a_second_factor():
    cid, _ = new_client()
    acct = register_account()
    anon = browser().get(e2elib.url("/account/security"))
    assert anon.status_code == 401 and "Sign in first" in anon.text
    s = signed_in_browser(cid, acct)
    page = s.get(e2elib.url("/account/security"))
    assert page.status_code == 200 and "is <strong>off</strong>" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    csrf = form_value(page.text, "csrf")
    forged = s.post(e2elib.url("/account/security"),
                    data={"csrf": "x" * 43, "action": "begin", "password": acct.password})
    assert forged.status_code == 400
    wrong = s.post(e2elib.url("/account/security"),
                   data={"csrf": csrf, "action": "begin", "password": "Wrong@Password1"})
    assert wrong.status_code == 400 and "data:image/svg+xml" not in wrong.text
    r = s.post(e2elib.url("/account/security"),
               data={"csrf": csrf, "action": "begin", "password": acct.password})
    assert r.status_code == 200, r.text[:300]
    assert re.search(r'<img class="qr" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', r.text)
    key = re.search(r"Key: <code>([A-Z2-7]{32})</code>", r.text).group(1)
    note_secret(key)
    r = s.post(e2elib.url("/account/security"),
               data={"csrf": csrf, "action": "activate", "code": otp(key)})
    assert r.status_code == 200, r.text[:300]
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>", r.text)
    assert len(codes) == 10, r.text[:1000]
    for c in codes:
        note_secret(c)
    assert "is <strong>on</strong>" in r.text
    # Enrolling ends the user's other sessions: the API session's token is dead.
    assert api("GET", "/auth/mfa", token=acct.access).status_code == 401
    # The page's own session survives enrolment; a fresh look shows no codes.
    again = s.get(e2elib.url("/account/security"))
    assert again.status_code == 200 and "10 recovery codes left" in again.text
    assert not re.findall(r"<li><code>", again.text)
