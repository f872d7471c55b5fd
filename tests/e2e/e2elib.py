"""Helpers shared by the end-to-end suite (see conftest.py for fixtures).

The suite talks to a running stack (nginx -> genesis-fcgi workers ->
MariaDB) over HTTP and, as OS root, to that stack's MariaDB through its
unix socket.  deploy/dev.sh test sets the environment:

  GENESIS_URL      base URL of nginx, e.g. http://127.0.0.1:18080
  GENESIS_VAR      the stack's state folder (bin/, genesis.conf, secrets/,
                   mysql-run/mysqld.sock, run/workers.pid, log/genesis.log)
  GENESIS_ROOT     the repository root
  GENESIS_WORKERS  number of workers

Run with Debian's interpreter: /usr/bin/python3 -m pytest -q tests/e2e

Every name the suite creates is unique (uuid based), so the suite can run
again and again against the same database.  Every password it sends is
noted (note_secret) so that the last file can check none reached a log.
"""
import json
import os
import re
import subprocess
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))

BASE_URL = os.environ.get("GENESIS_URL", "http://127.0.0.1:18080").rstrip("/")
VAR = os.path.realpath(os.environ.get("GENESIS_VAR", os.path.join(HERE, "..", "..", "var", "test")))
ROOT = os.path.realpath(os.environ.get("GENESIS_ROOT", os.path.join(HERE, "..", "..")))
WORKERS = int(os.environ.get("GENESIS_WORKERS", "4"))

MYSQL_SOCK = os.path.join(VAR, "mysql-run", "mysqld.sock")
CONF = os.path.join(VAR, "genesis.conf")
FCGI_BIN = os.path.join(VAR, "bin", "genesis-fcgi")
ADMIN_BIN = os.path.join(VAR, "bin", "genesis-admin")
LOG_FILE = os.path.join(VAR, "log", "genesis.log")
WORKERS_PID = os.path.join(VAR, "run", "workers.pid")
DEV_SH = os.path.join(ROOT, "deploy", "dev.sh")
FIXTURE_SQL = os.path.join(ROOT, "tests", "fixtures", "genesis-4ae971e.sql")

# Seconds a single HTTP request may take before the suite gives up on it.
HTTP_TIMEOUT = 10

# The fields of API.md's User object, exactly.
USER_FIELDS = {
    "id", "username", "email", "disabled", "is_active", "email_verified",
    "auth_provider", "is_native", "role", "last_login_at",
    "last_login_method", "created_at", "last_modified",
}

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RFC3339_Z_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

# The argon2id parameters of SECURITY.md C-T18 (the configuration default).
ARGON2ID_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"

# Every password (and other secret) the suite sent, for the log check.
SECRETS_USED = []


def note_secret(s):
    """Remember a password the suite sent; returns it."""
    if s and s not in SECRETS_USED:
        SECRETS_USED.append(s)
    return s


def unique_name(prefix="u"):
    """A username of [a-z0-9_] that no run of the suite used before."""
    return "%s_%s" % (prefix, uuid.uuid4().hex[:20])


def strong_password():
    """A password meeting every rule of SECURITY.md C-T19, noted."""
    return note_secret("Pw@%s%sZ9" % (uuid.uuid4().hex[:10], "aB3#"))


def new_account():
    """(username, email, password) that are all unused."""
    name = unique_name("e2e")
    return name, "%s@example.com" % name, strong_password()


# --- HTTP ------------------------------------------------------------------

def url(path):
    return BASE_URL + path


def post_json(session, path, obj, **kw):
    """POST obj as JSON, noting any password in it."""
    if isinstance(obj, dict) and isinstance(obj.get("password"), str):
        note_secret(obj["password"])
    kw.setdefault("timeout", HTTP_TIMEOUT)
    return session.post(url(path), json=obj, **kw)


def post_raw(session, path, data, content_type="application/json", **kw):
    """POST raw bytes with the given Content-Type (None: no header)."""
    headers = dict(kw.pop("headers", {}))
    if content_type is not None:
        headers["Content-Type"] = content_type
    kw.setdefault("timeout", HTTP_TIMEOUT)
    return session.post(url(path), data=data, headers=headers, **kw)


def register(session, username=None, email=None, password=None, **extra):
    """POST /users/ with a fresh account (any part may be given)."""
    u, e, p = new_account()
    body = {
        "username": u if username is None else username,
        "email": e if email is None else email,
        "password": p if password is None else password,
    }
    body.update(extra)
    return post_json(session, "/users/", body), body


def body_of(resp):
    """The JSON body of resp; fails the test with the raw text if not JSON."""
    try:
        return resp.json()
    except ValueError:
        pytest.fail("response %d is not JSON: %r" % (resp.status_code, resp.text[:500]))


def assert_json_response(resp):
    ct = resp.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip().lower() == "application/json", ct
    assert resp.headers.get("Cache-Control") == "no-store", resp.headers


def assert_detail(resp, status, detail):
    """{"detail": "<detail>"} with status."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert_json_response(resp)
    assert body_of(resp) == {"detail": detail}


def assert_422(resp, field=None):
    """FastAPI's validation error shape; with field, one error is on it."""
    assert resp.status_code == 422, (resp.status_code, resp.text)
    assert_json_response(resp)
    b = body_of(resp)
    assert isinstance(b, dict) and set(b) == {"detail"}, b
    assert isinstance(b["detail"], list) and b["detail"], b
    for err in b["detail"]:
        assert isinstance(err, dict), b
        assert {"loc", "msg", "type"} <= set(err), err
        assert isinstance(err["loc"], list) and err["loc"], err
        assert err["loc"][0] == "body", err
        assert isinstance(err["msg"], str) and err["msg"], err
        assert isinstance(err["type"], str) and err["type"], err
    if field is not None:
        locs = [e["loc"] for e in b["detail"]]
        assert ["body", field] in locs, locs
    return b


# --- MariaDB as root ---------------------------------------------------------

def sql_quote(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def root_sql(sql, db=None, stdin=None, check=True):
    """Run sql as MariaDB's root over the stack's socket.

    Returns the result rows as lists of strings (batch mode, raw; SQL NULL
    is the string "NULL").  With stdin, sql may be None and stdin (bytes or
    str) is fed to the client instead.
    """
    cmd = ["mariadb", "--no-defaults", "--socket=" + MYSQL_SOCK, "-uroot",
           "--batch", "--raw", "--skip-column-names"]
    if sql is not None:
        cmd += ["-e", sql]
    if db is not None:
        cmd.append(db)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError("mariadb failed (%d): %s\nSQL: %s" % (
            p.returncode, p.stderr.decode(errors="replace"), sql))
    out = p.stdout.decode("utf-8", errors="replace")
    return [line.split("\t") for line in out.splitlines()]


def user_row(username, db="genesis"):
    """The users row (as a dict) of username, or None."""
    cols = ["id", "username", "email", "password", "created_at",
            "last_modified", "disabled", "role", "is_active",
            "email_verified", "auth_provider", "is_native",
            "last_login_at", "last_login_method"]
    rows = root_sql("SELECT %s FROM users WHERE username = %s" % (
        ", ".join(cols), sql_quote(username)), db=db)
    if not rows:
        return None
    assert len(rows) == 1, rows
    return dict(zip(cols, rows[0]))


# --- processes -----------------------------------------------------------------

def children_of(pid):
    """Pids whose parent is pid (from /proc/*/stat)."""
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and ')'.
        rest = stat[stat.rfind(")") + 2:].split()
        if len(rest) > 1 and int(rest[1]) == pid:
            kids.append(int(d))
    return sorted(kids)


def worker_pids():
    with open(WORKERS_PID) as f:
        return children_of(int(f.read().strip()))


def dev_sh(*args, timeout=120):
    env = dict(os.environ, GENESIS_VAR=VAR)
    return subprocess.run([DEV_SH] + list(args), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"))
