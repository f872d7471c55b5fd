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
