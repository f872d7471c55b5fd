"""SECURITY.md C-T6, after the whole suite: no log file of the run (every
file under $GENESIS_VAR/log/: the workers' log, nginx's access and error
logs, MariaDB's, the migrations') contains a password or token the suite
used (e2elib.SECRETS_USED: passwords, access and refresh tokens), an
Authorization header value the suite sent, or anything shaped like a
bearer credential or an Authorization header.

Named to sort after test_zzz_log_secrets.py (which checks the workers' log
only), so it runs last and sees every secret of the run; it sends a few
requests of its own first so that it is never vacuous when run alone."""
import json
import os
import re
import urllib.parse

import pytest

import e2elib
from abuselib import (AUTH_SENT, LOG_DIR, assert_bad_login, call, fresh_address, login,
                      login_ok, new_user, note_auth, raw_request)
from e2elib import SECRETS_USED, note_secret, refresh_response, unique_name

# Shapes that must never be in a log, whoever sent them.
PATTERNS = {
    "Authorization header": re.compile(rb"(?i)\bauthorization\s*[:=]\s*\S"),
    "HTTP_AUTHORIZATION": re.compile(rb"(?i)http_authorization"),
    "bearer credential": re.compile(rb"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    "refresh token": re.compile(rb"\brt_[A-Za-z0-9_-]{43}"),
    "signed JWT": re.compile(rb"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
    "password hash": re.compile(rb"\$argon2id?\$|\$2[aby]\$\d\d\$"),
}


def _exercise():
    """A login, a refresh, authenticated calls and a refused login whose
    username field holds a password (users type it there)."""
    acct = login_ok(new_user(), fresh_address())
    src = fresh_address()
    r = refresh_response(acct.refresh, source=src)
    e2elib.assert_token_pair(r)
    acct.take(r.json(), src)
    r = call("GET", "/users/me", src, token=acct.access)
    assert r.status_code == 200, r.text
    misplaced = note_secret("Misplaced@Passw0rd-%s" % unique_name("x")[-8:])
    assert_bad_login(login(misplaced, acct.password, fresh_address()))
    odd = note_auth("Bearer not-a-token-%s" % unique_name("x"))
    r = raw_request("GET", "/users/me", [("Authorization", odd)])
    assert r.status_code == 401, r
    r = call("POST", "/logout", src, token=acct.access)
    assert r.status_code == 200, r.text
    _exercise_oidc()


def _exercise_oidc():
    """A flow of the OpenID Provider (docs/OIDC.md) whose code, client
    secret, tokens, ID token and cookie are noted: a code in a redirect
    and an ID token in GET /oauth/logout's query are what a web server's
    access log would catch."""
    import oidclib
    user = oidclib.new_user()
    c = oidclib.make_client(grants=oidclib.ALL_GRANTS)
    b = oidclib.Browser()
    flow = oidclib.sign_in(b, c, user, scope="openid offline_access")
    tk = oidclib.assert_tokens(oidclib.redeem(c, flow, how="post"), refresh=True)
    r = oidclib.userinfo(tk["access_token"], method="POST", form=True)
    assert r.status_code == 200, r.text
    r = oidclib.introspect(c, tk["refresh_token"])
    assert r.status_code == 200, r.text
    cookie = b.cookie or ""
    r = b.get("/oauth/logout?" + urllib.parse.urlencode({"id_token_hint": tk["id_token"]}))
    assert r.status_code in (200, 302, 303), r.status_code
    b.close()
    OIDC_USED.update(code=flow.code, client_secret=c.secret, id_token=tk["id_token"],
                     refresh_token=tk["refresh_token"], cookie=cookie)


OIDC_USED = {}


def _nginx_escaped(b):
    """nginx's access/error log escaping: \\xHH for '"', '\\' and bytes
    outside printable ASCII."""
    out = bytearray()
    for c in b:
        if c < 0x20 or c >= 0x7f or c in (0x22, 0x5c):
            out += b"\\x%02X" % c
        else:
            out.append(c)
    return bytes(out)


def _forms(secret):
    """secret as it could appear in a log."""
    raw = secret.encode("utf-8", errors="surrogatepass")
    forms = {raw, _nginx_escaped(raw)}
    forms.add(json.dumps(secret)[1:-1].encode())
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1].encode("utf-8", errors="surrogatepass"))
    for q in (urllib.parse.quote(raw, safe=""), urllib.parse.quote_plus(raw),
              urllib.parse.quote(raw, safe="/:@!$&'()*+,;=")):
        forms.add(q.encode())
        forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), q).encode())
    return {f for f in forms if len(f) >= 8}


SAFE_RUN = re.compile(rb"[A-Za-z0-9_-]{8,}")


def _leaks(secret, text):
    """True if any form of secret is in text.  Letters, digits, '_' and '-'
    survive every escaping, so the secret's longest run of them is looked
    for first (one scan instead of one per form)."""
    runs = SAFE_RUN.findall(secret.encode("utf-8", errors="surrogatepass"))
    if runs and max(runs, key=len) not in text:
        return False
    return any(f in text for f in _forms(secret))


def _log_files():
    files = []
    for d, _, names in os.walk(LOG_DIR):
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p):
                files.append(p)
    return sorted(files)


@pytest.fixture(scope="module")
def logs():
    _exercise()
    out = {}
    for p in _log_files():
        with open(p, "rb") as f:
            out[os.path.relpath(p, LOG_DIR)] = f.read()
    return out


def test_the_run_left_logs(logs):
    assert "genesis.log" in logs and logs["genesis.log"], sorted(logs)
    assert any(n.startswith("nginx") for n in logs), sorted(logs)


def test_no_log_holds_a_secret_the_suite_used(logs):
    secrets = [s for s in SECRETS_USED if len(s) >= 8]
    assert len(secrets) >= 6, len(secrets)
    assert any(s.startswith("rt_") for s in secrets)           # tokens are there too
    assert any(s.count(".") == 2 and s.startswith("eyJ") for s in secrets)
    leaked = []
    for s in secrets:
        for name, text in logs.items():
            if _leaks(s, text):
                leaked.append((name, s[:12] + "..."))
    assert not leaked, leaked[:10]


def test_no_log_holds_an_authorization_header_value_sent(logs):
    values = [v for v in AUTH_SENT if len(v) >= 12]
    assert values
    leaked = []
    for v in values:
        token = v.split(" ", 1)[-1]
        for name, text in logs.items():
            if _leaks(v, text) or (len(token) >= 12 and _leaks(token, text)):
                leaked.append((name, v[:24] + "..."))
    assert not leaked, sorted(set(leaked))[:10]


def test_the_oidc_secrets_are_searched_for(logs):
    """The flow of _exercise_oidc ran and its secrets are among those the
    test above looks for (so the OpenID Provider's are never left out)."""
    assert set(OIDC_USED) == {"code", "client_secret", "id_token", "refresh_token", "cookie"}
    for what, s in OIDC_USED.items():
        assert s and s in SECRETS_USED and len(s) >= 8, what
    leaked = [(name, what) for what, s in OIDC_USED.items()
              for name, text in logs.items() if _leaks(s, text)]
    assert not leaked, leaked


@pytest.mark.parametrize("what", sorted(PATTERNS))
def test_no_log_holds_credential_shaped_text(logs, what):
    hits = []
    for name, text in logs.items():
        for m in PATTERNS[what].finditer(text):
            hits.append((name, m.group(0)[:40]))
    assert not hits, hits[:10]
