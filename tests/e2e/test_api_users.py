"""Users and admin routes (API.md, Users and Admin; SECURITY.md C-T10,
C-T14): updates and their duplicates, search, lookups of malformed ids,
role/disable/unlock, the last-admin rule, and keyset pagination of
GET /users/ over 250 rows inserted directly."""
import datetime
import os
import urllib.parse
import uuid

import pytest

from e2elib import (USER_FIELDS, api, assert_422, assert_422_query,
                    assert_detail, assert_forbidden, assert_json_response,
                    assert_token_pair, assert_unauthorized, body_of,
                    create_admin, login_response, note_secret,
                    register_account, root_sql, shared_account, sql_quote,
                    strong_password, unique_name, url, user_row)


@pytest.fixture(scope="module")
def admin():
    return shared_account("admin_main")


def put_user(token, uid, body):
    return api("PUT", "/users/%s" % uid, token, json=body)


# --- PUT /users/{id} --------------------------------------------------------------

def test_self_update_username_and_email():
    a = register_account()
    name = unique_name("upd")
    r = put_user(a.access, a.id, {"username": name, "email": "%s@Example.org" % name})
    assert r.status_code == 200, r.text
    assert_json_response(r)
    u = body_of(r)
    assert set(u) == USER_FIELDS
    assert u["username"] == name and u["email"].lower() == ("%s@example.org" % name)
    row = user_row(name)
    assert row["id"] == a.id
    # Keeping one's own username and email is not a duplicate.
    r = put_user(a.access, a.id, {"username": name, "email": "%s@example.org" % name.upper()})
    assert r.status_code == 200, r.text
    # An empty body changes nothing.
    r = put_user(a.access, a.id, {})
    assert r.status_code == 200 and body_of(r)["username"] == name, r.text


def test_update_duplicates():
    a = register_account()
    b = register_account(login=False)
    assert_detail(put_user(a.access, a.id, {"username": b.username}), 400,
                  "Username already taken")
    assert_detail(put_user(a.access, a.id, {"email": b.email}), 400,
                  "Email already registered")
    assert_detail(put_user(a.access, a.id, {"email": b.email.upper()}), 400,
                  "Email already registered")
    # Also when an admin does it.
    adm = shared_account("admin_main")
    assert_detail(put_user(adm.access, a.id, {"username": b.username}), 400,
                  "Username already taken")
    assert user_row(a.username)["email"] == a.email


def test_self_password_change_needs_current_password():
    a = register_account()
    new = strong_password()
    assert_422(put_user(a.access, a.id, {"password": new}), "current_password")
    wrong = note_secret(a.password + "Q")
    r = put_user(a.access, a.id, {"password": new, "current_password": wrong,
                                  "username": unique_name("nochange")})
    assert r.status_code == 400, (r.status_code, r.text)
    assert_json_response(r)
    assert isinstance(body_of(r).get("detail"), str), r.text
    # Nothing changed: the old password still logs in, the session lives.
    assert user_row(a.username)["id"] == a.id
    assert api("POST", "/token/validate", a.access).status_code == 200
    assert_token_pair(login_response(a.username, a.password))
    assert_unauthorized(login_response(a.username, new), "Incorrect username or password")


def test_admin_own_password_change_needs_current_password():
    adm = create_admin()
    new = strong_password()
    assert_422(put_user(adm.access, adm.id, {"password": new}), "current_password")
    r = put_user(adm.access, adm.id, {"password": new, "current_password": adm.password})
    assert r.status_code == 200, r.text
    assert_unauthorized(api("GET", "/users/me", adm.access))
    adm.password = new
    assert api("GET", "/users/", adm.login().access).status_code == 200


@pytest.mark.parametrize("bad", [
    "short@A1", "alllowercase@123456", "NOLOWERCASE@123456", "NoDigits@abcdefgh",
    "NoSpecial1234567a", "A1@" + "a" * 130,
])
def test_update_weak_password_422(bad):
    a = shared_account("users_weakpw")
    note_secret(bad)
    assert_422(put_user(a.access, a.id, {"password": bad, "current_password": a.password}),
               "password")
    assert api("POST", "/token/validate", a.access).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({"username": "a"}, "username"),
    ({"username": "bad name!"}, "username"),
    ({"email": "not-an-email"}, "email"),
    ({"username": 5}, "username"),
    ({"email": ["x@example.com"]}, "email"),
])
def test_update_invalid_fields_422(body, field):
    a = shared_account("users_invalid")
    assert_422(put_user(a.access, a.id, body), field)


def test_update_ignores_privileged_fields():
    a = register_account()
    r = put_user(a.access, a.id, {"role": "admin", "disabled": True, "is_active": False,
                                  "email_verified": True, "id": str(uuid.uuid4()),
                                  "auth_provider": "google"})
    assert r.status_code == 200, r.text
    u = body_of(r)
    assert (u["id"], u["role"], u["disabled"], u["is_active"], u["email_verified"],
            u["auth_provider"]) == (a.id, "user", False, True, False, "native")
    row = user_row(a.username)
    assert (row["role"], row["disabled"], row["email_verified"]) == ("user", "0", "0")


def test_update_unknown_user_as_admin(admin):
    assert_detail(put_user(admin.access, str(uuid.uuid4()), {"username": unique_name("x")}),
                  404, "User not found")


# --- GET /users/{id}, DELETE ------------------------------------------------------------

@pytest.mark.parametrize("uid", [
    "not-a-uuid", "12345", "3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c0", "g" * 36,
    "3f0c2a9e6a514c1b9a572f1e1d7b9c01", "%27%20OR%20%271%27%3D%271", "x" * 300,
    str(uuid.UUID(int=0)),
])
def test_get_malformed_or_unknown_id_as_admin(admin, uid):
    assert_detail(api("GET", "/users/%s" % uid, admin.access), 404, "User not found")


def test_get_unknown_id(admin):
    assert_detail(api("GET", "/users/%s" % uuid.uuid4(), admin.access), 404, "User not found")


def test_delete_unknown_as_admin(admin):
    assert_detail(api("DELETE", "/users/%s" % uuid.uuid4(), admin.access), 404, "User not found")
    assert_detail(api("DELETE", "/users/nope", admin.access), 404, "User not found")


def test_delete_takes_profile_along():
    a = register_account()
    r = api("POST", "/profile/", a.access, json={"given_name": "D", "family_name": "E",
                                                 "sub": unique_name("s")})
    assert r.status_code == 200, r.text
    r = api("DELETE", "/users/%s" % a.id, a.access)
    assert r.status_code == 200, r.text
    assert root_sql("SELECT COUNT(*) FROM profiles WHERE user_id = %s" % sql_quote(a.id),
                    db="genesis") == [["0"]]
    assert user_row(a.username) is None


# --- POST /users/search -------------------------------------------------------------

def test_search(admin):
    a = register_account(login=False)
    for body in ({"email": a.email}, {"email": a.email.upper()}, {"username": a.username}):
        r = api("POST", "/users/search", admin.access, json=body)
        assert r.status_code == 200, (body, r.text)
        assert_json_response(r)
        u = body_of(r)
        assert set(u) == USER_FIELDS and u["id"] == a.id, body


@pytest.mark.parametrize("body", [
    {"email": "%s@example.com" % unique_name("ghost")},
    {"username": unique_name("ghost")},
])
def test_search_unknown(admin, body):
    assert_detail(api("POST", "/users/search", admin.access, json=body), 404, "User not found")


@pytest.mark.parametrize("body", [{}, {"other": "x"}, {"email": None, "username": None}])
def test_search_needs_email_or_username(admin, body):
    r = api("POST", "/users/search", admin.access, json=body)
    assert r.status_code == 422, r.text
    assert_json_response(r)
    assert isinstance(body_of(r)["detail"], list)


def test_search_wrong_type(admin):
    assert_422(api("POST", "/users/search", admin.access, json={"email": 42}), "email")


# --- admin routes ---------------------------------------------------------------------

def test_role_change_takes_effect_on_existing_token(admin):
    """The role is read from the database on every request: a promoted
    user's old token (role "user" inside) gets admin rights at once and
    loses them at once when demoted."""
    a = register_account()
    assert_forbidden(api("GET", "/users/", a.access))
    r = api("POST", "/admin/users/%s/role" % a.id, admin.access, json={"role": "admin"})
    assert r.status_code == 200, r.text
    assert set(body_of(r)) == USER_FIELDS and body_of(r)["role"] == "admin"
    assert api("GET", "/users/", a.access).status_code == 200
    # Only a root demotes an admin (API.md "Roles").
    assert_forbidden(api("POST", "/admin/users/%s/role" % a.id, admin.access,
                         json={"role": "user"}))
    root = shared_account("root_main")
    r = api("POST", "/admin/users/%s/role/" % a.id, root.access, json={"role": "user"})
    assert r.status_code == 200 and body_of(r)["role"] == "user", r.text
    assert_forbidden(api("GET", "/users/", a.access))
    assert user_row(a.username)["role"] == "user"


@pytest.mark.parametrize("body,field", [
    ({}, "role"), ({"role": "superuser"}, "role"), ({"role": "ADMIN"}, "role"),
    ({"role": 1}, "role"), ({"role": None}, "role"),
])
def test_role_invalid_body(admin, body, field):
    a = shared_account("users_role_target")
    assert_422(api("POST", "/admin/users/%s/role" % a.id, admin.access, json=body), field)
    assert user_row(a.username)["role"] == "user"


@pytest.mark.parametrize("body,field", [
    ({}, "disabled"), ({"disabled": "yes"}, "disabled"), ({"disabled": 1}, "disabled"),
    ({"disabled": None}, "disabled"),
])
def test_disable_invalid_body(admin, body, field):
    a = shared_account("users_disable_target")
    assert_422(api("POST", "/admin/users/%s/disable" % a.id, admin.access, json=body), field)
    assert user_row(a.username)["disabled"] == "0"
    assert api("POST", "/token/validate", a.access).status_code == 200


@pytest.mark.parametrize("route,body", [
    ("role", {"role": "user"}), ("disable", {"disabled": True}), ("unlock", None),
])
@pytest.mark.parametrize("uid", ["nope", None])
def test_admin_routes_unknown_user(admin, route, body, uid):
    uid = uid or str(uuid.uuid4())
    r = api("POST", "/admin/users/%s/%s" % (uid, route), admin.access, json=body)
    assert_detail(r, 404, "User not found")


def test_unlock_clears_lockout(admin):
    a = register_account(login=False)
    root_sql("UPDATE users SET failed_logins = 100, locked_until = UTC_TIMESTAMP() + "
             "INTERVAL 15 MINUTE WHERE id = %s" % sql_quote(a.id), db="genesis")
    # Locked: the right password gets the very answer of a wrong one.
    locked = login_response(a.username, a.password)
    wrong = login_response(a.username, note_secret(a.password + "W"))
    assert_unauthorized(locked, "Incorrect username or password")
    assert locked.content == wrong.content
    r = api("POST", "/admin/users/%s/unlock" % a.id, admin.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"message": "Account unlocked"}
    row = root_sql("SELECT failed_logins, locked_until FROM users WHERE id = %s"
                   % sql_quote(a.id), db="genesis")
    assert row == [["0", "NULL"]], row
    assert_token_pair(login_response(a.username, a.password))


# --- the last active admin ----------------------------------------------------------------

@pytest.fixture
def sole_admin():
    """An admin that is, for the duration of the test, the only active one:
    every other active admin and root (root qualifies as admin) is
    disabled with root SQL and restored after."""
    me = create_admin()
    others = root_sql("SELECT id, disabled, is_active FROM users WHERE role IN ('admin', "
                      "'root') AND disabled = 0 AND id <> %s" % sql_quote(me.id), db="genesis")
    try:
        if others:
            root_sql("UPDATE users SET disabled = 1, is_active = 0 WHERE id IN (%s)"
                     % ", ".join(sql_quote(o[0]) for o in others), db="genesis")
        n = root_sql("SELECT COUNT(*) FROM users WHERE role IN ('admin', 'root') "
                     "AND disabled = 0", db="genesis")
        assert n == [["1"]], n
        yield me
    finally:
        groups = {}
        for uid, disabled, is_active in others:
            groups.setdefault((disabled, is_active), []).append(sql_quote(uid))
        for (disabled, is_active), ids in groups.items():
            root_sql("UPDATE users SET disabled = %s, is_active = %s WHERE id IN (%s)"
                     % (disabled, is_active, ", ".join(ids)), db="genesis")


def assert_409(r):
    assert r.status_code == 409, (r.status_code, r.text)
    assert_json_response(r)
    assert isinstance(body_of(r).get("detail"), str) and body_of(r)["detail"], r.text


def test_last_admin_cannot_be_removed(sole_admin):
    me = sole_admin
    # Nobody changes their own role (API.md "Roles"): 403 before the
    # last-admin rule is even asked.
    assert_detail(api("POST", "/admin/users/%s/role" % me.id, me.access, json={"role": "user"}),
                  403, "Cannot change your own role")
    assert_409(api("POST", "/admin/users/%s/disable" % me.id, me.access,
                   json={"disabled": True}))
    assert_409(api("DELETE", "/users/%s" % me.id, me.access))
    row = user_row(me.username)
    assert (row["role"], row["disabled"]) == ("admin", "0")
    assert api("GET", "/users/", me.access).status_code == 200
    # Idempotent no-ops on the last admin are fine.
    r = api("POST", "/admin/users/%s/role" % me.id, me.access, json={"role": "admin"})
    assert r.status_code == 200, r.text
    r = api("POST", "/admin/users/%s/disable" % me.id, me.access, json={"disabled": False})
    assert r.status_code == 200, r.text
    # With a second active admin, the last-admin rule lets me go (an
    # admin may disable itself); then b is the last one.  Only a root acts
    # on another admin, so b cannot bring me back: root SQL does.
    b = register_account()
    r = api("POST", "/admin/users/%s/role" % b.id, me.access, json={"role": "admin"})
    assert r.status_code == 200, r.text
    assert_forbidden(api("POST", "/admin/users/%s/role" % me.id, b.access, json={"role": "user"}))
    r = api("POST", "/admin/users/%s/disable" % me.id, me.access, json={"disabled": True})
    assert r.status_code == 200, r.text
    assert_409(api("POST", "/admin/users/%s/disable" % b.id, b.access, json={"disabled": True}))
    assert_409(api("DELETE", "/users/%s" % b.id, b.access))
    root_sql("UPDATE users SET disabled = 0, is_active = 1 WHERE id = %s" % sql_quote(me.id),
             db="genesis")
    me.login()
    assert api("POST", "/admin/users/%s/disable" % b.id, b.access,
               json={"disabled": True}).status_code == 200


def test_disabled_admin_does_not_count(sole_admin):
    """A second admin that is disabled does not make the last active admin
    removable."""
    me = sole_admin
    b = register_account(login=False)
    assert api("POST", "/admin/users/%s/role" % b.id, me.access,
               json={"role": "admin"}).status_code == 200
    # Only a root acts on another admin: root SQL disables b.
    assert_forbidden(api("POST", "/admin/users/%s/disable" % b.id, me.access,
                         json={"disabled": True}))
    root_sql("UPDATE users SET disabled = 1, is_active = 0 WHERE id = %s" % sql_quote(b.id),
             db="genesis")
    assert_409(api("POST", "/admin/users/%s/disable" % me.id, me.access, json={"disabled": True}))
    assert_409(api("DELETE", "/users/%s" % me.id, me.access))
    # Once b is a user again, an admin may delete it.
    root_sql("UPDATE users SET role = 'user' WHERE id = %s" % sql_quote(b.id), db="genesis")
    r = api("DELETE", "/users/%s" % b.id, me.access)
    assert r.status_code == 200, r.text


# --- pagination -----------------------------------------------------------------------------

N_PAGED = 250


@pytest.fixture(scope="module")
def paged_users():
    """250 users inserted with root SQL: 3 without created_at (as the
    original service could leave them), 200 sharing one created_at (the id
    breaks the tie), the rest one second apart.  Deleted afterwards."""
    prefix = unique_name("pg")
    rows, ids = [], []
    base = datetime.datetime(2001, 2, 3, 4, 5, 6)
    for i in range(N_PAGED):
        uid = str(uuid.uuid4())
        ids.append(uid)
        if i < 3:
            created = "NULL"
        elif i < 203:
            created = "'2001-02-03 04:05:06'"
        else:
            created = "'%s'" % (base + datetime.timedelta(seconds=i)).strftime(
                "%Y-%m-%d %H:%M:%S")
        rows.append("(%s, %s, %s, %s, 0, %s, %s)" % (
            sql_quote(uid), sql_quote("%s_%03d" % (prefix, i)),
            sql_quote("%s_%03d@example.net" % (prefix, i)),
            sql_quote("!unusable-%s" % uuid.uuid4().hex), created, created))
    root_sql("INSERT INTO users (id, username, email, password, disabled, created_at, "
             "last_modified) VALUES %s" % ", ".join(rows), db="genesis")
    try:
        yield ids
    finally:
        root_sql("DELETE FROM users WHERE username LIKE %s" % sql_quote(prefix + "\\_%"),
                 db="genesis")


def next_link(r):
    """The URL of Link rel="next", or None."""
    link = r.headers.get("Link")
    if not link:
        return None
    for part in link.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return urllib.parse.urljoin(url("/users/"), target.strip().strip("<>"))
    return None


def walk(admin, limit):
    pages = []
    link = url("/users/?limit=%d" % limit)
    while link is not None:
        assert len(pages) < 1000, "pagination does not end"
        path = link[len(url("")):]
        assert path.startswith("/users"), link
        r = api("GET", path, admin.access)
        assert r.status_code == 200, (link, r.status_code, r.text)
        assert_json_response(r)
        pages.append(body_of(r))
        link = next_link(r)
    return pages


def sort_key(u):
    return (u["created_at"] or "", u["id"])


def test_pagination_walks_every_user_once(admin, paged_users):
    pages = walk(admin, 100)
    seen = [u["id"] for p in pages for u in p]
    for p in pages[:-1]:
        assert len(p) == 100, [len(p) for p in pages]
    assert len(pages[-1]) <= 100
    assert len(seen) == len(set(seen)), "a user appears twice"
    mine = set(paged_users)
    got = [i for i in seen if i in mine]
    assert len(got) == N_PAGED and set(got) == mine
    total = root_sql("SELECT COUNT(*) FROM users", db="genesis")[0][0]
    assert len(seen) == int(total)
    # Ordered by created_at (missing first), then id.
    flat = [u for p in pages for u in p]
    keys = [sort_key(u) for u in flat]
    assert keys == sorted(keys)
    for u in flat:
        assert set(u) == USER_FIELDS
        if u["id"] in mine:
            assert "password" not in u and u["role"] == "user"


def test_pagination_other_page_sizes(admin, paged_users):
    for limit in (7, 33):
        pages = walk(admin, limit)
        seen = [u["id"] for p in pages for u in p]
        assert len(seen) == len(set(seen))
        assert set(paged_users) <= set(seen)
        assert all(len(p) == limit for p in pages[:-1])


def test_pagination_default_limit(admin, paged_users):
    r = api("GET", "/users/", admin.access)
    assert r.status_code == 200, r.text
    assert len(body_of(r)) == 50
    assert next_link(r) is not None
    assert "limit=50" in next_link(r) or "limit" not in next_link(r)


@pytest.mark.parametrize("query,field", [
    ("limit=101", "limit"), ("limit=0", "limit"), ("limit=-1", "limit"),
    ("limit=abc", "limit"), ("limit=1e2", "limit"), ("limit=99999999999999999999", "limit"),
    ("cursor=garbage", "cursor"), ("cursor=" + "A" * 80, "cursor"),
    ("cursor=%00", None), ("limit=10&cursor=%27%20OR%201%3D1--", "cursor"),
])
def test_pagination_bad_query(admin, query, field):
    r = api("GET", "/users/?" + query, admin.access)
    if "%00" in query and os.environ.get("GENESIS_WEB") == "lighttpd":
        # lighttpd refuses an encoded NUL in the target itself (HTML 400).
        assert r.status_code == 400, r.text
        return
    assert_422_query(r, field)


def test_pagination_max_limit(admin, paged_users):
    r = api("GET", "/users/?limit=100", admin.access)
    assert r.status_code == 200 and len(body_of(r)) == 100, r.text
    r = api("GET", "/users/?limit=1", admin.access)
    assert r.status_code == 200 and len(body_of(r)) == 1, r.text


@pytest.mark.parametrize("op", ["role", "disable", "delete"])
def test_two_admins_removing_each_other_concurrently(sole_admin, op):
    """Two admins, each removing the other at the same moment: only a root
    acts on an admin, so both are refused and both stay.  (Two roots doing
    it: test_admin_console.py.)"""
    import threading
    me = sole_admin
    b = register_account()
    assert api("POST", "/admin/users/%s/role" % b.id, me.access,
               json={"role": "admin"}).status_code == 200
    pairs = [(me, b), (b, me)]
    results = [None, None]
    barrier = threading.Barrier(2)

    def go(i):
        actor, target = pairs[i]
        barrier.wait()
        if op == "role":
            results[i] = api("POST", "/admin/users/%s/role" % target.id, actor.access,
                             json={"role": "user"})
        elif op == "disable":
            results[i] = api("POST", "/admin/users/%s/disable" % target.id, actor.access,
                             json={"disabled": True})
        else:
            results[i] = api("DELETE", "/users/%s" % target.id, actor.access)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for r in results:
        assert_forbidden(r)
    active = root_sql("SELECT id FROM users WHERE role = 'admin' AND disabled = 0 AND id IN "
                      "(%s, %s)" % (sql_quote(me.id), sql_quote(b.id)), db="genesis")
    assert len(active) == 2, active
    # b goes back to being a user (root SQL), so that me is the last again.
    root_sql("UPDATE users SET role = 'user' WHERE id = %s" % sql_quote(b.id), db="genesis")
