"""OIDC.md "Tokens", the refresh_token and client_credentials grants, and
SECURITY.md C-T23: the ID token's claims and signature, clients' access
tokens (client_id, scope, sid, audiences), POST /token/validate, and a
client's token refused by every management route."""
import time
import uuid

import pytest

import e2elib
import oidclib
from oidclib import (Browser, assert_oauth_error, assert_tokens, at_hash, claims,
                     code_tokens, issuer, make_client, sign_in, token, userinfo,
                     verify_rs256)


@pytest.fixture(scope="module")
def user():
    u = oidclib.new_user()
    u.login()
    r = e2elib.api("POST", "/profile/", token=u.access, json={
        "given_name": "Ada", "family_name": "Lovelace", "sub": "ada-%s" % u.id[:8],
        "nick_name": "ada", "locale": "en-GB"})
    assert r.status_code == 200, r.text
    return u


@pytest.fixture(scope="module")
def rp():
    return make_client(grants=oidclib.ALL_GRANTS)


@pytest.fixture(scope="module")
def browser(user, rp):
    b = Browser()
    sign_in(b, rp, user)
    yield b
    b.close()


# --- the ID token ----------------------------------------------------------------------

def test_id_token_header_and_signature(rp, user, browser):
    _, b = code_tokens(browser, rp, user)
    h, _ = e2elib.jwt_decode(b["id_token"])
    assert h["alg"] == "RS256" and h["typ"] == "JWT" and h.get("kid"), h
    assert verify_rs256(b["id_token"])
    forged = b["id_token"][:-4] + ("AAAA" if not b["id_token"].endswith("AAAA") else "BBBB")
    keys = [k for k in oidclib.jwks() if k["kid"] == h["kid"]]
    assert not e2elib.rs256_verify(forged, keys[0]["n"], keys[0]["e"])


def test_id_token_claims(rp, user, browser):
    t0 = e2elib.now()
    flow, b = code_tokens(browser, rp, user)
    c = claims(b["id_token"])
    assert c["iss"] == issuer()
    assert c["sub"] == user.id
    assert c["aud"] == rp.id and isinstance(c["aud"], str), c
    assert type(c["iat"]) is int and t0 - 2 <= c["iat"] <= e2elib.now() + 2, c
    assert type(c["exp"]) is int and c["exp"] - c["iat"] == 3600, c
    assert type(c["auth_time"]) is int and c["auth_time"] <= c["iat"], c
    assert c["nonce"] == flow.nonce
    assert c["at_hash"] == at_hash(b["access_token"]), c
    assert isinstance(c.get("sid"), str) and c["sid"], c
    assert c["amr"] == ["pwd"], c
    assert oidclib.no_nulls(c) == [], c
    # Scope openid alone: no email or profile claims.
    for k in ("email", "email_verified", "name", "given_name", "family_name",
              "preferred_username"):
        assert k not in c, (k, c)


def test_id_token_without_nonce_has_none(rp, user, browser):
    flow, b = code_tokens(browser, rp, user, nonce=None)
    assert "nonce" not in claims(b["id_token"])


def test_nonce_is_carried_byte_for_byte(rp, user, browser):
    nonce = "n <&>\"' %s" % uuid.uuid4().hex
    flow, b = code_tokens(browser, rp, user, nonce=nonce)
    assert claims(b["id_token"])["nonce"] == nonce


def test_email_scope_claims(rp, user, browser):
    _, b = code_tokens(browser, rp, user, scope="openid email")
    c = claims(b["id_token"])
    assert c["email"] == user.email
    assert c["email_verified"] in (True, False)
    assert "given_name" not in c and "family_name" not in c


def test_profile_scope_claims(rp, user, browser):
    _, b = code_tokens(browser, rp, user, scope="openid profile")
    c = claims(b["id_token"])
    assert c["given_name"] == "Ada" and c["family_name"] == "Lovelace", c
    assert c["preferred_username"] == user.username, c
    assert "email" not in c, c
    assert oidclib.no_nulls(c) == [], c


def test_auth_time_is_the_time_of_the_password(rp, user):
    b = Browser()
    t0 = e2elib.now()
    _, tk = code_tokens(b, rp, user)
    at = claims(tk["id_token"])["auth_time"]
    assert t0 - 2 <= at <= e2elib.now() + 2
    time.sleep(1.1)
    _, tk2 = code_tokens(b, rp, user)          # the same browser session
    assert claims(tk2["id_token"])["auth_time"] == at
    b.close()


# --- clients' access tokens -------------------------------------------------------------

def test_client_access_token_claims(user):
    c = make_client(audiences=("https://api.example",))
    b = Browser()
    _, tk = code_tokens(b, c, user, scope="openid email")
    h, a = e2elib.jwt_decode(tk["access_token"])
    assert h["typ"] == "at+jwt" and h["alg"] == "RS256", h
    assert verify_rs256(tk["access_token"])
    assert a["client_id"] == c.id
    assert set(a["scope"].split(" ")) == {"openid", "email"}, a
    assert isinstance(a["sid"], str) and a["sid"], a
    assert a["sub"] == user.id
    assert a["iss"] == issuer()
    assert a["aud"] == "https://api.example", a
    b.close()


def test_client_access_token_with_several_audiences(user):
    c = make_client(audiences=("https://a.example", "https://b.example"))
    b = Browser()
    _, tk = code_tokens(b, c, user)
    aud = claims(tk["access_token"])["aud"]
    assert isinstance(aud, list) and sorted(aud) == ["https://a.example", "https://b.example"]
    b.close()


def test_client_access_token_without_audiences_has_the_client_id(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    assert claims(tk["access_token"])["aud"] == rp.id


def test_token_validate_accepts_a_client_token_and_names_the_client(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid email")
    r = e2elib.api("POST", "/token/validate", token=tk["access_token"])
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["user_id"] == user.id and b["username"] == user.username, b
    assert b["client_id"] == rp.id, b
    assert set(b["scope"].split(" ")) == {"openid", "email"}, b


def test_token_validate_of_a_first_party_token_is_unchanged(user):
    user.login()
    r = e2elib.api("POST", "/token/validate", token=user.access)
    assert r.status_code == 200, r.text
    assert r.json() == {"user_id": user.id, "username": user.username}


# --- C-T23: management routes refuse clients' tokens ------------------------------------------

MANAGEMENT = [
    ("GET", "/users/me"), ("GET", "/users/"), ("GET", "/users/{uid}"),
    ("PUT", "/users/{uid}"), ("DELETE", "/users/{uid}"), ("POST", "/users/search"),
    ("GET", "/admin/users"), ("GET", "/admin/users/{uid}"), ("GET", "/admin/analytics"),
    ("POST", "/admin/users/{uid}/unlock"), ("POST", "/admin/users/{uid}/role"),
    ("POST", "/admin/users/{uid}/disable"), ("GET", "/admin/clients"),
    ("GET", "/profile/me"), ("PUT", "/profile/me"), ("DELETE", "/profile/me"),
    ("POST", "/profile/"),
    ("GET", "/auth/sessions"), ("DELETE", "/auth/sessions"),
    ("DELETE", "/auth/sessions/{sid}"),
]


def _body(method, p, victim):
    """A valid body for the route, so that only the token decides."""
    if p.endswith("/role"):
        return {"role": "admin"}
    if p.endswith("/search"):
        return {"email": victim.email}
    if p.endswith("/disable"):
        return {"disabled": True}
    if p.startswith("/profile"):
        return {"given_name": "Eve", "family_name": "Mallory", "sub": "eve"} \
            if method in ("POST", "PUT") else None
    if method == "PUT":
        return {"username": e2elib.unique_name("x")}
    return None


# The admin console's routes (API.md "Admin console") and /admin/clients
# come from other branches; where this branch lacks one, a first-party
# admin token gets 404 there too, and the case is skipped (it runs once
# the branches meet).
CONSOLE = ("/admin/users", "/admin/analytics", "/admin/clients")


def _skip_if_not_routed(acct, method, p, body):
    if not p.startswith(CONSOLE) or p.endswith(("/role", "/disable", "/unlock")):
        return
    probe = e2elib.api("GET", p.split("?")[0], token=oidclib.admin_token())
    if probe.status_code == 404 and probe.json() == {"detail": "Not Found"}:
        pytest.skip("%s is not routed on this branch" % p)


@pytest.fixture(scope="module")
def admin_client_token():
    """An admin's access token issued to a client (the worst case)."""
    adm = e2elib.create_admin(login=True)
    c = make_client(grants=oidclib.ALL_GRANTS)
    b = Browser()
    _, tk = code_tokens(b, c, adm, scope="openid profile email")
    b.close()
    return adm, c, tk["access_token"]


@pytest.mark.parametrize("method,path", MANAGEMENT)
def test_client_token_of_an_admin_is_refused_by_management_routes(admin_client_token,
                                                                    method, path):
    adm, c, at = admin_client_token
    victim = oidclib.new_user()
    p = path.format(uid=victim.id, sid=str(uuid.uuid4()), cid=c.id)
    body = _body(method, p, victim)
    _skip_if_not_routed(adm, method, p, body)
    r = e2elib.api(method, p, token=at, json=body)
    assert r.status_code == 403, (method, p, r.status_code, r.text)
    # Nothing changed.
    row = e2elib.user_row(victim.username)
    assert row is not None and row["role"] == "user" and row["disabled"] == "0", row
    # The admin's own first-party token still works there.
    if (method, path) == ("GET", "/admin/users"):
        assert e2elib.api("GET", p, token=adm.access).status_code == 200


@pytest.mark.parametrize("method,path", [m for m in MANAGEMENT if m[0] == "GET"])
def test_client_token_of_a_user_is_refused_by_management_routes(rp, user, browser,
                                                                  method, path):
    _, tk = code_tokens(browser, rp, user, scope="openid profile email")
    p = path.format(uid=user.id, sid=str(uuid.uuid4()), cid=rp.id)
    _skip_if_not_routed(user, method, p, None)
    r = e2elib.api(method, p, token=tk["access_token"])
    assert r.status_code == 403, (method, p, r.status_code, r.text)


def test_client_credentials_token_is_refused_by_management_routes(rp):
    tk = assert_tokens(token(rp, {"grant_type": "client_credentials"}), id_token=False)
    for method, path in [("GET", "/users/me"), ("GET", "/users/"),
                         ("GET", "/profile/me"), ("GET", "/auth/sessions")]:
        r = e2elib.api(method, path, token=tk["access_token"])
        assert r.status_code in (401, 403), (path, r.status_code, r.text)


# --- the refresh_token grant --------------------------------------------------------------

def _refresh(c, rt, **extra):
    d = {"grant_type": "refresh_token", "refresh_token": rt}
    d.update(extra)
    return token(c, d)


def test_refresh_rotates_and_gives_a_new_id_token_without_nonce(rp, user, browser):
    flow, first = code_tokens(browser, rp, user, scope="openid offline_access email")
    c1 = claims(first["id_token"])
    r = _refresh(rp, first["refresh_token"])
    second = assert_tokens(r, scope="openid offline_access email", refresh=True)
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    c2 = claims(second["id_token"])
    assert verify_rs256(second["id_token"])
    assert "nonce" not in c2, c2
    assert c2["sub"] == c1["sub"] and c2["aud"] == rp.id and c2["iss"] == issuer()
    assert c2["auth_time"] == c1["auth_time"]
    assert c2["at_hash"] == at_hash(second["access_token"])
    assert c2["email"] == user.email


def test_refresh_reuse_revokes_the_family(rp, user, browser):
    _, first = code_tokens(browser, rp, user, scope="openid offline_access")
    second = assert_tokens(_refresh(rp, first["refresh_token"]), refresh=True)
    assert_oauth_error(_refresh(rp, first["refresh_token"]), 400, "invalid_grant")
    assert_oauth_error(_refresh(rp, second["refresh_token"]), 400, "invalid_grant")
    assert userinfo(second["access_token"]).status_code == 401


def test_refresh_token_of_client_a_at_client_b_is_invalid_grant(rp, user, browser):
    b_client = make_client(grants=oidclib.ALL_GRANTS)
    _, first = code_tokens(browser, rp, user, scope="openid offline_access")
    assert_oauth_error(_refresh(b_client, first["refresh_token"]), 400, "invalid_grant")


def test_refresh_token_of_a_client_is_not_a_first_party_refresh_token(rp, user, browser):
    _, first = code_tokens(browser, rp, user, scope="openid offline_access")
    r = e2elib.refresh_response(first["refresh_token"], how="form")
    assert r.status_code == 401, (r.status_code, r.text)


def test_first_party_refresh_token_is_invalid_grant_at_oauth_token(rp, user):
    user.login()
    assert_oauth_error(_refresh(rp, user.refresh), 400, "invalid_grant")


def test_refresh_may_narrow_the_scope(rp, user, browser):
    _, first = code_tokens(browser, rp, user, scope="openid offline_access email profile")
    r = _refresh(rp, first["refresh_token"], scope="openid offline_access")
    b = assert_tokens(r, scope="openid offline_access", refresh=True)
    c = claims(b["id_token"])
    assert "email" not in c and "given_name" not in c, c
    assert set(claims(b["access_token"])["scope"].split()) == {"openid", "offline_access"}


def test_refresh_may_not_widen_the_scope(rp, user, browser):
    _, first = code_tokens(browser, rp, user, scope="openid offline_access")
    assert_oauth_error(_refresh(rp, first["refresh_token"], scope="openid offline_access email"),
                       400, "invalid_scope")


def test_unknown_refresh_token_is_invalid_grant(rp):
    assert_oauth_error(_refresh(rp, e2elib.b64url(uuid.uuid4().bytes * 2)), 400,
                       "invalid_grant")


# --- the client_credentials grant ------------------------------------------------------------

def test_client_credentials_token(rp):
    r = token(rp, {"grant_type": "client_credentials"})
    b = assert_tokens(r, refresh=False, id_token=False)
    assert "refresh_token" not in b and "id_token" not in b, b
    h, a = e2elib.jwt_decode(b["access_token"])
    assert verify_rs256(b["access_token"])
    assert a["sub"] == rp.id and a["client_id"] == rp.id, a
    assert a["auth_method"] == "client_credentials", a
    assert a["iss"] == issuer()


def test_client_credentials_token_carries_the_audiences():
    c = make_client(grants=("client_credentials",), audiences=("https://svc.example",))
    b = assert_tokens(token(c, {"grant_type": "client_credentials"}), id_token=False)
    assert claims(b["access_token"])["aud"] == "https://svc.example"


def test_client_credentials_needs_the_grant():
    c = make_client(grants=("authorization_code",))
    assert_oauth_error(token(c, {"grant_type": "client_credentials"}), 400,
                       "unauthorized_client")


def test_inactive_client_cannot_get_tokens():
    c = make_client(grants=oidclib.ALL_GRANTS, is_active=False)
    assert_oauth_error(token(c, {"grant_type": "client_credentials"}), 401, "invalid_client")
