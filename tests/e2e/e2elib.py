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


# =============================================================================
# BEGIN helpers of the auth/authorisation suites (test_api_*.py).
# Added as one block; nothing above it is changed.  Every login and refresh
# goes through token_post() so the source address of /token traffic is
# decided in one place (see login_source()).
# =============================================================================
import base64  # noqa: E402
import hashlib  # noqa: E402
import itertools  # noqa: E402
import random  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import requests  # noqa: E402
from requests.adapters import HTTPAdapter  # noqa: E402

# The exact key set of POST /token's and POST /refresh_token's answer.
TOKEN_FIELDS = {"access_token", "refresh_token", "token_type", "expires_in"}
REFRESH_TOKEN_RE = re.compile(r"^rt_[A-Za-z0-9_-]{43}$")
ACCESS_TOKEN_TTL = 900
PROFILE_FIELDS = {
    "id", "user_id", "given_name", "family_name", "nick_name", "email", "sub",
    "date_of_birth", "mobile_number", "phone_verified", "address_line1",
    "address_line2", "city", "state", "zip_code", "country", "picture",
    "locale", "timezone", "updated_at",
}
SESSION_FIELDS = {"id", "ip_address", "device_name", "login_method",
                  "created_at", "last_activity_at", "is_current"}


def conf_get(key, default=None):
    """A value of the stack's genesis.conf (comments skipped)."""
    with open(CONF) as f:
        for line in f:
            if line.lstrip().startswith("#"):
                continue
            k, sep, v = line.partition("=")
            if sep and k.strip() == key:
                return v.strip()
    return default


# --- source addresses ---------------------------------------------------------

class SourceAddressAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections leave from a given local address
    (any of 127.0.0.0/8 reaches nginx on 127.0.0.1 on Linux)."""

    def __init__(self, source, **kw):
        self.source = source
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.source, 0)
        return super().init_poolmanager(*args, **kw)


def client(source=None):
    """A requests.Session, bound to the local address source if given."""
    s = requests.Session()
    s.source_address = source
    if source is not None:
        a = SourceAddressAdapter(source)
        s.mount("http://", a)
        s.mount("https://", a)
    return s


# SECURITY.md C-T2 limits /token (and the service /refresh_token) per
# client address (10/min, burst 20) and locks an address out of an account
# after 5 failures.  So that the suites stay green under those limits, each
# login/refresh request leaves from a loopback address 127.<16..238>.x.y
# used for at most LOGINS_PER_ADDRESS of them, and api() from
# 127.<17..239>.x.y (see api_source()).  Set GENESIS_E2E_LOGIN_SPREAD=0 to
# send everything from 127.0.0.1 instead.
LOGIN_SPREAD = os.environ.get("GENESIS_E2E_LOGIN_SPREAD", "1") != "0"
LOGINS_PER_ADDRESS = 4
_login_lock = threading.Lock()
_login_counter = itertools.count()
_login_net = random.SystemRandom().randrange(16, 239)   # 127.<net>.x.y per run
_clients = {}


def login_source():
    """The local address the next /token or /refresh_token request uses
    (None: the default, 127.0.0.1)."""
    if not LOGIN_SPREAD:
        return None
    with _login_lock:
        n = next(_login_counter) // LOGINS_PER_ADDRESS
    return "127.%d.%d.%d" % (_login_net, (n // 250) % 250, n % 250 + 2)


def _client_for(source):
    """A kept client for source; one per 127.<net> (the previous one of
    that net is closed, so idle connections do not pile up)."""
    net = None if source is None else source.split(".")[1]
    with _login_lock:
        held = _clients.get(net)
        if held is not None and held[0] == source:
            return held[1]
        if held is not None:
            held[1].close()
        s = client(source)
        _clients[net] = (source, s)
        return s


def note_pair(body):
    """Note the tokens of a /token answer (for the log check); returns it."""
    if isinstance(body, dict):
        for k in ("access_token", "refresh_token"):
            if isinstance(body.get(k), str):
                note_secret(body[k])
    return body


def token_post(path, data, headers=None, source=None, session=None):
    """POST a form to /token or /refresh_token from login_source() (or
    source).  Notes the password / refresh token sent and any tokens
    received.  The response has .source set to the address used."""
    if isinstance(data, dict):
        for k in ("password", "refresh_token"):
            if isinstance(data.get(k), str):
                note_secret(data[k])
    if session is not None:
        source = getattr(session, "source_address", None)
    elif source is None:
        source = login_source()
    s = session if session is not None else _client_for(source)
    r = s.post(url(path), data=data, headers=headers or {}, timeout=HTTP_TIMEOUT)
    r.source = source or "127.0.0.1"
    if r.status_code == 200:
        try:
            note_pair(r.json())
        except ValueError:
            pass
    return r


def login_response(username, password, extra=None, headers=None, source=None):
    """POST /token with grant_type=password; the raw response."""
    data = {"grant_type": "password", "username": username, "password": password}
    data.update(extra or {})
    return token_post("/token", data, headers=headers, source=source)


def refresh_response(refresh_token, how="bearer", source=None, session=None):
    """A refresh: how = "bearer" (POST /refresh_token, Authorization),
    "form" (POST /refresh_token, form field) or "grant" (POST /token with
    grant_type=refresh_token)."""
    note_secret(refresh_token)
    if how == "bearer":
        return token_post("/refresh_token", {}, source=source, session=session,
                          headers={"Authorization": "Bearer " + refresh_token})
    if how == "form":
        return token_post("/refresh_token", {"refresh_token": refresh_token},
                          source=source, session=session)
    if how == "grant":
        return token_post("/token", {"grant_type": "refresh_token",
                                     "refresh_token": refresh_token},
                          source=source, session=session)
    raise ValueError(how)


class Account:
    """A user of the stack and (after login) one session's tokens."""

    def __init__(self, id, username, email, password, role="user"):
        self.id, self.username, self.email = id, username, email
        self.password, self.role = note_secret(password), role
        self.access = self.refresh = self.sid = self.source = None

    def take(self, body, source=None):
        note_pair(body)
        self.access, self.refresh = body["access_token"], body["refresh_token"]
        self.sid = jwt_decode(self.access)[1].get("sid")
        if source is not None:
            self.source = source
        return self

    def login(self, password=None):
        """Log in (a new session); the tokens replace the held ones."""
        r = login_response(self.username, password or self.password)
        assert r.status_code == 200, (r.status_code, r.text)
        return self.take(r.json(), r.source)

    def another_session(self):
        """A second Account object for the same user with a new session."""
        a = Account(self.id, self.username, self.email, self.password, self.role)
        return a.login()

    @property
    def auth(self):
        return bearer(self.access)

    def __repr__(self):
        return "Account(%s, %s)" % (self.username, self.id)


def bearer(token):
    return {"Authorization": "Bearer " + token}


# Every route is limited too (100/s, burst 200 per address): api() moves
# to a new loopback address after API_REQUESTS_PER_ADDRESS requests.
API_REQUESTS_PER_ADDRESS = 100
_api_counter = itertools.count()
_api_net = _login_net + 1


def api_source():
    """The local address of the next api() request (None: 127.0.0.1)."""
    if not LOGIN_SPREAD:
        return None
    with _login_lock:
        n = next(_api_counter) // API_REQUESTS_PER_ADDRESS
    return "127.%d.%d.%d" % (_api_net, (n // 250) % 250, n % 250 + 2)


def api(method, path, token=None, headers=None, **kw):
    """One HTTP request to the stack; token: access token (or any string
    to send as Bearer); json=/data= as for requests."""
    session = _client_for(api_source())
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if isinstance(kw.get("json"), dict):
        for k in ("password", "current_password"):
            if isinstance(kw["json"].get(k), str):
                note_secret(kw["json"][k])
    kw.setdefault("timeout", HTTP_TIMEOUT)
    return session.request(method, url(path), headers=h, **kw)


def register_account(login=True):
    """A fresh self-registered user (POST /users/), logged in if asked."""
    u, e, p = new_account()
    r = api("POST", "/users/", json={"username": u, "email": e, "password": p})
    assert r.status_code == 200, (r.status_code, r.text)
    a = Account(r.json()["id"], u, e, p)
    return a.login() if login else a


def create_admin(login=True, root=False):
    """A fresh admin made with genesis-admin create-admin (dev.sh admin);
    with root, a root (create-admin --root)."""
    name = unique_name("e2eroot" if root else "e2eadm")
    email = "%s@example.com" % name
    pw = strong_password()
    env = dict(os.environ, GENESIS_VAR=VAR)
    p = subprocess.run([DEV_SH, "admin", "create-admin"] + (["--root"] if root else []) +
                       [name, email],
                       input=(pw + "\n").encode(), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    row = user_row(name)
    role = "root" if root else "admin"
    assert row is not None and row["role"] == role, row
    a = Account(row["id"], name, email, pw, role=role)
    return a.login() if login else a


_shared = {}


def shared_account(tag):
    """A logged-in account kept for the whole test session (memoised, so
    every module shares it and it costs one login).  Tags starting with
    "admin" are admins, with "root" roots.  Tests must not kill its session
    or change it."""
    with _login_lock:
        a = _shared.get(tag)
    if a is None:
        a = create_admin() if tag.startswith("admin") else \
            create_admin(root=True) if tag.startswith("root") else register_account()
        with _login_lock:
            a = _shared.setdefault(tag, a)
    return a


# --- assertions ----------------------------------------------------------------

def assert_unauthorized(resp, detail="Could not validate credentials"):
    """401 with API.md's detail and WWW-Authenticate: Bearer."""
    assert_detail(resp, 401, detail)
    assert resp.headers.get("WWW-Authenticate", "").split(" ")[0] == "Bearer", resp.headers


def assert_forbidden(resp, detail="Not enough permissions"):
    assert_detail(resp, 403, detail)


def assert_422_query(resp, field=None):
    """422 in FastAPI's shape for the query string; with field, one error
    is on that parameter (loc ["query", field])."""
    assert resp.status_code == 422, (resp.status_code, resp.text)
    assert_json_response(resp)
    b = body_of(resp)
    assert isinstance(b, dict) and set(b) == {"detail"}, b
    assert isinstance(b["detail"], list) and b["detail"], b
    for err in b["detail"]:
        assert {"loc", "msg", "type"} <= set(err), err
        assert isinstance(err["loc"], list) and err["loc"][:1] == ["query"], err
    if field is not None:
        assert ["query", field] in [e["loc"] for e in b["detail"]], b
    return b


def assert_token_pair(resp):
    """API.md's /token answer; returns the body."""
    assert resp.status_code == 200, (resp.status_code, resp.text)
    assert_json_response(resp)
    b = body_of(resp)
    assert set(b) == TOKEN_FIELDS, b
    assert b["token_type"] == "bearer", b
    assert b["expires_in"] == ACCESS_TOKEN_TTL and type(b["expires_in"]) is int, b
    assert REFRESH_TOKEN_RE.match(b["refresh_token"]), b["refresh_token"]
    assert isinstance(b["access_token"], str) and b["access_token"].count(".") == 2, b
    return note_pair(b)


# --- JWT -------------------------------------------------------------------------

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    if isinstance(s, str):
        s = s.encode()
    return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))


def jwt_decode(token):
    """(header, claims) of a JWT, unverified."""
    h, p, _ = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p))


def jwt_signing_input(header, claims):
    """base64url(header).base64url(claims); dicts are JSON-encoded compactly,
    str/bytes are taken as the raw JSON text."""
    def part(x):
        return b64url(x if isinstance(x, (str, bytes)) else dumps(x))
    return part(header) + "." + part(claims)


def load_private_key(path):
    from cryptography.hazmat.primitives import serialization
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def new_rsa_key(bits=2048):
    from cryptography.hazmat.primitives.asymmetric import rsa
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def signing_key():
    return load_private_key(conf_get("signing_key_file"))


def verify_only_keys():
    files = conf_get("verify_key_files", "")
    return [load_private_key(p.strip()) for p in re.split(r"[,\s]+", files) if p.strip()]


def rsa_jwk_numbers(key):
    """(n, e) of an RSA key (private or public) as unpadded base64url."""
    pub = key.public_key() if hasattr(key, "public_key") else key
    nums = pub.public_numbers()
    def enc(i):
        return b64url(i.to_bytes((i.bit_length() + 7) // 8, "big"))
    return enc(nums.n), enc(nums.e)


def rsa_thumbprint(key):
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA key."""
    n, e = rsa_jwk_numbers(key)
    canon = '{"e":"%s","kty":"RSA","n":"%s"}' % (e, n)
    return b64url(hashlib.sha256(canon.encode()).digest())


def jwt_rs256(header, claims, key):
    """A JWT signed RS256 (PKCS#1 v1.5, SHA-256) with key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    si = jwt_signing_input(header, claims)
    sig = key.sign(si.encode(), padding.PKCS1v15(), hashes.SHA256())
    return si + "." + b64url(sig)


def jwt_hs256(header, claims, secret):
    import hmac
    si = jwt_signing_input(header, claims)
    return si + "." + b64url(hmac.new(secret, si.encode(), hashlib.sha256).digest())


def rs256_verify(token, n_b64, e_b64):
    """True if token's RS256 signature verifies with the JWK (n, e)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    n = int.from_bytes(b64url_decode(n_b64), "big")
    e = int.from_bytes(b64url_decode(e_b64), "big")
    pub = rsa.RSAPublicNumbers(e, n).public_key()
    si, _, sig = token.rpartition(".")
    try:
        pub.verify(b64url_decode(sig), si.encode(), padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def now():
    return int(time.time())

# =============================================================================
# END helpers of the auth/authorisation suites.
# =============================================================================
