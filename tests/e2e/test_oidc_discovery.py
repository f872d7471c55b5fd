"""OIDC.md "Discovery and keys": the two metadata documents (OpenID
Connect Discovery 1.0 and RFC 8414), every field of OIDC.md, no null
anywhere, issuer = jwt_issuer (never taken from Host)."""
import pytest

import e2elib
from oidclib import issuer, jwks, no_nulls

DOCS = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]

ENDPOINTS = {
    "authorization_endpoint": "/oauth/authorize",
    "token_endpoint": "/oauth/token",
    "userinfo_endpoint": "/oauth/userinfo",
    "end_session_endpoint": "/oauth/logout",
    "revocation_endpoint": "/oauth/revoke",
    "introspection_endpoint": "/oauth/introspect",
    "jwks_uri": "/.well-known/jwks.json",
}


def _doc(path, headers=None):
    r = e2elib.api("GET", path, headers=headers)
    assert r.status_code == 200, (path, r.status_code, r.text)
    ct = r.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip() == "application/json", ct
    return r.json()


@pytest.mark.parametrize("path", DOCS)
def test_discovery_document_has_every_field_of_oidc_md(path):
    d = _doc(path)
    iss = issuer()
    assert d["issuer"] == iss
    assert iss.startswith(("http://", "https://"))
    for k, p in ENDPOINTS.items():
        assert d[k] == iss + p, (k, d.get(k))
    assert set(d["scopes_supported"]) == {"openid", "profile", "email", "offline_access"}, d
    assert len(d["scopes_supported"]) == 4
    assert d["response_types_supported"] == ["code"]
    assert d["response_modes_supported"] == ["query"]
    assert set(d["grant_types_supported"]) == {"authorization_code", "refresh_token",
                                               "client_credentials"}, d
    assert d["subject_types_supported"] == ["public"]
    assert d["id_token_signing_alg_values_supported"] == ["RS256"]
    assert sorted(d["token_endpoint_auth_methods_supported"]) == sorted(
        ["client_secret_basic", "client_secret_post", "none"])
    assert d["code_challenge_methods_supported"] == ["S256"]
    cs = d["claims_supported"]
    assert isinstance(cs, list) and cs and all(isinstance(c, str) for c in cs), cs
    assert {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email",
            "email_verified", "name", "given_name", "family_name",
            "preferred_username"} <= set(cs), cs
    assert d["authorization_response_iss_parameter_supported"] is True
    assert d["request_parameter_supported"] is False


@pytest.mark.parametrize("path", DOCS)
def test_discovery_has_no_null_anywhere(path):
    d = _doc(path)
    assert no_nulls(d) == [], no_nulls(d)


@pytest.mark.parametrize("path", DOCS)
def test_issuer_is_not_taken_from_host(path):
    d = _doc(path, headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example",
                            "X-Forwarded-Proto": "https"})
    assert d["issuer"] == issuer(), d
    assert "evil" not in repr(d), d


def test_both_documents_agree():
    a, b = (_doc(p) for p in DOCS)
    for k in ["issuer"] + list(ENDPOINTS) + ["scopes_supported", "grant_types_supported",
                                            "code_challenge_methods_supported"]:
        assert a[k] == b[k], k


def test_jwks_is_the_key_set_id_tokens_verify_against():
    keys = jwks()
    assert keys and all(k["kty"] == "RSA" and k.get("kid") for k in keys), keys
    assert no_nulls(keys) == []
