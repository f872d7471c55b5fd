"""SECURITY.md C-T2 / C-T9: per client address, token buckets in one
shared-memory segment used by every worker of both pools.  POST /token and
/refresh_token: 10/min, burst 20; every route: 100/s, burst 200.  Over the
limit: 429 {"detail":"Too many requests"} with Retry-After, decided before
the body is read, the database is asked or a password is hashed.

Each test sends from loopback addresses no other test uses
(abuselib.fresh_address), so it starts with full buckets."""
import time
import uuid

import e2elib
from abuselib import (ALL_BURST, ALL_PER_SECOND, TOKEN_BURST, TOKEN_PER_MINUTE,
                      assert_429, assert_bad_login, audit_max_id, audit_rows, call,
                      client_for, fresh_address, login, login_ok, new_user, parallel,
                      users_lock_state, wait_pools_full, wrong_password)
from e2elib import WORKERS, assert_detail, note_secret, unique_name, url

# Seconds between two /token tokens at the default rate.
TOKEN_INTERVAL = 60.0 / TOKEN_PER_MINUTE


def token_attempt(source):
    """One failed login of a name nobody has (so no pair is locked and the
    answer is 401 unless the address is over its limit)."""
    def go(_):
        s = e2elib.client(source)        # a connection of its own per request
        try:
            return _post_token(s, source)
        finally:
            s.close()
    return go


def _post_token(session, source):
    data = {"grant_type": "password", "username": unique_name("ghost"),
            "password": wrong_password()}
    r = session.post(url("/token"), data=data, timeout=30)
    r.source = source
    return r


def refresh_attempt(source):
    def go(_):
        s = e2elib.client(source)
        try:
            rt = note_secret("rt_" + e2elib.b64url(uuid.uuid4().bytes * 2))
            return s.post(url("/refresh_token"), headers=e2elib.bearer(rt), timeout=30)
        finally:
            s.close()
    return go


def split(responses):
    ok = [r for r in responses if r.status_code != 429]
    limited = [r for r in responses if r.status_code == 429]
    return ok, limited


def test_token_limit_is_exact_across_workers_under_concurrency():
    # 30 logins from one fresh address, 16 at a time: exactly the burst
    # (20) gets through, whichever of the workers serves them.
    main, hashers = wait_pools_full()
    assert len(main) == WORKERS and len(hashers) >= 2, (main, hashers)
    src = fresh_address()
    t0 = time.monotonic()
    rs = parallel(token_attempt(src), range(30), threads=16)
    elapsed = time.monotonic() - t0
    ok, limited = split(rs)
    assert elapsed < TOKEN_INTERVAL, "too slow to test the burst: %.1fs" % elapsed
    assert (len(ok), len(limited)) == (TOKEN_BURST, 30 - TOKEN_BURST), \
        sorted(r.status_code for r in rs)
    for r in ok:
        assert_bad_login(r)
    for r in limited:
        ra = assert_429(r)
        assert 1 <= ra <= TOKEN_INTERVAL, ra


def test_refresh_token_limit_is_exact_across_workers_under_concurrency():
    # /refresh_token is served by the main pool (4 workers).
    src = fresh_address()
    t0 = time.monotonic()
    rs = parallel(refresh_attempt(src), range(30), threads=16)
    assert time.monotonic() - t0 < TOKEN_INTERVAL
    ok, limited = split(rs)
    assert (len(ok), len(limited)) == (TOKEN_BURST, 30 - TOKEN_BURST), \
        sorted(r.status_code for r in rs)
    for r in ok:
        assert_detail(r, 401, "Invalid refresh token")
    for r in limited:
        assert 1 <= assert_429(r) <= TOKEN_INTERVAL


def test_21st_sequential_token_request_is_refused_and_retry_after_is_honest():
    src = fresh_address()
    s = client_for(src)
    t0 = time.monotonic()
    for i in range(TOKEN_BURST):
        r = _post_token(s, src)
        assert r.status_code == 401, (i, r.status_code, r.text)
    r = _post_token(s, src)
    t21 = time.monotonic()
    ra = assert_429(r)
    # The next token is due TOKEN_INTERVAL after the first request; the
    # header rounds the rest up to whole seconds.
    assert ra <= TOKEN_INTERVAL, ra
    assert ra >= TOKEN_INTERVAL - (t21 - t0) - 1, (ra, t21 - t0)
    # Well before Retry-After: still refused (and a refusal costs nothing).
    if ra >= 3:
        time.sleep(ra - 2.5)
        r = _post_token(s, src)
        assert 1 <= assert_429(r) <= 3, r.headers
    # After Retry-After: exactly one more request is allowed.
    time.sleep(max(0.0, t21 + ra + 0.3 - time.monotonic()))
    r = _post_token(s, src)
    assert_bad_login(r)
    r = _post_token(s, src)
    assert 1 <= assert_429(r) <= TOKEN_INTERVAL


def test_refused_login_costs_no_database_work_and_no_failure_count():
    # A 429 is decided before the body is read: a wrong password sent
    # over the limit is neither audited nor counted for the lockout, and
    # the right one is not checked either.
    acct = new_user()
    src = fresh_address()
    rs = parallel(token_attempt(src), range(TOKEN_BURST), threads=8)
    assert all(r.status_code == 401 for r in rs), [r.status_code for r in rs]
    since = audit_max_id()
    for _ in range(8):
        assert_429(login(acct.username, wrong_password(), src))
    assert_429(login(acct.username, acct.password, src))
    assert audit_rows(since, user_id=acct.id) == []
    assert users_lock_state(acct.id)[0] == 0
    # The address is not locked out of the account: once the bucket has
    # a token again, the right password works from it.
    time.sleep(TOKEN_INTERVAL + 0.3)
    login_ok(acct, src)


def test_limits_are_per_address():
    # One address over its /token limit does not affect another.
    src = fresh_address()
    rs = parallel(token_attempt(src), range(TOKEN_BURST + 2), threads=8)
    assert sorted(r.status_code for r in rs) == [401] * TOKEN_BURST + [429] * 2
    acct = new_user()
    assert_429(login(acct.username, acct.password, src))
    login_ok(acct, fresh_address())
    # Other routes still answer that address (their own, larger bucket).
    r = call("GET", "/health", src)
    assert r.status_code == 200, r.text


def test_all_routes_limit_is_shared_by_both_pools():
    # GET /health goes to the main pool, POST /users/ to the hashing pool
    # (a malformed body: 422 without hashing).  One bucket of burst 200 at
    # 100/s covers both: the number let through is at most the burst plus
    # what refilled meanwhile, far from 2 x 200 (per pool) or 6 x 200
    # (per worker).
    src = fresh_address()
    sessions = [e2elib.client(src) for _ in range(16)]

    def one(i):
        s = sessions[i % len(sessions)]
        if i % 3 == 0:
            return s.get(url("/health"), timeout=30)
        return s.post(url("/users/"), data=b"{", timeout=30,
                      headers={"Content-Type": "application/json"})

    n = 450
    t0 = time.monotonic()
    rs = parallel(one, range(n), threads=16)
    elapsed = time.monotonic() - t0
    for s in sessions:
        s.close()
    statuses = [r.status_code for r in rs]
    assert set(statuses) <= {200, 422, 429}, sorted(set(statuses))
    ok = [r for r in rs if r.status_code != 429]
    # Both pools served some of the burst.
    assert any(r.status_code == 200 for r in ok) and any(r.status_code == 422 for r in ok)
    assert len(ok) >= ALL_BURST, (len(ok), elapsed)
    ceiling = ALL_BURST + ALL_PER_SECOND * elapsed + 1
    assert len(ok) <= ceiling, (len(ok), ceiling, elapsed)
    limited = [r for r in rs if r.status_code == 429]
    assert limited, (len(ok), elapsed)
    for r in limited[:20]:
        assert assert_429(r) >= 1


def test_rate_limit_ignores_x_forwarded_for():
    # The client address is REMOTE_ADDR; headers never change it.
    src = fresh_address()
    s = client_for(src)
    for i in range(TOKEN_BURST + 3):
        data = {"grant_type": "password", "username": unique_name("ghost"),
                "password": wrong_password()}
        r = s.post(url("/token"), data=data, timeout=30, headers={
            "X-Forwarded-For": "10.%d.%d.%d" % (i, i, i + 1),
            "X-Real-IP": "10.9.%d.1" % i, "Forwarded": "for=10.8.%d.1" % i})
        if i < TOKEN_BURST:
            assert_bad_login(r)
        else:
            assert_429(r)
