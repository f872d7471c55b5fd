"""SECURITY.md C-T2 / C-T16: per (account, client address) lockout.  After
5 consecutive failures the address is locked out of the account for 60 s
(each further failure after that doubles the lock, up to 900 s); a success
resets the count; a locked attempt gets the ordinary 401 {"detail":
"Incorrect username or password"}, indistinguishable from a wrong password
or an unknown user.  The account's owner, from another address, is not
affected.  POST /admin/users/{id}/unlock clears every address's lock.

Every test uses fresh accounts and fresh source addresses."""
import time

import pytest

import e2elib
from abuselib import (LOCKOUT_BASE, LOCKOUT_THRESHOLD, assert_bad_login, audit_max_id,
                      audit_rows, call, fresh_address, login, login_ok, new_user,
                      parallel, unlock, users_lock_state, wrong_password)
from e2elib import assert_detail, assert_forbidden, shared_account, unique_name


@pytest.fixture(scope="module")
def admin():
    return shared_account("admin")


def fail(acct, source, n, name=None):
    """n wrong passwords for acct (or the name typed) from source, each 401."""
    for _ in range(n):
        assert_bad_login(login(name or acct.username, wrong_password(), source))


def answer(resp):
    """What a client can see of a login failure."""
    return (resp.status_code, resp.content, resp.headers.get("WWW-Authenticate"),
            resp.headers.get("Content-Type"), resp.headers.get("Cache-Control"))


def test_five_failures_lock_that_address_out_of_the_account_only():
    acct = new_user()
    a, b = fresh_address(), fresh_address()
    fail(acct, a, LOCKOUT_THRESHOLD)
    locked = login(acct.username, acct.password, a)
    assert_bad_login(locked)
    # The locked answer is the wrong-password and the unknown-user answer.
    wrong = login(acct.username, wrong_password(), fresh_address())
    unknown = login(unique_name("nobody"), wrong_password(), fresh_address())
    assert answer(locked) == answer(wrong) == answer(unknown)
    # The owner, from another address, gets in; the account is not locked.
    login_ok(acct, b)
    assert users_lock_state(acct.id)[1] is None
    # ... and that success does not unlock the attacker's address.
    assert_bad_login(login(acct.username, acct.password, a))


def test_four_failures_do_not_lock_and_a_success_resets_the_count():
    acct = new_user()
    a = fresh_address()
    fail(acct, a, LOCKOUT_THRESHOLD - 1)
    login_ok(acct, a)
    # Had the success not reset it, these would be failures 5..8.
    fail(acct, a, LOCKOUT_THRESHOLD - 1)
    login_ok(acct, a)
    fail(acct, a, LOCKOUT_THRESHOLD)
    assert_bad_login(login(acct.username, acct.password, a))


def test_failures_count_per_account_whether_typed_as_username_or_email():
    acct = new_user()
    a = fresh_address()
    fail(acct, a, 3)
    fail(acct, a, 2, name=acct.email)
    assert_bad_login(login(acct.username, acct.password, a))
    assert_bad_login(login(acct.email, acct.password, a))
    login_ok(acct, fresh_address())


def test_concurrent_failures_are_counted_exactly():
    # Four at once from one address: not yet locked (no over-count) ...
    acct = new_user()
    a = fresh_address()
    rs = parallel(lambda _: login(acct.username, wrong_password(), a),
                  range(LOCKOUT_THRESHOLD - 1), threads=LOCKOUT_THRESHOLD - 1)
    for r in rs:
        assert_bad_login(r)
    login_ok(acct, a)
    # ... five at once: locked (no lost update).
    rs = parallel(lambda _: login(acct.username, wrong_password(), a),
                  range(LOCKOUT_THRESHOLD), threads=LOCKOUT_THRESHOLD)
    for r in rs:
        assert_bad_login(r)
    assert_bad_login(login(acct.username, acct.password, a))
    login_ok(acct, fresh_address())


def test_admin_unlock_clears_the_lock_of_every_address(admin):
    acct = new_user()
    a, b = fresh_address(), fresh_address()
    fail(acct, a, LOCKOUT_THRESHOLD)
    fail(acct, b, LOCKOUT_THRESHOLD)
    assert_bad_login(login(acct.username, acct.password, a))
    assert_bad_login(login(acct.username, acct.password, b))
    r = unlock(admin, acct.id)
    assert r.status_code == 200, r.text
    e2elib.assert_json_response(r)
    assert r.json() == {"message": "Account unlocked"}
    login_ok(acct, a)
    login_ok(acct, b)
    # Unlocking starts the count afresh: 4 more failures do not lock.
    fail(acct, a, LOCKOUT_THRESHOLD - 1)
    login_ok(acct, a)


def test_unlock_is_for_admins_only(admin):
    acct = new_user()
    other = new_user()
    login_ok(other, fresh_address())
    a = fresh_address()
    fail(acct, a, LOCKOUT_THRESHOLD)
    assert_forbidden(call("POST", "/admin/users/%s/unlock" % acct.id, fresh_address(),
                          token=other.access))
    e2elib.assert_unauthorized(call("POST", "/admin/users/%s/unlock" % acct.id,
                                    fresh_address()), "Not authenticated")
    # A user cannot unlock themselves either (their own session, other address).
    login_ok(acct, fresh_address())
    assert_forbidden(call("POST", "/admin/users/%s/unlock" % acct.id, fresh_address(),
                          token=acct.access))
    assert_bad_login(login(acct.username, acct.password, a))
    assert_detail(unlock(admin, "00000000-0000-4000-8000-000000000000"), 404, "User not found")
    assert_detail(unlock(admin, "not-a-uuid"), 404, "User not found")


def test_lock_expires_then_one_more_failure_locks_again(admin):
    # The one long wait of the suite: the 60 s lock runs out.
    expiring, relocking, ghost_src = new_user(), new_user(), fresh_address()
    a = fresh_address()
    fail(expiring, a, LOCKOUT_THRESHOLD)
    fail(relocking, a, LOCKOUT_THRESHOLD)
    ghost = unique_name("ghost")
    fail(None, ghost_src, LOCKOUT_THRESHOLD, name=ghost)
    locked_at = time.monotonic()
    assert_bad_login(login(expiring.username, expiring.password, a))
    assert_bad_login(login(relocking.username, relocking.password, a))
    since = audit_max_id()

    time.sleep(max(0.0, locked_at + LOCKOUT_BASE + 1.5 - time.monotonic()))

    login_ok(expiring, a)
    # After expiry a single failure locks again (120 s now, doubled).
    fail(relocking, a, 1)
    assert_bad_login(login(relocking.username, relocking.password, a))
    # ... until an admin unlocks it.
    r = unlock(admin, relocking.id)
    assert r.status_code == 200, r.text
    login_ok(relocking, a)
    # An unknown name's lock expired too: the next attempt is an ordinary
    # failure again (not "address_locked"), which locks it again at once;
    # the one after is refused as locked (seen in the audit trail).
    fail(None, ghost_src, 2, name=ghost)
    rows = audit_rows(since, client=ghost_src, null_user=True)
    got = [(r["event"], r["outcome"]) + ((r["details"] or {}).get("reason"),) for r in rows]
    assert got[0] == ("login", "failure", "unknown_user"), got
    assert [g[:2] for g in got] == [("login", "failure"), ("lockout", "address"),
                                    ("login", "failure")], got
    assert got[2][2] == "address_locked", got
