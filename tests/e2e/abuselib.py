"""Helpers of the abuse-resistance suites (tests/e2e/test_abuse_*.py):
rate limits, lockouts, the audit trail, CORS and hostile input
(SECURITY.md C-T2, C-T5, C-T6, C-T7, C-T9, C-T16, C-T17).

Built on e2elib (which this module never changes).  The stack runs with
the default limits: per client address 10/min (burst 20) on /token and
/refresh_token, 100/s (burst 200) on every route; lockout after 5
failures per (account, address) and 100 per account.  So every test here
sends from loopback addresses of its own (fresh_address()), drawn at
random from 127.240.0.0 - 127.254.255.255: e2elib's login_source() uses
127.16-239.x.y and conftest's http fixture 127.15.x.y, and a rerun within
the minute does not meet the buckets of the previous run.
"""
import concurrent.futures
import json
import os
import random
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid

import pytest

import e2elib
from e2elib import (BASE_URL, HTTP_TIMEOUT, MYSQL_SOCK, VAR, WORKERS, bearer,
                    children_of, note_secret, root_sql, sql_quote, url)

HASH_WORKERS = int(os.environ.get("GENESIS_HASH_WORKERS", "2"))
HASHERS_PID = os.path.join(VAR, "run", "hashers.pid")
LOG_DIR = os.path.join(VAR, "log")

_u = urllib.parse.urlsplit(BASE_URL)
HOST = _u.hostname or "127.0.0.1"
PORT = _u.port or 80

# The defaults of SECURITY.md C-T2 (what the test stacks run with).
TOKEN_PER_MINUTE = 10
TOKEN_BURST = 20
ALL_PER_SECOND = 100
ALL_BURST = 200
LOCKOUT_THRESHOLD = 5
LOCKOUT_BASE = 60
ACCOUNT_THRESHOLD = 100
ACCOUNT_LOCK_SECONDS = 900

TOO_MANY = "Too many requests"
BAD_LOGIN = "Incorrect username or password"

# Authorization header values the abuse suites sent (besides the tokens,
# which e2elib notes): test_zzzz_logs_no_secrets.py looks for them too.
AUTH_SENT = []


def note_auth(value):
    if value and value not in AUTH_SENT:
        AUTH_SENT.append(value)
    return value


# --- source addresses ----------------------------------------------------------

_rng = random.SystemRandom()
_addr_lock = threading.Lock()
_addr_used = set()


def fresh_address():
    """A loopback address no other request of this run has used."""
    with _addr_lock:
        while True:
            a = "127.%d.%d.%d" % (_rng.randrange(240, 255), _rng.randrange(0, 256),
                                  _rng.randrange(2, 255))
            if a not in _addr_used:
                _addr_used.add(a)
                return a


_clients = {}


def client_for(source):
    """A requests.Session leaving from source (one per source, reused)."""
    with _addr_lock:
        s = _clients.get(source)
        if s is None:
            s = _clients[source] = e2elib.client(source)
        return s


def call(method, path, source, token=None, headers=None, session=None, **kw):
    """One request from source; token is sent as Bearer (and noted)."""
    h = dict(headers or {})
    if token is not None:
        note_secret(token)
        h.update(bearer(token))
    if isinstance(kw.get("json"), dict):
        for k in ("password", "current_password"):
            if isinstance(kw["json"].get(k), str):
                note_secret(kw["json"][k])
    kw.setdefault("timeout", HTTP_TIMEOUT)
    s = session if session is not None else client_for(source)
    r = s.request(method, url(path), headers=h, **kw)
    r.source = source
    return r


def login(username, password, source):
    """POST /token (grant_type=password) from source; the raw response."""
    return e2elib.login_response(username, password, source=source)


def login_ok(acct, source):
    """A successful login of acct from source; acct takes the tokens."""
    r = login(acct.username, acct.password, source)
    body = e2elib.assert_token_pair(r)
    acct.take(body, source)
    return acct


def assert_bad_login(resp):
    """The one login failure answer (API.md, SECURITY.md C-T16)."""
    e2elib.assert_unauthorized(resp, BAD_LOGIN)


def assert_429(resp):
    """429 {"detail":"Too many requests"} with an integer Retry-After; returns it."""
    e2elib.assert_detail(resp, 429, TOO_MANY)
    ra = resp.headers.get("Retry-After")
    assert ra is not None and ra.strip().isdigit(), resp.headers
    return int(ra)


def parallel(fn, args, threads=16):
    """[fn(a) for a in args], run in a thread pool; exceptions propagate."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as ex:
        return list(ex.map(fn, args))


def new_user(source=None):
    """A fresh self-registered user (not logged in), registered from source."""
    u, e, p = e2elib.new_account()
    src = source or fresh_address()
    r = call("POST", "/users/", src, json={"username": u, "email": e, "password": p})
    assert r.status_code == 200, (r.status_code, r.text)
    return e2elib.Account(r.json()["id"], u, e, p)


def wrong_password():
    return note_secret("Wr0ng@%s" % uuid.uuid4().hex[:16])


def unlock(admin, user_id, source=None):
    return call("POST", "/admin/users/%s/unlock" % user_id, source or fresh_address(),
                token=admin.access)


# --- MariaDB ---------------------------------------------------------------------

def users_lock_state(user_id):
    """(failed_logins, locked_until, locked_until > UTC_TIMESTAMP()) of a user."""
    rows = root_sql("SELECT failed_logins, COALESCE(locked_until, 'NULL'), "
                    "COALESCE(locked_until > UTC_TIMESTAMP(), 0) FROM users WHERE id = %s"
                    % sql_quote(user_id), db="genesis")
    assert len(rows) == 1, rows
    f, until, future = rows[0]
    return int(f), (None if until == "NULL" else until), future == "1"


def audit_max_id():
    return int(root_sql("SELECT COALESCE(MAX(id), 0) FROM audit_log", db="genesis")[0][0])


AUDIT_COLS = ["id", "at", "event", "outcome", "user_id", "client_address",
              "session_id", "details", "age"]


def audit_rows(since, user_id=None, client=None, null_user=False):
    """audit_log rows with id > since (oldest first) of user_id and/or
    client address, as dicts; details is parsed JSON; age is the seconds
    from the row's time to the database's UTC now."""
    where = ["id > %d" % since]
    if user_id is not None:
        where.append("user_id = %s" % sql_quote(user_id))
    if null_user:
        where.append("user_id IS NULL")
    if client is not None:
        where.append("client_address = %s" % sql_quote(client))
    rows = root_sql("SELECT id, at, event, outcome, COALESCE(user_id, 'NULL'), "
                    "client_address, COALESCE(session_id, 'NULL'), COALESCE(details, 'NULL'), "
                    "TIMESTAMPDIFF(MICROSECOND, at, UTC_TIMESTAMP(3)) / 1000000 "
                    "FROM audit_log WHERE %s ORDER BY id" % " AND ".join(where), db="genesis")
    out = []
    for r in rows:
        d = dict(zip(AUDIT_COLS, r))
        d["id"] = int(d["id"])
        for k in ("user_id", "session_id"):
            if d[k] == "NULL":
                d[k] = None
        d["details"] = None if d["details"] == "NULL" else json.loads(d["details"])
        d["age"] = float(d["age"])
        out.append(d)
    return out


def brief(rows):
    """(event, outcome, reason, actor) of each row: what a flow is checked on."""
    return [(r["event"], r["outcome"], (r["details"] or {}).get("reason"),
             (r["details"] or {}).get("actor")) for r in rows]


def assert_audit_row(row, client=None, session_id="any"):
    """The common properties of every audit row."""
    assert 0 <= row["age"] < 300, row                   # recorded now, in UTC
    assert isinstance(row["details"], dict), row
    assert set(row["details"]) <= {"reason", "actor"}, row
    if client is not None:
        assert row["client_address"] == client, row
    if session_id != "any":
        assert row["session_id"] == session_id, row


def log_audit_lines():
    """The JSON lines of the workers' log with "event":"audit"."""
    out = []
    with open(e2elib.LOG_FILE, "rb") as f:
        for line in f:
            if b'"audit"' not in line:
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and obj.get("event") == "audit":
                out.append(obj)
    return out


def assert_logged(rows, deadline=3.0):
    """Every audit row also has its JSON line in the log (the line holds the
    event, outcome, user, client and session of the row as values)."""
    end = time.monotonic() + deadline
    while True:
        lines = [set(str(v) for v in obj.values()) for obj in log_audit_lines()]
        missing = []
        for r in rows:
            want = {r["event"], r["outcome"], r["client_address"]}
            for k in ("user_id", "session_id"):
                if r[k] is not None:
                    want.add(r[k])
            for v in (r["details"] or {}).values():
                want.add(str(v))
            if not any(want <= vals for vals in lines):
                missing.append(r)
        if not missing or time.monotonic() > end:
            break
        time.sleep(0.2)
    assert not missing, "audit rows without a log line: %r" % missing[:3]


# --- processes -----------------------------------------------------------------

def pool_pids():
    """(main pool's worker pids, hashing pool's worker pids)."""
    def kids(pidfile):
        with open(pidfile) as f:
            return children_of(int(f.read().strip()))
    return kids(e2elib.WORKERS_PID), kids(HASHERS_PID)


def wait_pools_full(timeout=15.0):
    """Wait until both pools have all their workers; returns pool_pids()."""
    end = time.monotonic() + timeout
    while True:
        main, hashers = pool_pids()
        if len(main) == WORKERS and len(hashers) == HASH_WORKERS:
            # multiwatch forks, the child execs: let it get to accept().
            time.sleep(0.3)
            main2, hashers2 = pool_pids()
            if (main2, hashers2) == (main, hashers):
                return main, hashers
        if time.monotonic() > end:
            pytest.fail("pools not full after %.0fs: %r %r" % (timeout, main, hashers))
        time.sleep(0.1)


def wait_ready(timeout=30.0):
    """Wait until GET /health/ready answers 200 (from fresh addresses)."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            r = call("GET", "/health/ready", fresh_address(), timeout=5)
            last = (r.status_code, r.text[:200])
            if r.status_code == 200:
                return
        except Exception as e:  # noqa: BLE001 - the stack is coming back
            last = repr(e)
        time.sleep(0.25)
    pytest.fail("the stack is not ready after %.0fs: %r" % (timeout, last))


# --- raw HTTP ----------------------------------------------------------------------

class RawResponse:
    def __init__(self, status, headers, body, raw):
        self.status_code, self.headers, self.body, self.raw = status, headers, body, raw

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self):
        return "RawResponse(%r, %r)" % (self.status_code, self.raw[:300])


def parse_response(raw):
    """A RawResponse from the bytes of one HTTP/1.1 response (status None
    when nothing came back)."""
    if not raw:
        return RawResponse(None, {}, b"", raw)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return RawResponse(None, {}, b"", raw)
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(b":")
        headers[k.strip().decode("latin-1").lower()] = v.strip().decode("latin-1")
    n = headers.get("content-length")
    if n is not None and n.isdigit():
        body = body[:int(n)]
    return RawResponse(status, headers, body, raw)


def raw_http(data, source=None, timeout=5.0, half_close=False):
    """Send data (bytes) over a fresh TCP connection from source and read
    until the server closes or timeout; a partial read is kept.  With
    half_close the write side is shut after sending (the server sees EOF)."""
    s = socket.create_connection((HOST, PORT), timeout=timeout,
                                 source_address=(source or fresh_address(), 0))
    chunks = []
    try:
        s.settimeout(timeout)
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if half_close:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                b = s.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, OSError):
                break
            if not b:
                break
            chunks.append(b)
            r = parse_response(b"".join(chunks))
            cl = r.headers.get("content-length")
            if r.status_code is not None and cl is not None and cl.isdigit() \
                    and b"\r\n\r\n" in r.raw \
                    and len(r.raw.partition(b"\r\n\r\n")[2]) >= int(cl):
                break
    finally:
        s.close()
    return parse_response(b"".join(chunks))


def raw_request(method, target, headers=(), body=b"", source=None, timeout=5.0,
                content_length=None, half_close=False, host=True):
    """Build and send one HTTP/1.1 request byte for byte; headers is a list
    of (name, value) (str or bytes).  content_length overrides the header
    (None: the body's length when there is a body; False: no header)."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode("latin-1")
    out = [b(method) + b" " + b(target) + b" HTTP/1.1"]
    if host:
        out.append(b"Host: " + b("%s:%d" % (HOST, PORT)))
    for k, v in headers:
        if b(k).lower() == b"authorization":
            note_auth(b(v).decode("latin-1"))
        out.append(b(k) + b": " + b(v))
    if content_length is False:
        pass
    elif content_length is not None:
        out.append(b"Content-Length: " + b(str(content_length)))
    elif body:
        out.append(b"Content-Length: " + b(str(len(body))))
    out.append(b"Connection: close")
    data = b"\r\n".join(out) + b"\r\n\r\n" + body
    return raw_http(data, source=source, timeout=timeout, half_close=half_close)


# --- the service account -----------------------------------------------------------

def service_sql(sql):
    """Run sql as the workers' database account (its password file, over
    the stack's socket).  Returns (exit status, stdout, stderr)."""
    with open(os.path.join(VAR, "secrets", "db_password")) as f:
        pw = f.read().strip()
    fd, cnf = tempfile.mkstemp(prefix="genesis-e2e-svc-", suffix=".cnf")
    try:
        with os.fdopen(fd, "w") as f:
            f.write("[client]\nuser=genesis\npassword=%s\nsocket=%s\n" % (pw, MYSQL_SOCK))
        p = subprocess.run(["mariadb", "--defaults-file=" + cnf, "--batch",
                            "--skip-column-names", "genesis", "-e", sql],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    finally:
        os.unlink(cnf)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
