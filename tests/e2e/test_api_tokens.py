"""Tokens (API.md, Authentication; SECURITY.md C-T1, C-T4, C-T11, C-T15,
C-T16): the login answer and the access token's shape, the JWKS, refresh
rotation with reuse detection, concurrent refreshes, POST /token/validate,
and a hostile token corpus that must all be refused with 401."""
import hashlib
import hmac
import json
import threading
import uuid

import pytest
import requests

from e2elib import (ACCESS_TOKEN_TTL, RFC3339_Z_RE, UUID_RE, api,
                    assert_detail, assert_json_response, assert_token_pair,
                    assert_unauthorized, b64url, body_of, client, conf_get,
                    jwt_decode, jwt_hs256, jwt_rs256, jwt_signing_input,
                    login_response, login_source, new_rsa_key, note_secret,
                    now, refresh_response, register_account, root_sql,
                    rs256_verify, rsa_jwk_numbers, rsa_thumbprint,
                    shared_account, signing_key, sql_quote, token_post,
                    unique_name, url, verify_only_keys)

ROTATED = "Refresh token has been rotated. Session revoked for security."
INVALID_RT = "Invalid refresh token"
RT_AS_AT = "Refresh token cannot be used as access token"
ISSUER = conf_get("jwt_issuer")
AUDIENCE = conf_get("jwt_audience")


def session_row(sid):
    rows = root_sql("SELECT revoked_at IS NOT NULL, revoked_reason FROM sessions "
                    "WHERE id = %s" % sql_quote(sid), db="genesis")
    assert len(rows) == 1, (sid, rows)
    return rows[0]


# --- login ------------------------------------------------------------------------

def test_login_answer_shape():
    a = register_account(login=False)
    r = login_response(a.username, a.password)
    b = assert_token_pair(r)
    assert b["expires_in"] == ACCESS_TOKEN_TTL
    a.take(b)
    me = api("GET", "/users/me", a.access)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == a.id
    assert me.json()["last_login_method"] == "password"
    assert RFC3339_Z_RE.match(me.json()["last_login_at"] or ""), me.json()


def test_access_token_header_and_claims():
    a = register_account(login=False)
    t0 = now()
    b = assert_token_pair(login_response(a.username, a.password))
    header, claims = jwt_decode(b["access_token"])
    assert set(header) == {"alg", "typ", "kid"}, header
    assert header["alg"] == "RS256" and header["typ"] == "at+jwt", header
    assert header["kid"] == rsa_thumbprint(signing_key()), header
    want = {"iss", "aud", "sub", "username", "role", "sid", "jti", "iat", "nbf",
            "exp", "scope", "auth_method"}
    assert want <= set(claims), sorted(claims)
    assert claims["iss"] == ISSUER and claims["aud"] == AUDIENCE, claims
    assert claims["sub"] == a.id and claims["username"] == a.username, claims
    assert claims["role"] == "user", claims
    assert UUID_RE.match(claims["sid"]), claims
    assert isinstance(claims["jti"], str) and claims["jti"], claims
    for k in ("iat", "nbf", "exp"):
        assert type(claims[k]) is int, claims
    assert t0 - 5 <= claims["iat"] <= now() + 5, claims
    assert claims["nbf"] <= claims["iat"] + 1, claims
    assert claims["exp"] - claims["iat"] == ACCESS_TOKEN_TTL, claims
    assert claims["scope"] == "openid profile email", claims
    assert claims["auth_method"] == "password", claims
    # The session of the claim is the one the server recorded.
    rows = root_sql("SELECT user_id, login_method, revoked_at FROM sessions WHERE id = %s"
                    % sql_quote(claims["sid"]), db="genesis")
    assert rows == [[a.id, "password", "NULL"]], rows
    # Only the refresh token's SHA-256 is stored (API.md, Refresh token).
    assert not root_sql("SELECT id FROM sessions WHERE refresh_hash = %s OR "
                        "HEX(refresh_hash) = %s" % (sql_quote(b["refresh_token"]),
                                                     sql_quote(b["refresh_token"])),
                        db="genesis")


def test_every_login_is_a_new_session_and_jti():
    a = register_account()
    b = a.another_session()
    ha, ca = jwt_decode(a.access)
    hb, cb = jwt_decode(b.access)
    assert ca["sid"] != cb["sid"] and ca["jti"] != cb["jti"]
    assert a.refresh != b.refresh


def test_login_by_email_any_case():
    a = register_account(login=False)
    r = login_response(a.email.upper(), a.password)
    b = assert_token_pair(r)
    assert jwt_decode(b["access_token"])[1]["sub"] == a.id


def test_login_accepts_and_ignores_oauth_fields():
    a = register_account(login=False)
    r = login_response(a.username, a.password, extra={
        "scope": "admin everything", "client_id": "x", "client_secret": "y"})
    b = assert_token_pair(r)
    assert jwt_decode(b["access_token"])[1]["scope"] == "openid profile email"
    assert jwt_decode(b["access_token"])[1]["role"] == "user"


def test_login_without_grant_type():
    a = register_account(login=False)
    r = token_post("/token", {"username": a.username, "password": a.password})
    assert_token_pair(r)


def test_wrong_password_and_unknown_user_identical():
    a = register_account(login=False)
    wrong = note_secret(a.password + "x")
    r1 = login_response(a.username, wrong)
    r2 = login_response(unique_name("nobody"), a.password)
    r3 = login_response("%s@example.com" % unique_name("nobody"), wrong)
    for r in (r1, r2, r3):
        assert_unauthorized(r, "Incorrect username or password")
    assert r1.content == r2.content == r3.content
    for h in ("Content-Type", "Cache-Control", "WWW-Authenticate"):
        assert r1.headers.get(h) == r2.headers.get(h) == r3.headers.get(h), h
    # The failures did not stop the right password.
    assert_token_pair(login_response(a.username, a.password))


@pytest.mark.parametrize("grant", ["client_credentials", "authorization_code",
                                   "PASSWORD", "urn:ietf:params:oauth:grant-type:jwt-bearer"])
def test_unsupported_grant_type(grant):
    a = shared_account("tok_user")
    r = token_post("/token", {"grant_type": grant, "username": a.username,
                              "password": a.password, "refresh_token": a.refresh})
    assert r.status_code == 400, (r.status_code, r.text)
    assert_json_response(r)
    assert body_of(r) == {"error": "unsupported_grant_type"}


# --- JWKS -----------------------------------------------------------------------------

def test_jwks():
    r = requests.get(url("/.well-known/jwks.json"), timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers.get("Cache-Control") == "public, max-age=300", r.headers
    assert r.headers.get("Content-Type", "").split(";")[0] == "application/json"
    keys = body_of(r)
    assert set(keys) == {"keys"} and isinstance(keys["keys"], list), keys
    by_kid = {}
    for k in keys["keys"]:
        assert set(k) == {"kty", "use", "alg", "kid", "n", "e"}, k
        assert (k["kty"], k["use"], k["alg"]) == ("RSA", "sig", "RS256"), k
        for f in ("n", "e", "kid"):
            assert "=" not in k[f] and "+" not in k[f] and "/" not in k[f], k
        canon = '{"e":"%s","kty":"RSA","n":"%s"}' % (k["e"], k["n"])
        assert k["kid"] == b64url(hashlib.sha256(canon.encode()).digest()), k
        by_kid[k["kid"]] = k
    configured = [signing_key()] + verify_only_keys()
    assert len(configured) >= 2
    assert len(by_kid) == len(keys["keys"]) == len(configured), by_kid.keys()
    for key in configured:
        kid = rsa_thumbprint(key)
        assert kid in by_kid, kid
        assert (by_kid[kid]["n"], by_kid[kid]["e"]) == rsa_jwk_numbers(key)
    # A real access token verifies with the published key its kid names.
    tok = shared_account("tok_user").access
    k = by_kid[jwt_decode(tok)[0]["kid"]]
    assert rs256_verify(tok, k["n"], k["e"])


# --- refresh ----------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["bearer", "form", "grant"])
def test_login_refresh_replay_revoked(how):
    a = register_account()
    at1, rt1, sid = a.access, a.refresh, a.sid
    # Refresh: a new pair for the same session.
    b = assert_token_pair(refresh_response(rt1, how))
    at2, rt2 = b["access_token"], b["refresh_token"]
    assert rt2 != rt1 and at2 != at1
    h2, c2 = jwt_decode(at2)
    c1 = jwt_decode(at1)[1]
    assert c2["sid"] == sid and c2["sub"] == a.id and c2["jti"] != c1["jti"]
    assert h2 == jwt_decode(at1)[0]
    assert api("GET", "/users/me", at2).status_code == 200
    # Replay of the retired token: the whole session dies.
    assert_unauthorized(refresh_response(rt1, how), ROTATED)
    assert session_row(sid)[0] == "1"
    for at in (at1, at2):
        assert_unauthorized(api("GET", "/users/me", at))
        assert_unauthorized(api("POST", "/token/validate", at))
    assert_unauthorized(refresh_response(rt2, how), INVALID_RT)
    # Replaying again changes nothing: the session is already revoked.
    assert_unauthorized(refresh_response(rt1, how), INVALID_RT)


def test_rotation_chain():
    """Each rotation retires the previous token; the chain goes on."""
    a = register_account()
    rt, seen = a.refresh, {a.refresh}
    for _ in range(4):
        b = assert_token_pair(refresh_response(rt))
        assert b["refresh_token"] not in seen
        seen.add(b["refresh_token"])
        assert jwt_decode(b["access_token"])[1]["sid"] == a.sid
        assert api("GET", "/users/me", b["access_token"]).status_code == 200
        rt = b["refresh_token"]
    # A one-character change of the live token is an unknown token.
    assert_unauthorized(refresh_response(rt[:-1] + ("A" if rt[-1] != "A" else "B")),
                        INVALID_RT)
    assert_token_pair(refresh_response(rt))


def test_replay_of_older_retired_token_revokes_session():
    a = register_account()
    rt1 = a.refresh
    rt2 = assert_token_pair(refresh_response(rt1))["refresh_token"]
    b = assert_token_pair(refresh_response(rt2))
    r = refresh_response(rt1)
    assert_unauthorized(r, ROTATED)
    assert session_row(a.sid)[0] == "1"
    assert_unauthorized(api("GET", "/users/me", b["access_token"]))
    assert_unauthorized(refresh_response(b["refresh_token"]), INVALID_RT)


def test_refresh_via_token_grant_and_refresh_route_mix():
    """POST /token grant_type=refresh_token is the same operation: a token
    rotated by one route is a replay on the other."""
    a = register_account()
    b = assert_token_pair(refresh_response(a.refresh, "grant"))
    c = assert_token_pair(refresh_response(b["refresh_token"], "bearer"))
    assert_unauthorized(refresh_response(b["refresh_token"], "grant"), ROTATED)
    assert_unauthorized(refresh_response(c["refresh_token"], "form"), INVALID_RT)


@pytest.mark.parametrize("token", [
    "rt_" + "A" * 43,                       # well formed, unknown
    "rt_" + "A" * 42,                       # too short
    "rt_" + "A" * 44,                       # too long
    "xx_" + "A" * 43,                       # wrong prefix
    "rt_" + "!" * 43,                       # not base64url
])
@pytest.mark.parametrize("how", ["bearer", "form", "grant"])
def test_refresh_unknown_token(token, how):
    assert_unauthorized(refresh_response(token, how), INVALID_RT)


def test_refresh_with_access_token_refused():
    a = shared_account("tok_user")
    r = refresh_response(a.access, "bearer")
    assert r.status_code == 401, r.text
    assert r.json() == {"detail": INVALID_RT}
    # and the session is untouched
    assert api("GET", "/users/me", a.access).status_code == 200


def test_refresh_without_token():
    r = token_post("/refresh_token", {})
    assert r.status_code == 401, r.text
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


def _race(refresh_token, n):
    """n concurrent refreshes of one token, each from its own connection."""
    barrier = threading.Barrier(n)
    results = [None] * n
    clients = [client(login_source()) for _ in range(n)]

    def go(i):
        barrier.wait()
        try:
            results[i] = refresh_response(refresh_token, "bearer", session=clients[i])
        except Exception as e:  # noqa: BLE001 - reported below
            results[i] = e

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for c in clients:
        c.close()
    return results


@pytest.mark.parametrize("n", [2, 2, 2, 8])
def test_concurrent_refreshes_one_winner(n):
    a = register_account()
    results = _race(a.refresh, n)
    assert all(isinstance(r, requests.Response) for r in results), results
    ok = [r for r in results if r.status_code == 200]
    refused = [r for r in results if r.status_code != 200]
    assert len(ok) == 1, [(r.status_code, r.text) for r in results]
    for r in refused:
        assert r.status_code == 401, (r.status_code, r.text)
        assert r.json()["detail"] in (INVALID_RT, ROTATED), r.text
    assert_token_pair(ok[0])
    # Exactly one rotation happened in the database.
    gen = root_sql("SELECT generation FROM sessions WHERE id = %s" % sql_quote(a.sid),
                   db="genesis")
    assert gen == [["2"]], gen


# --- POST /token/validate ------------------------------------------------------------------

def test_validate():
    a = shared_account("tok_user")
    r = api("POST", "/token/validate", a.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"user_id": a.id, "username": a.username}


def test_validate_without_token():
    assert_unauthorized(api("POST", "/token/validate"), "Not authenticated")


def test_validate_refuses_disabled_user():
    """A user disabled behind the service's back (no session revocation):
    /token/validate says 401, the service's own routes 403, and a refresh
    is refused and revokes the session (API.md)."""
    a = register_account()
    root_sql("UPDATE users SET disabled = 1, is_active = 0 WHERE id = %s" % sql_quote(a.id),
             db="genesis")
    assert_unauthorized(api("POST", "/token/validate", a.access))
    assert_detail(api("GET", "/users/me", a.access), 403, "User account is deactivated")
    r = refresh_response(a.refresh)
    assert r.status_code == 401, r.text
    assert session_row(a.sid)[0] == "1"
    root_sql("UPDATE users SET disabled = 0, is_active = 1 WHERE id = %s" % sql_quote(a.id),
             db="genesis")
    # The revoked session stays dead after re-enabling.
    assert_unauthorized(api("POST", "/token/validate", a.access))
    assert_unauthorized(refresh_response(a.refresh), INVALID_RT)


def test_validate_refuses_deleted_user():
    a = register_account()
    root_sql("DELETE FROM users WHERE id = %s" % sql_quote(a.id), db="genesis")
    assert_unauthorized(api("POST", "/token/validate", a.access))
    assert_unauthorized(api("GET", "/users/me", a.access))
    assert refresh_response(a.refresh).status_code == 401


# --- the hostile token corpus --------------------------------------------------------------

@pytest.fixture(scope="module")
def victim():
    """A live session whose claims the corpus reuses."""
    return register_account()


def _pem_variants(key):
    from cryptography.hazmat.primitives import serialization as ser
    pub = key.public_key()
    spki = pub.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
    pkcs1 = pub.public_bytes(ser.Encoding.PEM, ser.PublicFormat.PKCS1)
    der = pub.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    n = pub.public_numbers().n
    n_raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return {"pem_spki": spki, "pem_spki_nonl": spki.rstrip(b"\n"), "pem_pkcs1": pkcs1,
            "der": der, "n_raw": n_raw, "n_b64url": rsa_jwk_numbers(key)[0].encode()}


def build_corpus(v):
    """name -> (token, expected detail) for the victim account v."""
    sk = signing_key()
    kid = rsa_thumbprint(sk)
    other_kid = rsa_thumbprint(verify_only_keys()[0])
    rogue = new_rsa_key()
    rogue_kid = rsa_thumbprint(rogue)
    hdr = {"alg": "RS256", "typ": "at+jwt", "kid": kid}
    real_h, claims = jwt_decode(v.access)
    assert real_h == hdr
    t = now()
    sig = v.access.rsplit(".", 1)[1]
    c = {}
    bad = "Could not validate credentials"

    def claims_with(**kw):
        d = dict(claims)
        for k, val in kw.items():
            if val is _DROP:
                d.pop(k, None)
            else:
                d[k] = val
        return d

    def rs(h=None, cl=None, key=sk):
        return jwt_rs256(hdr if h is None else h, claims if cl is None else cl, key)

    # alg none, with and without a signature part.
    for name, alg in (("none", "none"), ("None", "None"), ("NONE", "NONE")):
        h = dict(hdr, alg=alg)
        c["alg_%s_empty_sig" % name] = jwt_signing_input(h, claims) + "."
        c["alg_%s_real_sig" % name] = jwt_signing_input(h, claims) + "." + sig
    c["alg_none_no_kid"] = jwt_signing_input({"alg": "none", "typ": "at+jwt"}, claims) + "."
    # HS256 keyed with the public key (the classic RS/HS confusion).
    for alg in ("HS256", "HS384", "HS512"):
        for name, secret in _pem_variants(sk).items():
            if alg != "HS256" and not name.startswith("pem_spki"):
                continue
            if alg == "HS256":
                c["%s_%s" % (alg, name)] = jwt_hs256(dict(hdr, alg=alg), claims, secret)
            else:
                si = jwt_signing_input(dict(hdr, alg=alg), claims)
                dig = getattr(hashlib, "sha" + alg[2:])
                c["%s_%s" % (alg, name)] = si + "." + b64url(
                    hmac.new(secret, si.encode(), dig).digest())
    # Other RSA-ish algorithms with the real signature or key.
    c["alg_RS512_real_sig"] = jwt_signing_input(dict(hdr, alg="RS512"), claims) + "." + sig
    c["alg_PS256_real_sig"] = jwt_signing_input(dict(hdr, alg="PS256"), claims) + "." + sig
    # kid games.
    c["kid_of_verify_key_signed_by_signing_key"] = rs(dict(hdr, kid=other_kid))
    c["kid_unknown"] = rs(dict(hdr, kid=b64url(uuid.uuid4().bytes * 2)))
    c["kid_missing"] = rs({"alg": "RS256", "typ": "at+jwt"})
    c["kid_empty"] = rs(dict(hdr, kid=""))
    c["kid_number"] = rs(dict(hdr, kid=1))
    c["kid_path_traversal"] = rs(dict(hdr, kid="../../../../dev/null"))
    c["kid_sql"] = rs(dict(hdr, kid="x' OR '1'='1"))
    # A key that is not configured, with its own kid and with the real kid.
    c["rogue_key_own_kid"] = rs(dict(hdr, kid=rogue_kid), key=rogue)
    c["rogue_key_real_kid"] = rs(hdr, key=rogue)
    # Header members pointing at attacker keys.
    rn, re_ = rsa_jwk_numbers(rogue)
    jwk = {"kty": "RSA", "kid": rogue_kid, "n": rn, "e": re_, "use": "sig", "alg": "RS256"}
    c["jku_rogue"] = rs(dict(hdr, kid=rogue_kid, jku="http://127.0.0.1:9/jwks.json"), key=rogue)
    c["jku_real_key"] = rs(dict(hdr, jku="http://127.0.0.1:9/jwks.json"))
    c["x5u_rogue"] = rs(dict(hdr, kid=rogue_kid, x5u="http://127.0.0.1:9/cert.pem"), key=rogue)
    c["jwk_embedded_rogue"] = rs(dict(hdr, kid=rogue_kid, jwk=jwk), key=rogue)
    c["jwk_embedded_rogue_real_kid"] = rs(dict(hdr, jwk=jwk), key=rogue)
    c["crit_unknown"] = rs(dict(hdr, crit=["exp"]))
    # typ.
    c["typ_missing"] = rs({"alg": "RS256", "kid": kid})
    c["typ_JWT"] = rs(dict(hdr, typ="JWT"))
    c["typ_rt_jwt"] = rs(dict(hdr, typ="rt+jwt"))
    c["typ_id_token"] = rs(dict(hdr, typ="id_token+jwt"))
    # Tampered payload, real signature.
    for name, cl in (("role_admin", claims_with(role="admin")),
                     ("exp_far", claims_with(exp=t + 10 ** 8)),
                     ("sub_other", claims_with(sub=str(uuid.uuid4())))):
        c["tampered_" + name] = jwt_signing_input(hdr, cl) + "." + sig
    h64, p64, s64 = v.access.split(".")
    flipped = p64[:-2] + ("A" if p64[-2] != "A" else "B") + p64[-1]
    c["tampered_payload_byte"] = "%s.%s.%s" % (h64, flipped, s64)
    flipped_sig = s64[:10] + ("A" if s64[10] != "A" else "B") + s64[11:]
    c["tampered_signature_byte"] = "%s.%s.%s" % (h64, p64, flipped_sig)
    c["signature_of_other_token"] = "%s.%s.%s" % (h64, p64, shared_account("tok_user")
                                                  .access.rsplit(".", 1)[1])
    # Time.
    c["expired"] = rs(cl=claims_with(iat=t - 7200, nbf=t - 7200, exp=t - 3600))
    c["expired_just_beyond_skew"] = rs(cl=claims_with(iat=t - 2000, nbf=t - 2000, exp=t - 600))
    c["not_yet_valid"] = rs(cl=claims_with(nbf=t + 3600, iat=t, exp=t + 7200))
    c["issued_in_future"] = rs(cl=claims_with(iat=t + 3600, nbf=t + 3600, exp=t + 7200))
    c["exp_missing"] = rs(cl=claims_with(exp=_DROP))
    c["nbf_missing"] = rs(cl=claims_with(nbf=_DROP))
    c["exp_string"] = rs(cl=claims_with(exp=str(t + 600)))
    c["exp_float_huge"] = rs(cl=claims_with(exp=1e300))
    # iss/aud.
    c["iss_wrong"] = rs(cl=claims_with(iss="https://evil.example"))
    c["iss_prefix"] = rs(cl=claims_with(iss=ISSUER + "/"))
    c["iss_missing"] = rs(cl=claims_with(iss=_DROP))
    c["aud_wrong"] = rs(cl=claims_with(aud="other-service"))
    c["aud_missing"] = rs(cl=claims_with(aud=_DROP))
    c["aud_case"] = rs(cl=claims_with(aud=AUDIENCE.upper() if AUDIENCE.upper() != AUDIENCE
                                     else AUDIENCE + "x"))
    # Server state: a validly signed token whose sid/sub do not match a live session.
    c["sid_unknown"] = rs(cl=claims_with(sid=str(uuid.uuid4())))
    c["sid_missing"] = rs(cl=claims_with(sid=_DROP))
    c["sub_other_existing_user"] = rs(cl=claims_with(sub=shared_account("tok_user").id))
    c["sub_unknown"] = rs(cl=claims_with(sub=str(uuid.uuid4())))
    c["sub_missing"] = rs(cl=claims_with(sub=_DROP))
    c["sid_of_other_user"] = rs(cl=claims_with(sid=jwt_decode(
        shared_account("tok_user").access)[1]["sid"]))
    # Refresh token where an access token belongs.
    c["refresh_token"] = (v.refresh, RT_AS_AT)
    c["refresh_token_prefix_only"] = ("rt_", RT_AS_AT)
    # Structure.
    c["truncated_signature"] = v.access[:-10]
    c["truncated_half"] = v.access[:len(v.access) // 2]
    c["no_signature_part"] = h64 + "." + p64
    c["empty_signature"] = h64 + "." + p64 + "."
    c["four_parts"] = v.access + "." + s64
    c["only_dots"] = ".."
    c["header_only"] = h64
    c["empty_parts_with_sig"] = ".." + s64
    c["header_not_json"] = b64url("not json") + "." + p64 + "." + s64
    c["payload_not_json"] = h64 + "." + b64url("{nope") + "." + s64
    c["payload_array"] = jwt_rs256(hdr, "[1,2,3]", sk)
    c["header_array"] = jwt_rs256('["RS256"]', claims, sk)
    # Duplicate members: RFC 7515/7519 allow rejecting them or taking the
    # lexically last one; either refuses these (the last one is hostile).
    hdr_json = json.dumps(hdr, separators=(",", ":"))
    c["duplicate_alg_member"] = jwt_rs256(hdr_json[:-1] + ',"alg":"none"}', claims, sk)
    cl_json = json.dumps(claims, separators=(",", ":"))
    c["duplicate_sub_member"] = jwt_rs256(
        hdr, cl_json[:-1] + ',"sub":"%s"}' % shared_account("tok_user").id, sk)
    c["long_6KiB"] = "eyJ" + "A" * 6 * 1024 + "." + p64 + "." + s64
    c["padded_base64"] = h64 + "==." + p64 + "." + s64
    for ch, name in (("+", "plus"), ("/", "slash"), ("=", "equals"), ("!", "bang"),
                     ("~", "tilde"), ("%", "percent"), ("*", "star")):
        c["char_%s_in_signature" % name] = "%s.%s.%s" % (h64, p64, s64[:20] + ch + s64[21:])
        c["char_%s_in_payload" % name] = "%s.%s.%s" % (h64, p64[:8] + ch + p64[9:], s64)
    c["standard_base64_signature"] = "%s.%s.%s" % (
        h64, p64, s64.replace("-", "+").replace("_", "/"))
    c["garbage"] = "definitely-not-a-token"
    c["basic_looking"] = b64url(b"user:Pass@word12345")
    out = {}
    for name, tok in c.items():
        if isinstance(tok, tuple):
            out[name] = tok
        else:
            out[name] = (tok, bad)
    return out


_DROP = object()
CORPUS_NAMES = [
    "alg_none_empty_sig", "alg_none_real_sig", "alg_None_empty_sig", "alg_None_real_sig",
    "alg_NONE_empty_sig", "alg_NONE_real_sig", "alg_none_no_kid",
    "HS256_pem_spki", "HS256_pem_spki_nonl", "HS256_pem_pkcs1", "HS256_der", "HS256_n_raw",
    "HS256_n_b64url", "HS384_pem_spki", "HS384_pem_spki_nonl", "HS512_pem_spki",
    "HS512_pem_spki_nonl", "alg_RS512_real_sig", "alg_PS256_real_sig",
    "kid_of_verify_key_signed_by_signing_key", "kid_unknown", "kid_missing", "kid_empty",
    "kid_number", "kid_path_traversal", "kid_sql", "rogue_key_own_kid",
    "rogue_key_real_kid", "jku_rogue", "jku_real_key", "x5u_rogue", "jwk_embedded_rogue",
    "jwk_embedded_rogue_real_kid", "crit_unknown", "typ_missing", "typ_JWT", "typ_rt_jwt",
    "typ_id_token", "tampered_role_admin", "tampered_exp_far", "tampered_sub_other",
    "tampered_payload_byte", "tampered_signature_byte", "signature_of_other_token",
    "expired", "expired_just_beyond_skew", "not_yet_valid", "issued_in_future",
    "exp_missing", "nbf_missing", "exp_string", "exp_float_huge", "iss_wrong",
    "iss_prefix", "iss_missing", "aud_wrong", "aud_missing", "aud_case", "sid_unknown",
    "sid_missing", "sub_other_existing_user", "sub_unknown", "sub_missing",
    "sid_of_other_user", "refresh_token", "refresh_token_prefix_only",
    "truncated_signature", "truncated_half", "no_signature_part", "empty_signature",
    "four_parts", "only_dots", "header_only", "empty_parts_with_sig", "header_not_json",
    "payload_not_json", "payload_array", "header_array", "duplicate_alg_member",
    "duplicate_sub_member", "long_6KiB", "padded_base64",
] + ["char_%s_in_%s" % (n, w) for n in ("plus", "slash", "equals", "bang", "tilde",
                                         "percent", "star")
     for w in ("signature", "payload")] + [
    "standard_base64_signature", "garbage", "basic_looking",
]

CORPUS_ROUTES = [("GET", "/users/me"), ("POST", "/token/validate"), ("GET", "/auth/sessions"),
                 ("GET", "/users/")]


@pytest.fixture(scope="module")
def corpus(victim):
    c = build_corpus(victim)
    assert set(c) == set(CORPUS_NAMES), set(c) ^ set(CORPUS_NAMES)
    for tok, _ in c.values():
        if len(tok) >= 16:
            note_secret(tok)
    return c


def test_corpus_controls(victim):
    """The corpus is meaningful: the victim's real token, the same claims
    re-signed by this suite with the signing key, and signed with the
    verify-only key (SECURITY.md C-T1: every configured key verifies) are
    all accepted."""
    h, claims = jwt_decode(victim.access)
    resigned = jwt_rs256(h, claims, signing_key())
    vk = verify_only_keys()[0]
    by_verify_key = jwt_rs256(dict(h, kid=rsa_thumbprint(vk)), claims, vk)
    for tok in (victim.access, resigned, by_verify_key):
        note_secret(tok)
        r = api("POST", "/token/validate", tok)
        assert r.status_code == 200, r.text
        assert r.json() == {"user_id": victim.id, "username": victim.username}
        assert api("GET", "/users/me", tok).status_code == 200


@pytest.mark.parametrize("route", CORPUS_ROUTES, ids=lambda r: "%s %s" % r)
def test_hostile_tokens_refused(corpus, victim, route):
    method, path = route
    failures = []
    for name in CORPUS_NAMES:
        tok, detail = corpus[name]
        r = api(method, path, tok)
        ok = (r.status_code == 401 and r.headers.get("WWW-Authenticate", "").startswith("Bearer")
              and r.headers.get("Cache-Control") == "no-store")
        try:
            ok = ok and r.json() == {"detail": detail}
        except ValueError:
            ok = False
        if not ok:
            failures.append((name, r.status_code, r.text[:200]))
    assert not failures, failures
    # The victim's session survived the barrage.
    assert api("POST", "/token/validate", victim.access).status_code == 200


def test_forged_admin_role_with_real_key_gets_no_admin_rights(victim):
    """Role comes from the database (SECURITY.md C-T14), even when the
    token says admin and is validly signed."""
    h, claims = jwt_decode(victim.access)
    tok = note_secret(jwt_rs256(h, dict(claims, role="admin"), signing_key()))
    r = api("GET", "/users/", tok)
    assert r.status_code in (401, 403), (r.status_code, r.text)
    if r.status_code == 403:
        assert r.json() == {"detail": "Not enough permissions"}


@pytest.mark.parametrize("value", [
    "Bearer", "Bearer ", "bearer", "Basic dXNlcjpwYXNz", "Token abc.def.ghi",
    "Bearer  two-spaces", "Bearer a b", "Bearer a,Bearer b",
])
def test_malformed_authorization_header(value):
    r = api("GET", "/users/me", headers={"Authorization": value})
    assert r.status_code == 401, (r.status_code, r.text)
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert r.json()["detail"] in ("Not authenticated", "Could not validate credentials")


@pytest.mark.parametrize("route", [("GET", "/users/me"), ("POST", "/token/validate")],
                         ids=lambda r: "%s %s" % r)
def test_token_16KiB_refused_with_401(victim, route):
    h64, p64, s64 = victim.access.split(".")
    tok = "eyJ" + "A" * 16 * 1024 + "." + p64 + "." + s64
    r = api(route[0], route[1], tok)
    assert_unauthorized(r)


def test_token_routes_with_trailing_slash():
    """API.md: paths match with and without a trailing slash."""
    a = register_account(login=False)
    b = assert_token_pair(token_post("/token/", {"username": a.username, "password": a.password}))
    c = assert_token_pair(token_post("/refresh_token/", {"refresh_token": b["refresh_token"]}))
    r = api("POST", "/token/validate/", c["access_token"])
    assert r.status_code == 200 and r.json()["user_id"] == a.id, r.text
    r = api("POST", "/logout/", c["access_token"])
    assert r.status_code == 200, r.text
    assert_unauthorized(api("POST", "/token/validate", c["access_token"]))
