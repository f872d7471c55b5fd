"""The client registry (docs/OIDC.md "Clients"; SECURITY.md C-T20):
POST/GET /admin/clients, GET/PUT/DELETE /admin/clients/{id} and
POST /admin/clients/{id}/rotate-secret for anonymous callers, users and
admins; every 422 of the body (each bad redirect URI shape among them);
the secret shown once and stored as HMAC-SHA-256 under client_secret_key;
rotation with and without grace; deletion and deactivation revoking the
client's grants and sessions; the audit rows; keyset pages; and
genesis-admin client add|list|show|rotate-secret|remove."""
import base64
import hashlib
import hmac
import json
import re
import time
import urllib.parse
import uuid

import pytest

from e2elib import (RFC3339_Z_RE, api, assert_422, assert_422_query,
                    assert_detail, assert_forbidden, assert_json_response,
                    assert_unauthorized, body_of, conf_get, dev_sh,
                    note_secret, register_account, root_sql, shared_account,
                    sql_quote)

CLIENT_FIELDS = {
    "id", "client_id", "client_name", "redirect_uris",
    "post_logout_redirect_uris", "allowed_scopes", "allowed_audiences",
    "grant_types", "token_endpoint_auth_method", "is_public", "require_pkce",
    "require_consent", "is_active", "created_at", "updated_at",
}
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def admin():
    return shared_account("admin_main")


@pytest.fixture(scope="module")
def user():
    return shared_account("user_clients")


def client_key():
    """client_secret_key as the workers read it (one line, newline cut)."""
    with open(conf_get("client_secret_key_file"), "rb") as f:
        key = f.read()
    if key.endswith(b"\n"):
        key = key[:-1]
    if key.endswith(b"\r"):
        key = key[:-1]
    return key


def keyed_hash(secret):
    return hmac.new(client_key(), secret.encode(), hashlib.sha256).hexdigest()


def stored(cid):
    """(secret_hash, prev_secret_hash, seconds left of the grace) in hex."""
    rows = root_sql("SELECT COALESCE(HEX(secret_hash), 'NULL'), "
                    "COALESCE(HEX(prev_secret_hash), 'NULL'), "
                    "COALESCE(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), "
                    "prev_secret_expires_at), 'NULL') FROM oauth_clients "
                    "WHERE id = %s" % sql_quote(cid), db="genesis")
    if not rows:
        return None
    h, p, left = rows[0]
    return (None if h == "NULL" else h.lower(),
            None if p == "NULL" else p.lower(),
            None if left == "NULL" else int(left))


def body(**kw):
    b = {"client_name": "e2e app %s" % uuid.uuid4().hex[:8],
         "redirect_uris": ["https://app.example.com/cb"]}
    b.update(kw)
    return b


def create(admin, **kw):
    r = api("POST", "/admin/clients", admin.access, json=body(**kw))
    assert r.status_code == 200, (r.status_code, r.text)
    c = body_of(r)
    if "client_secret" in c:
        note_secret(c["client_secret"])
    return c


def assert_client(c, secret=False):
    assert set(c) == CLIENT_FIELDS | ({"client_secret"} if secret else set()), c
    assert UUID4_RE.match(c["id"]) and c["client_id"] == c["id"], c
    assert RFC3339_Z_RE.match(c["created_at"]) and RFC3339_Z_RE.match(c["updated_at"]), c
    for k in ("redirect_uris", "post_logout_redirect_uris", "allowed_scopes",
              "allowed_audiences", "grant_types"):
        assert isinstance(c[k], list) and all(isinstance(x, str) for x in c[k]), c
    for k in ("is_public", "require_pkce", "require_consent", "is_active"):
        assert type(c[k]) is bool, c
    if secret:
        assert SECRET_RE.match(c["client_secret"]), c
    return c


def session_row(uid, client_id):
    """A live session of uid for client_id, inserted as root; its id."""
    sid = str(uuid.uuid4())
    root_sql("INSERT INTO sessions (id, user_id, refresh_hash, created_at, "
             "last_activity_at, expires_at, absolute_expires_at, kind, "
             "client_id) VALUES (%s, %s, UNHEX(SHA2(%s, 256)), "
             "UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 1 DAY, "
             "UTC_TIMESTAMP() + INTERVAL 30 DAY, %s, %s)" % (
                 sql_quote(sid), sql_quote(uid), sql_quote(sid),
                 sql_quote("client" if client_id else "api"),
                 "NULL" if client_id is None else sql_quote(client_id)),
             db="genesis")
    return sid


def session_state(sid):
    rows = root_sql("SELECT revoked_at IS NOT NULL, COALESCE(revoked_reason, '') "
                    "FROM sessions WHERE id = %s" % sql_quote(sid), db="genesis")
    return (rows[0][0] == "1", rows[0][1])


def grant_row(uid, client_id):
    root_sql("INSERT INTO oauth_grants (user_id, client_id, scope, created_at, "
             "updated_at) VALUES (%s, %s, 'openid', UTC_TIMESTAMP(), "
             "UTC_TIMESTAMP())" % (sql_quote(uid), sql_quote(client_id)),
             db="genesis")


def grant_count(client_id):
    return int(root_sql("SELECT COUNT(*) FROM oauth_grants WHERE client_id = %s"
                        % sql_quote(client_id), db="genesis")[0][0])


def audit_rows(event, cid):
    return root_sql("SELECT outcome, COALESCE(user_id, ''), details FROM audit_log "
                    "WHERE event = %s AND JSON_VALUE(details, '$.reason') = %s"
                    % (sql_quote(event), sql_quote(cid)), db="genesis")


# --- who may call ------------------------------------------------------------------

def routes(cid):
    return [
        ("POST", "/admin/clients", body()),
        ("GET", "/admin/clients", None),
        ("GET", "/admin/clients/%s" % cid, None),
        ("PUT", "/admin/clients/%s" % cid, {"require_consent": True}),
        ("POST", "/admin/clients/%s/rotate-secret" % cid, {}),
        ("DELETE", "/admin/clients/%s" % cid, None),
    ]


def test_every_route_anonymous_user_admin(admin, user):
    c = create(admin)
    before = stored(c["id"])
    for method, path, b in routes(c["id"]):
        kw = {} if b is None else {"json": b}
        assert_unauthorized(api(method, path, **kw), "Not authenticated")
        assert_unauthorized(api(method, path, "not-a-token", **kw))
        assert_forbidden(api(method, path, user.access, **kw))
    # Nothing changed for the refusals.
    assert stored(c["id"]) == before
    r = api("GET", "/admin/clients/%s" % c["id"], admin.access)
    assert r.status_code == 200 and body_of(r)["require_consent"] is False
    for method, path, b in routes(c["id"]):
        kw = {} if b is None else {"json": b}
        r = api(method, path, admin.access, **kw)
        assert r.status_code == 200, (method, path, r.status_code, r.text)
        assert_json_response(r)
        b = body_of(r)
        if isinstance(b, dict) and "client_secret" in b:
            note_secret(b["client_secret"])
    assert stored(c["id"]) is None


@pytest.mark.parametrize("cid", [
    "00000000-0000-4000-8000-000000000000", "not-a-uuid", "me",
    "x" * 36, "%20", "0" * 37,
])
def test_unknown_or_malformed_id(admin, cid):
    for method, b in (("GET", None), ("PUT", {"client_name": "x"}),
                      ("DELETE", None)):
        kw = {} if b is None else {"json": b}
        assert_detail(api(method, "/admin/clients/%s" % cid, admin.access, **kw),
                      404, "Client not found")
    assert_detail(api("POST", "/admin/clients/%s/rotate-secret" % cid,
                      admin.access), 404, "Client not found")


def test_uppercase_id_names_the_same_client(admin):
    c = create(admin)
    r = api("GET", "/admin/clients/%s" % c["id"].upper(), admin.access)
    assert r.status_code == 200 and body_of(r)["id"] == c["id"], r.text


# --- create, and the secret shown once ------------------------------------------------

def test_create_confidential_secret_once(admin):
    r = api("POST", "/admin/clients", admin.access, json=body(
        grant_types=["authorization_code", "refresh_token", "client_credentials"],
        allowed_scopes=["openid", "profile", "email", "offline_access"],
        allowed_audiences=["https://api.example.com", "billing"],
        post_logout_redirect_uris=["https://app.example.com/bye"],
        redirect_uris=["https://app.example.com/cb", "http://127.0.0.1:53124/cb",
                       "http://[::1]:8080/cb", "http://localhost/cb"],
        require_consent=True))
    assert r.status_code == 200, r.text
    assert_json_response(r)
    c = assert_client(body_of(r), secret=True)
    secret = note_secret(c["client_secret"])
    assert c["redirect_uris"] == ["https://app.example.com/cb",
                                  "http://127.0.0.1:53124/cb",
                                  "http://[::1]:8080/cb", "http://localhost/cb"]
    assert c["allowed_audiences"] == ["https://api.example.com", "billing"]
    assert c["grant_types"] == ["authorization_code", "refresh_token",
                                "client_credentials"]
    assert c["token_endpoint_auth_method"] is None and not c["is_public"]
    assert c["require_consent"] is True and c["require_pkce"] is False
    assert c["is_active"] is True
    # Only the keyed hash is stored.
    h, prev, _ = stored(c["id"])
    assert h == keyed_hash(secret) and prev is None
    dump = root_sql("SELECT * FROM oauth_clients WHERE id = %s" % sql_quote(c["id"]),
                    db="genesis")
    assert secret not in repr(dump)
    # Never again: not in GET, not in the list.
    g = api("GET", "/admin/clients/%s" % c["id"], admin.access)
    assert g.status_code == 200 and secret not in g.text
    g = assert_client(body_of(g))
    assert {k: v for k, v in c.items() if k != "client_secret"} == g
    listed = all_clients(admin)
    assert c["id"] in listed and "client_secret" not in listed[c["id"]]


def test_create_defaults(admin):
    c = assert_client(create(admin), secret=True)
    assert c["grant_types"] == ["authorization_code"]
    assert c["allowed_scopes"] == ["openid"]
    assert c["allowed_audiences"] == [] and c["post_logout_redirect_uris"] == []
    assert (c["require_pkce"], c["require_consent"], c["is_active"]) == (False, False, True)


def test_create_public_client(admin):
    c = assert_client(create(admin, token_endpoint_auth_method="none",
                             require_pkce=False))
    assert "client_secret" not in c
    assert c["is_public"] is True and c["require_pkce"] is True
    assert c["token_endpoint_auth_method"] == "none"
    assert stored(c["id"])[0] is None
    c = assert_client(create(admin, token_endpoint_auth_method="client_secret_post"),
                      secret=True)
    assert c["token_endpoint_auth_method"] == "client_secret_post" and not c["is_public"]


def test_client_credentials_only_needs_no_redirect_uri(admin):
    r = api("POST", "/admin/clients", admin.access, json={
        "client_name": "service", "grant_types": ["client_credentials"]})
    assert r.status_code == 200, r.text
    c = assert_client(body_of(r), secret=True)
    note_secret(c["client_secret"])
    assert c["redirect_uris"] == []


def test_markup_in_name_is_kept_as_text(admin):
    c = create(admin, client_name="<script>alert(1)</script> & \"co\"")
    assert c["client_name"] == "<script>alert(1)</script> & \"co\""


# --- 422 ---------------------------------------------------------------------------------

BAD_URIS = [
    "/cb",                                   # relative
    "app.example.com/cb",                    # no scheme
    "//app.example.com/cb",                  # scheme-relative
    "https:app.example.com/cb",              # no authority
    "https://app.example.com/cb#frag",       # fragment
    "https://app.example.com/cb#",
    "https://*.example.com/cb",              # wildcard
    "https://app.example.com/*",
    "https://user@app.example.com/cb",       # userinfo
    "https://user:pw@app.example.com/cb",
    "https://app.example.com@evil.example/cb",
    "http://app.example.com/cb",             # http, not loopback
    "http://127.0.0.2/cb",
    "http://localhost.evil.example/cb",
    "HTTPS://app.example.com/cb",
    "ftp://app.example.com/cb",              # other schemes
    "javascript:alert(1)",
    "data:text/html,hi",
    "com.example.app:/cb",
    "https:///cb",                           # host
    "https://app..example.com/cb",
    "https://app_x.example.com/cb",
    "https://app.example.com:0/cb",          # port
    "https://app.example.com:65536/cb",
    "https://app.example.com:/cb",
    "https://[::1/cb",
    "https://app.example.com/c b",           # characters
    "https://app.example.com/cb\r\nX: y",
    "https://app.example.com/caf\u00e9",
    "https://app.example.com/a\\b",
    "https://app.example.com/<x>",
    "https://app.example.com/%zz",
    "",
    "https://app.example.com/" + "a" * 1977,  # 2001 bytes
]


@pytest.mark.parametrize("uri", BAD_URIS)
def test_bad_redirect_uri(admin, uri):
    name = "e2e bad %s" % uuid.uuid4().hex
    r = api("POST", "/admin/clients", admin.access,
            json={"client_name": name, "redirect_uris": [uri]})
    assert_422(r, "redirect_uris")
    r = api("POST", "/admin/clients", admin.access, json={
        "client_name": name, "redirect_uris": ["https://app.example.com/cb"],
        "post_logout_redirect_uris": [uri]})
    assert_422(r, "post_logout_redirect_uris")
    assert root_sql("SELECT COUNT(*) FROM oauth_clients WHERE name = %s"
                    % sql_quote(name), db="genesis") == [["0"]]


def test_longest_redirect_uri(admin):
    uri = "https://app.example.com/" + "a" * 1976      # 2000 bytes
    assert create(admin, redirect_uris=[uri])["redirect_uris"] == [uri]


BAD_BODIES = [
    ({"client_name": None}, "client_name"),
    ({"client_name": ""}, "client_name"),
    ({"client_name": "   "}, "client_name"),
    ({"client_name": "a" * 201}, "client_name"),
    ({"client_name": "line\nbreak"}, "client_name"),
    ({"client_name": 7}, "client_name"),
    ({"redirect_uris": []}, "redirect_uris"),
    ({"redirect_uris": "https://app.example.com/cb"}, "redirect_uris"),
    ({"redirect_uris": None}, "redirect_uris"),
    ({"redirect_uris": [1]}, "redirect_uris"),
    ({"redirect_uris": ["https://a.example/cb", "https://a.example/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["https://a.example/%d" % i for i in range(11)]}, "redirect_uris"),
    ({"post_logout_redirect_uris": {"a": 1}}, "post_logout_redirect_uris"),
    ({"allowed_scopes": ["openid", "admin"]}, "allowed_scopes"),
    ({"allowed_scopes": ["openid", "openid"]}, "allowed_scopes"),
    ({"allowed_scopes": ["profile"]}, "allowed_scopes"),
    ({"allowed_scopes": "openid"}, "allowed_scopes"),
    ({"allowed_scopes": ["OPENID"]}, "allowed_scopes"),
    ({"allowed_audiences": ["two words"]}, "allowed_audiences"),
    ({"allowed_audiences": [""]}, "allowed_audiences"),
    ({"allowed_audiences": ["a" * 256]}, "allowed_audiences"),
    ({"allowed_audiences": ["x", "x"]}, "allowed_audiences"),
    ({"allowed_audiences": [True]}, "allowed_audiences"),
    ({"grant_types": ["password"]}, "grant_types"),
    ({"grant_types": ["implicit"]}, "grant_types"),
    ({"grant_types": []}, "grant_types"),
    ({"grant_types": ["refresh_token"]}, "grant_types"),
    ({"grant_types": ["authorization_code", "authorization_code"]}, "grant_types"),
    ({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"},
     "grant_types"),
    ({"token_endpoint_auth_method": "private_key_jwt"}, "token_endpoint_auth_method"),
    ({"token_endpoint_auth_method": 1}, "token_endpoint_auth_method"),
    ({"require_pkce": "true"}, "require_pkce"),
    ({"require_consent": 1}, "require_consent"),
    ({"is_active": None}, "is_active"),
]


@pytest.mark.parametrize("extra,field", BAD_BODIES)
def test_bad_body(admin, extra, field):
    r = api("POST", "/admin/clients", admin.access, json=body(**extra))
    assert_422(r, field)
    # The same on an update, and the client stays as it was.
    c = create(admin)
    assert_422(api("PUT", "/admin/clients/%s" % c["id"], admin.access, json=extra),
               field)
    g = api("GET", "/admin/clients/%s" % c["id"], admin.access)
    assert body_of(g) == {k: v for k, v in c.items() if k != "client_secret"}


def test_bad_bodies_as_a_whole(admin):
    r = api("POST", "/admin/clients", admin.access,
            json={"redirect_uris": ["https://a.example/cb"]})
    b = assert_422(r, "client_name")
    assert any(e["type"] == "missing" for e in b["detail"]), b
    # A field that is not ours: id, client_id and client_secret are set here.
    for k in ("id", "client_id", "client_secret", "is_public", "secret_hash"):
        r = api("POST", "/admin/clients", admin.access, json=body(**{k: "x"}))
        b = assert_422(r)
        assert ["body"] in [e["loc"] for e in b["detail"]], b
    for raw in (b"[]", b"\"x\"", b"{", b"", b"{\"client_name\":\"a\",\"client_name\":\"b\"}"):
        r = api("POST", "/admin/clients", admin.access, data=raw,
                headers={"Content-Type": "application/json"})
        assert_422(r)
    r = api("POST", "/admin/clients", admin.access, data="client_name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415, r.text
    r = api("POST", "/admin/clients", admin.access, data=b"{" + b" " * 70000 + b"}",
            headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text


# --- PUT: a partial update ------------------------------------------------------------------

def test_update_replaces_only_the_given_fields(admin):
    c = create(admin, allowed_audiences=["a1"], require_consent=True)
    secret_before = stored(c["id"])
    r = api("PUT", "/admin/clients/%s" % c["id"], admin.access,
            json={"client_name": "renamed", "redirect_uris": ["https://new.example/cb"]})
    assert r.status_code == 200, r.text
    u = assert_client(body_of(r))
    assert u["client_name"] == "renamed" and u["redirect_uris"] == ["https://new.example/cb"]
    for k in ("allowed_audiences", "require_consent", "grant_types", "allowed_scopes",
              "is_active", "created_at", "id"):
        assert u[k] == c[k], k
    assert u["updated_at"] >= c["updated_at"]
    assert stored(c["id"]) == secret_before, "an update keeps the secret"
    # Nothing changed, nothing written: updated_at stays, even a second later.
    time.sleep(1.05)
    for same in ({}, {"client_name": "renamed", "require_consent": True}):
        r = api("PUT", "/admin/clients/%s" % c["id"], admin.access, json=same)
        assert r.status_code == 200 and body_of(r) == u
    r = api("PUT", "/admin/clients/%s" % c["id"], admin.access,
            json={"token_endpoint_auth_method": "client_secret_basic"})
    assert body_of(r)["token_endpoint_auth_method"] == "client_secret_basic"
    r = api("PUT", "/admin/clients/%s" % c["id"], admin.access,
            json={"token_endpoint_auth_method": None})
    assert body_of(r)["token_endpoint_auth_method"] is None


def test_update_to_public_drops_the_secret(admin):
    c = create(admin)
    r = api("POST", "/admin/clients/%s/rotate-secret" % c["id"], admin.access,
            json={"grace_seconds": 600})
    note_secret(body_of(r)["client_secret"])
    assert stored(c["id"])[1] is not None
    r = api("PUT", "/admin/clients/%s" % c["id"], admin.access,
            json={"token_endpoint_auth_method": "none"})
    assert r.status_code == 200, r.text
    u = body_of(r)
    assert u["is_public"] and u["require_pkce"] and "client_secret" not in u
    assert stored(c["id"]) == (None, None, None)
    # A public client has no secret to rotate.
    assert_detail(api("POST", "/admin/clients/%s/rotate-secret" % c["id"],
                      admin.access), 400, "A public client has no secret")
    # Public clients may not use client_credentials.
    assert_422(api("PUT", "/admin/clients/%s" % c["id"], admin.access,
                   json={"grant_types": ["client_credentials"]}), "grant_types")


# --- rotate-secret ---------------------------------------------------------------------------

def rotate(admin, cid, b=None):
    kw = {} if b is None else {"json": b}
    r = api("POST", "/admin/clients/%s/rotate-secret" % cid, admin.access, **kw)
    assert r.status_code == 200, (r.status_code, r.text)
    c = assert_client(body_of(r), secret=True)
    return note_secret(c["client_secret"]), c


def oauth_token_cc(cid, secret):
    """POST /oauth/token with client_credentials and Basic auth."""
    basic = base64.b64encode(("%s:%s" % (urllib.parse.quote(cid, safe=""),
                                         urllib.parse.quote(secret, safe=""))).encode()).decode()
    return api("POST", "/oauth/token", data={"grant_type": "client_credentials"},
               headers={"Authorization": "Basic " + basic})


def token_endpoint_here():
    return api("POST", "/oauth/token", data={}).status_code != 404


def test_rotate_without_grace(admin):
    c = create(admin, grant_types=["authorization_code", "client_credentials"])
    old = c["client_secret"]
    assert stored(c["id"])[0] == keyed_hash(old)
    new, r = rotate(admin, c["id"])
    assert new != old
    assert {k: v for k, v in r.items() if k not in ("client_secret", "updated_at")} == \
        {k: v for k, v in c.items() if k not in ("client_secret", "updated_at")}
    h, prev, left = stored(c["id"])
    assert h == keyed_hash(new) and prev is None and left is None
    g = api("GET", "/admin/clients/%s" % c["id"], admin.access)
    assert new not in g.text and "client_secret" not in body_of(g)
    # An empty body is the same as none.
    newer, _ = rotate(admin, c["id"], {})
    assert stored(c["id"])[:2] == (keyed_hash(newer), None)
    if token_endpoint_here():
        assert oauth_token_cc(c["id"], newer).status_code == 200
        r = oauth_token_cc(c["id"], new)
        assert r.status_code == 401 and body_of(r).get("error") == "invalid_client", r.text


def test_rotate_with_grace(admin):
    c = create(admin, grant_types=["authorization_code", "client_credentials"])
    old = c["client_secret"]
    new, _ = rotate(admin, c["id"], {"grace_seconds": 600})
    h, prev, left = stored(c["id"])
    assert h == keyed_hash(new) and prev == keyed_hash(old)
    assert 590 <= left <= 600, left
    if token_endpoint_here():
        assert oauth_token_cc(c["id"], new).status_code == 200
        assert oauth_token_cc(c["id"], old).status_code == 200
    # The grace over (moved into the past here), the old secret is refused.
    root_sql("UPDATE oauth_clients SET prev_secret_expires_at = UTC_TIMESTAMP() - "
             "INTERVAL 1 SECOND WHERE id = %s" % sql_quote(c["id"]), db="genesis")
    if token_endpoint_here():
        assert oauth_token_cc(c["id"], old).status_code == 401
        assert oauth_token_cc(c["id"], new).status_code == 200
    # A second rotation without grace ends the previous one at once.
    newer, _ = rotate(admin, c["id"], {"grace_seconds": 0})
    assert stored(c["id"]) == (keyed_hash(newer), None, None)
    newest, _ = rotate(admin, c["id"], {"grace_seconds": 86400})
    h, prev, left = stored(c["id"])
    assert h == keyed_hash(newest) and prev == keyed_hash(newer) and 86390 <= left <= 86400


@pytest.mark.parametrize("b", [
    {"grace_seconds": -1}, {"grace_seconds": 86401}, {"grace_seconds": "10"},
    {"grace_seconds": 1.5}, {"grace_seconds": None}, {"grace_seconds": 10 ** 30},
    {"grace": 10}, [],
])
def test_rotate_bad_body(admin, b):
    c = create(admin)
    before = stored(c["id"])
    assert_422(api("POST", "/admin/clients/%s/rotate-secret" % c["id"],
                   admin.access, json=b))
    assert stored(c["id"]) == before


# --- delete and deactivate: grants and sessions go ---------------------------------------------

def test_delete(admin):
    c = create(admin)
    r = api("DELETE", "/admin/clients/%s" % c["id"], admin.access)
    assert r.status_code == 200 and body_of(r) == {"message": "Client deleted"}, r.text
    assert stored(c["id"]) is None
    assert_detail(api("GET", "/admin/clients/%s" % c["id"], admin.access), 404,
                  "Client not found")
    assert_detail(api("DELETE", "/admin/clients/%s" % c["id"], admin.access), 404,
                  "Client not found")
    assert c["id"] not in all_clients(admin)


@pytest.mark.parametrize("how", ["delete", "deactivate"])
def test_removal_revokes_grants_and_sessions(admin, how):
    c = create(admin)
    other = create(admin)
    a = register_account()
    mine = session_row(a.id, c["id"])
    theirs = session_row(a.id, other["id"])
    plain = session_row(a.id, None)
    grant_row(a.id, c["id"])
    grant_row(a.id, other["id"])
    assert grant_count(c["id"]) == 1
    if how == "delete":
        r = api("DELETE", "/admin/clients/%s" % c["id"], admin.access)
    else:
        r = api("PUT", "/admin/clients/%s" % c["id"], admin.access,
                json={"is_active": False})
        assert body_of(r)["is_active"] is False
    assert r.status_code == 200, r.text
    assert session_state(mine) == (True, "client_removed")
    assert session_state(theirs) == (False, "")
    assert session_state(plain) == (False, "")
    assert grant_count(c["id"]) == 0 and grant_count(other["id"]) == 1
    # The user's own login is untouched.
    assert api("POST", "/token/validate", a.access).status_code == 200
    if how == "deactivate":
        # Still listed, inactive; active again, nothing comes back.
        g = body_of(api("GET", "/admin/clients/%s" % c["id"], admin.access))
        assert g["is_active"] is False
        r = api("PUT", "/admin/clients/%s" % c["id"], admin.access,
                json={"is_active": True})
        assert body_of(r)["is_active"] is True
        assert session_state(mine) == (True, "client_removed")


# --- audit ---------------------------------------------------------------------------------------

def test_every_change_is_audited(admin):
    c = create(admin)
    api("PUT", "/admin/clients/%s" % c["id"], admin.access, json={"client_name": "x"})
    rotate(admin, c["id"])
    api("DELETE", "/admin/clients/%s" % c["id"], admin.access)
    for event in ("client_create", "client_update", "client_rotate_secret",
                  "client_delete"):
        rows = audit_rows(event, c["id"])
        assert len(rows) == 1, (event, rows)
        outcome, uid, details = rows[0]
        d = json.loads(details)
        assert outcome == "success" and uid == ""
        assert d == {"reason": c["id"], "actor": admin.id}, d
        assert c["client_secret"] not in details
    # Reads and refusals write nothing.
    api("GET", "/admin/clients/%s" % c["id"], admin.access)
    assert len(audit_rows("client_update", c["id"])) == 1


# --- GET /admin/clients: keyset pages --------------------------------------------------------------

def all_clients(admin, limit=100):
    """Every client, by following Link: rel="next" from the first page."""
    seen, path = {}, "/admin/clients?limit=%d" % limit
    for _ in range(10000):
        r = api("GET", path, admin.access)
        assert r.status_code == 200, r.text
        page = body_of(r)
        assert isinstance(page, list) and len(page) <= limit
        for c in page:
            assert c["id"] not in seen, "a client on two pages"
            seen[c["id"]] = assert_client(c)
        link = r.headers.get("Link")
        if link is None:
            return seen
        m = re.match(r'^<(/admin/clients\?limit=\d+&cursor=[A-Za-z0-9_-]+)>; rel="next"$', link)
        assert m, link
        path = m.group(1)
    pytest.fail("no end of the pages")


def test_pages(admin):
    made = [create(admin)["id"] for _ in range(3)]
    whole = all_clients(admin)
    assert set(made) <= set(whole)
    small = all_clients(admin, limit=2)
    assert list(small) == list(whole), "the same clients in the same order"
    keys = [(c["created_at"], c["id"]) for c in whole.values()]
    assert keys == sorted(keys)
    r = api("GET", "/admin/clients", admin.access)
    assert r.status_code == 200 and len(body_of(r)) <= 50


@pytest.mark.parametrize("q,field", [
    ("limit=0", "limit"), ("limit=101", "limit"), ("limit=1000000", "limit"),
    ("limit=-1", "limit"), ("limit=x", "limit"), ("cursor=bad", "cursor"),
    ("cursor=" + base64.urlsafe_b64encode(b"x" * 56).decode().rstrip("="), "cursor"),
])
def test_page_query_refused(admin, q, field):
    assert_422_query(api("GET", "/admin/clients?" + q, admin.access), field)


# --- genesis-admin client ... --------------------------------------------------------------------

def cli(*args):
    p = dev_sh("admin", "client", *args)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_cli_add_list_show_rotate_remove():
    name = "cli app %s" % uuid.uuid4().hex[:8]
    rc, out, err = cli("add", name, "--redirect-uri", "https://cli.example.com/cb",
                       "--redirect-uri", "http://127.0.0.1:8765/cb",
                       "--scope", "openid", "--scope", "email",
                       "--grant", "authorization_code", "--grant", "refresh_token",
                       "--audience", "api", "--require-consent")
    assert rc == 0, (rc, out, err)
    m = re.match(r"^client_id\t(\S+)\nclient_secret\t([A-Za-z0-9_-]{43})\n$", out)
    assert m, out
    cid, secret = m.group(1), note_secret(m.group(2))
    assert UUID4_RE.match(cid)
    assert stored(cid)[0] == keyed_hash(secret)
    rc, out, err = cli("show", cid)
    assert rc == 0, err
    c = assert_client(json.loads(out))
    assert secret not in out
    assert c["client_name"] == name and c["require_consent"] is True
    assert c["redirect_uris"] == ["https://cli.example.com/cb", "http://127.0.0.1:8765/cb"]
    assert c["allowed_scopes"] == ["openid", "email"]
    assert c["grant_types"] == ["authorization_code", "refresh_token"]
    assert c["allowed_audiences"] == ["api"]
    rc, out, err = cli("list")
    assert rc == 0, err
    lines = [l.split("\t") for l in out.splitlines()]
    assert lines[0][:2] == ["client_id", "client_name"]
    assert [cid, name] in [l[:2] for l in lines]
    assert secret not in out
    rc, out, err = cli("rotate-secret", cid, "120")
    assert rc == 0, err
    m = re.match(r"^client_secret\t([A-Za-z0-9_-]{43})\n$", out)
    assert m, out
    new = note_secret(m.group(1))
    h, prev, left = stored(cid)
    assert h == keyed_hash(new) and prev == keyed_hash(secret) and 110 <= left <= 120
    rc, out, err = cli("remove", cid)
    assert rc == 0 and cid in out, (out, err)
    assert stored(cid) is None
    for event in ("client_create", "client_rotate_secret", "client_delete"):
        rows = audit_rows(event, cid)
        assert len(rows) == 1 and rows[0][0] == "success", (event, rows)
    rc, out, err = cli("show", cid)
    assert rc == 1 and "no client" in err


def test_cli_public_and_refusals():
    rc, out, err = cli("add", "cli public", "--redirect-uri", "http://localhost:9/cb",
                       "--auth-method", "none")
    assert rc == 0, err
    m = re.match(r"^client_id\t(\S+)\n$", out)
    assert m, out
    cid = m.group(1)
    assert stored(cid)[0] is None
    rc, out, err = cli("rotate-secret", cid)
    assert rc == 1 and "public" in err and out == ""
    cli("remove", cid)
    # The same checks as the API: 65 (EX_DATAERR) and the field named.
    for args, field in (
            (["add", "x", "--redirect-uri", "http://evil.example/cb"], "redirect_uris"),
            (["add", "x", "--redirect-uri", "https://a.example/cb#f"], "redirect_uris"),
            (["add", "x", "--redirect-uri", "https://a.example/cb", "--scope", "root"],
             "allowed_scopes"),
            (["add", "x"], "redirect_uris"),
            (["add", "", "--redirect-uri", "https://a.example/cb"], "client_name")):
        rc, out, err = cli(*args)
        assert rc == 65 and field in err and out == "", (args, rc, out, err)
    for args in (["rotate-secret", str(uuid.uuid4())], ["remove", str(uuid.uuid4())],
                 ["show", "not-an-id"]):
        rc, out, err = cli(*args)
        assert rc == 1 and "no client" in err, (args, rc, err)
    for args in (["rotate-secret", str(uuid.uuid4()), "86401"], ["add"], ["frobnicate"],
                 ["add", "x", "--bogus"]):
        rc, out, err = cli(*args)
        assert rc == 64, (args, rc, err)


def test_removal_ends_client_credentials(admin):
    """A client's own tokens (no session: client_credentials) stop at once."""
    if not token_endpoint_here():
        pytest.skip("no POST /oauth/token on this branch")
    for how in ("deactivate", "delete"):
        c = create(admin, grant_types=["client_credentials"], redirect_uris=[])
        r = oauth_token_cc(c["id"], c["client_secret"])
        assert r.status_code == 200, r.text
        at = note_secret(body_of(r)["access_token"])
        assert api("POST", "/token/validate", at).status_code == 200
        if how == "delete":
            api("DELETE", "/admin/clients/%s" % c["id"], admin.access)
        else:
            api("PUT", "/admin/clients/%s" % c["id"], admin.access,
                json={"is_active": False})
        r = oauth_token_cc(c["id"], c["client_secret"])
        assert r.status_code == 401 and body_of(r)["error"] == "invalid_client", r.text
        assert api("POST", "/token/validate", at).status_code == 401, how


def test_client_token_cannot_manage_clients(admin):
    """SECURITY.md C-T23: a token issued to a client drives no /admin route."""
    if not token_endpoint_here():
        pytest.skip("no POST /oauth/token on this branch")
    c = create(admin, grant_types=["client_credentials"], redirect_uris=[])
    r = oauth_token_cc(c["id"], c["client_secret"])
    assert r.status_code == 200, r.text
    at = note_secret(body_of(r)["access_token"])
    for method, path, b in routes(c["id"]):
        kw = {} if b is None else {"json": b}
        r = api(method, path, at, **kw)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
    assert stored(c["id"]) is not None
