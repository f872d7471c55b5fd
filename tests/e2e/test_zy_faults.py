"""Faults under load (issue: deployment and operations): a worker killed
with SIGKILL, MariaDB restarted, the web server reloaded, the database
turned read-only.  In each case the pool keeps answering, only requests
in flight on a dying worker may fail, nothing answers 500, and nothing
acknowledged is lost.

Runs after every ordinary file and before test_zz_db_outage.py (files
run in name order): it stops and starts the stack's processes."""
import itertools
import os
import signal
import threading
import time

import pytest
import requests

from e2elib import (VAR, WORKERS, client, dev_sh, new_account, note_secret,
                    root_sql, url, worker_pids)

WEB = os.environ.get("GENESIS_WEB", "nginx")
_sources = itertools.count()
# Answers a request may get while its worker dies under it: the web
# server's own "bad gateway" or "gateway timeout" (recorded as "web-502"
# and kin by hammer()), never the worker's 500.
GATEWAY = {"web-502", "web-504"}


def session():
    """A session from a loopback address of its own (127.14.x.y), so the
    per-address limits never answer for these tests."""
    n = next(_sources)
    return client("127.14.%d.%d" % ((n // 250) % 250, n % 250 + 2))


def hammer(stop, statuses, path="/health", method="GET", body=None, on_ok=None):
    """Send requests until stop is set; record each status (or the error).
    Each connection carries one request (a kept-alive connection that the
    server closes between two requests is the client's to retry), and a
    thread moves to a new source address every 100 requests, under the
    per-address limit of 100/s with a burst of 200."""
    s = None
    sent = 0
    while not stop.is_set():
        if sent % 100 == 0:
            if s is not None:
                s.close()
            s = session()
            s.headers["Connection"] = "close"
        sent += 1
        try:
            if body is not None:
                b = body()
                r = s.request(method, url(path), json=b, timeout=10)
            else:
                b = None
                r = s.request(method, url(path), timeout=10)
            # The web server's own answers (not JSON) are told apart from
            # the service's: "web-502" may happen when a worker dies under
            # a request, a 500 from the service never may.
            if r.headers.get("Content-Type", "").startswith("application/json"):
                statuses.append(r.status_code)
            else:
                statuses.append("web-%d" % r.status_code)
            if r.status_code == 200 and on_ok is not None:
                on_ok(b)
        except requests.RequestException as e:
            statuses.append(type(e).__name__)
    s.close()


def run_load(seconds, action, threads=6, **kw):
    """Run hammer() in threads for seconds, calling action() midway."""
    stop = threading.Event()
    statuses = []
    ts = [threading.Thread(target=hammer, args=(stop, statuses), kwargs=kw)
          for _ in range(threads)]
    for t in ts:
        t.start()
    time.sleep(seconds / 3)
    action()
    time.sleep(seconds * 2 / 3)
    stop.set()
    for t in ts:
        t.join(30)
    return statuses


def test_worker_killed_under_load_is_replaced():
    before = worker_pids()
    assert len(before) == WORKERS, before
    victim = before[0]

    statuses = run_load(4.0, lambda: os.kill(victim, signal.SIGKILL))
    ok = statuses.count(200)
    failed = [s for s in statuses if s != 200]
    assert 500 not in statuses
    # Only what was in flight on the killed worker may fail.
    assert all(isinstance(s, str) for s in failed), failed
    assert len(failed) <= 2, failed
    assert ok > 50, statuses[:20]
    # multiwatch starts a new worker (within about half a second).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        after = worker_pids()
        if len(after) == WORKERS and victim not in after:
            break
        time.sleep(0.1)
    assert len(after) == WORKERS and victim not in after, (before, after)
    assert set(before) - {victim} <= set(after)


def test_db_restart_under_load_loses_no_acknowledged_registration():
    acknowledged = []
    lock = threading.Lock()

    def account():
        u, e, pw = new_account()
        note_secret(pw)
        return {"username": u, "email": e, "password": pw}

    def ok(body):
        with lock:
            acknowledged.append(body["username"])

    def restart():
        assert dev_sh("db-stop").returncode == 0
        time.sleep(1.0)
        assert dev_sh("db-start").returncode == 0

    statuses = run_load(9.0, restart, threads=4, path="/users/",
                        method="POST", body=account, on_ok=ok)
    assert 500 not in statuses
    assert set(statuses) <= {200, 503} | GATEWAY, set(statuses)
    assert 503 in statuses, "the outage was not seen"
    assert len(acknowledged) > 5
    # Every registration that got 200 is in the database.
    names = ",".join("'%s'" % n for n in acknowledged)
    rows = root_sql("SELECT username FROM users WHERE username IN (%s)" % names,
                    db="genesis")
    stored = {r[0] for r in rows}
    assert stored == set(acknowledged), set(acknowledged) - stored


@pytest.mark.skipif(WEB != "nginx", reason="the reload test drives nginx")
def test_nginx_reload_under_load():
    conf = os.path.join(VAR, "nginx", "nginx.conf")

    def reload():
        p = os.system("nginx -e %s/log/nginx-error.log -p %s/nginx -c %s -s reload"
                      % (VAR, VAR, conf))
        assert p == 0

    statuses = run_load(4.0, reload)
    assert set(statuses) == {200}, [s for s in statuses if s != 200][:10]


def test_read_only_database_answers_503_then_recovers():
    u, e, pw = new_account()
    note_secret(pw)
    s = session()
    root_sql("SET GLOBAL read_only = 1")
    try:
        r = s.post(url("/users/"), json={"username": u, "email": e, "password": pw},
                   timeout=10)
        assert r.status_code == 503, r.text
        assert r.json() == {"detail": "Service temporarily unavailable"}
        # Reads still work.
        assert s.get(url("/health/ready"), timeout=10).status_code == 200
    finally:
        root_sql("SET GLOBAL read_only = 0")
    r = s.post(url("/users/"), json={"username": u, "email": e, "password": pw},
               timeout=10)
    assert r.status_code == 200, r.text
    s.close()
