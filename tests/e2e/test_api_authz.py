"""Authorisation (SECURITY.md C-T14; API.md): every route as an anonymous
caller, another (plain) user, the owner and an admin, with the expected
status, body and -- where a call is refused -- no change of state."""
import pytest

from e2elib import (PROFILE_FIELDS, SESSION_FIELDS, USER_FIELDS, api,
                    assert_detail, assert_forbidden, assert_json_response,
                    assert_unauthorized, body_of, new_account,
                    register_account, shared_account, create_admin, sql_quote, root_sql,
                    unique_name, user_row)

ROLES = ["anonymous", "other", "owner", "admin"]
NOT_AUTH = "Not authenticated"


def caller(role, owner):
    """The access token of role (None for anonymous)."""
    if role == "anonymous":
        return None
    if role == "other":
        return shared_account("authz_other").access
    if role == "owner":
        return owner.access
    return shared_account("admin_main").access


def expect_401(r):
    assert_unauthorized(r, NOT_AUTH)


def db_user(uid):
    rows = root_sql("SELECT username, email, role, disabled FROM users WHERE id = %s"
                    % sql_quote(uid), db="genesis")
    return rows[0] if rows else None


@pytest.fixture(scope="module")
def owner():
    """A logged-in plain user that the read-only cases look at."""
    return shared_account("authz_owner")


# --- public routes -----------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,want", [
    ("/health", {"status": "ok", "service": "genesis-iam"}),
    ("/health/ready", {"status": "ok", "database": "ok"}),
    ("/.well-known/jwks.json", None),
])
def test_public_routes(role, path, want, owner):
    r = api("GET", path, caller(role, owner))
    assert r.status_code == 200, (r.status_code, r.text)
    if want is not None:
        assert body_of(r) == want
    else:
        assert body_of(r)["keys"]


@pytest.mark.parametrize("role", ROLES)
def test_register_open_to_everyone(role, owner):
    u, e, p = new_account()
    r = api("POST", "/users/", caller(role, owner),
            json={"username": u, "email": e, "password": p, "role": "admin"})
    assert r.status_code == 200, (r.status_code, r.text)
    assert body_of(r)["role"] == "user"
    assert user_row(u)["role"] == "user"


# --- the caller's own things ----------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/users/me", "/users/me/"])
def test_users_me(role, path, owner):
    r = api("GET", path, caller(role, owner))
    if role == "anonymous":
        return expect_401(r)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    u = body_of(r)
    assert set(u) == USER_FIELDS
    want = {"other": shared_account("authz_other"), "owner": owner,
            "admin": shared_account("admin_main")}[role]
    assert u["id"] == want.id and u["username"] == want.username
    assert u["role"] == ("admin" if role == "admin" else "user")


@pytest.mark.parametrize("role", ROLES)
def test_token_validate(role, owner):
    r = api("POST", "/token/validate", caller(role, owner))
    if role == "anonymous":
        return expect_401(r)
    want = {"other": shared_account("authz_other"), "owner": owner,
            "admin": shared_account("admin_main")}[role]
    assert r.status_code == 200, r.text
    assert body_of(r) == {"user_id": want.id, "username": want.username}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/auth/sessions", "/auth/sessions/"])
def test_sessions_list(role, path, owner):
    r = api("GET", path, caller(role, owner))
    if role == "anonymous":
        return expect_401(r)
    assert r.status_code == 200, r.text
    b = body_of(r)
    assert set(b) == {"sessions", "total"} and b["total"] == len(b["sessions"]) >= 1
    me = {"other": shared_account("authz_other"), "owner": owner,
          "admin": shared_account("admin_main")}[role]
    mine = {row[0] for row in root_sql(
        "SELECT id FROM sessions WHERE user_id = %s" % sql_quote(me.id), db="genesis")}
    for s in b["sessions"]:
        assert set(s) == SESSION_FIELDS, s
        assert s["id"] in mine, "another user's session listed"
    assert [s["id"] for s in b["sessions"] if s["is_current"]] == [me.sid]


@pytest.mark.parametrize("role", ROLES)
def test_sessions_revoke_others(role):
    a = register_account()
    b = a.another_session()
    token = {"anonymous": lambda: None,
             "other": lambda: shared_account("authz_other2").access,
             "owner": lambda: a.access,
             "admin": lambda: shared_account("admin_sessions").access}[role]()
    r = api("DELETE", "/auth/sessions", token)
    if role == "anonymous":
        expect_401(r)
    else:
        assert r.status_code == 200, r.text
        want = 1 if role == "owner" else 0
        assert body_of(r) == {"message": "Revoked %d other session(s)" % want}
    # Only the owner's call touched a's sessions.
    assert api("GET", "/users/me", a.access).status_code == 200
    assert api("GET", "/users/me", b.access).status_code == (401 if role == "owner" else 200)


@pytest.mark.parametrize("role", ROLES)
def test_session_revoke_one(role):
    a = register_account()
    b = a.another_session()
    r = api("DELETE", "/auth/sessions/%s" % b.sid, caller(role, a))
    if role == "anonymous":
        expect_401(r)
    elif role == "owner":
        assert r.status_code == 200, r.text
        assert body_of(r) == {"message": "Session revoked"}
    else:
        assert_detail(r, 404, "Session not found")
    assert api("GET", "/users/me", b.access).status_code == (401 if role == "owner" else 200)
    assert api("GET", "/users/me", a.access).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_logout(role):
    if role == "anonymous":
        return expect_401(api("POST", "/logout"))
    a = create_admin() if role == "admin" else register_account()
    other = a.another_session()
    r = api("POST", "/logout", a.access)
    assert r.status_code == 200, r.text
    assert body_of(r) == {"message": "Logged out"}
    assert_unauthorized(api("GET", "/users/me", a.access))
    # Only the current session ends.
    assert api("GET", "/users/me", other.access).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_profile_routes(role):
    """The profile routes act on the caller's own profile only."""
    if role == "anonymous":
        for method, path in (("POST", "/profile/"), ("GET", "/profile/me/"),
                             ("PUT", "/profile/me/"), ("DELETE", "/profile/me/")):
            expect_401(api(method, path, json={"given_name": "A", "family_name": "B",
                                               "sub": "s"} if method in ("POST", "PUT")
                       else None))
        return
    a = register_account() if role != "admin" else shared_account("admin_profile")
    watcher = shared_account("authz_profile_watch")
    # watcher has a profile of its own that nobody else's call may touch.
    if api("GET", "/profile/me", watcher.access).status_code == 404:
        r = api("POST", "/profile/", watcher.access,
                json={"given_name": "Watch", "family_name": "Er", "sub": "w"})
        assert r.status_code == 200, r.text
    before = body_of(api("GET", "/profile/me", watcher.access))
    r = api("POST", "/profile/", a.access, json={"given_name": "G", "family_name": "F",
                                                 "sub": unique_name("sub"),
                                                 "user_id": watcher.id})
    assert r.status_code == 200, r.text
    assert set(body_of(r)) == PROFILE_FIELDS and body_of(r)["user_id"] == a.id
    r = api("GET", "/profile/me/", a.access)
    assert r.status_code == 200 and body_of(r)["user_id"] == a.id, r.text
    r = api("PUT", "/profile/me/", a.access, json={"city": "Here", "user_id": watcher.id})
    assert r.status_code == 200 and body_of(r)["city"] == "Here", r.text
    assert body_of(r)["user_id"] == a.id
    r = api("DELETE", "/profile/me/", a.access)
    assert r.status_code == 200, r.text
    assert body_of(r) == {"message": "Profile with user ID %s has been successfully deleted"
                          % a.id}
    assert body_of(api("GET", "/profile/me", watcher.access)) == before


# --- admin-only routes -------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/users/", "/users"])
def test_users_list(role, path, owner):
    r = api("GET", path, caller(role, owner))
    if role == "anonymous":
        return expect_401(r)
    if role != "admin":
        return assert_forbidden(r)
    assert r.status_code == 200, r.text
    users = body_of(r)
    assert isinstance(users, list) and 1 <= len(users) <= 50
    for u in users:
        assert set(u) == USER_FIELDS


@pytest.mark.parametrize("role", ROLES)
def test_users_search(role, owner):
    r = api("POST", "/users/search", caller(role, owner), json={"username": owner.username})
    if role == "anonymous":
        return expect_401(r)
    if role != "admin":
        return assert_forbidden(r)
    assert r.status_code == 200, r.text
    assert body_of(r)["id"] == owner.id


# --- routes on one user: {id} ------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", "/"])
def test_get_user(role, suffix, owner):
    r = api("GET", "/users/%s%s" % (owner.id, suffix), caller(role, owner))
    if role == "anonymous":
        return expect_401(r)
    if role == "other":
        return assert_forbidden(r)
    assert r.status_code == 200, r.text
    u = body_of(r)
    assert set(u) == USER_FIELDS and u["id"] == owner.id and u["username"] == owner.username


@pytest.mark.parametrize("role", ROLES)
def test_put_user(role):
    target = register_account(login=(role == "owner"))
    before = db_user(target.id)
    new_name = unique_name("renamed")
    r = api("PUT", "/users/%s" % target.id, caller(role, target),
            json={"username": new_name, "role": "admin", "disabled": True})
    if role == "anonymous":
        expect_401(r)
    elif role == "other":
        assert_forbidden(r)
    else:
        assert r.status_code == 200, r.text
        u = body_of(r)
        assert u["username"] == new_name and u["role"] == "user" and u["disabled"] is False
        assert db_user(target.id) == [new_name, before[1], "user", "0"]
        return
    assert db_user(target.id) == before


@pytest.mark.parametrize("role", ROLES)
def test_delete_user(role):
    target = register_account(login=(role == "owner"))
    r = api("DELETE", "/users/%s" % target.id, caller(role, target))
    if role == "anonymous":
        expect_401(r)
    elif role == "other":
        assert_forbidden(r)
    else:
        assert r.status_code == 200, r.text
        assert body_of(r) == {"message": "User with ID %s has been successfully deleted"
                              % target.id}
        assert db_user(target.id) is None
        return
    assert db_user(target.id) is not None


@pytest.mark.parametrize("role", ROLES)
def test_admin_role(role):
    target = register_account(login=(role == "owner"))
    body = {"role": "user"} if role == "admin" else {"role": "admin"}
    r = api("POST", "/admin/users/%s/role" % target.id, caller(role, target), json=body)
    if role == "anonymous":
        expect_401(r)
    elif role != "admin":
        assert_forbidden(r)
    else:
        assert r.status_code == 200, r.text
        assert set(body_of(r)) == USER_FIELDS and body_of(r)["role"] == "user"
    assert db_user(target.id)[2] == "user"


@pytest.mark.parametrize("role", ROLES)
def test_admin_disable(role):
    target = register_account()
    r = api("POST", "/admin/users/%s/disable" % target.id, caller(role, target),
            json={"disabled": True})
    if role == "anonymous":
        expect_401(r)
    elif role != "admin":
        # The owner's own call is refused too: nobody disables themselves.
        assert_forbidden(r)
    else:
        assert r.status_code == 200, r.text
        assert body_of(r)["disabled"] is True and body_of(r)["is_active"] is False
        assert db_user(target.id)[3] == "1"
        assert_unauthorized(api("GET", "/users/me", target.access))
        return
    assert db_user(target.id)[3] == "0"
    assert api("GET", "/users/me", target.access).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_admin_unlock(role, owner):
    r = api("POST", "/admin/users/%s/unlock" % owner.id, caller(role, owner))
    if role == "anonymous":
        return expect_401(r)
    if role != "admin":
        return assert_forbidden(r)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"message": "Account unlocked"}
