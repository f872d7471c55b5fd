"""The database goes away and comes back (API.md /health/ready; the
db_connect_timeout notes of genesis.conf.example): while MariaDB is down,
requests that need it get 503 at once, /health stays 200, no worker
crashes and nothing answers 500; once it is back, everything works again
without restarting the workers.

This file stops the stack's MariaDB, so it runs after every other file
but the log check (files run in name order)."""
import time

import pytest
import requests

from e2elib import (WORKERS, assert_json_response, body_of, dev_sh, new_account,
                    post_json, url, user_row, worker_pids)

# How long one request may take while the database is down.
FAST = 3.0
# How long the service may take to notice the database is back.
RECOVERY = 15.0

STATE = {"statuses": [], "attempted": []}


def timed(method, path, **kw):
    """One request in a fresh session; returns (response, seconds)."""
    t = time.monotonic()
    with requests.Session() as s:
        if method == "POST":
            r = post_json(s, path, kw.pop("json"), timeout=10, **kw)
        else:
            r = s.request(method, url(path), timeout=10, **kw)
    dt = time.monotonic() - t
    STATE["statuses"].append((method, path, r.status_code, r.text[:200]))
    return r, dt


def db_is_up():
    try:
        r = requests.get(url("/health/ready"), timeout=10)
    except requests.RequestException:
        return False
    return r.status_code == 200


@pytest.fixture(scope="module")
def db_down():
    pids = worker_pids()
    assert len(pids) == WORKERS, pids
    STATE["pids"] = pids
    r, _ = timed("GET", "/health/ready")
    assert r.status_code == 200, "the database is not up before the test: %s" % r.text
    p = dev_sh("db-stop")
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    try:
        yield
    finally:
        # Whatever happened, leave the database running.
        if not db_is_up():
            dev_sh("db-start")


def test_ready_is_503_while_db_down(db_down):
    for _ in range(2 * WORKERS + 2):
        r, dt = timed("GET", "/health/ready")
        assert r.status_code == 503, (r.status_code, r.text)
        assert_json_response(r)
        assert body_of(r).get("database") == "unavailable", r.text
        assert dt < FAST, "GET /health/ready took %.2f s" % dt


def test_health_is_200_while_db_down(db_down):
    for _ in range(WORKERS):
        r, dt = timed("GET", "/health")
        assert r.status_code == 200, (r.status_code, r.text)
        assert body_of(r) == {"status": "ok", "service": "genesis-iam"}
        assert dt < FAST, "GET /health took %.2f s" % dt


def test_register_is_503_while_db_down(db_down):
    for _ in range(2 * WORKERS):
        u, e, p = new_account()
        STATE["attempted"].append(u)
        r, dt = timed("POST", "/users/", json={"username": u, "email": e, "password": p})
        assert r.status_code == 503, (r.status_code, r.text)
        assert_json_response(r)
        assert body_of(r) == {"detail": "Service temporarily unavailable"}
        assert dt < FAST, "POST /users/ took %.2f s" % dt


def test_recovers_after_db_start(db_down):
    p = dev_sh("db-start")
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    deadline = time.monotonic() + RECOVERY
    ok_in_a_row = 0
    while ok_in_a_row < 2 * WORKERS:
        assert time.monotonic() < deadline, (
            "not ready %.0f s after the database came back: %s"
            % (RECOVERY, STATE["statuses"][-3:]))
        r, _ = timed("GET", "/health/ready")
        if r.status_code == 200:
            assert body_of(r) == {"status": "ok", "database": "ok"}
            ok_in_a_row += 1
        else:
            assert r.status_code == 503, (r.status_code, r.text)
            ok_in_a_row = 0
            time.sleep(0.2)
    # Registrations go to the hashing pool, whose workers wait up to a
    # second before they try to connect again (db.c): give them that,
    # then every worker, whichever nginx picks, registers again.
    while True:
        u, e, pw = new_account()
        r, _ = timed("POST", "/users/", json={"username": u, "email": e, "password": pw})
        if r.status_code == 200:
            break
        assert r.status_code == 503, (r.status_code, r.text)
        assert time.monotonic() < deadline, "registration still refused"
        time.sleep(0.2)
    time.sleep(1.1)
    for _ in range(2 * WORKERS):
        u, e, pw = new_account()
        r, _ = timed("POST", "/users/", json={"username": u, "email": e, "password": pw})
        assert r.status_code == 200, (r.status_code, r.text)
        assert body_of(r)["username"] == u
        assert user_row(u) is not None


def test_nothing_stored_while_db_down(db_down):
    assert STATE["attempted"]
    for u in STATE["attempted"]:
        assert user_row(u) is None, u


def test_no_worker_crashed(db_down):
    assert worker_pids() == STATE["pids"]


def test_no_500(db_down):
    assert STATE["statuses"]
    bad = [s for s in STATE["statuses"] if s[2] >= 500 and s[2] != 503]
    assert not bad, bad
