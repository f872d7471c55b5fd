"""The admin console of the original's later web client and the root role
(API.md "Roles", "Admin console", "Sign-in with outside providers"):
every new route as anonymous, user, admin and root; the role rules,
including two roots acting on each other at once; the console's pages and
search over 250 users; the analytics counts; POST /admin/login's limits
and lockouts; the preflight answered on every path; session device names.
"""
import datetime
import math
import os
import subprocess
import threading
import uuid

import pytest

from abuselib import (LOCKOUT_THRESHOLD, TOKEN_BURST, assert_429, assert_bad_login,
                      audit_max_id, audit_rows, brief, fresh_address, parallel,
                      users_lock_state, wrong_password)
from e2elib import (DEV_SH, PROFILE_FIELDS, USER_FIELDS, VAR, api, assert_422,
                    assert_422_query, assert_detail, assert_forbidden, assert_json_response,
                    assert_token_pair, assert_unauthorized, body_of, create_admin, jwt_decode,
                    login_response, note_secret, register_account, root_sql, sql_quote,
                    token_post, unique_name, user_row)

DETAIL_FIELDS = USER_FIELDS | {"profile", "sessions_count"}
ANALYTICS_FIELDS = {"total_users", "active_users", "native_count", "sso_count",
                    "provider_breakdown", "new_this_week", "admin_count"}
LIST_FIELDS = {"users", "total", "page", "per_page", "total_pages"}


# --- accounts ------------------------------------------------------------------------

def create_root(login=True):
    """A fresh root made with genesis-admin create-admin --root."""
    return create_admin(login=login, root=True)


@pytest.fixture(scope="module")
def root():
    return create_root()


@pytest.fixture(scope="module")
def admin():
    return create_admin()


@pytest.fixture(scope="module")
def user():
    return register_account()


def console_login(username, password, source=None):
    return token_post("/admin/login", {"username": username, "password": password},
                      source=source)


def active_roots():
    return int(root_sql("SELECT COUNT(*) FROM users WHERE role = 'root' AND disabled = 0",
                        db="genesis")[0][0])


@pytest.fixture
def only_roots():
    """Makes the given roots the only active ones for the test: every
    other active root is disabled with root SQL and restored after."""
    saved = []

    def make(*roots):
        keep = ", ".join(sql_quote(r.id) for r in roots)
        rows = root_sql("SELECT id FROM users WHERE role = 'root' AND disabled = 0 AND "
                        "id NOT IN (%s)" % keep, db="genesis")
        saved.extend(r[0] for r in rows)
        if rows:
            root_sql("UPDATE users SET disabled = 1, is_active = 0 WHERE id IN (%s)"
                     % ", ".join(sql_quote(r[0]) for r in rows), db="genesis")
        assert active_roots() == len(roots)
    yield make
    if saved:
        root_sql("UPDATE users SET disabled = 0, is_active = 1 WHERE id IN (%s)"
                 % ", ".join(map(sql_quote, saved)), db="genesis")


def token_of(who, caller):
    """The access token of caller ("anonymous", "user", "admin", "root")."""
    return None if caller == "anonymous" else who[caller].access


CALLERS = ["anonymous", "user", "admin", "root"]


@pytest.fixture(scope="module")
def who(user, admin, root):
    return {"user": user, "admin": admin, "root": root}


# --- every new route x {anonymous, user, admin, root} ----------------------------------------

def expect_admin_only(r, caller):
    """The answer of an admin route to a caller who is not an admin; True
    if the caller is an admin or root (the caller's answer is the test's)."""
    if caller == "anonymous":
        assert_unauthorized(r, "Not authenticated")
        return False
    if caller == "user":
        assert_forbidden(r)
        return False
    return True


@pytest.mark.parametrize("caller", CALLERS)
def test_analytics_by_caller(who, caller):
    r = api("GET", "/admin/analytics", token_of(who, caller))
    if expect_admin_only(r, caller):
        assert r.status_code == 200, r.text
        assert_json_response(r)
        b = body_of(r)
        assert set(b) == ANALYTICS_FIELDS, b
        assert b["provider_breakdown"] == {"native": b["native_count"]}
        assert b["sso_count"] == b["total_users"] - b["native_count"] == 0


@pytest.mark.parametrize("caller", CALLERS)
def test_users_list_by_caller(who, caller):
    r = api("GET", "/admin/users/?per_page=3", token_of(who, caller))
    if expect_admin_only(r, caller):
        assert r.status_code == 200, r.text
        b = body_of(r)
        assert set(b) == LIST_FIELDS, b
        assert (b["page"], b["per_page"]) == (1, 3)
        assert len(b["users"]) == min(3, b["total"])
        for u in b["users"]:
            assert set(u) == USER_FIELDS, u
        assert b["total_pages"] == math.ceil(b["total"] / 3)


@pytest.mark.parametrize("caller", CALLERS)
def test_user_detail_by_caller(who, caller):
    target = register_account()
    r = api("GET", "/admin/users/%s" % target.id, token_of(who, caller))
    if expect_admin_only(r, caller):
        assert r.status_code == 200, r.text
        b = body_of(r)
        assert set(b) == DETAIL_FIELDS, b
        assert (b["id"], b["username"], b["role"]) == (target.id, target.username, "user")
        assert b["profile"] is None and b["sessions_count"] == 1


@pytest.mark.parametrize("caller", CALLERS)
def test_console_delete_by_caller(who, caller):
    target = register_account()
    r = api("DELETE", "/admin/users/%s" % target.id, token_of(who, caller))
    if expect_admin_only(r, caller):
        assert r.status_code == 200, r.text
        assert body_of(r) == {"message": "User deleted"}
        assert user_row(target.username) is None
        assert_detail(api("GET", "/admin/users/%s" % target.id, token_of(who, caller)),
                      404, "User not found")
        assert_detail(api("DELETE", "/admin/users/%s" % target.id, token_of(who, caller)),
                      404, "User not found")
        assert_unauthorized(api("POST", "/token/validate", target.access))
    else:
        assert user_row(target.username) is not None


@pytest.mark.parametrize("caller", CALLERS)
def test_disable_toggle_by_caller(who, caller):
    target = register_account()
    r = api("POST", "/admin/users/%s/disable" % target.id, token_of(who, caller))
    if expect_admin_only(r, caller):
        assert r.status_code == 200, r.text
        assert body_of(r)["disabled"] is True and body_of(r)["is_active"] is False
        # Disabling ends the sessions at once.
        assert_unauthorized(api("POST", "/token/validate", target.access))
        r = api("POST", "/admin/users/%s/disable/" % target.id, token_of(who, caller))
        assert r.status_code == 200 and body_of(r)["disabled"] is False, r.text
        assert user_row(target.username)["disabled"] == "0"
    else:
        assert user_row(target.username)["disabled"] == "0"
        assert api("POST", "/token/validate", target.access).status_code == 200


@pytest.mark.parametrize("caller", CALLERS)
def test_sso_providers_by_caller(who, caller):
    r = api("GET", "/auth/sso/providers", token_of(who, caller))
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"providers": []}


@pytest.mark.parametrize("caller", CALLERS)
def test_sso_linked_by_caller(who, caller):
    r = api("GET", "/auth/sso/linked", token_of(who, caller))
    if caller == "anonymous":
        assert_unauthorized(r, "Not authenticated")
    else:
        assert r.status_code == 200, r.text
        assert body_of(r) == {"linked_providers": []}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("provider", ["google", "github", "native", "x" * 200])
def test_sso_authorize_unknown_provider(who, caller, provider):
    r = api("GET", "/auth/sso/%s/authorize" % provider, token_of(who, caller))
    assert_detail(r, 400, "Invalid SSO provider")


@pytest.mark.parametrize("caller", CALLERS)
def test_console_login_by_caller(who, caller):
    if caller == "anonymous":
        r = console_login(unique_name("ghost"), wrong_password())
        assert_bad_login(r)
        return
    a = who[caller]
    r = console_login(a.username, a.password)
    if caller == "user":
        assert_detail(r, 403, "Admin access required")
        return
    b = assert_token_pair(r)
    claims = jwt_decode(b["access_token"])[1]
    assert claims["role"] == caller and claims["sub"] == a.id
    me = api("GET", "/users/me", b["access_token"])
    assert me.status_code == 200 and body_of(me)["role"] == caller, me.text


def test_console_login_by_email_and_audit(admin):
    since = audit_max_id()
    src = fresh_address()
    b = assert_token_pair(console_login(admin.email, admin.password, source=src))
    sid = jwt_decode(b["access_token"])[1]["sid"]
    rows = audit_rows(since, user_id=admin.id)
    assert [(x[0], x[1]) for x in brief(rows)] == [("admin_login", "success")], brief(rows)
    assert rows[0]["session_id"] == sid and rows[0]["client_address"] == src


def test_console_login_bad_form():
    for data in ({"username": "x"}, {"password": note_secret("Pw@xxxxxxxxxx1A")}, {}):
        r = token_post("/admin/login", data)
        assert_422(r)


def test_disabled_admin_cannot_use_the_console():
    a = create_admin(login=False)
    root_sql("UPDATE users SET disabled = 1, is_active = 0 WHERE id = %s" % sql_quote(a.id),
             db="genesis")
    assert_detail(console_login(a.username, a.password), 403, "User account is deactivated")


# --- POST /admin/login: the limits and lockouts of /token ---------------------------------------

def test_plain_users_right_password_counts_nothing():
    a = register_account(login=False)
    src = fresh_address()
    since = audit_max_id()
    for _ in range(LOCKOUT_THRESHOLD + 2):
        assert_detail(console_login(a.username, a.password, source=src), 403,
                      "Admin access required")
    assert users_lock_state(a.id)[0] == 0
    # Had those counted, this address would be locked out of the account.
    assert_token_pair(login_response(a.username, a.password, source=src))
    got = brief(audit_rows(since, user_id=a.id))
    assert got[:LOCKOUT_THRESHOLD + 2] == [("admin_login", "denied", "not_admin", None)] * \
        (LOCKOUT_THRESHOLD + 2), got


def test_wrong_password_counts_as_at_token(admin):
    src, other = fresh_address(), fresh_address()
    for _ in range(LOCKOUT_THRESHOLD):
        assert_bad_login(console_login(admin.username, wrong_password(), source=src))
    # Locked out of the account from src, at /admin/login and at /token
    # alike, with the answer of a wrong password; another address is not.
    locked = console_login(admin.username, admin.password, source=src)
    assert_bad_login(locked)
    assert_bad_login(login_response(admin.username, admin.password, source=src))
    assert_token_pair(console_login(admin.username, admin.password, source=other))
    # And failures at /token lock /admin/login the same way.
    src2 = fresh_address()
    for _ in range(LOCKOUT_THRESHOLD):
        assert_bad_login(login_response(admin.username, wrong_password(), source=src2))
    assert_bad_login(console_login(admin.username, admin.password, source=src2))


def test_unknown_user_answer_is_the_wrong_password_answer(admin):
    a = console_login(unique_name("ghost"), wrong_password(), source=fresh_address())
    b = console_login(admin.username, wrong_password(), source=fresh_address())
    assert_bad_login(a)
    assert_bad_login(b)
    assert a.content == b.content


def test_console_login_shares_the_token_bucket():
    src = fresh_address()

    def one(i):
        path = "/admin/login" if i % 2 else "/token"
        return token_post(path, {"username": unique_name("ghost"), "password": BAD_PW},
                          source=src)
    rs = parallel(one, range(TOKEN_BURST + 2), threads=8)
    codes = sorted(r.status_code for r in rs)
    assert codes.count(429) == 2 and codes.count(401) == TOKEN_BURST, codes
    assert_429([r for r in rs if r.status_code == 429][0])


BAD_PW = note_secret("Wr0ng@bucket-%s" % uuid.uuid4().hex[:8])


# --- role rules ----------------------------------------------------------------------------

def set_role(actor, target, role):
    return api("POST", "/admin/users/%s/role" % target.id, actor.access, json={"role": role})


def set_disabled(actor, target, value):
    return api("POST", "/admin/users/%s/disable" % target.id, actor.access,
               json={"disabled": value})


def role_of(a):
    return user_row(a.username)["role"]


def test_admin_manages_users_but_not_admins_or_roots(admin, root):
    u = register_account()
    r = set_role(admin, u, "admin")
    assert r.status_code == 200 and body_of(r)["role"] == "admin", r.text
    # u is an admin now: only a root acts on it.
    other = create_admin()
    for resp in (set_role(other, u, "user"), set_disabled(other, u, True),
                 api("POST", "/admin/users/%s/disable" % u.id, other.access),
                 api("DELETE", "/admin/users/%s" % u.id, other.access),
                 api("DELETE", "/users/%s" % u.id, other.access),
                 api("PUT", "/users/%s" % u.id, other.access,
                     json={"email": "%s@example.org" % unique_name("x")})):
        assert_forbidden(resp)
    assert (role_of(u), user_row(u.username)["disabled"]) == ("admin", "0")
    # Nor may an admin make anyone root, or touch a root.
    v = register_account()
    assert_forbidden(set_role(admin, v, "root"))
    assert role_of(v) == "user"
    for resp in (set_role(admin, root, "user"), set_disabled(admin, root, True),
                 api("DELETE", "/admin/users/%s" % root.id, admin.access)):
        assert_forbidden(resp)
    assert role_of(root) == "root"
    # A root may do all of it.
    r = set_role(root, v, "root")
    assert r.status_code == 200 and body_of(r)["role"] == "root", r.text
    r = set_role(root, u, "user")
    assert r.status_code == 200 and body_of(r)["role"] == "user", r.text
    r = set_role(root, v, "admin")
    assert r.status_code == 200 and body_of(r)["role"] == "admin", r.text
    r = set_disabled(root, v, True)
    assert r.status_code == 200 and body_of(r)["disabled"] is True, r.text
    r = api("DELETE", "/admin/users/%s" % v.id, root.access)
    assert r.status_code == 200, r.text
    assert user_row(v.username) is None


def test_denials_are_audited(admin, root):
    u = register_account()
    assert set_role(root, u, "admin").status_code == 200
    since = audit_max_id()
    assert_forbidden(set_role(admin, u, "user"))
    assert_forbidden(set_role(admin, root, "user"))
    assert_detail(set_role(root, root, "admin"), 403, "Cannot change your own role")
    assert set_role(root, u, "user").status_code == 200
    got = brief(audit_rows(since, user_id=u.id)) + brief(audit_rows(since, user_id=root.id))
    assert got == [("role_change", "denied", "root_required", admin.id),
                   ("role_change", "success", "user", root.id),
                   ("role_change", "denied", "root_required", admin.id),
                   ("role_change", "denied", "own_role", None)], got


@pytest.mark.parametrize("role", ["user", "admin", "root"])
def test_nobody_changes_their_own_role(role):
    a = {"user": register_account, "admin": create_admin, "root": create_root}[role]()
    for new in ("user", "admin", "root"):
        r = set_role(a, a, new)
        if role == "user":
            assert_forbidden(r)          # not an admin at all
        elif new == role:
            assert r.status_code == 200, r.text    # no change is no change
        else:
            assert_detail(r, 403, "Cannot change your own role")
    assert role_of(a) == role


def test_last_active_root(only_roots):
    last = create_root()
    only_roots(last)
    assert_detail(set_role(last, last, "admin"), 403, "Cannot change your own role")
    r = set_disabled(last, last, True)
    assert r.status_code == 409 and body_of(r)["detail"] == "Cannot remove the last active root"
    assert api("POST", "/admin/users/%s/disable" % last.id, last.access).status_code == 409
    assert_detail(api("DELETE", "/admin/users/%s" % last.id, last.access), 403,
                  "Cannot delete ROOT user")
    assert_detail(api("DELETE", "/users/%s" % last.id, last.access), 403,
                  "Cannot delete ROOT user")
    assert_detail(api("DELETE", "/users/me", last.access), 403, "Cannot delete ROOT user")
    # The operator's command line keeps the rule too.
    env = dict(os.environ, GENESIS_VAR=VAR)
    p = subprocess.run([DEV_SH, "admin", "disable", last.username], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 1 and b"last active root" in p.stderr, (p.returncode, p.stderr)
    row = user_row(last.username)
    assert (row["role"], row["disabled"]) == ("root", "0")
    assert active_roots() == 1
    # With a second root, either may go.
    second = create_root()
    r = set_role(second, last, "admin")
    assert r.status_code == 200, r.text
    assert_forbidden(set_role(last, second, "admin"))       # last is an admin now
    r = set_role(second, last, "root")
    assert r.status_code == 200, r.text
    r = api("DELETE", "/admin/users/%s" % second.id, last.access)
    assert r.status_code == 200, r.text
    assert active_roots() == 1


def concurrently(*fns):
    """Run the callables at once (released together); their results."""
    barrier = threading.Barrier(len(fns))
    out = [None] * len(fns)

    def run(i):
        barrier.wait()
        out[i] = fns[i]()
    ts = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    return out


ROUNDS = 8


@pytest.mark.parametrize("action", ["demote", "disable", "delete"])
def test_two_roots_acting_on_each_other_at_once(only_roots, action):
    """The only two active roots demote (disable, delete) each other at
    the same moment, ROUNDS times: each time exactly one wins and one
    active root is left."""
    a, b = create_root(), create_root()
    only_roots(a, b)

    def act(actor, target):
        if action == "demote":
            return lambda: set_role(actor, target, "admin")
        if action == "disable":
            return lambda: set_disabled(actor, target, True)
        return lambda: api("DELETE", "/admin/users/%s" % target.id, actor.access)

    for i in range(ROUNDS):
        ra, rb = concurrently(act(a, b), act(b, a))
        codes = sorted([ra.status_code, rb.status_code])
        assert codes[0] == 200 and codes[1] in (401, 403, 409), (i, ra.text, rb.text)
        assert active_roots() == 1, (i, ra.text, rb.text)
        loser = b if ra.status_code == 200 else a
        if action == "delete":
            # Put the loser back, a root again, with a new session.
            root_sql("INSERT INTO users (id, username, email, password, disabled, role, "
                     "created_at, last_modified) VALUES (%s, %s, %s, 'x', 0, 'root', "
                     "UTC_TIMESTAMP(), UTC_TIMESTAMP())" % (
                         sql_quote(loser.id), sql_quote(loser.username),
                         sql_quote(loser.email)), db="genesis")
            root_sql("UPDATE users u JOIN users w ON w.id = %s SET u.password = w.password "
                     "WHERE u.id = %s" % (sql_quote((a if loser is b else b).id),
                                          sql_quote(loser.id)), db="genesis")
            loser.password = (a if loser is b else b).password
        else:
            root_sql("UPDATE users SET role = 'root', disabled = 0, is_active = 1 WHERE id = %s"
                     % sql_quote(loser.id), db="genesis")
        if action != "demote":
            loser.login()
        assert active_roots() == 2


# --- pages and search over 250 users -----------------------------------------------------------

N = 250


@pytest.fixture(scope="module")
def console_users():
    """250 users inserted with root SQL: username <p>_u_NNN, email
    <p>_m_NNN@example.net, created one second apart.  Deleted after."""
    p = unique_name("cs")
    base = datetime.datetime(2002, 3, 4, 5, 6, 7)
    rows, ids = [], []
    for i in range(N):
        uid = str(uuid.uuid4())
        ids.append(uid)
        created = (base + datetime.timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append("(%s, %s, %s, %s, 0, '%s', '%s')" % (
            sql_quote(uid), sql_quote("%s_u_%03d" % (p, i)),
            sql_quote("%s_m_%03d@example.net" % (p, i)),
            sql_quote("!unusable-%s" % uuid.uuid4().hex), created, created))
    root_sql("INSERT INTO users (id, username, email, password, disabled, created_at, "
             "last_modified) VALUES %s" % ", ".join(rows), db="genesis")
    try:
        yield p, ids
    finally:
        root_sql("DELETE FROM users WHERE id IN (%s)" % ", ".join(map(sql_quote, ids)),
                 db="genesis")


def walk(token, search, per_page):
    """Every page of a search; the ids in order and the last answer."""
    seen, page, last = [], 1, None
    while True:
        r = api("GET", "/admin/users", token, params={"page": page, "per_page": per_page,
                                                      "search": search})
        assert r.status_code == 200, r.text
        last = body_of(r)
        assert (last["page"], last["per_page"]) == (page, per_page)
        if not last["users"]:
            break
        assert len(last["users"]) <= per_page
        seen += [u["id"] for u in last["users"]]
        page += 1
    assert page == last["total_pages"] + 1, (page, last)
    return seen, last


@pytest.mark.parametrize("kind,per_page", [("u", 7), ("m", 100), ("u", 1)])
def test_pages_walk_the_set_exactly_once(admin, console_users, kind, per_page):
    p, ids = console_users
    if per_page == 1:       # page <= 10 000 / per_page: walk only the first 40
        r = api("GET", "/admin/users", admin.access,
                params={"page": 40, "per_page": 1, "search": "%s_%s_" % (p, kind)})
        assert r.status_code == 200 and body_of(r)["users"][0]["id"] == ids[39], r.text
        assert body_of(r)["total_pages"] == N
        return
    seen, last = walk(admin.access, "%s_%s_" % (p, kind), per_page)
    assert seen == ids, "not every user exactly once, in created_at order"
    assert last["total"] == N and last["total_pages"] == math.ceil(N / per_page)


def test_search_by_username_and_email_prefix(admin, console_users):
    p, ids = console_users

    def found(search):
        r = api("GET", "/admin/users", admin.access, params={"search": search,
                                                             "per_page": 100})
        assert r.status_code == 200, r.text
        return [u["id"] for u in body_of(r)["users"]], body_of(r)["total"]

    assert found("%s_u_01" % p) == (ids[10:20], 10)              # username prefix
    assert found("%s_m_24" % p) == (ids[240:250], 10)            # email prefix
    assert found(("%s_U_12" % p).upper()) == (ids[120:130], 10)   # any case
    assert found("%s_m_249@example.net" % p) == ([ids[249]], 1)   # a whole email
    assert found("%s_u_249" % p) == ([ids[249]], 1)
    # Prefix only, and LIKE's wildcards are plain characters.
    assert found("u_001") == ([], 0) or ids[1] not in found("u_001")[0]
    assert found("%s%%u%%001" % p) == ([], 0)
    assert found(p.replace("_", "%")) == ([], 0)
    assert found(p[:3] + "_" + p[4:] + "_u_001") == ([], 0)
    assert found("%s_m_\\" % p) == ([], 0)
    assert found("%s_x" % p) == ([], 0)


BROAD = 10050      # more than SEARCH_NARROW_MAX (10 000) of common/users.c


@pytest.fixture(scope="module")
def broad_users():
    """BROAD users inserted with root SQL in one statement: username
    <p>_u_NNNNN, email <p>_m_NNNNN@example.net, created two by two in the
    same second (so that the id orders them).  Deleted after."""
    p = unique_name("cb")
    root_sql("INSERT INTO users (id, username, email, password, disabled, created_at, "
             "last_modified) SELECT UUID(), CONCAT('%s_u_', LPAD(seq, 5, '0')), "
             "CONCAT('%s_m_', LPAD(seq, 5, '0'), '@example.net'), '!unusable', 0, "
             "TIMESTAMP'2003-04-05 06:07:08' + INTERVAL seq DIV 2 SECOND, "
             "TIMESTAMP'2003-04-05 06:07:08' + INTERVAL seq DIV 2 SECOND "
             "FROM seq_1_to_%d" % (p, p, BROAD), db="genesis")
    try:
        ids = [r[0] for r in root_sql(
            "SELECT id FROM users WHERE username LIKE '%s!_u!_%%' ESCAPE '!' "
            "ORDER BY created_sort, id" % p, db="genesis")]
        assert len(ids) == BROAD
        yield p, ids
    finally:
        root_sql("DELETE FROM users WHERE username LIKE '%s!_u!_%%' ESCAPE '!'" % p,
                 db="genesis")


@pytest.mark.parametrize("kind", ["u", "m", "U"])
def test_a_broad_search_answers_the_same_pages(admin, broad_users, kind):
    """More than 10 000 matches: the page walks the created order instead of
    sorting every match (common/users.c search_page), with the same answer."""
    p, ids = broad_users
    search = "%s_%s_" % (p, kind) if kind != "U" else ("%s_u_" % p).upper()
    for page in (1, 2, 57, 100):
        r = api("GET", "/admin/users", admin.access,
                params={"search": search, "per_page": 100, "page": page})
        assert r.status_code == 200, r.text
        b = body_of(r)
        assert (b["total"], b["total_pages"]) == (BROAD, math.ceil(BROAD / 100)), b["total"]
        assert [u["id"] for u in b["users"]] == ids[(page - 1) * 100:page * 100], page
    # A narrower prefix of the same users is a narrow search again.
    r = api("GET", "/admin/users", admin.access,
            params={"search": "%s_u_0001" % p, "per_page": 100})
    assert r.status_code == 200, r.text
    assert [u["id"] for u in body_of(r)["users"]] == ids[9:19] and body_of(r)["total"] == 10


@pytest.mark.parametrize("query,field", [
    ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("per_page=-1", "per_page"),
    ("per_page=ten", "per_page"), ("page=0", "page"), ("page=x", "page"),
    ("page=501", "page"), ("per_page=100&page=101", "page"), ("per_page=1&page=10001", "page"),
    ("search=" + "a" * 256, "search"),
])
def test_list_bounds(admin, query, field):
    assert_422_query(api("GET", "/admin/users?" + query, admin.access), field)


@pytest.mark.parametrize("query", ["per_page=100&page=100", "per_page=1&page=10000",
                                   "page=500", "search=", "per_page=100"])
def test_list_bounds_reached(admin, query):
    r = api("GET", "/admin/users?" + query, admin.access)
    assert r.status_code == 200, r.text
    assert len(body_of(r)["users"]) <= body_of(r)["per_page"]


def test_list_total_is_the_analytics_total(admin):
    a = body_of(api("GET", "/admin/analytics", admin.access))
    b = body_of(api("GET", "/admin/users?per_page=1", admin.access))
    n = int(root_sql("SELECT COUNT(*) FROM users", db="genesis")[0][0])
    assert a["total_users"] == b["total"] == n
    assert b["total_pages"] == n


# --- analytics ------------------------------------------------------------------------------------

def db_figures():
    q = ("SELECT COUNT(*), COALESCE(SUM(disabled = 0), 0), "
         "COALESCE(SUM(auth_provider = 'native'), 0), "
         "COALESCE(SUM(role IN ('admin', 'root')), 0), "
         "COALESCE(SUM(created_at >= UTC_TIMESTAMP() - INTERVAL 7 DAY), 0) FROM users")
    t, active, native, admins, new = map(int, root_sql(q, db="genesis")[0])
    return {"total_users": t, "active_users": active, "native_count": native,
            "sso_count": t - native, "provider_breakdown": {"native": native},
            "new_this_week": new, "admin_count": admins}


def test_analytics_after_creating_disabling_deleting(admin, root):
    before = body_of(api("GET", "/admin/analytics", admin.access))
    assert before == db_figures()
    made = [register_account(login=False) for _ in range(3)]
    promoted = register_account(login=False)
    assert set_role(admin, promoted, "admin").status_code == 200
    assert set_disabled(admin, made[0], True).status_code == 200
    assert api("POST", "/admin/users/%s/disable" % made[1].id, admin.access).status_code == 200
    assert api("DELETE", "/admin/users/%s" % made[2].id, admin.access).status_code == 200
    after = body_of(api("GET", "/admin/analytics", root.access))
    assert after == db_figures()
    delta = {k: after[k] - before[k] for k in after if k != "provider_breakdown"}
    assert delta == {"total_users": 3, "active_users": 1, "native_count": 3, "sso_count": 0,
                     "new_this_week": 3, "admin_count": 1}, delta
    # Enabling again and demoting count back.
    assert api("POST", "/admin/users/%s/disable" % made[1].id, admin.access).status_code == 200
    assert set_role(root, promoted, "user").status_code == 200
    again = body_of(api("GET", "/admin/analytics", admin.access))
    assert again["active_users"] == after["active_users"] + 1
    assert again["admin_count"] == after["admin_count"] - 1
    assert again == db_figures()


def test_new_this_week_at_the_edges_of_the_week(admin):
    """Users made just inside and just outside the week, on its first
    (partial) day and on whole days, moved across the edge and deleted: the
    per-day counts (migration 0014) and the first day's index range give the
    count of the users' own rows every time."""
    p = unique_name("wk")
    offsets = ["8 DAY", "7 DAY + INTERVAL 1 MINUTE", "7 DAY - INTERVAL 1 MINUTE",
               "7 DAY - INTERVAL 23 HOUR", "6 DAY", "1 HOUR", "0 SECOND"]
    ids = [str(uuid.uuid4()) for _ in offsets]

    def same():
        a = body_of(api("GET", "/admin/analytics", admin.access))
        d = db_figures()
        days, n = map(int, root_sql("SELECT (SELECT COALESCE(SUM(n), 0) FROM user_days), "
                                    "(SELECT COUNT(*) FROM users)", db="genesis")[0])
        return a["new_this_week"] == d["new_this_week"] and days == n, (a, d, days, n)

    before = body_of(api("GET", "/admin/analytics", admin.access))["new_this_week"]
    root_sql("INSERT INTO users (id, username, email, password, disabled, created_at, "
             "last_modified) VALUES %s" % ", ".join(
                 "(%s, '%s_%d', '%s_%d@example.net', '!unusable', 0, "
                 "UTC_TIMESTAMP() - INTERVAL %s, UTC_TIMESTAMP())" % (
                     sql_quote(uid), p, i, p, i, off)
                 for i, (uid, off) in enumerate(zip(ids, offsets))), db="genesis")
    try:
        ok, why = same()
        assert ok, why
        # 5 inside the week (the one a minute past the edge is outside, the
        # one at "7 DAY - 1 MINUTE" just inside), unless the edge moved by
        # a minute between the insert and the count.
        after = body_of(api("GET", "/admin/analytics", admin.access))["new_this_week"]
        assert after - before in (4, 5), (before, after)
        # Out of the week and into it again, by an operator's UPDATE.
        root_sql("UPDATE users SET created_at = UTC_TIMESTAMP() - INTERVAL 30 DAY "
                 "WHERE id = %s" % sql_quote(ids[5]), db="genesis")
        ok, why = same()
        assert ok, why
        root_sql("UPDATE users SET created_at = UTC_TIMESTAMP() WHERE id = %s"
                 % sql_quote(ids[0]), db="genesis")
        ok, why = same()
        assert ok, why
    finally:
        root_sql("DELETE FROM users WHERE id IN (%s)" % ", ".join(map(sql_quote, ids)),
                 db="genesis")
    ok, why = same()
    assert ok, why


# --- a user's detail ------------------------------------------------------------------------------

def test_detail_profile_and_sessions(admin):
    a = register_account()
    a.another_session()
    a.another_session()
    r = api("POST", "/profile/", a.access, json={"given_name": "Ada", "family_name": "L",
                                                 "sub": "s-%s" % a.id})
    assert r.status_code == 200, r.text
    b = body_of(api("GET", "/admin/users/%s" % a.id, admin.access))
    assert set(b) == DETAIL_FIELDS and b["sessions_count"] == 3, b
    assert set(b["profile"]) == PROFILE_FIELDS and b["profile"]["given_name"] == "Ada"
    assert b["profile"]["user_id"] == a.id
    assert api("POST", "/logout", a.access).status_code == 200
    assert body_of(api("GET", "/admin/users/%s" % a.id, admin.access))["sessions_count"] == 2


@pytest.mark.parametrize("uid", ["nope", str(uuid.uuid4()), "%27%3B--", "A" * 36])
def test_detail_unknown(admin, uid):
    assert_detail(api("GET", "/admin/users/%s" % uid, admin.access), 404, "User not found")


def test_disable_with_a_body_sets(admin):
    a = register_account(login=False)
    for v in (True, True, False, False):
        r = set_disabled(admin, a, v)
        assert r.status_code == 200 and body_of(r)["disabled"] is v, r.text
    assert_422(api("POST", "/admin/users/%s/disable" % a.id, admin.access, data=b"  ",
                   headers={"Content-Type": "application/json"}))
    assert_422(api("POST", "/admin/users/%s/disable" % a.id, admin.access, json={}))


def test_roles_in_user_objects(root, admin, user):
    for a, role in ((root, "root"), (admin, "admin"), (user, "user")):
        assert body_of(api("GET", "/users/me", a.access))["role"] == role
        assert jwt_decode(a.access)[1]["role"] == role
        assert body_of(api("GET", "/users/%s" % a.id, root.access))["role"] == role
    r = api("POST", "/users/search", admin.access, json={"username": root.username})
    assert body_of(r)["role"] == "root"


# --- device names --------------------------------------------------------------

@pytest.mark.parametrize("ua,name", [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "Chrome on Linux"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
     "Firefox on Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "Safari on iOS"),
    ("something/1.0 <b>bold</b>", None),
])
def test_session_device_name(ua, name):
    a = register_account(login=False)
    r = login_response(a.username, a.password, headers={"User-Agent": ua})
    a.take(assert_token_pair(r))
    s = body_of(api("GET", "/auth/sessions", a.access))["sessions"]
    assert [x["device_name"] for x in s] == [name], s
    row = root_sql("SELECT user_agent FROM sessions WHERE id = %s" % sql_quote(a.sid),
                   db="genesis")
    assert row == [[ua]], row
