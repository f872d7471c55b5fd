"""Helpers of the multi-host suite (tests/multihost/run starts the stack).

Requests go straight to one application host (HOST_A, HOST_B) when a
test is about which host sees what, and through the front balancer
(FRONT) when it is about the service as a client sees it.  Each request
is one fresh HTTP/1.1 connection from a chosen loopback address, so the
per-address counters of the hosts can be kept apart.
"""
import http.client
import json
import os
import subprocess
import time
import urllib.parse
import uuid

FRONT = os.environ.get("GENESIS_MH_URL", "http://127.0.0.1:18390")
HOST_A = os.environ.get("GENESIS_MH_HOST_A", "http://127.0.1.1:18390")
HOST_B = os.environ.get("GENESIS_MH_HOST_B", "http://127.0.1.2:18390")
RUN = os.environ.get("GENESIS_MH_RUN", os.path.join(os.path.dirname(__file__), "run"))
MHVAR = os.environ.get("GENESIS_MH_VAR", "")
HOSTS = {"A": HOST_A, "B": HOST_B}
TIMEOUT = 30


class Resp:
    def __init__(self, status, body):
        self.status = status
        self.text = body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)

    def __repr__(self):
        return "<%d %s>" % (self.status, self.text[:200])


def request(base, method, path, json_body=None, form=None, token=None,
            source="127.0.0.1", timeout=TIMEOUT):
    """One request on a new connection; status 0 when none came back."""
    u = urllib.parse.urlsplit(base)
    headers = {"Connection": "close"}
    body = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout,
                                   source_address=(source, 0))
    try:
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        return Resp(r.status, r.read())
    except (OSError, http.client.HTTPException):
        return Resp(0, b"")
    finally:
        c.close()


def new_name(prefix="mh"):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:16])


def new_password():
    return "Pw@%saB3#Z9" % uuid.uuid4().hex[:10]


def register(base, name=None, password=None, source="127.0.0.1"):
    name = name or new_name()
    password = password or new_password()
    r = request(base, "POST", "/users/", json_body={
        "username": name, "email": name + "@example.com", "password": password},
        source=source)
    assert r.status == 200, r
    return r.json()["id"], name, password


def login(base, name, password, source="127.0.0.1"):
    return request(base, "POST", "/token",
                   form={"username": name, "password": password}, source=source)


def login_ok(base, name, password, source="127.0.0.1"):
    r = login(base, name, password, source)
    assert r.status == 200, r
    return r.json()


def refresh(base, rt, source="127.0.0.1"):
    return request(base, "POST", "/refresh_token", form={"refresh_token": rt},
                   source=source)


def validate(base, at, source="127.0.0.1"):
    return request(base, "POST", "/token/validate", token=at, source=source)


def run(*args, timeout=300):
    p = subprocess.run([RUN] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    assert p.returncode == 0, (args, p.stdout[-2000:], p.stderr[-2000:])
    return p.stdout.decode()


def node_sql(node, sql):
    """Rows (lists of str) of sql as root on Galera node 1, 2 or 3."""
    out = run("sql", str(node), "-N", "-B", "-e", sql, "genesis", timeout=60)
    return [line.split("\t") for line in out.splitlines() if line]


def each_node(sql):
    """The rows of sql on every node, once the node has caught up."""
    return [node_sql(n, "SET SESSION wsrep_sync_wait = 1; " + sql)
            for n in (1, 2, 3)]


def create_admin(host="A", root=False):
    """A fresh admin (a root with root), made with genesis-admin on one host."""
    name = new_name("mhadm")
    pw = new_password()
    conf = os.path.join(MHVAR, "host" + host, "genesis.conf")
    binary = os.path.join(MHVAR, "host" + host, "bin", "genesis-admin")
    p = subprocess.run([binary, "-c", conf, "create-admin"] +
                       (["--root"] if root else []) +
                       [name, name + "@example.com"], input=(pw + "\n").encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    assert p.returncode == 0, (p.stdout, p.stderr)
    uid = node_sql(1, "SELECT id FROM users WHERE username = '%s'" % name)[0][0]
    return uid, name, pw


def wait_until(what, fn, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if fn():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)
