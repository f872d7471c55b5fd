"""SECURITY.md C-T2: per account over all addresses, after 100 consecutive
failures the account is locked for 15 min for everyone; the lock is kept
in MariaDB (users.failed_logins, users.locked_until), so it survives a
restart of every worker and of the database.  An admin unlock clears it.

The failures come from many fresh addresses, at most 4 each, so that no
(account, address) pair lock and no per-address rate limit plays a part.

This file restarts both worker pools (deploy/dev.sh workers-restart, which
also starts the shared-memory counters afresh) and the database
(dev.sh db-stop / db-start); the tests run in order and share one account."""
import itertools

import pytest

from abuselib import (ACCOUNT_THRESHOLD, LOCKOUT_THRESHOLD, assert_bad_login,
                      audit_max_id, audit_rows, brief, fresh_address, login, login_ok,
                      new_user, parallel, unlock, users_lock_state, wait_pools_full,
                      wait_ready, wrong_password)
from e2elib import dev_sh, shared_account

PER_ADDRESS = LOCKOUT_THRESHOLD - 1          # 4: never a pair lock
STATE = {}


@pytest.fixture(scope="module")
def admin():
    return shared_account("admin")


@pytest.fixture(scope="module")
def acct():
    return new_user()


def failures(acct, n):
    """n wrong passwords for acct, PER_ADDRESS per fresh address, concurrently."""
    sources = list(itertools.chain.from_iterable(
        [fresh_address()] * PER_ADDRESS for _ in range((n + PER_ADDRESS - 1) // PER_ADDRESS)))[:n]
    assert len(set(sources)) >= 25 or n < 100
    rs = parallel(lambda src: login(acct.username, wrong_password(), src), sources, threads=8)
    for r in rs:
        assert_bad_login(r)


def refused_everywhere(acct):
    """The right password from a fresh address: the ordinary 401."""
    src = fresh_address()
    since = audit_max_id()
    assert_bad_login(login(acct.username, acct.password, src))
    rows = audit_rows(since, user_id=acct.id)
    assert brief(rows) == [("login", "failure", "account_locked", None)], rows
    assert rows[0]["client_address"] == src, rows


def test_99_failures_do_not_lock(acct):
    STATE["since"] = audit_max_id()
    failures(acct, ACCOUNT_THRESHOLD - 1)
    failed, until, _ = users_lock_state(acct.id)
    assert (failed, until) == (ACCOUNT_THRESHOLD - 1, None)


def test_the_100th_failure_locks_the_account_for_everyone(acct):
    failures(acct, 1)
    failed, until, future = users_lock_state(acct.id)
    assert until is not None and future, (failed, until)
    assert failed == 0, failed                 # the count restarts at the lock
    rows = audit_rows(STATE["since"], user_id=acct.id)
    assert brief(rows).count(("login", "failure", "bad_password", None)) == ACCOUNT_THRESHOLD
    locks = [r for r in rows if r["event"] == "lockout"]
    assert brief(locks) == [("lockout", "account", "consecutive_failures", None)], locks
    refused_everywhere(acct)


def test_lock_is_about_15_minutes(acct, sql):
    rows = sql("SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), locked_until) FROM users "
               "WHERE id = '%s'" % acct.id, db="genesis")
    left = int(rows[0][0])
    assert 900 - 120 <= left <= 900, left


def test_lock_survives_a_restart_of_every_worker(acct):
    p = dev_sh("workers-restart", timeout=120)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    wait_pools_full()
    wait_ready()
    refused_everywhere(acct)


def test_lock_survives_a_restart_of_the_database(acct):
    p = dev_sh("db-stop", timeout=120)
    try:
        assert p.returncode == 0, p.stderr.decode(errors="replace")
    finally:
        q = dev_sh("db-start", timeout=120)
    assert q.returncode == 0, q.stderr.decode(errors="replace")
    wait_ready(timeout=60)
    refused_everywhere(acct)
    assert users_lock_state(acct.id)[2]


def test_admin_unlock_ends_the_account_lock(acct, admin):
    since = audit_max_id()
    r = unlock(admin, acct.id)
    assert r.status_code == 200, r.text
    assert r.json() == {"message": "Account unlocked"}
    failed, until, _ = users_lock_state(acct.id)
    assert (failed, until) == (0, None)
    login_ok(acct, fresh_address())
    rows = audit_rows(since, user_id=acct.id)
    assert brief(rows) == [("unlock", "success", None, admin.id),
                           ("login", "success", None, None)], rows


def test_a_success_resets_the_account_count():
    acct = new_user()
    failures(acct, 60)
    assert users_lock_state(acct.id)[0] == 60
    login_ok(acct, fresh_address())
    assert users_lock_state(acct.id)[:2] == (0, None)
