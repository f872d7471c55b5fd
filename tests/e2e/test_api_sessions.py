"""Sessions (API.md, Sessions) and revocation that takes effect at once
(SECURITY.md C-T4, C-T11): logout, session revocation, password change,
disable and delete each kill the existing access and refresh tokens on
the very next request."""
import time
import uuid

import pytest

from e2elib import (RFC3339_Z_RE, Account, SESSION_FIELDS, api, assert_detail,
                    assert_json_response, assert_token_pair,
                    assert_unauthorized, body_of, conf_get, dev_sh, login_response,
                    note_secret,
                    refresh_response, register_account, root_sql,
                    shared_account, sql_quote, strong_password, WORKERS)

INVALID_RT = "Invalid refresh token"


def assert_dead(*accounts):
    """Every token of every account is refused, now."""
    for a in accounts:
        assert_unauthorized(api("GET", "/users/me", a.access))
        assert_unauthorized(api("POST", "/token/validate", a.access))
        assert_unauthorized(api("GET", "/auth/sessions", a.access))
        r = refresh_response(a.refresh)
        assert r.status_code == 401, (r.status_code, r.text)
        assert r.json()["detail"] == INVALID_RT, r.text


def assert_alive(*accounts):
    for a in accounts:
        r = api("POST", "/token/validate", a.access)
        assert r.status_code == 200, (r.status_code, r.text)


def revoked(sid):
    rows = root_sql("SELECT revoked_at IS NOT NULL FROM sessions WHERE id = %s"
                    % sql_quote(sid), db="genesis")
    return rows == [["1"]]


# --- listing ----------------------------------------------------------------------

def test_sessions_list_shape():
    a = register_account()
    # A browser's User-Agent with a marker of this run at its end: the list
    # names the device ("Firefox on Linux") and never shows the raw text.
    marker = "e2e-device/%s" % uuid.uuid4().hex[:8]
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0 " + marker
    r = login_response(a.username, a.password, headers={"User-Agent": ua})
    b = Account(a.id, a.username, a.email, a.password).take(assert_token_pair(r), r.source)
    r = api("GET", "/auth/sessions", a.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    body = body_of(r)
    assert set(body) == {"sessions", "total"}
    assert body["total"] == len(body["sessions"]) == 2, body
    by_id = {s["id"]: s for s in body["sessions"]}
    assert set(by_id) == {a.sid, b.sid}
    for s in body["sessions"]:
        assert set(s) == SESSION_FIELDS, s
        assert s["login_method"] == "password"
        assert RFC3339_Z_RE.match(s["created_at"]) and RFC3339_Z_RE.match(s["last_activity_at"])
        assert isinstance(s["ip_address"], str) and s["ip_address"]
        assert s["is_current"] is (s["id"] == a.sid)
    # The client address is the one the login came from (REMOTE_ADDR).
    assert by_id[a.sid]["ip_address"] == a.source
    assert by_id[b.sid]["ip_address"] == b.source
    assert by_id[b.sid]["device_name"] == "Firefox on Linux"
    assert marker not in r.text
    # From the other session the flags swap.
    body = body_of(api("GET", "/auth/sessions", b.access))
    assert {s["id"]: s["is_current"] for s in body["sessions"]} == {a.sid: False, b.sid: True}


def test_sessions_list_only_active():
    a = register_account()
    b = a.another_session()
    c = a.another_session()
    assert api("POST", "/logout", b.access).status_code == 200
    body = body_of(api("GET", "/auth/sessions", a.access))
    assert {s["id"] for s in body["sessions"]} == {a.sid, c.sid}
    assert body["total"] == 2


# --- revoking one, revoking the others ---------------------------------------------------

def test_revoke_one_session():
    a = register_account()
    b = a.another_session()
    r = api("DELETE", "/auth/sessions/%s" % b.sid, a.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"message": "Session revoked"}
    assert_dead(b)
    assert_alive(a)
    assert revoked(b.sid) and not revoked(a.sid)
    # Again: it is no longer an active session of the caller.
    r = api("DELETE", "/auth/sessions/%s" % b.sid, a.access)
    assert_detail(r, 404, "Session not found")


def test_revoke_own_current_session():
    a = register_account()
    r = api("DELETE", "/auth/sessions/%s/" % a.sid, a.access)
    assert r.status_code == 200, r.text
    assert_dead(a)


def test_revoke_session_of_another_user_is_not_found():
    a = register_account()
    victim = register_account()
    r = api("DELETE", "/auth/sessions/%s" % victim.sid, a.access)
    assert_detail(r, 404, "Session not found")
    assert_alive(victim)
    assert not revoked(victim.sid)
    # Even an admin only revokes their own sessions here.
    r = api("DELETE", "/auth/sessions/%s" % victim.sid, shared_account("admin_main").access)
    assert_detail(r, 404, "Session not found")
    assert_alive(victim)


@pytest.mark.parametrize("sid", [
    str(uuid.uuid4()), "not-a-session", "0" * 36, "1" * 100, "%27%20OR%201%3D1",
])
def test_revoke_unknown_session(sid):
    a = shared_account("sessions_probe")
    r = api("DELETE", "/auth/sessions/%s" % sid, a.access)
    assert_detail(r, 404, "Session not found")
    assert_alive(a)


def test_revoke_other_sessions():
    a = register_account()
    others = [a.another_session() for _ in range(2)]
    bystander = register_account()
    r = api("DELETE", "/auth/sessions", a.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"message": "Revoked 2 other session(s)"}
    assert_dead(*others)
    assert_alive(a, bystander)
    body = body_of(api("GET", "/auth/sessions/", a.access))
    assert [s["id"] for s in body["sessions"]] == [a.sid] and body["total"] == 1
    r = api("DELETE", "/auth/sessions/", a.access)
    assert body_of(r) == {"message": "Revoked 0 other session(s)"}
    # The current session still refreshes.
    assert_token_pair(refresh_response(a.refresh))


# --- what kills tokens at once --------------------------------------------------------

def test_logout_kills_session():
    a = register_account()
    b = a.another_session()
    r = api("POST", "/logout", a.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"message": "Logged out"}
    assert_dead(a)
    assert revoked(a.sid)
    assert_alive(b)
    # A second logout with the dead token is just unauthenticated.
    assert_unauthorized(api("POST", "/logout", a.access))


def test_logout_after_refresh_kills_new_tokens():
    a = register_account()
    pair = assert_token_pair(refresh_response(a.refresh))
    assert api("POST", "/logout", pair["access_token"]).status_code == 200
    assert_unauthorized(api("GET", "/users/me", a.access))
    assert_unauthorized(refresh_response(pair["refresh_token"]), INVALID_RT)


def test_self_password_change_kills_every_session():
    a = register_account()
    b = a.another_session()
    new = strong_password()
    r = api("PUT", "/users/%s" % a.id, a.access,
            json={"password": new, "current_password": a.password})
    assert r.status_code == 200, r.text
    assert new not in r.text and a.password not in r.text and "$argon2" not in r.text
    # Every session of the user, this one included (API.md).
    assert_dead(a, b)
    assert revoked(a.sid) and revoked(b.sid)
    assert_unauthorized(login_response(a.username, a.password), "Incorrect username or password")
    a.password = new
    assert_alive(a.login())


def test_admin_password_change_kills_every_session():
    a = register_account()
    b = a.another_session()
    new = strong_password()
    r = api("PUT", "/users/%s" % a.id, shared_account("admin_main").access,
            json={"password": new})
    assert r.status_code == 200, r.text
    assert_dead(a, b)
    assert_alive(shared_account("admin_main"))
    a.password = new
    assert_alive(a.login())


def test_username_change_keeps_sessions():
    a = register_account()
    r = api("PUT", "/users/%s" % a.id, a.access, json={"email": "%s@example.org" % a.username})
    assert r.status_code == 200, r.text
    assert_alive(a)


def test_disable_kills_sessions_and_enable_does_not_revive():
    adm = shared_account("admin_main")
    a = register_account()
    b = a.another_session()
    r = api("POST", "/admin/users/%s/disable" % a.id, adm.access, json={"disabled": True})
    assert r.status_code == 200, r.text
    assert body_of(r)["disabled"] is True and body_of(r)["is_active"] is False
    assert_dead(a, b)
    assert revoked(a.sid) and revoked(b.sid)
    assert_detail(login_response(a.username, a.password), 403, "User account is deactivated")
    # A wrong password for a disabled account is the ordinary 401.
    r = login_response(a.username, note_secret(a.password + "!"))
    assert_unauthorized(r, "Incorrect username or password")
    r = api("POST", "/admin/users/%s/disable" % a.id, adm.access, json={"disabled": False})
    assert r.status_code == 200, r.text
    assert body_of(r)["disabled"] is False and body_of(r)["is_active"] is True
    assert_dead(a, b)
    assert_alive(a.login())


def test_self_delete_kills_sessions():
    a = register_account()
    b = a.another_session()
    r = api("DELETE", "/users/%s" % a.id, a.access)
    assert r.status_code == 200, r.text
    assert_dead(a, b)
    assert_unauthorized(login_response(a.username, a.password), "Incorrect username or password")
    assert root_sql("SELECT COUNT(*) FROM sessions WHERE user_id = %s" % sql_quote(a.id),
                    db="genesis") == [["0"]]


def test_admin_delete_kills_sessions():
    a = register_account()
    b = a.another_session()
    r = api("DELETE", "/users/%s" % a.id, shared_account("admin_main").access)
    assert r.status_code == 200, r.text
    assert_dead(a, b)
    assert_detail(api("GET", "/users/%s" % a.id, shared_account("admin_main").access),
                  404, "User not found")


def query_cache_hits():
    return int(root_sql("SHOW GLOBAL STATUS LIKE 'Qcache_hits'")[0][1])


def test_tokens_the_workers_remember_die_at_once():
    """Each worker remembers the tokens it has verified (common/jwt_memo.c):
    their signature, never whether their session and user still live; and
    MariaDB keeps the answers of the session read (query_cache_type DEMAND
    on the dev stack), which every write to sessions or users drops."""
    adm = shared_account("admin_main")
    a, b, c = register_account(), register_account(), register_account()
    uses = 5 * WORKERS  # new connections: each worker almost surely sees each token
    hits = query_cache_hits()
    for _ in range(uses):
        assert_alive(a, b, c)
        assert api("GET", "/users/me", a.access).status_code == 200
    assert query_cache_hits() - hits >= uses, "the session read was not kept"
    assert api("POST", "/logout", a.access).status_code == 200
    r = api("POST", "/admin/users/%s/disable" % b.id, adm.access, json={"disabled": True})
    assert r.status_code == 200, r.text
    r = api("DELETE", "/users/%s" % c.id, adm.access)
    assert r.status_code == 200, r.text
    for _ in range(uses):
        for x in (a, b, c):
            assert_unauthorized(api("POST", "/token/validate", x.access))
            assert_unauthorized(api("GET", "/users/me", x.access))


# --- expiry (API.md, Refresh token; SECURITY.md C-T11) --------------------------------------

def session_times(sid):
    """Seconds from now to expires_at and to absolute_expires_at."""
    rows = root_sql("SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), expires_at), "
                    "TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), absolute_expires_at) "
                    "FROM sessions WHERE id = %s" % sql_quote(sid), db="genesis")
    return int(rows[0][0]), int(rows[0][1])


def test_session_lifetimes_slide_and_are_capped():
    ttl = int(conf_get("refresh_token_ttl", 7 * 86400))
    cap = int(conf_get("session_max_lifetime", 30 * 86400))
    a = register_account()
    exp, absolute = session_times(a.sid)
    assert abs(exp - ttl) <= 5 and abs(absolute - cap) <= 5, (exp, absolute)
    # Rotation slides expires_at, but never past the absolute lifetime.
    root_sql("UPDATE sessions SET expires_at = UTC_TIMESTAMP() + INTERVAL 60 SECOND, "
             "absolute_expires_at = UTC_TIMESTAMP() + INTERVAL 3600 SECOND WHERE id = %s"
             % sql_quote(a.sid), db="genesis")
    pair = assert_token_pair(refresh_response(a.refresh))
    exp, absolute = session_times(a.sid)
    assert exp == absolute and abs(absolute - 3600) <= 5, (exp, absolute)
    a.take(pair)
    root_sql("UPDATE sessions SET expires_at = UTC_TIMESTAMP() + INTERVAL 60 SECOND, "
             "absolute_expires_at = UTC_TIMESTAMP() + INTERVAL %d SECOND WHERE id = %s"
             % (cap, sql_quote(a.sid)), db="genesis")
    a.take(assert_token_pair(refresh_response(a.refresh)))
    exp, _ = session_times(a.sid)
    assert abs(exp - ttl) <= 5, exp
    assert_alive(a)


@pytest.mark.parametrize("column", ["expires_at", "both"])
def test_expired_session_is_dead(column):
    a = register_account()
    if column == "both":
        sets = ("expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND, "
                "absolute_expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND")
    else:
        sets = "expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND"
    root_sql("UPDATE sessions SET %s WHERE id = %s" % (sets, sql_quote(a.sid)), db="genesis")
    assert_dead(a)
    body = body_of(api("GET", "/auth/sessions", a.another_session().access))
    assert a.sid not in [s["id"] for s in body["sessions"]]


def test_a_session_that_ends_while_its_answer_is_kept_is_dead():
    """The kept answer holds expires_at; the worker compares it with its clock."""
    a = register_account()
    root_sql("UPDATE sessions SET expires_at = UTC_TIMESTAMP() + INTERVAL 3 SECOND "
             "WHERE id = %s" % sql_quote(a.sid), db="genesis")
    assert_alive(a)
    hits = query_cache_hits()
    assert_alive(a)
    assert query_cache_hits() > hits, "the second read was not a kept answer"
    time.sleep(3.2)
    hits = query_cache_hits()
    assert_unauthorized(api("POST", "/token/validate", a.access))
    assert query_cache_hits() > hits, "the refusal did not come from a kept answer"


# --- purging ended sessions (genesis-admin purge-sessions) ----------------------------

def count(sql):
    return int(root_sql(sql, db="genesis")[0][0])


def ended(sid, column, days):
    root_sql("UPDATE sessions SET %s = UTC_TIMESTAMP() - INTERVAL %d DAY WHERE id = %s"
             % (column, days, sql_quote(sid)), db="genesis")


def purge(*args):
    p = dev_sh("admin", "purge-sessions", *args)
    return p.returncode, p.stdout.decode() + p.stderr.decode()


def test_purge_deletes_only_sessions_that_ended_long_ago():
    a = register_account()
    revoked_long_ago, expired_long_ago, revoked_lately = (
        a.another_session(), a.another_session(), a.another_session())
    # A retired token of its own, which must go with it.
    revoked_long_ago.take(assert_token_pair(refresh_response(revoked_long_ago.refresh)))
    ended(revoked_long_ago.sid, "revoked_at", 31)
    ended(expired_long_ago.sid, "expires_at", 31)
    ended(revoked_lately.sid, "revoked_at", 2)
    sid = sql_quote(revoked_long_ago.sid)
    assert count("SELECT COUNT(*) FROM retired_refresh_tokens WHERE session_id = %s" % sid) == 1
    audit_rows = count("SELECT COUNT(*) FROM audit_log WHERE session_id = %s" % sid)
    assert audit_rows >= 2  # its login and its refresh

    rc, out = purge()
    assert rc == 0, out
    assert "ended more than 30 day(s) ago" in out, out
    gone = lambda s: count("SELECT COUNT(*) FROM sessions WHERE id = %s" % sql_quote(s)) == 0
    assert gone(revoked_long_ago.sid) and gone(expired_long_ago.sid)
    assert not gone(revoked_lately.sid) and not gone(a.sid)
    assert count("SELECT COUNT(*) FROM retired_refresh_tokens WHERE session_id = %s" % sid) == 0
    assert count("SELECT COUNT(*) FROM audit_log WHERE session_id = %s" % sid) == audit_rows
    assert count("SELECT COUNT(*) FROM audit_log WHERE event = 'sessions_purge'") >= 1
    # The deleted session's tokens stay dead; the live one lives.
    assert_unauthorized(refresh_response(revoked_long_ago.refresh), INVALID_RT)
    assert_unauthorized(api("GET", "/users/me", revoked_long_ago.access))
    assert_alive(a)

    rc, out = purge("1")
    assert rc == 0, out
    assert gone(revoked_lately.sid) and not gone(a.sid)


@pytest.mark.parametrize("days", ["-1", "x", "36501", "1 2"])
def test_purge_refuses_a_bad_count_of_days(days):
    rc, out = purge(*days.split())
    assert rc == 64, out
    assert "usage" in out
