"""OIDC.md "Token endpoint": client authentication (basic with urlencoded
id and secret, post, none; one method per request), grant_type errors,
the authorization_code grant's rules (single use, bound to client and
redirect_uri, PKCE, replay revokes what the code issued), RFC 6749 §5.2
error bodies, Cache-Control: no-store and Pragma: no-cache."""
import base64
import uuid

import pytest

import e2elib
import oidclib
from oidclib import (Browser, assert_oauth_error, assert_tokens, basic, code_hash_sql,
                     is_active, make_client, oauth_post, redeem, sign_in, token, userinfo)


@pytest.fixture(scope="module")
def user():
    return oidclib.new_user()


@pytest.fixture(scope="module")
def rp():
    """Confidential, either secret method, every grant."""
    return make_client(grants=oidclib.ALL_GRANTS)


@pytest.fixture(scope="module")
def other():
    return make_client(grants=oidclib.ALL_GRANTS)


@pytest.fixture(scope="module")
def basic_only():
    return make_client(grants=oidclib.ALL_GRANTS, auth_method="client_secret_basic")


@pytest.fixture(scope="module")
def post_only():
    return make_client(grants=oidclib.ALL_GRANTS, auth_method="client_secret_post")


@pytest.fixture(scope="module")
def public():
    return make_client(auth_method="none")


@pytest.fixture(scope="module")
def browser(user, rp):
    b = Browser()
    sign_in(b, rp, user)            # one page login; later codes need none
    yield b
    b.close()


CC = {"grant_type": "client_credentials"}


# --- client authentication ------------------------------------------------------------

def test_basic_with_urlencoded_id_and_secret(rp):
    assert_tokens(token(rp, CC, how="basic"), refresh=False, id_token=False)


def test_basic_with_every_character_percent_encoded(rp):
    enc = lambda s: "".join("%%%02X" % b for b in s.encode())
    h = {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (enc(rp.id), enc(rp.secret))).encode()).decode()}
    assert_tokens(oauth_post("/oauth/token", dict(CC), headers=h), refresh=False,
                  id_token=False)


def test_secret_in_the_form(rp):
    assert_tokens(token(rp, CC, how="post"), refresh=False, id_token=False)


def test_client_registered_for_basic_may_not_post(basic_only):
    assert_tokens(token(basic_only, CC, how="basic"), id_token=False)
    assert_oauth_error(token(basic_only, CC, how="post"), 401, "invalid_client")


def test_client_registered_for_post_may_not_use_basic(post_only):
    assert_tokens(token(post_only, CC, how="post"), id_token=False)
    r = token(post_only, CC, how="basic")
    assert_oauth_error(r, 401, "invalid_client")
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="genesis"', r.headers


def wrong_secret(secret):
    """secret with its last character changed: never the secret itself."""
    return e2elib.note_secret(secret[:-1] + ("A" if secret[-1] != "A" else "B"))


def test_wrong_secret_by_basic_is_401_with_www_authenticate(rp):
    r = oauth_post("/oauth/token", dict(CC), headers=basic(rp.id, wrong_secret(rp.secret)))
    assert_oauth_error(r, 401, "invalid_client")
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="genesis"', r.headers


def test_wrong_secret_in_the_form_is_401(rp):
    r = oauth_post("/oauth/token", dict(CC, client_id=rp.id,
                                        client_secret=wrong_secret(rp.secret)))
    assert_oauth_error(r, 401, "invalid_client")


@pytest.mark.parametrize("how", ["basic", "post"])
def test_unknown_client_is_401(how):
    cid, secret = str(uuid.uuid4()), e2elib.b64url(uuid.uuid4().bytes * 2)
    if how == "basic":
        r = oauth_post("/oauth/token", dict(CC), headers=basic(cid, secret))
        assert r.headers.get("WWW-Authenticate") == 'Basic realm="genesis"', r.headers
    else:
        r = oauth_post("/oauth/token", dict(CC, client_id=cid, client_secret=secret))
    assert_oauth_error(r, 401, "invalid_client")


def test_confidential_client_without_secret_is_401(rp):
    assert_oauth_error(oauth_post("/oauth/token", dict(CC, client_id=rp.id)), 401,
                       "invalid_client")


def test_no_client_authentication_at_all_is_401():
    assert_oauth_error(oauth_post("/oauth/token", dict(CC)), 401, "invalid_client")


def test_malformed_basic_header_is_401():
    r = oauth_post("/oauth/token", dict(CC), headers={"Authorization": "Basic %%%not-b64"})
    assert_oauth_error(r, 401, "invalid_client")
    assert r.headers.get("WWW-Authenticate") == 'Basic realm="genesis"', r.headers


def test_two_methods_in_one_request_are_refused(rp):
    h = basic(rp.id, rp.secret)
    r = oauth_post("/oauth/token", dict(CC, client_id=rp.id, client_secret=rp.secret), headers=h)
    assert r.status_code in (400, 401), (r.status_code, r.text)
    assert_oauth_error(r, r.status_code, "invalid_request" if r.status_code == 400
                       else "invalid_client")


def test_public_client_authenticates_with_client_id_only(public, user):
    b = Browser()
    flow = sign_in(b, public, user)
    assert_tokens(redeem(public, flow, how="none"))
    b.close()


def test_public_client_may_not_use_client_credentials(user):
    # The registry refuses such a client...
    r = e2elib.api("POST", "/admin/clients", token=oidclib.admin_token(), json={
        "client_name": "public cc", "redirect_uris": [oidclib.new_redirect_uri()],
        "token_endpoint_auth_method": "none", "grant_types": list(oidclib.ALL_GRANTS)})
    e2elib.assert_422(r, "grant_types")
    # ...and the token endpoint refuses one written by hand all the same.
    c = make_client(auth_method="none", grants=oidclib.ALL_GRANTS, by_sql=True)
    r = token(c, CC, how="none")
    assert r.status_code in (400, 401), (r.status_code, r.text)
    assert_oauth_error(r, r.status_code, "unauthorized_client" if r.status_code == 400
                       else "invalid_client")


# --- grant_type ------------------------------------------------------------------------

def test_grant_type_missing_is_invalid_request(rp):
    assert_oauth_error(token(rp, {}), 400, "invalid_request")


@pytest.mark.parametrize("gt", ["password", "implicit", "urn:ietf:params:oauth:grant-type:"
                                "device_code", "authorization_code ", "AUTHORIZATION_CODE"])
def test_unknown_grant_type_is_unsupported(rp, gt):
    assert_oauth_error(token(rp, {"grant_type": gt}), 400, "unsupported_grant_type")


def test_grant_type_not_the_clients_is_unauthorized_client():
    c = make_client(grants=("authorization_code",))
    assert_oauth_error(token(c, CC), 400, "unauthorized_client")
    assert_oauth_error(token(c, {"grant_type": "refresh_token", "refresh_token": oidclib.fake_secret("rt_")}),
                       400, "unauthorized_client")


def test_repeated_grant_type_is_invalid_request(rp):
    h, _ = oidclib.client_auth(rp, "basic")
    r = e2elib._client_for(e2elib.login_source()).post(
        e2elib.url("/oauth/token"), data=[("grant_type", "client_credentials")] * 2,
        headers=h, timeout=e2elib.HTTP_TIMEOUT)
    assert_oauth_error(r, 400, "invalid_request")


def test_token_endpoint_wants_a_form(rp):
    h, _ = oidclib.client_auth(rp, "basic")
    r = e2elib._client_for(e2elib.login_source()).post(
        e2elib.url("/oauth/token"), json=CC, headers=h, timeout=e2elib.HTTP_TIMEOUT)
    # 400 or 415, but in RFC 6749 §5.2's shape: OIDC.md "Every error".
    assert r.status_code in (400, 415), (r.status_code, r.text)
    assert_oauth_error(r, r.status_code, "invalid_request")


# --- the authorization_code grant ----------------------------------------------------------

def test_code_gives_tokens_with_no_store_and_no_cache(rp, user, browser):
    flow = sign_in(browser, rp, user)
    r = redeem(rp, flow)
    assert_tokens(r, scope="openid", refresh=False)
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Pragma"] == "no-cache"


def test_refresh_token_only_with_offline_access(rp, user, browser):
    flow = sign_in(browser, rp, user, scope="openid offline_access")
    assert_tokens(redeem(rp, flow), scope="openid offline_access", refresh=True)


def test_no_refresh_token_when_the_client_lacks_the_grant(user):
    c = make_client(grants=("authorization_code",))
    b = Browser()
    flow = sign_in(b, c, user, scope="openid offline_access")
    body = assert_tokens(redeem(c, flow), refresh=False)
    assert "refresh_token" not in body
    b.close()


def test_replayed_code_is_refused_and_revokes_what_it_issued(rp, user, browser):
    flow = sign_in(browser, rp, user, scope="openid offline_access")
    first = assert_tokens(redeem(rp, flow), refresh=True)
    assert is_active(rp, first["access_token"])
    assert userinfo(first["access_token"]).status_code == 200
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")
    assert not is_active(rp, first["access_token"])
    assert not is_active(rp, first["refresh_token"])
    r = userinfo(first["access_token"])
    assert r.status_code == 401, (r.status_code, r.text)
    assert_oauth_error(token(rp, {"grant_type": "refresh_token",
                                  "refresh_token": first["refresh_token"]}),
                       400, "invalid_grant")
    r = e2elib.api("POST", "/token/validate", token=first["access_token"])
    assert r.status_code == 401, r.text


def test_code_of_another_client_is_invalid_grant_and_consumed(rp, other, user, browser):
    flow = sign_in(browser, rp, user)
    assert_oauth_error(redeem(other, flow), 400, "invalid_grant")
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")


def test_different_redirect_uri_is_invalid_grant_and_consumed(rp, user, browser):
    flow = sign_in(browser, rp, user)
    assert_oauth_error(redeem(rp, flow, redirect_uri=rp.redirect_uri + "/"), 400,
                       "invalid_grant")
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")


def test_missing_redirect_uri_is_refused(rp, user, browser):
    flow = sign_in(browser, rp, user)
    r = token(rp, {"grant_type": "authorization_code", "code": flow.code,
                   "code_verifier": flow.verifier})
    assert r.status_code == 400, r.text
    assert r.json()["error"] in ("invalid_request", "invalid_grant"), r.text


def test_unknown_code_is_invalid_grant(rp):
    r = token(rp, {"grant_type": "authorization_code",
                   "code": e2elib.b64url(uuid.uuid4().bytes * 2),
                   "redirect_uri": rp.redirect_uri, "code_verifier": oidclib.fake_secret()})
    assert_oauth_error(r, 400, "invalid_grant")


def test_missing_code_is_refused(rp):
    r = token(rp, {"grant_type": "authorization_code", "redirect_uri": rp.redirect_uri})
    assert r.status_code == 400, r.text
    assert r.json()["error"] in ("invalid_request", "invalid_grant"), r.text


def test_expired_code_is_invalid_grant(rp, user, browser):
    flow = sign_in(browser, rp, user)
    e2elib.root_sql("UPDATE oauth_codes SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND, "
                    "created_at = UTC_TIMESTAMP() - INTERVAL 61 SECOND WHERE hash = %s"
                    % code_hash_sql(flow.code), db="genesis")
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")


def test_code_is_stored_hashed_and_expires_in_60_seconds(rp, user, browser):
    flow = sign_in(browser, rp, user)
    rows = e2elib.root_sql("SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at) FROM "
                           "oauth_codes WHERE hash = %s" % code_hash_sql(flow.code),
                           db="genesis")
    assert rows == [["60"]], rows
    assert assert_tokens(redeem(rp, flow))


# --- PKCE at the token endpoint (C-T21) -----------------------------------------------------

def test_wrong_verifier_is_invalid_grant_and_consumed(rp, user, browser):
    flow = sign_in(browser, rp, user)
    good = flow.verifier
    flow.verifier = oidclib.pkce_pair()[0]
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")
    flow.verifier = good
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")


def test_missing_verifier_is_invalid_grant(rp, user, browser):
    flow = sign_in(browser, rp, user)
    flow.verifier = None
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")


def test_verifier_equal_to_the_challenge_is_refused(rp, user, browser):
    flow = sign_in(browser, rp, user)
    flow.verifier = flow.challenge                  # "plain" downgrade at the token endpoint
    # The challenge was public (in the authorize URL): not noted as a secret.
    assert_oauth_error(redeem(rp, flow, public=("code_verifier",)), 400, "invalid_grant")


def test_verifier_for_a_code_issued_without_a_challenge_is_refused(rp, user, browser):
    flow = sign_in(browser, rp, user, pkce=False)
    flow.verifier = oidclib.pkce_pair()[0]
    assert_oauth_error(redeem(rp, flow), 400, "invalid_grant")


def test_confidential_client_without_pkce_may_redeem_without_verifier(rp, user, browser):
    flow = sign_in(browser, rp, user, pkce=False)
    assert_tokens(redeem(rp, flow))


def test_public_client_code_needs_the_verifier(public, user):
    b = Browser()
    flow = sign_in(b, public, user)
    flow.verifier = None
    assert_oauth_error(redeem(public, flow, how="none"), 400, "invalid_grant")
    b.close()


# --- RFC 6749 §5.2 bodies --------------------------------------------------------------------

@pytest.mark.parametrize("data", [{"grant_type": "authorization_code"},
                                  {"grant_type": "refresh_token"},
                                  {"grant_type": "client_credentials", "scope": "admin"}])
def test_every_error_is_a_json_error_body(rp, data):
    r = token(rp, data)
    assert r.status_code == 400, (r.status_code, r.text)
    b = assert_oauth_error(r, 400, r.json().get("error"))
    assert b["error"] in ("invalid_request", "invalid_grant", "invalid_scope"), b


def test_a_code_redeemed_at_once_by_many_wins_once_and_is_revoked(rp, user, browser):
    """One atomic consumption: of parallel redemptions exactly one gets
    tokens, and the others (replays) revoke them."""
    import concurrent.futures
    flow = sign_in(browser, rp, user, scope="openid offline_access")
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as ex:
        answers = list(ex.map(lambda _: redeem(rp, flow), range(6)))
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 1, [(r.status_code, r.text[:80]) for r in answers]
    for r in answers:
        if r.status_code != 200:
            assert_oauth_error(r, 400, "invalid_grant")
    tk = ok[0].json()
    assert not is_active(rp, tk["access_token"])
    assert not is_active(rp, tk["refresh_token"])


def test_public_client_with_a_secret_is_refused(public, user):
    h = basic(public.id, e2elib.note_secret("made-up-" + uuid.uuid4().hex))
    r = oauth_post("/oauth/token", {"grant_type": "authorization_code", "code": oidclib.fake_secret(),
                                    "redirect_uri": public.redirect_uri}, headers=h)
    assert_oauth_error(r, 401, "invalid_client")
