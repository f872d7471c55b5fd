"""SECURITY.md C-T5: every security event is one row of audit_log (time,
event, outcome, user id, client address, session id, details JSON with a
reason and, when an admin acts on another account, the actor) and one JSON
line ("event":"audit") in the workers' log; never a password or token.
The service's own database account may only INSERT into and SELECT from
audit_log.

Each test runs one flow of API.md from a fresh source address, then reads
the rows of the flow's user newer than the flow's start (MariaDB as root)
and compares them with the expected sequence exactly."""
import uuid

import pytest

import e2elib
from abuselib import (LOCKOUT_THRESHOLD, assert_audit_row, assert_bad_login,
                      assert_logged, audit_max_id, audit_rows, brief, call,
                      fresh_address, login, login_ok, new_user, service_sql, unlock,
                      wrong_password)
from e2elib import (Account, assert_detail, create_admin, root_sql,
                    sql_quote, strong_password, unique_name)

ANY = object()      # matches any value in an expected row


@pytest.fixture(scope="module")
def admin():
    """An admin of this module, logged in from an address of its own."""
    a = create_admin(login=False)
    return login_ok(a, fresh_address())


def match(rows, expected, client=None):
    """rows (audit_rows) against expected [(event, outcome, reason, actor,
    session_id)], in order; ANY matches anything.  Also checks what every
    row has in common and that each is in the log."""
    got = [b + (r["session_id"],) for b, r in zip(brief(rows), rows)]
    assert len(got) == len(expected), "\n".join(map(repr, got))
    for g, e in zip(got, expected):
        e = tuple(e) + (ANY,) * (5 - len(e))
        assert all(x is ANY or x == y for x, y in zip(e, g)), (g, e, got)
    for r in rows:
        assert_audit_row(r, client=client)
    assert_logged(rows)
    return rows


def sid_of(acct):
    return e2elib.jwt_decode(acct.access)[1]["sid"]


def test_registration_login_refresh_replay_and_logout():
    src = fresh_address()
    since = audit_max_id()
    acct = new_user(src)
    login_ok(acct, src)
    sid1, rt1 = sid_of(acct), acct.refresh
    r = e2elib.refresh_response(rt1, source=src)
    e2elib.assert_token_pair(r)
    r = e2elib.refresh_response(rt1, source=src)             # a replay
    assert_detail(r, 401, "Refresh token has been rotated. Session revoked for security.")
    login_ok(acct, src)
    sid2 = sid_of(acct)
    r = call("POST", "/logout", src, token=acct.access)
    assert r.status_code == 200, r.text
    match(audit_rows(since, user_id=acct.id), [
        ("user_create", "success", "registration", None, None),
        ("login", "success", None, None, sid1),
        ("token_refresh", "success", None, None, sid1),
        ("refresh_replay", "denied", "session_revoked", None, sid1),
        ("login", "success", None, None, sid2),
        ("logout", "success", None, None, sid2),
    ], client=src)


def test_refresh_by_oauth_grant_and_login_by_email():
    src = fresh_address()
    acct = new_user(src)
    since = audit_max_id()
    r = login(acct.email, acct.password, src)
    acct.take(e2elib.assert_token_pair(r), src)
    sid = sid_of(acct)
    e2elib.assert_token_pair(e2elib.refresh_response(acct.refresh, how="grant", source=src))
    match(audit_rows(since, user_id=acct.id), [
        ("login", "success", None, None, sid),
        ("token_refresh", "success", None, None, sid),
    ], client=src)


def test_session_revocations():
    src = fresh_address()
    acct = new_user(src)
    s = [login_ok(Account(acct.id, acct.username, acct.email, acct.password), src)
         for _ in range(3)]
    a, b, c = (sid_of(x) for x in s)
    since = audit_max_id()
    r = call("DELETE", "/auth/sessions/%s" % a, src, token=s[2].access)
    assert r.status_code == 200 and r.json() == {"message": "Session revoked"}, r.text
    r = call("DELETE", "/auth/sessions", src, token=s[2].access)
    assert r.status_code == 200 and r.json() == {"message": "Revoked 1 other session(s)"}, r.text
    rows = match(audit_rows(since, user_id=acct.id), [
        ("session_revoke", "success", None, None),
        ("session_revoke", "success", "all_others", None),
    ], client=src)
    assert rows[0]["session_id"] in (a, c), rows      # the revoked one (or the caller's)
    assert rows[1]["session_id"] == c, rows           # the one kept
    assert b != c


def test_login_failures_wrong_password_unknown_user_and_malformed():
    src = fresh_address()
    acct = new_user(src)
    since = audit_max_id()
    assert_bad_login(login(acct.username, wrong_password(), src))
    match(audit_rows(since, user_id=acct.id), [
        ("login", "failure", "bad_password", None, None)], client=src)
    # Unknown user: no user id; found by the (fresh) client address.
    src2 = fresh_address()
    since = audit_max_id()
    assert_bad_login(login(unique_name("nobody"), wrong_password(), src2))
    match(audit_rows(since, client=src2), [
        ("login", "failure", "unknown_user", None, None)], client=src2)
    assert audit_rows(since, client=src2)[0]["user_id"] is None
    # Malformed: an empty password or an over-long name cannot be an
    # account's; the ordinary 401, audited as malformed.
    src3 = fresh_address()
    since = audit_max_id()
    assert_bad_login(login(acct.username, "", src3))
    assert_bad_login(login("x" * 300 + "@example.com", wrong_password(), src3))
    rows = match(audit_rows(since, client=src3), [
        ("login", "failure", "malformed", None, None)] * 2, client=src3)
    assert all(r["user_id"] in (None, acct.id) for r in rows), rows


def test_disable_enable_and_login_while_disabled(admin):
    src = fresh_address()
    acct = new_user(src)
    login_ok(acct, src)
    since = audit_max_id()
    r = call("POST", "/admin/users/%s/disable" % acct.id, admin.source, token=admin.access,
             json={"disabled": True})
    assert r.status_code == 200 and r.json()["disabled"] is True, r.text
    r = login(acct.username, acct.password, src)
    assert_detail(r, 403, "User account is deactivated")
    r = call("POST", "/admin/users/%s/disable" % acct.id, admin.source, token=admin.access,
             json={"disabled": False})
    assert r.status_code == 200 and r.json()["disabled"] is False, r.text
    rows = match(audit_rows(since, user_id=acct.id), [
        ("disable", "success", "sessions_revoked", admin.id, None),
        ("login", "failure", "disabled", None, None),
        ("enable", "success", None, admin.id, None),
    ])
    assert [r["client_address"] for r in rows] == [admin.source, src, admin.source]


def test_address_lockout_and_locked_attempt():
    src = fresh_address()
    acct = new_user(src)
    since = audit_max_id()
    for _ in range(LOCKOUT_THRESHOLD):
        assert_bad_login(login(acct.username, wrong_password(), src))
    assert_bad_login(login(acct.username, acct.password, src))
    match(audit_rows(since, user_id=acct.id),
          [("login", "failure", "bad_password", None, None)] * LOCKOUT_THRESHOLD + [
              ("lockout", "address", "consecutive_failures", None, None),
              ("login", "failure", "address_locked", None, None)], client=src)


def test_unknown_user_lockout_is_audited_like_a_real_one():
    # The brief: lockout address|account, reason consecutive_failures;
    # unknown names get the same treatment.
    src = fresh_address()
    name = unique_name("nobody")
    since = audit_max_id()
    for _ in range(LOCKOUT_THRESHOLD):
        assert_bad_login(login(name, wrong_password(), src))
    assert_bad_login(login(name, wrong_password(), src))
    rows = audit_rows(since, client=src)
    assert all(r["user_id"] is None for r in rows), rows
    match(rows, [("login", "failure", "unknown_user", None, None)] * LOCKOUT_THRESHOLD + [
        ("lockout", "address", "consecutive_failures", None, None),
        ("login", "failure", "address_locked", None, None)], client=src)


def test_unlock_is_audited_with_the_actor(admin):
    src = fresh_address()
    acct = new_user(src)
    for _ in range(LOCKOUT_THRESHOLD):
        assert_bad_login(login(acct.username, wrong_password(), src))
    since = audit_max_id()
    r = unlock(admin, acct.id, source=admin.source)
    assert r.status_code == 200, r.text
    login_ok(acct, src)
    rows = match(audit_rows(since, user_id=acct.id), [
        ("unlock", "success", None, admin.id, None),
        ("login", "success", None, None, sid_of(acct)),
    ])
    assert [r["client_address"] for r in rows] == [admin.source, src]


def test_own_updates_and_password_change():
    src = fresh_address()
    acct = new_user(src)
    login_ok(acct, src)
    since = audit_max_id()
    new_email = "%s@example.org" % unique_name("mail")
    r = call("PUT", "/users/%s" % acct.id, src, token=acct.access, json={"email": new_email})
    assert r.status_code == 200, r.text
    new_pw = strong_password()
    r = call("PUT", "/users/%s" % acct.id, src, token=acct.access,
             json={"password": new_pw, "current_password": acct.password})
    assert r.status_code == 200, r.text
    acct.password = new_pw
    login_ok(acct, src)
    match(audit_rows(since, user_id=acct.id), [
        ("user_update", "success", None, None),
        ("password_change", "success", ANY, None),
        ("login", "success", None, None, sid_of(acct)),
    ], client=src)


def test_admin_updates_another_user(admin):
    acct = new_user()
    since = audit_max_id()
    r = call("PUT", "/users/%s" % acct.id, admin.source, token=admin.access,
             json={"username": unique_name("renamed")})
    assert r.status_code == 200, r.text
    r = call("PUT", "/users/%s" % acct.id, admin.source, token=admin.access,
             json={"password": strong_password()})
    assert r.status_code == 200, r.text
    match(audit_rows(since, user_id=acct.id), [
        ("user_update", "success", None, admin.id),
        ("password_change", "success", ANY, admin.id),
    ], client=admin.source)


def test_role_changes(admin):
    acct = new_user()
    root = login_ok(create_admin(login=False, root=True), admin.source)
    since = audit_max_id()
    r = call("POST", "/admin/users/%s/role" % acct.id, admin.source, token=admin.access,
             json={"role": "admin"})
    assert r.status_code == 200 and r.json()["role"] == "admin", r.text
    # Only a root demotes an admin (API.md "Roles").
    r = call("POST", "/admin/users/%s/role" % acct.id, admin.source, token=admin.access,
             json={"role": "user"})
    assert r.status_code == 403, r.text
    for role in ("root", "user"):
        r = call("POST", "/admin/users/%s/role" % acct.id, root.source, token=root.access,
                 json={"role": role})
        assert r.status_code == 200 and r.json()["role"] == role, r.text
    match(audit_rows(since, user_id=acct.id), [
        ("role_change", "success", "admin", admin.id),
        ("role_change", "denied", "root_required", admin.id),
        ("role_change", "success", "root", root.id),
        ("role_change", "success", "user", root.id),
    ], client=admin.source)


def test_disabling_the_last_admin_is_denied_and_audited():
    # Every other active admin and root is disabled for the moment (as
    # root, in the database), so that this one is the last; put back
    # afterwards.  (Its own role it may not change at all: own_role.)
    last = login_ok(create_admin(login=False), fresh_address())
    others = [r[0] for r in root_sql(
        "SELECT id FROM users WHERE role IN ('admin', 'root') AND disabled = 0 AND id <> %s"
        % sql_quote(last.id), db="genesis")]
    since = audit_max_id()
    try:
        if others:
            root_sql("UPDATE users SET disabled = 1 WHERE id IN (%s)"
                     % ", ".join(map(sql_quote, others)), db="genesis")
        r = call("POST", "/admin/users/%s/disable" % last.id, last.source, token=last.access,
                 json={"disabled": True})
        own = call("POST", "/admin/users/%s/role" % last.id, last.source, token=last.access,
                   json={"role": "user"})
    finally:
        if others:
            root_sql("UPDATE users SET disabled = 0 WHERE id IN (%s)"
                     % ", ".join(map(sql_quote, others)), db="genesis")
    assert r.status_code == 409, (r.status_code, r.text)
    assert isinstance(r.json().get("detail"), str), r.text
    assert own.status_code == 403, (own.status_code, own.text)
    match(audit_rows(since, user_id=last.id), [
        ("disable", "denied", "last_admin", None),
        ("role_change", "denied", "own_role", None)], client=last.source)


def test_deletions(admin):
    src = fresh_address()
    own = new_user(src)
    login_ok(own, src)
    other = new_user()
    since = audit_max_id()
    r = call("DELETE", "/users/%s" % own.id, src, token=own.access)
    assert r.status_code == 200, r.text
    r = call("DELETE", "/users/%s" % other.id, admin.source, token=admin.access)
    assert r.status_code == 200, r.text
    match(audit_rows(since, user_id=own.id), [("user_delete", "success", None, None)],
          client=src)
    match(audit_rows(since, user_id=other.id), [("user_delete", "success", None, admin.id)],
          client=admin.source)


def test_audit_never_holds_a_secret():
    # The rows and log lines of this run's users hold no password or token.
    rows = root_sql("SELECT CONCAT_WS(' ', event, outcome, COALESCE(user_id, ''), "
                    "client_address, COALESCE(session_id, ''), COALESCE(details, '')) "
                    "FROM audit_log ORDER BY id DESC LIMIT 5000", db="genesis")
    text = "\n".join(r[0] for r in rows)
    secrets = [s for s in e2elib.SECRETS_USED if len(s) >= 8]
    assert secrets
    leaked = [s for s in secrets if s in text]
    assert not leaked, leaked[:3]
    assert "$argon2" not in text and "rt_" not in text and "eyJ" not in text


# --- the service account's grants ----------------------------------------------------

def test_service_account_can_insert_and_select_audit_log():
    rc, out, err = service_sql("SELECT COUNT(*) FROM audit_log")
    assert rc == 0 and out.strip().isdigit(), (rc, out, err)
    mark = "e2e-%s" % uuid.uuid4().hex[:12]
    rc, out, err = service_sql(
        "INSERT INTO audit_log (at, event, outcome, client_address, details) "
        "VALUES (UTC_TIMESTAMP(3), 'e2e_grant_check', 'success', '%s', '{}')" % mark)
    assert rc == 0, (rc, out, err)
    # (root removes the row again: it is no event of the service.)
    root_sql("DELETE FROM audit_log WHERE client_address = '%s'" % mark, db="genesis")


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET outcome = 'tampered' ORDER BY id DESC LIMIT 1",
    "UPDATE audit_log SET details = NULL",
    "DELETE FROM audit_log ORDER BY id DESC LIMIT 1",
    "DELETE FROM audit_log",
])
def test_service_account_cannot_change_or_remove_audit_rows(sql):
    before = root_sql("SELECT COUNT(*), COALESCE(MAX(id), 0), "
                      "MD5(GROUP_CONCAT(CONCAT_WS('|', id, outcome, COALESCE(details, '')) "
                      "ORDER BY id SEPARATOR ',')) FROM (SELECT * FROM audit_log "
                      "ORDER BY id DESC LIMIT 1000) t", db="genesis")
    rc, out, err = service_sql(sql)
    assert rc != 0, (out, err)
    assert "ERROR 1142" in err, err
    assert "audit_log" in err, err
    after = root_sql("SELECT COUNT(*), COALESCE(MAX(id), 0), "
                     "MD5(GROUP_CONCAT(CONCAT_WS('|', id, outcome, COALESCE(details, '')) "
                     "ORDER BY id SEPARATOR ',')) FROM (SELECT * FROM audit_log "
                     "WHERE id <= %s ORDER BY id DESC LIMIT 1000) t" % before[0][1],
                     db="genesis")
    assert after == before


@pytest.mark.parametrize("sql", [
    "TRUNCATE TABLE audit_log",
    "DROP TABLE audit_log",
    "ALTER TABLE audit_log ADD COLUMN x INT",
])
def test_service_account_cannot_drop_or_alter_audit_log(sql):
    rc, out, err = service_sql(sql)
    assert rc != 0 and "ERROR 1142" in err, (rc, out, err)
    assert root_sql("SELECT COUNT(*) FROM audit_log", db="genesis")[0][0] != "0"
