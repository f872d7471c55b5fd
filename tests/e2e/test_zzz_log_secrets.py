"""SECURITY.md C-T6: logs never contain a password, a password hash or a
database secret.  Runs last (files run in name order), so every password
the suite sent is known (e2elib.SECRETS_USED); it adds flows of its own
first so that it is never vacuous when run alone."""
import json
import re
import os

import requests

from e2elib import (LOG_FILE, SECRETS_USED, VAR, assert_422, assert_detail,
                    new_account, note_secret, post_json, post_raw, root_sql)


def _exercise_logging():
    """Successful, refused and malformed registrations with passwords."""
    with requests.Session() as s:
        u, e, p = new_account()
        r = post_json(s, "/users/", {"username": u, "email": e, "password": p})
        assert r.status_code == 200, r.text
        # Duplicate, weak, equal to the email, malformed, wrong type.
        r = post_json(s, "/users/", {"username": u, "email": e, "password": p + "x"})
        assert_detail(r, 400, "Email already registered")
        u2, e2, _ = new_account()
        weak = note_secret("weakpw%s" % u2[-8:])
        assert_422(post_json(s, "/users/", {"username": u2, "email": e2, "password": weak}),
                   "password")
        email = "Xy1%s@example.com" % u2[-10:]
        assert_422(post_json(s, "/users/", {"username": u2, "email": email, "password": email}),
                   "password")
        broken = note_secret("Br0ken@Json-%s" % u2[-8:])
        assert_422(post_raw(s, "/users/", ('{"username": "%s", "password": "%s",'
                                           % (u2, broken)).encode()))
        typed = note_secret("Typed@Passw0rd-%s" % u2[-6:])
        assert_422(post_json(s, "/users/", {"username": 5, "email": e2, "password": typed}),
                   "username")
        r = post_raw(s, "/users/", ('{"username":"%s","email":"%s","password":"%s"}'
                                    % (u2, e2, note_secret("Plain@Text-%s1" % u2[-6:]))).encode(),
                     content_type="text/plain")
        assert r.status_code == 415, r.text


def _read_log():
    assert os.path.exists(LOG_FILE), LOG_FILE
    with open(LOG_FILE, "rb") as f:
        return f.read()


def _forms(secret):
    """secret as it could appear in a log: raw UTF-8 and JSON-escaped."""
    forms = {secret.encode("utf-8", errors="surrogatepass")}
    forms.add(json.dumps(secret)[1:-1].encode())
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1].encode("utf-8", errors="surrogatepass"))
    return {f for f in forms if len(f) >= 8}


def test_log_has_no_password():
    _exercise_logging()
    log = _read_log()
    assert log, "the workers logged nothing"
    assert len(SECRETS_USED) >= 6
    leaked = [s for s in SECRETS_USED if any(f in log for f in _forms(s))]
    assert not leaked, "passwords found in %s: %r" % (LOG_FILE, leaked[:5])


def test_log_has_no_password_hash():
    log = _read_log()
    hashes = [r[0] for r in root_sql("SELECT password FROM users", db="genesis")]
    assert hashes
    assert b"$argon2" not in log and b"$2b$" not in log
    leaked = [h for h in hashes if h.encode() in log]
    assert not leaked, leaked[:3]


def test_log_has_no_database_secret():
    log = _read_log()
    for name in ("db_password", "migrate_db_password"):
        path = os.path.join(VAR, "secrets", name)
        with open(path) as f:
            secret = f.read().strip()
        assert secret and secret.encode() not in log, "%s found in the log" % name


# multiwatch shares the workers' stderr and reports restarts in its own
# words ("Child[2] died, respawn", "Spawning child[1] failed, next try").
MULTIWATCH = re.compile(rb"^(Child\[\d+\] |Spawning child\[\d+\] |multiwatch)")


def test_log_lines_are_json():
    bad = []
    for n, line in enumerate(_read_log().splitlines(), 1):
        if not line.strip() or MULTIWATCH.match(line):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append((n, line[:200]))
            continue
        if not isinstance(obj, dict) or "event" not in obj:
            bad.append((n, line[:200]))
    assert not bad, bad[:5]


# --- the OpenID Provider (docs/OIDC.md) -------------------------------------
# Its suites note every code, client secret, token, ID token, CSRF token and
# browser cookie they used (oidclib, via note_secret).  This test runs one
# flow of its own first, so that it is never vacuous when run alone.

def _oidc_flow():
    import oidclib
    user = oidclib.new_user()
    c = oidclib.make_client(grants=oidclib.ALL_GRANTS)
    b = oidclib.Browser()
    flow = oidclib.sign_in(b, c, user, scope="openid offline_access email")
    tk = oidclib.assert_tokens(oidclib.redeem(c, flow), refresh=True)
    r = oidclib.userinfo(tk["access_token"])
    assert r.status_code == 200, r.text
    assert oidclib.revoke(c, tk["refresh_token"]).status_code == 200
    cc = oidclib.assert_tokens(oidclib.token(c, {"grant_type": "client_credentials"}),
                               id_token=False)
    cookie = b.cookie
    r = b.post("/oauth/logout", {"id_token_hint": tk["id_token"]})
    assert r.status_code in (200, 302, 303), r.status_code
    b.close()
    return {"code": flow.code, "verifier": flow.verifier, "client_secret": c.secret,
            "id_token": tk["id_token"], "access_token": tk["access_token"],
            "refresh_token": tk["refresh_token"], "cc_token": cc["access_token"],
            "cookie": cookie}


def test_log_has_no_oidc_secret():
    used = _oidc_flow()
    for what, s in used.items():
        assert s and s in SECRETS_USED, what          # noted, so every check here sees it
    log = _read_log()
    leaked = [s[:10] + "..." for s in SECRETS_USED if any(f in log for f in _forms(s))]
    assert not leaked, "OIDC secrets found in %s: %r" % (LOG_FILE, leaked[:5])
    # Nor the keyed hashes of the clients' secrets.
    hashes = [r[0] for r in root_sql("SELECT HEX(secret_hash) FROM oauth_clients "
                                     "WHERE secret_hash IS NOT NULL", db="genesis")]
    assert hashes
    assert not [h for h in hashes if h.encode() in log or h.lower().encode() in log]


def test_log_has_no_client_secret_key():
    _oidc_flow()
    with open(os.path.join(VAR, "secrets", "client_secret_key"), "rb") as f:
        key = f.read().strip()
    assert key and key not in _read_log()
