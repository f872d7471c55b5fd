"""Two Genesis hosts on a three-node MariaDB Galera cluster, behind one
balancer (tests/multihost/run starts the stack; see its header).

The tests that kill a Galera node or a host come last, in file order.
"""
import os
import threading
import time

from mhlib import (FRONT, HOST_A, HOST_B, HOSTS, create_admin, each_node,
                   login, login_ok, new_name, new_password, node_sql, refresh,
                   register, request, run, validate, wait_until)

MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                          "migrations")

# The role whose last active holder cannot be removed (API.md "Roles":
# the last root; only a root demotes or makes a root).
PRIVILEGED_ROLE = "root"


def demote(base, token, uid):
    return request(base, "POST", "/admin/users/%s/role" % uid,
                   json_body={"role": "user"}, token=token)


def promote(base, token, uid):
    return request(base, "POST", "/admin/users/%s/role" % uid,
                   json_body={"role": PRIVILEGED_ROLE}, token=token)


def at_once(*calls):
    """Run each call in its own thread, released together; their results."""
    gate = threading.Barrier(len(calls))
    out = [None] * len(calls)

    def one(i, fn):
        gate.wait()
        out[i] = fn()

    ts = [threading.Thread(target=one, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    return out


# --- the stack itself -------------------------------------------------------

def test_cluster_has_three_synced_nodes():
    for n in (1, 2, 3):
        rows = node_sql(n, "SHOW STATUS WHERE Variable_name IN "
                        "('wsrep_cluster_size', 'wsrep_local_state_comment')")
        st = dict(rows)
        assert st == {"wsrep_cluster_size": "3", "wsrep_local_state_comment": "Synced"}, (n, st)


def test_migrations_ran_once_for_the_cluster():
    # Host B runs nothing: every script host A applied is recorded on
    # every node, and B's migrate --check finds nothing pending.
    run_check = run("check-migrations", "B")
    assert "pending" not in run_check
    versions = each_node("SELECT GROUP_CONCAT(version ORDER BY version) FROM schema_migrations")
    assert versions[0] == versions[1] == versions[2], versions
    shipped = sorted(int(f[:4]) for f in os.listdir(MIGRATIONS) if f.endswith(".sql"))
    assert versions[0][0][0] == ",".join(map(str, shipped)), (versions, shipped)


def test_both_hosts_and_the_front_answer():
    for base in (HOST_A, HOST_B, FRONT):
        r = request(base, "GET", "/health/ready")
        assert r.status == 200, (base, r)


# --- one account, two hosts ------------------------------------------------

def test_register_on_a_log_in_on_b():
    uid, name, pw = register(HOST_A)
    pair = login_ok(HOST_B, name, pw)
    for base in (HOST_A, HOST_B):
        r = validate(base, pair["access_token"])
        assert r.status == 200 and r.json()["user_id"] == uid, (base, r)
    # The keys are the same on both hosts: one JWKS.
    ja = request(HOST_A, "GET", "/.well-known/jwks.json").json()
    jb = request(HOST_B, "GET", "/.well-known/jwks.json").json()
    assert ja == jb and len(ja["keys"]) == 2


def test_session_revoked_on_a_is_refused_by_b_at_once():
    uid, name, pw = register(HOST_A)
    leaks = []
    for i in range(100):
        pair = login_ok(HOST_A if i % 2 else HOST_B, name, pw)
        at = pair["access_token"]
        assert validate(HOST_B, at).status == 200
        r = request(HOST_A, "POST", "/logout", token=at)
        assert r.status == 200, r
        v = validate(HOST_B, at)
        if v.status != 401:
            leaks.append((i, v))
    assert leaks == []


def test_user_disabled_on_a_is_refused_by_b_at_once():
    aid, aname, apw = create_admin("A")
    admin = login_ok(HOST_A, aname, apw)["access_token"]
    leaks = []
    for i in range(20):
        uid, name, pw = register(HOST_B)
        at = login_ok(HOST_B, name, pw)["access_token"]
        assert validate(HOST_B, at).status == 200
        r = request(HOST_A, "POST", "/admin/users/%s/disable" % uid,
                    json_body={"disabled": True}, token=admin)
        assert r.status == 200, r
        v = validate(HOST_B, at)
        if v.status != 401:
            leaks.append((i, v))
    assert leaks == []


def test_one_refresh_token_on_both_hosts_at_once_gives_one_pair():
    uid, name, pw = register(HOST_A)
    rt = login_ok(FRONT, name, pw)["refresh_token"]
    wins = {"A": 0, "B": 0}
    for i in range(50):
        ra, rb = at_once(lambda: refresh(HOST_A, rt), lambda: refresh(HOST_B, rt))
        statuses = sorted((ra.status, rb.status))
        # The loser gets the ordinary 401, never a 503, never a pair.
        assert statuses == [200, 401], (i, ra, rb)
        winner, host = (ra, "A") if ra.status == 200 else (rb, "B")
        wins[host] += 1
        rt = winner.json()["refresh_token"]
    # One rotation per round, seen by every node; the chain still works.
    gens = each_node("SELECT generation FROM sessions WHERE user_id = '%s'" % uid)
    assert gens == [[["51"]]] * 3, gens
    assert refresh(FRONT, rt).status == 200
    print("refresh races won: %r" % wins)


def test_wrong_passwords_on_both_hosts_lock_the_account_on_both():
    uid, name, pw = register(HOST_A)
    login_ok(HOST_A, name, pw)
    # 100 failures, two at a time (one per host), from 25 addresses: 4
    # each, under the per-(account, address) threshold of 5, so only the
    # account's own counter in the database can lock it.
    sources = ["127.0.3.%d" % i for i in range(1, 26)]
    statuses = []
    for k in range(50):
        src_a, src_b = sources[(2 * k) % 25], sources[(2 * k + 1) % 25]
        ra, rb = at_once(lambda: login(HOST_A, name, "Wrong@Pass1" + str(k), src_a),
                         lambda: login(HOST_B, name, "Wrong@Pass2" + str(k), src_b))
        statuses += [ra.status, rb.status]
    assert statuses == [401] * 100, statuses
    locked = each_node("SELECT locked_until > UTC_TIMESTAMP() FROM users WHERE id = '%s'" % uid)
    assert locked == [[["1"]]] * 3, locked
    # The right password, from a fresh address, on either host: refused.
    for base in (HOST_A, HOST_B, FRONT):
        r = login(base, name, pw, "127.0.3.200")
        assert r.status == 401, (base, r)
    audit = node_sql(2, "SELECT COUNT(*) FROM audit_log WHERE user_id = '%s' AND "
                     "event = 'lockout' AND outcome = 'account'" % uid)
    assert audit == [["1"]], audit


def test_last_privileged_user_survives_concurrent_demotions_on_both_hosts():
    xid, xname, xpw = create_admin("A", root=True)
    yid, yname, ypw = create_admin("B", root=True)
    # Only these two hold the role, so each demotion may be the last one.
    node_sql(1, "UPDATE users SET role = 'user' WHERE role = '%s' AND id NOT IN "
             "('%s', '%s')" % (PRIVILEGED_ROLE, xid, yid))
    x = login_ok(HOST_A, xname, xpw)["access_token"]
    y = login_ok(HOST_B, yname, ypw)["access_token"]
    outcomes = {}
    for i in range(20):
        rx, ry = at_once(lambda: demote(HOST_A, x, yid), lambda: demote(HOST_B, y, xid))
        statuses = sorted((rx.status, ry.status))
        # One wins; the other is refused: 409 (the last one), or 403 when
        # it was demoted before its own request was authorised.
        assert statuses in ([200, 403], [200, 409]), (i, rx, ry)
        outcomes[tuple(statuses)] = outcomes.get(tuple(statuses), 0) + 1
        holders = each_node("SELECT COUNT(*) FROM users WHERE role = '%s' AND "
                            "disabled = 0" % PRIVILEGED_ROLE)
        assert holders == [[["1"]]] * 3, (i, holders)
        survivor, token, other = (x, x, yid) if rx.status == 200 else (y, y, xid)
        r = promote(FRONT, token, other)
        assert r.status == 200, r
    print("demotion races: %r" % outcomes)


# --- failures ----------------------------------------------------------------

class Load:
    """Client threads through the front for a bounded time, each logging
    (time, what, status).  Acknowledged writes are kept to check later."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.end = 0
        self.log = []
        self.users = []          # registrations answered 200
        self.chains = []         # last acknowledged refresh token per chain
        self.lock = threading.Lock()

    def note(self, what, status):
        with self.lock:
            self.log.append((time.monotonic(), what, status))

    def validator(self, at):
        n = 0
        while time.monotonic() < self.end and n < 20000:
            n += 1
            self.note("validate", validate(FRONT, at).status)
            time.sleep(0.001)

    def registrar(self):
        n = 0
        while time.monotonic() < self.end and n < 200:
            n += 1
            name = new_name("mhload")
            r = request(FRONT, "POST", "/users/", json_body={
                "username": name, "email": name + "@example.com",
                "password": new_password()})
            self.note("register", r.status)
            if r.status == 200:
                with self.lock:
                    self.users.append(r.json()["id"])

    def refresher(self, slot, name, pw):
        rt = self.chains[slot]
        n = 0
        while time.monotonic() < self.end and n < 5000:
            n += 1
            r = refresh(FRONT, rt)
            self.note("refresh", r.status)
            if r.status == 200:
                rt = r.json()["refresh_token"]
                self.chains[slot] = rt
            else:
                # Unknown whether it rotated: start a new chain.
                self.chains[slot] = None
                r = login(FRONT, name, pw)
                self.note("login", r.status)
                if r.status == 200:
                    rt = r.json()["refresh_token"]
                    self.chains[slot] = rt
            time.sleep(0.01)

    def run(self, event_at, event):
        uid, name, pw = register(FRONT)
        at = login_ok(FRONT, name, pw)["access_token"]
        accounts = [register(FRONT) for _ in range(2)]
        self.chains = [login_ok(FRONT, a[1], a[2])["refresh_token"] for a in accounts]
        start = time.monotonic()
        self.end = start + self.seconds
        ts = [threading.Thread(target=self.validator, args=(at,)) for _ in range(2)]
        ts.append(threading.Thread(target=self.registrar))
        ts += [threading.Thread(target=self.refresher, args=(i, a[1], a[2]))
               for i, a in enumerate(accounts)]
        for t in ts:
            t.start()
        side = []
        for at_s, fn in zip(event_at, event):
            time.sleep(max(0, start + at_s - time.monotonic()))
            side.append(fn())
        for t in ts:
            t.join(120)
        return side

    def failures(self, after=None, before=None):
        ok = {"validate": 200, "register": 200, "refresh": 200, "login": 200}
        return [(t, w, s) for t, w, s in self.log if s != ok[w]
                and (after is None or t >= after) and (before is None or t < before)]


def test_galera_node_killed_under_load():
    load = Load(24)
    marks = {}

    def kill():
        marks["kill"] = time.monotonic()
        run("node-kill", "1")

    def start():
        marks["start"] = time.monotonic()
        run("node-start", "1", timeout=240)
        marks["synced"] = time.monotonic()

    load.run([4, 14], [kill, start])
    fails = load.failures()
    answered = [e for e in load.log if marks["kill"] + 6 <= e[0] < marks["start"]]
    summary = "%d requests, %d failed (%r); %d answered while node 1 was down" % (
        len(load.log), len(fails), sorted({(w, s) for _, w, s in fails}), len(answered))
    print(summary)
    # Only what was in flight on node 1's connections when it died may
    # fail: host A's 4 workers and the 5 client threads.
    assert len(fails) <= 9, summary
    assert all(marks["kill"] <= t < marks["kill"] + 10 for t, _, _ in fails), fails
    assert len([e for e in answered if e[2] == 200]) > 20, summary
    # No acknowledged write was lost: every registration answered 200 is
    # on every node, node 1 included, and every chain's last token works.
    wait_until("node 1 Synced", lambda: node_sql(1, "SHOW STATUS LIKE "
               "'wsrep_local_state_comment'") == [["wsrep_local_state_comment", "Synced"]])
    ids = ",".join("'%s'" % u for u in load.users)
    counts = each_node("SELECT COUNT(*) FROM users WHERE id IN (%s)" % ids)
    assert counts == [[[str(len(load.users))]]] * 3, (len(load.users), counts)
    size = node_sql(1, "SHOW STATUS LIKE 'wsrep_cluster_size'")
    assert size == [["wsrep_cluster_size", "3"]], size
    chains = [rt for rt in load.chains if rt is not None]
    assert chains
    for rt in chains:
        assert refresh(FRONT, rt).status == 200


def test_application_host_killed_the_balancer_uses_the_other():
    load = Load(10)
    marks = {}

    def kill():
        marks["kill"] = time.monotonic()
        run("host-kill", "A")

    try:
        load.run([3], [kill])
        fails = load.failures()
        after = [e for e in load.log if e[0] >= marks["kill"] + 1]
        summary = "%d requests, %d failed (%r); %d after the kill" % (
            len(load.log), len(fails), sorted({(w, s) for _, w, s in fails}), len(after))
        print(summary)
        # In flight on host A when it died: at most one per client thread.
        assert len(fails) <= 5, summary
        assert not load.failures(after=marks["kill"] + 1), summary
        assert len(after) > 20, summary
        assert request(HOST_A, "GET", "/health").status == 0
    finally:
        run("host-start", "A")
    # Host A back: the balancer sends it requests again.
    wait_until("host A", lambda: request(HOST_A, "GET", "/health/ready").status == 200)
    for _ in range(4):
        assert request(FRONT, "GET", "/health/ready").status == 200
