"""OIDC.md "UserInfo" and "Logout, revocation, introspection" (RFC 6750,
7009, 7662)."""

import pytest

import e2elib
import oidclib
from oidclib import (Browser, assert_oauth_error, assert_tokens, claims, code_tokens,
                     introspect, is_active, issuer, make_client, revoke, sign_in, token,
                     userinfo)


@pytest.fixture(scope="module")
def user():
    u = oidclib.new_user()
    u.login()
    r = e2elib.api("POST", "/profile/", token=u.access, json={
        "given_name": "Grace", "family_name": "Hopper", "sub": "gh-%s" % u.id[:8],
        "nick_name": "amazing grace", "date_of_birth": "1906-12-09",
        "picture": "https://example.com/grace.png", "locale": "en-US",
        "timezone": "America/New_York", "mobile_number": "+15555550100",
        "city": "Arlington"})
    assert r.status_code == 200, r.text
    return u


@pytest.fixture(scope="module")
def rp():
    return make_client(grants=oidclib.ALL_GRANTS)


@pytest.fixture(scope="module")
def other():
    return make_client(grants=oidclib.ALL_GRANTS)


@pytest.fixture(scope="module")
def browser(user, rp):
    b = Browser()
    sign_in(b, rp, user)
    yield b
    b.close()


# --- userinfo ------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["GET header", "POST header", "POST form"])
def test_userinfo_answers_the_claims_of_the_scopes(rp, user, browser, how):
    _, tk = code_tokens(browser, rp, user, scope="openid email profile")
    method = how.split()[0]
    r = userinfo(tk["access_token"], method=method, form=how.endswith("form"))
    assert r.status_code == 200, (r.status_code, r.text)
    e2elib.assert_json_response(r)
    b = r.json()
    assert b["sub"] == user.id
    assert b["email"] == user.email and isinstance(b["email_verified"], bool), b
    assert b["given_name"] == "Grace" and b["family_name"] == "Hopper", b
    assert b["name"] == "Grace Hopper" and b["nickname"] == "amazing grace", b
    assert b["birthdate"] == "1906-12-09" and b["locale"] == "en-US", b
    assert b["zoneinfo"] == "America/New_York", b
    assert b["picture"] == "https://example.com/grace.png", b
    assert b["preferred_username"] == user.username, b
    assert type(b["updated_at"]) is int, b
    assert oidclib.no_nulls(b) == [], b
    # No phone or address scope: those profile fields stay out.
    assert not {"phone_number", "address", "mobile_number", "city"} & set(b), b
    # The ID token of the same exchange carries the same claims.
    idt = claims(tk["id_token"])
    assert {k: idt[k] for k in b} == b, (idt, b)


def test_userinfo_with_openid_only_has_sub_only(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid")
    r = userinfo(tk["access_token"])
    assert r.status_code == 200, r.text
    assert r.json() == {"sub": user.id}, r.json()


def test_userinfo_without_profile_has_no_null(rp, browser):
    u = oidclib.new_user()                    # no profile at all
    b = Browser()
    _, tk = code_tokens(b, rp, u, scope="openid email profile")
    r = userinfo(tk["access_token"])
    assert r.status_code == 200, r.text
    assert oidclib.no_nulls(r.json()) == [], r.json()
    assert r.json()["sub"] == u.id and r.json()["email"] == u.email
    b.close()


def test_userinfo_without_a_token_is_401_bearer_realm():
    r = userinfo(None)
    assert r.status_code == 401, r.text
    assert r.headers.get("WWW-Authenticate", "").startswith('Bearer realm="genesis"'), r.headers
    assert "error=" not in r.headers["WWW-Authenticate"], r.headers


@pytest.mark.parametrize("bad", ["garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."])
def test_userinfo_with_a_bad_token_is_401_invalid_token(bad):
    r = userinfo(bad)
    assert r.status_code == 401, r.text
    h = r.headers.get("WWW-Authenticate", "")
    assert h.startswith('Bearer realm="genesis"') and 'error="invalid_token"' in h, h


def test_userinfo_with_a_revoked_token_is_401_invalid_token(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    assert revoke(rp, tk["access_token"]).status_code == 200
    r = userinfo(tk["access_token"])
    assert r.status_code == 401, r.text
    assert 'error="invalid_token"' in r.headers.get("WWW-Authenticate", ""), r.headers


def test_userinfo_without_openid_scope_is_403_insufficient_scope(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access email")
    r = token(rp, {"grant_type": "refresh_token", "refresh_token": tk["refresh_token"],
                   "scope": "email offline_access"})
    b = assert_tokens(r, scope="email offline_access", id_token=False)
    r = userinfo(b["access_token"])
    assert r.status_code == 403, (r.status_code, r.text)
    assert "insufficient_scope" in r.headers.get("WWW-Authenticate", "") + r.text, r.headers


def test_userinfo_with_a_client_credentials_token_is_refused(rp):
    b = assert_tokens(token(rp, {"grant_type": "client_credentials"}), id_token=False)
    r = userinfo(b["access_token"])
    assert r.status_code in (401, 403), (r.status_code, r.text)


# --- introspection (RFC 7662) -----------------------------------------------------------

INTROSPECT_FIELDS = {"active", "scope", "client_id", "sub", "username", "token_type", "exp",
                     "iat", "iss", "aud", "jti", "sid"}


def test_introspection_of_a_live_access_token(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid email")
    r = introspect(rp, tk["access_token"])
    assert r.status_code == 200, r.text
    e2elib.assert_json_response(r)
    b = r.json()
    assert set(b) >= INTROSPECT_FIELDS, b
    a = claims(tk["access_token"])
    assert b["active"] is True
    assert set(b["scope"].split()) == {"openid", "email"}
    assert b["client_id"] == rp.id and b["sub"] == user.id and b["username"] == user.username
    assert b["iss"] == issuer() and b["exp"] == a["exp"] and b["iat"] == a["iat"]
    assert b["jti"] == a["jti"] and b["sid"] == a["sid"] and b["aud"] == a["aud"]
    assert isinstance(b["token_type"], str) and b["token_type"]
    assert oidclib.no_nulls(b) == [], b


def test_introspection_of_a_live_refresh_token(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    r = introspect(rp, tk["refresh_token"])
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["active"] is True and b["client_id"] == rp.id and b["sub"] == user.id, b


@pytest.mark.parametrize("which", ["access_token", "refresh_token"])
def test_introspection_of_a_revoked_token_is_only_inactive(rp, user, browser, which):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    assert revoke(rp, tk["refresh_token"]).status_code == 200
    r = introspect(rp, tk[which])
    assert r.status_code == 200, r.text
    assert r.json() == {"active": False}, r.json()


@pytest.mark.parametrize("tok", [oidclib.fake_secret("nonsense-"), oidclib.fake_secret("rt_"),
                                 "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
                         ids=["opaque", "refresh-shaped", "unsigned-jwt"])
def test_introspection_of_an_unknown_token_is_only_inactive(rp, tok):
    r = introspect(rp, tok)
    assert r.status_code == 200, r.text
    assert r.json() == {"active": False}


def test_introspection_of_another_clients_token_is_only_inactive(rp, other, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    for t in (tk["access_token"], tk["refresh_token"]):
        r = introspect(other, t)
        assert r.status_code == 200, r.text
        assert r.json() == {"active": False}, r.json()
        assert is_active(rp, t)


def test_introspection_and_userinfo_read_the_user_too():
    """A user disabled behind the service's back (no session revoked, as
    POST /admin/users/{id}/disable would): the live session alone does not
    make the token active, nor answer UserInfo, whatever the scope."""
    u = oidclib.new_user()
    c = make_client(grants=oidclib.ALL_GRANTS)
    b = Browser()
    try:
        _, tk = code_tokens(b, c, u, scope="openid offline_access")
        _, tk2 = code_tokens(b, c, u, scope="openid email")
        for t in (tk["access_token"], tk2["access_token"]):
            assert is_active(c, t)
            assert userinfo(t).status_code == 200
        e2elib.root_sql("UPDATE users SET disabled = 1 WHERE id = %s" % e2elib.sql_quote(u.id),
                        db="genesis")
        for t in (tk["access_token"], tk["refresh_token"], tk2["access_token"]):
            r = introspect(c, t)
            assert r.status_code == 200, r.text
            assert r.json() == {"active": False}, r.json()
        for t in (tk["access_token"], tk2["access_token"]):
            r = userinfo(t)
            assert r.status_code == 401, r.text
            assert 'error="invalid_token"' in r.headers.get("WWW-Authenticate", ""), r.headers
    finally:
        b.close()


def test_introspection_needs_client_authentication(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    r = oidclib.oauth_post("/oauth/introspect", {"token": tk["access_token"]})
    assert_oauth_error(r, 401, "invalid_client")
    r = oidclib.oauth_post("/oauth/introspect", {"token": tk["access_token"]},
                           headers=oidclib.basic(rp.id, "wrong-" + rp.secret))
    assert_oauth_error(r, 401, "invalid_client")
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="genesis"', r.headers


# --- revocation (RFC 7009) ---------------------------------------------------------------

def test_revoking_a_refresh_token_revokes_its_session_family(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    r = revoke(rp, tk["refresh_token"], token_type_hint="refresh_token")
    assert r.status_code == 200, r.text
    assert not is_active(rp, tk["access_token"])
    assert userinfo(tk["access_token"]).status_code == 401
    assert_oauth_error(token(rp, {"grant_type": "refresh_token",
                                  "refresh_token": tk["refresh_token"]}), 400, "invalid_grant")


def test_revoking_an_access_token_revokes_its_session(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    r = revoke(rp, tk["access_token"], token_type_hint="access_token")
    assert r.status_code == 200, r.text
    assert not is_active(rp, tk["access_token"])
    assert e2elib.api("POST", "/token/validate", token=tk["access_token"]).status_code == 401
    assert_oauth_error(token(rp, {"grant_type": "refresh_token",
                                  "refresh_token": tk["refresh_token"]}), 400, "invalid_grant")


def test_revoking_with_a_wrong_hint_still_revokes(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    assert revoke(rp, tk["refresh_token"], token_type_hint="access_token").status_code == 200
    assert not is_active(rp, tk["refresh_token"])


def test_revoking_another_clients_token_is_200_and_nothing_happens(rp, other, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    for t in (tk["refresh_token"], tk["access_token"]):
        r = revoke(other, t)
        assert r.status_code == 200, r.text
    assert is_active(rp, tk["access_token"])
    assert is_active(rp, tk["refresh_token"])
    assert userinfo(tk["access_token"]).status_code == 200
    assert_tokens(token(rp, {"grant_type": "refresh_token", "refresh_token": tk["refresh_token"]}),
                  refresh=True)


@pytest.mark.parametrize("tok", [oidclib.fake_secret("nonsense-"), oidclib.fake_secret("rt_")],
                         ids=["opaque", "refresh-shaped"])
def test_revoking_an_unknown_token_is_200(rp, tok):
    r = revoke(rp, tok)
    assert r.status_code == 200, r.text


def test_revoking_a_first_party_token_as_a_client_does_nothing(rp):
    u = oidclib.new_user()
    u.login()
    assert revoke(rp, u.refresh).status_code == 200
    assert revoke(rp, u.access).status_code == 200
    r = e2elib.api("GET", "/users/me", token=u.access)
    assert r.status_code == 200, r.text


def test_revocation_needs_client_authentication(rp, user, browser):
    _, tk = code_tokens(browser, rp, user, scope="openid offline_access")
    r = oidclib.oauth_post("/oauth/revoke", {"token": tk["refresh_token"]})
    assert_oauth_error(r, 401, "invalid_client")
    assert is_active(rp, tk["refresh_token"])


def test_revocation_answers_are_not_cacheable(rp):
    r = revoke(rp, oidclib.fake_secret("nonsense-"))
    assert r.status_code == 200
    assert r.headers.get("Cache-Control") == "no-store", r.headers


def _expired(tok):
    """tok re-signed with the provider's key, an hour past its exp."""
    h, c = e2elib.jwt_decode(tok)
    c["exp"] = e2elib.now() - 3600
    c["iat"] = c["nbf"] = c["exp"] - 900
    return e2elib.note_secret(e2elib.jwt_rs256(h, c, e2elib.signing_key()))


def test_userinfo_with_an_expired_token_is_401_invalid_token(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    r = userinfo(_expired(tk["access_token"]))
    assert r.status_code == 401, r.text
    assert 'error="invalid_token"' in r.headers.get("WWW-Authenticate", ""), r.headers
    # The same token, not expired, is fine (so the re-signing is sound).
    h, c = e2elib.jwt_decode(tk["access_token"])
    same = e2elib.note_secret(e2elib.jwt_rs256(h, c, e2elib.signing_key()))
    assert userinfo(same).status_code == 200


def test_introspection_of_an_expired_token_is_only_inactive(rp, user, browser):
    _, tk = code_tokens(browser, rp, user)
    r = introspect(rp, _expired(tk["access_token"]))
    assert r.status_code == 200, r.text
    assert r.json() == {"active": False}
