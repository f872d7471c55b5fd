"""Helpers of the OpenID Provider suites (tests/e2e/test_oidc_*.py),
written from docs/OIDC.md and SECURITY.md C-T20..C-T24.

A relying party (RP) is a registered client (make_client); a browser is a
requests.Session of its own (Browser) that never follows redirects, reads
the hosted pages' forms (hidden inputs) and posts them as a browser would.
The client's redirect_uri points at a loopback port nobody listens on: the
suite never follows the redirect back, it reads the code, state and iss
from the Location header.

Source addresses: POST /oauth/login and /oauth/token are under the token
limit (10/min, burst 20 per address), so each Browser leaves from a loopback
address of its own (127.<net>.x.y, net drawn at random per run from
200..209, apart from e2elib's and abuselib's ranges) and every /oauth/token
call of an RP goes through e2elib.login_source() (a new address every few
requests).

Every code, client secret, token, ID token and cookie value the suites
see is noted (e2elib.note_secret) for the log searches of
test_zzz_log_secrets.py and test_zzzz_logs_no_secrets.py.
"""
import base64
import hashlib
import hmac
import html
import html.parser
import itertools
import os
import random
import re
import secrets
import threading
import time
import urllib.parse
import uuid

import requests

import e2elib
from e2elib import (BASE_URL, HTTP_TIMEOUT, VAR, b64url, jwt_decode,
                    note_secret, root_sql, sql_quote, url)

KNOWN_SCOPES = {"openid", "profile", "email", "offline_access"}
ALL_GRANTS = ["authorization_code", "refresh_token", "client_credentials"]

# OIDC.md "Every page".
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

# The test stack runs over plain http: op_cookie_secure = no (oidc-design.md).
COOKIE_NAME = os.environ.get("GENESIS_OP_COOKIE", "genesis_op")
COOKIE_VALUE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")

WRONG_LOGIN_TEXT = "Wrong username or password"


def issuer():
    return e2elib.conf_get("jwt_issuer").rstrip("/")


# --- source addresses -------------------------------------------------------------

_lock = threading.RLock()
_rng = random.SystemRandom()
# Not e2elib's login and api nets (127.<n>, 127.<n+1>), nor abuselib's
# (240..254) nor conftest's (15).
_browser_net = _rng.choice([n for n in range(200, 239)
                            if n not in (e2elib._login_net, e2elib._api_net)])
_browser_counter = itertools.count()


def browser_source():
    """A loopback address no other Browser of this run uses."""
    n = next(_browser_counter)
    return "127.%d.%d.%d" % (_browser_net, (n // 250) % 250, n % 250 + 2)


# --- clients ------------------------------------------------------------------------

def client_secret_key():
    with open(os.path.join(VAR, "secrets", "client_secret_key"), "rb") as f:
        return f.read().rstrip(b"\n")


def secret_hash(secret):
    """oauth_clients.secret_hash of a secret (oidc-design.md)."""
    return hmac.new(client_secret_key(), secret.encode(), hashlib.sha256).hexdigest()


class Client:
    """A registered client as the suite knows it."""

    def __init__(self, client_id, secret, redirect_uris, **kw):
        self.id = client_id
        self.secret = note_secret(secret) if secret else None
        self.redirect_uris = list(redirect_uris)
        self.__dict__.update(kw)

    @property
    def redirect_uri(self):
        return self.redirect_uris[0]

    def __repr__(self):
        return "Client(%s, %s)" % (self.id, getattr(self, "name", "?"))


def new_redirect_uri(port=8999):
    return "http://127.0.0.1:%d/cb/%s" % (port, uuid.uuid4().hex[:12])


def make_client(name=None, redirect_uris=None, scopes=("openid", "profile", "email",
                                                       "offline_access"),
                audiences=(), grants=("authorization_code", "refresh_token"),
                auth_method=None, require_pkce=False, require_consent=False,
                is_active=True, post_logout_redirect_uris=None, by_sql=False):
    """Register a client and return it (with its secret when confidential).

    The one place that knows how clients are created: POST /admin/clients
    when the stack has it (GENESIS_E2E_CLIENTS=api forces it, =sql forces
    the other way), else SQL as MariaDB's root (the secret stored as
    HMAC-SHA-256 under client_secret_key, as the service does).  by_sql
    writes the row directly even then: for a client the registry would
    refuse, to test the token endpoint's own check of it.
    """
    redirect_uris = list(redirect_uris) if redirect_uris is not None else [new_redirect_uri()]
    plrs = list(post_logout_redirect_uris) if post_logout_redirect_uris is not None else \
        ["http://127.0.0.1:8999/bye/%s" % uuid.uuid4().hex[:12]]
    is_public = auth_method == "none"
    if is_public:
        require_pkce = True
    kw = dict(name=name, scopes=list(scopes), audiences=list(audiences), grants=list(grants),
              auth_method=auth_method, is_public=is_public, require_pkce=require_pkce,
              require_consent=require_consent, post_logout_redirect_uris=plrs)
    if not by_sql and _clients_by_api():
        return _make_client_api(redirect_uris, is_active, **kw)
    cid = str(uuid.uuid4())
    name = name if name is not None else "RP %s" % cid[:8]
    kw["name"] = name
    secret = None if is_public else b64url(secrets.token_bytes(32))
    cols = {
        "id": sql_quote(cid),
        "name": sql_quote(name),
        "is_public": "1" if is_public else "0",
        "auth_method": "NULL" if auth_method is None else sql_quote(auth_method),
        "secret_hash": "NULL" if secret is None else "UNHEX('%s')" % secret_hash(secret),
        "redirect_uris": sql_quote("\n".join(redirect_uris)),
        "post_logout_redirect_uris": sql_quote("\n".join(plrs)),
        "allowed_scopes": sql_quote(" ".join(scopes)),
        "allowed_audiences": sql_quote(" ".join(audiences)),
        "grant_types": sql_quote(" ".join(grants)),
        "require_pkce": "1" if require_pkce else "0",
        "require_consent": "1" if require_consent else "0",
        "is_active": "1" if is_active else "0",
        "created_at": "UTC_TIMESTAMP()",
        "updated_at": "UTC_TIMESTAMP()",
    }
    root_sql("INSERT INTO oauth_clients (%s) VALUES (%s)" % (
        ", ".join(cols), ", ".join(cols.values())), db="genesis")
    return Client(cid, secret, redirect_uris, **kw)


_by_api = []
_admin = []


def admin_token():
    """An access token of an admin of this run, renewed before it expires
    (the access token TTL is 15 minutes; the suite runs longer)."""
    with _lock:
        if not _admin:
            _admin.append([e2elib.create_admin(login=True), time.monotonic()])
        held = _admin[0]
    if time.monotonic() - held[1] > 600:
        held[0].login()
        held[1] = time.monotonic()
    return held[0].access


def _clients_by_api():
    """Does the stack have POST /admin/clients (asked once)?"""
    how = os.environ.get("GENESIS_E2E_CLIENTS", "auto")
    if how in ("api", "sql"):
        return how == "api"
    with _lock:
        if not _by_api:
            r = e2elib.api("GET", "/admin/clients", token=admin_token())
            _by_api.append(r.status_code == 200)
        return _by_api[0]


def _make_client_api(redirect_uris, is_active, **kw):
    body = {
        "client_name": kw["name"] if kw["name"] is not None else "RP %s" % uuid.uuid4().hex[:8],
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": kw["post_logout_redirect_uris"],
        "allowed_scopes": kw["scopes"], "allowed_audiences": kw["audiences"],
        "grant_types": kw["grants"], "require_pkce": kw["require_pkce"],
        "require_consent": kw["require_consent"], "is_active": is_active,
    }
    if kw["auth_method"] is not None:
        body["token_endpoint_auth_method"] = kw["auth_method"]
    r = e2elib.api("POST", "/admin/clients", json=body, token=admin_token())
    assert r.status_code == 200, (r.status_code, r.text, body)
    b = r.json()
    assert b["id"] == b["client_id"], b
    assert ("client_secret" in b) == (not kw["is_public"]), b
    kw["name"] = b["client_name"]
    return Client(b["id"], b.get("client_secret"), redirect_uris, **kw)


# --- PKCE -------------------------------------------------------------------------

def pkce_pair():
    """(verifier, S256 challenge) of RFC 7636."""
    verifier = b64url(secrets.token_bytes(32))
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge


# --- HTML ---------------------------------------------------------------------------

class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._cur = {"action": a.get("action"), "method": (a.get("method") or "get").lower(),
                         "inputs": {}, "buttons": []}
            self.forms.append(self._cur)
        elif tag == "input" and self._cur is not None:
            if a.get("name"):
                self._cur["inputs"][a["name"]] = {"type": (a.get("type") or "text").lower(),
                                                  "value": a.get("value") or ""}
        elif tag == "button" and self._cur is not None:
            self._cur["buttons"].append({"name": a.get("name"), "value": a.get("value"),
                                         "type": (a.get("type") or "submit").lower()})

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


def forms_of(text):
    p = _FormParser()
    p.feed(text)
    p.close()
    return p.forms


def form_posting_to(resp, action):
    """The one form of resp's page that posts to action (a path)."""
    forms = [f for f in forms_of(resp.text)
             if f["method"] == "post" and f["action"] is not None
             and urllib.parse.urlsplit(f["action"]).path == action]
    assert len(forms) == 1, (action, resp.status_code, resp.text[:2000])
    return forms[0]


def hidden(form):
    return {k: v["value"] for k, v in form["inputs"].items() if v["type"] == "hidden"}


def assert_page(resp, status=None):
    """An HTML page of ours with every header of OIDC.md "Every page"."""
    if status is not None:
        assert resp.status_code == status, (resp.status_code, resp.headers, resp.text[:1000])
    ct = resp.headers.get("Content-Type", "")
    assert ct.split(";")[0].strip().lower() == "text/html", (ct, resp.text[:300])
    assert "charset=utf-8" in ct.replace(" ", "").lower(), ct
    for k, v in PAGE_HEADERS.items():
        assert resp.headers.get(k) == v, (k, resp.headers.get(k), dict(resp.headers))
    assert "<script" not in resp.text.lower(), resp.text[:2000]


def assert_error_page(resp):
    """OIDC.md "Page": 400 HTML of ours, never a redirect."""
    assert "Location" not in resp.headers, (resp.status_code, resp.headers)
    assert_page(resp, 400)


# --- the browser ------------------------------------------------------------------

def _abs(location):
    return urllib.parse.urljoin(BASE_URL + "/", location)


def _path_of(location):
    return urllib.parse.urlsplit(_abs(location)).path


def is_ours(location):
    """Does location point at the provider (not at a client)?"""
    a = urllib.parse.urlsplit(_abs(location))
    b = urllib.parse.urlsplit(BASE_URL)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


class Browser:
    """One user agent: its own cookie jar and source address."""

    def __init__(self, source=None):
        self.source = source or browser_source()
        self.s = e2elib.client(self.source)

    def close(self):
        self.s.close()

    def set_cookie(self, value):
        """Put a browser-session cookie in the jar as the server would
        have (host-only, Path=/), replacing any held one."""
        host = urllib.parse.urlsplit(BASE_URL).hostname
        self.s.cookies.set(COOKIE_NAME, value, domain=host, path="/")

    @property
    def cookie(self):
        v = self.s.cookies.get(COOKIE_NAME)
        if v:
            note_secret(v)
        return v

    def get(self, path_or_url, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        r = self.s.get(_abs(path_or_url), **kw)
        self._note(r)
        return r

    def post(self, path_or_url, data, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT)
        kw.setdefault("allow_redirects", False)
        if isinstance(data, dict):
            for k in ("password", "csrf", "id_token_hint"):
                if isinstance(data.get(k), str):
                    note_secret(data[k])
        r = self.s.post(_abs(path_or_url), data=data, **kw)
        self._note(r)
        return r

    def _note(self, r):
        for c in r.cookies:
            note_secret(c.value)
        loc = r.headers.get("Location")
        if loc:
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
            for k in ("code",):
                for v in q.get(k, []):
                    note_secret(v)

    def authorize(self, params, method="GET", headers=None):
        """GET (or POST) /oauth/authorize with params (a dict or a list of
        pairs, sent as they are)."""
        if method == "GET":
            q = urllib.parse.urlencode(params)
            return self.get("/oauth/authorize?" + q, headers=headers or {})
        return self.post("/oauth/authorize", params, headers=headers or {})

    def follow_to_login(self, resp):
        """From an authorize answer to the login page (following our own
        redirects); returns the login page response."""
        for _ in range(3):
            if resp.status_code in (301, 302, 303, 307) and is_ours(resp.headers["Location"]):
                resp = self.get(resp.headers["Location"])
                continue
            break
        return resp

    def login_form(self, resp):
        """The login page's form (asserting the page is one)."""
        assert_page(resp)
        f = form_posting_to(resp, "/oauth/login")
        assert {"username", "password"} <= set(f["inputs"]), f
        assert {"csrf", "req"} <= set(hidden(f)), f
        return f

    def submit_login(self, page, username, password, **override):
        f = self.login_form(page)
        data = hidden(f)
        data.update({"username": username, "password": password})
        data.update(override)
        note_secret(password)
        return self.post("/oauth/login", data)

    def consent_form(self, resp):
        assert_page(resp, 200)
        f = form_posting_to(resp, "/oauth/consent")
        assert {"csrf", "req"} <= set(hidden(f)), f
        values = {b["value"] for b in f["buttons"] if b["name"] == "decision"}
        assert values == {"allow", "deny"}, f
        return f

    def submit_consent(self, page, decision, **override):
        data = hidden(self.consent_form(page))
        data["decision"] = decision
        data.update(override)
        return self.post("/oauth/consent", data)


def client_redirect(resp, client, redirect_uri=None):
    """The query parameters of a 302/303 to the client's redirect_uri
    (asserting it is exactly that URI plus a query)."""
    ru = redirect_uri or client.redirect_uri
    assert resp.status_code in (302, 303), (resp.status_code, resp.headers, resp.text[:1000])
    loc = resp.headers["Location"]
    assert loc.startswith(ru + "?"), (loc, ru)
    rest = loc[len(ru) + 1:]
    assert "#" not in rest, loc
    pairs = urllib.parse.parse_qsl(rest, keep_blank_values=True, strict_parsing=True)
    names = [k for k, _ in pairs]
    assert len(names) == len(set(names)), pairs
    q = dict(pairs)
    for k in ("code",):
        if k in q:
            note_secret(q[k])
    return q


def assert_redirect_error(resp, client, error, state=None, redirect_uri=None):
    """OIDC.md "Redirect error": 302 with error, ASCII error_description,
    state (exactly, if sent) and iss."""
    assert resp.status_code == 302, (resp.status_code, resp.headers, resp.text[:1000])
    q = client_redirect(resp, client, redirect_uri)
    assert q.get("error") == error, q
    assert "code" not in q, q
    d = q.get("error_description")
    assert isinstance(d, str) and d and all(0x20 <= ord(c) < 0x7f for c in d), q
    assert q.get("iss") == issuer(), q
    if state is None:
        assert "state" not in q, q
    else:
        assert q.get("state") == state, (q.get("state"), state)
    return q


def assert_code_redirect(resp, client, state=None, redirect_uri=None):
    """OIDC.md authorize step 5; returns the code."""
    q = client_redirect(resp, client, redirect_uri)
    assert "error" not in q, q
    assert CODE_RE.match(q.get("code", "")), q
    assert q.get("iss") == issuer(), q
    if state is None:
        assert "state" not in q, q
    else:
        assert q.get("state") == state, q
    return note_secret(q["code"])


def auth_params(client, scope="openid", state=None, nonce=None, challenge=None,
                method="S256", redirect_uri=None, **extra):
    p = {"response_type": "code", "client_id": client.id,
         "redirect_uri": redirect_uri or client.redirect_uri, "scope": scope}
    if state is not None:
        p["state"] = state
    if nonce is not None:
        p["nonce"] = nonce
    if challenge is not None:
        p["code_challenge"] = challenge
        if method is not None:
            p["code_challenge_method"] = method
    p.update(extra)
    return p


class Flow:
    """The result of one authorization: code (and its verifier, state,
    nonce), the browser, the login page's response."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def sign_in(browser, client, user, scope="openid", pkce=True, nonce=True, state=True,
            consent="allow", **extra):
    """The whole front channel: authorize, log in on the page (if asked),
    consent (if asked); returns a Flow with the code."""
    verifier, challenge = pkce_pair() if pkce else (None, None)
    st = "st-" + uuid.uuid4().hex if state is True else (state or None)
    nn = "n-" + uuid.uuid4().hex if nonce is True else (nonce or None)
    r = browser.authorize(auth_params(client, scope=scope, state=st, nonce=nn,
                                      challenge=challenge, **extra))
    logged_in = False
    consented = False
    if not (r.status_code == 302 and r.headers.get("Location", "").startswith(
            client.redirect_uri + "?")):
        page = browser.follow_to_login(r)
        if _is_login_page(page):
            r = browser.submit_login(page, user.username, user.password)
            assert r.status_code == 303, (r.status_code, r.headers, r.text[:1000])
            logged_in = True
        else:
            r = page
        if r.status_code in (302, 303) and is_ours(r.headers["Location"]):
            assert _path_of(r.headers["Location"]) == "/oauth/consent", r.headers
            page = browser.get(r.headers["Location"])
            r = browser.submit_consent(page, consent)
            assert r.status_code == 303, (r.status_code, r.headers, r.text[:1000])
            consented = True
        elif r.status_code == 200 and "/oauth/consent" in r.text:
            r = browser.submit_consent(r, consent)
            assert r.status_code == 303, (r.status_code, r.headers, r.text[:1000])
            consented = True
    if consent == "deny" and consented:
        return Flow(resp=r, state=st, nonce=nn, verifier=verifier, code=None,
                    logged_in=logged_in, consented=consented)
    code = assert_code_redirect(r, client, state=st)
    return Flow(resp=r, code=code, state=st, nonce=nn, verifier=verifier,
                challenge=challenge, logged_in=logged_in, consented=consented)


def _is_login_page(resp):
    if resp.status_code not in (200, 401):
        return False
    try:
        return any(f["method"] == "post" and f["action"] is not None and
                   urllib.parse.urlsplit(f["action"]).path == "/oauth/login"
                   for f in forms_of(resp.text))
    except Exception:
        return False


def login_page(browser, client, scope="openid", **kw):
    """Authorize with PKCE and no session: the login page (asserted)."""
    verifier, challenge = pkce_pair()
    r = browser.authorize(auth_params(client, scope=scope, challenge=challenge, **kw))
    page = browser.follow_to_login(r)
    assert _is_login_page(page), (r.status_code, r.headers, page.status_code, page.text[:500])
    page.verifier = verifier
    return page


# --- the token endpoint -------------------------------------------------------------

def basic(client_id, secret, encode=True):
    """Authorization: Basic with id and secret form-urlencoded (RFC 6749 §2.3.1)."""
    if encode:
        client_id = urllib.parse.quote_plus(client_id)
        secret = urllib.parse.quote_plus(secret)
    return {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (client_id, secret)).encode()).decode()}


def client_auth(client, how=None):
    """(headers, form fields) authenticating client the way how says
    ("basic", "post", "none"; default: what it is registered for)."""
    how = how or {"client_secret_post": "post", "none": "none"}.get(client.auth_method, "basic")
    if how == "basic":
        return basic(client.id, client.secret), {}
    if how == "post":
        return {}, {"client_id": client.id, "client_secret": client.secret}
    if how == "none":
        return {}, {"client_id": client.id}
    raise ValueError(how)


def fake_secret(prefix=""):
    """A random stand-in for a code, token or secret (random, so that a
    log search for it cannot match some other test's text)."""
    return prefix + b64url(secrets.token_bytes(32))


def oauth_post(path, data, headers=None, source=None, public=()):
    """POST a form to an /oauth/* endpoint from e2elib.login_source();
    every secret sent is noted except the fields named in public."""
    for k in ("code", "code_verifier", "refresh_token", "client_secret", "token"):
        if k not in public and isinstance(data.get(k), str):
            note_secret(data[k])
    src = source or e2elib.login_source()
    s = e2elib._client_for(src)
    r = s.post(url(path), data=data, headers=headers or {}, timeout=HTTP_TIMEOUT)
    r.source = src or "127.0.0.1"
    if r.status_code == 200:
        try:
            b = r.json()
        except ValueError:
            b = None
        if isinstance(b, dict):
            for k in ("access_token", "refresh_token", "id_token"):
                if isinstance(b.get(k), str):
                    note_secret(b[k])
    return r


def token(client, data, how=None, headers=None, public=()):
    """POST /oauth/token authenticated as client."""
    h, f = client_auth(client, how)
    h.update(headers or {})
    body = dict(f)
    body.update(data)
    return oauth_post("/oauth/token", body, headers=h, public=public)


def redeem(client, flow, how=None, redirect_uri=None, public=(), **extra):
    data = {"grant_type": "authorization_code", "code": flow.code,
            "redirect_uri": redirect_uri or client.redirect_uri}
    if flow.verifier is not None:
        data["code_verifier"] = flow.verifier
    data.update(extra)
    return token(client, data, how=how, public=public)


def assert_oauth_error(resp, status, error):
    """RFC 6749 §5.2: JSON {"error","error_description"}; not cacheable."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    e2elib.assert_json_response(resp)
    b = e2elib.body_of(resp)
    assert b.get("error") == error, b
    assert isinstance(b.get("error_description"), str) and b["error_description"], b
    assert all(0x20 <= ord(c) < 0x7f and c not in '"\\' for c in b["error_description"]), b
    assert set(b) <= {"error", "error_description", "error_uri"}, b
    assert None not in b.values(), b
    return b


def assert_tokens(resp, scope=None, refresh=None, id_token=True):
    """OIDC.md token response; returns the body."""
    assert resp.status_code == 200, (resp.status_code, resp.text)
    e2elib.assert_json_response(resp)
    assert resp.headers.get("Pragma") == "no-cache", resp.headers
    b = e2elib.body_of(resp)
    assert b.get("token_type") == "Bearer", b
    assert isinstance(b.get("access_token"), str) and b["access_token"].count(".") == 2, b
    assert type(b.get("expires_in")) is int and b["expires_in"] > 0, b
    assert isinstance(b.get("scope"), str), b
    if scope is not None:
        assert set(b["scope"].split(" ")) == set(scope.split()), (b["scope"], scope)
    if refresh is True:
        assert isinstance(b.get("refresh_token"), str) and b["refresh_token"], b
    elif refresh is False:
        assert "refresh_token" not in b, b
    if id_token:
        assert isinstance(b.get("id_token"), str) and b["id_token"].count(".") == 2, b
    assert None not in b.values(), b
    allowed = {"access_token", "token_type", "expires_in", "scope", "id_token", "refresh_token"}
    assert set(b) <= allowed, b
    for k in ("access_token", "refresh_token", "id_token"):
        if k in b:
            note_secret(b[k])
    return b


def code_tokens(browser, client, user, scope="openid", **kw):
    """sign_in + redeem: (flow, token body)."""
    flow = sign_in(browser, client, user, scope=scope, **kw)
    r = redeem(client, flow)
    want_rt = "offline_access" in scope.split() and "refresh_token" in client.grants
    b = assert_tokens(r, scope=scope, refresh=want_rt)
    return flow, b


# --- keys and tokens --------------------------------------------------------------

def jwks():
    r = requests.get(url("/.well-known/jwks.json"), timeout=HTTP_TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()["keys"]


def verify_rs256(tok):
    """The token's RS256 signature checks out against the JWKS key of its kid."""
    h, _ = jwt_decode(tok)
    assert h.get("alg") == "RS256", h
    keys = [k for k in jwks() if k.get("kid") == h.get("kid")]
    assert len(keys) == 1, (h, [k.get("kid") for k in jwks()])
    assert e2elib.rs256_verify(tok, keys[0]["n"], keys[0]["e"]), "bad signature"
    return True


def at_hash(access_token):
    """OIDC Core 3.1.3.6: left half of SHA-256 of the ASCII access token."""
    return b64url(hashlib.sha256(access_token.encode()).digest()[:16])


def claims(tok):
    return jwt_decode(tok)[1]


# --- other endpoints ---------------------------------------------------------------

def userinfo(access_token=None, method="GET", form=False, headers=None):
    h = dict(headers or {})
    data = None
    if access_token is not None:
        note_secret(access_token)
        if form:
            data = {"access_token": access_token}
        else:
            h["Authorization"] = "Bearer " + access_token
    return e2elib.api(method, "/oauth/userinfo", headers=h, data=data)


def introspect(client, tok, how=None, **extra):
    d = {"token": tok}
    d.update(extra)
    h, f = client_auth(client, how) if client is not None else ({}, {})
    d.update(f)
    return oauth_post("/oauth/introspect", d, headers=h)


def revoke(client, tok, how=None, **extra):
    d = {"token": tok}
    d.update(extra)
    h, f = client_auth(client, how) if client is not None else ({}, {})
    d.update(f)
    return oauth_post("/oauth/revoke", d, headers=h)


def is_active(client, tok):
    r = introspect(client, tok)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json().get("active") is True


def no_nulls(obj, path="$"):
    """Every null in obj (JSON) as a list of paths."""
    out = []
    if obj is None:
        out.append(path)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out += no_nulls(v, "%s.%s" % (path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += no_nulls(v, "%s[%d]" % (path, i))
    return out


def set_cookie_headers(resp):
    """The raw Set-Cookie header values of resp."""
    raw = resp.raw.headers.getlist("Set-Cookie") if hasattr(resp.raw.headers, "getlist") \
        else [v for k, v in resp.raw.headers.items() if k.lower() == "set-cookie"]
    for v in raw:
        name, _, rest = v.partition("=")
        note_secret(rest.split(";")[0])
    return raw


def code_hash_sql(code):
    return "UNHEX(SHA2(%s, 256))" % sql_quote(code)


def new_user():
    """A fresh user (self-registered), not logged in."""
    return e2elib.register_account(login=False)
