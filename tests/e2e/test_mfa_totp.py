"""Two-factor sign-in (issue #11, SECURITY.md C-T25, API.md "Two-factor
sign-in"): TOTP enrolment, activation, sign-in with a code or a recovery
code, each code accepted once, lockouts, removal, regeneration and the
admin's reset.

The codes come from an independent generator, the OATH Toolkit's
oathtool (Debian's package, which deploy/dev.sh installs), never from
the service.  The stack runs with mfa_required_roles = none (dev.sh) so
that the other suites' admins need no second factor; test_mfa_required.py
checks that rule."""
import base64
import hashlib
import os
import re
import subprocess
import tempfile
import threading
import time

import pytest

import e2elib
from abuselib import audit_max_id, audit_rows, fresh_address
from e2elib import (LOG_FILE, api, assert_422, assert_detail,
                    assert_token_pair, assert_unauthorized, create_admin,
                    dev_sh, jwt_decode, login_response, note_secret,
                    refresh_response, register_account, root_sql, sql_quote)

BAD_LOGIN = "Incorrect username or password"
CODE_REQUIRED = {"detail": "Two-factor code required", "mfa_required": True}
BAD_CODE = "Invalid two-factor code"
RECOVERY_RE = re.compile(r"^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$")
B32_RE = re.compile(r"^[A-Z2-7]{32}$")
STEP = 30


def otp(secret, at=None):
    """The code of secret at time at (now by default), by oathtool."""
    at = time.time() if at is None else at
    out = subprocess.check_output(["oathtool", "--totp", "-b",
                                   "--now=@%d" % int(at), secret])
    return out.decode().strip()


def wrong_code(secret):
    """Six digits that are none of the codes the window accepts now."""
    now = time.time()
    near = {otp(secret, now + d * STEP) for d in (-2, -1, 0, 1, 2)}
    for c in ("000000", "111111", "222222", "333333"):
        if c not in near:
            return c
    raise AssertionError("no wrong code found")


def mfa_call(method, path, acct, body=None):
    return api(method, path, token=acct.access, json=body)


def begin(acct):
    r = mfa_call("POST", "/auth/mfa/totp", acct, {"password": acct.password})
    assert r.status_code == 201, (r.status_code, r.text)
    b = r.json()
    note_secret(b["secret"])
    return b


def enrol(acct):
    """Enrol and activate a TOTP for acct: (secret, recovery codes, t0),
    where t0 is the time whose code activated it."""
    secret = begin(acct)["secret"]
    t0 = time.time()
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": otp(secret, t0)})
    assert r.status_code == 200, (r.status_code, r.text)
    codes = r.json()["recovery_codes"]
    for c in codes:
        note_secret(c)
    return secret, codes, t0


def login(acct, source, **extra):
    return login_response(acct.username, acct.password, extra=extra, source=source)


def status(acct):
    r = mfa_call("GET", "/auth/mfa", acct)
    assert r.status_code == 200, (r.status_code, r.text)
    return r.json()


def auth_method(resp):
    return jwt_decode(assert_token_pair(resp)["access_token"])[1]["auth_method"]


# --- the end-to-end flow ---------------------------------------------------

def test_enrol_activate_and_sign_in_with_codes():
    acct = register_account()
    assert status(acct) == {"totp": "none", "totp_activated_at": None,
                            "recovery_codes_left": 0, "required": False}
    other = acct.another_session()

    b = begin(acct)
    assert set(b) == {"secret", "otpauth_uri", "qr_svg"}, b
    assert B32_RE.match(b["secret"]), b["secret"]
    assert b["otpauth_uri"] == (
        "otpauth://totp/Genesis%%20IAM:%s?secret=%s&issuer=Genesis%%20IAM"
        "&algorithm=SHA1&digits=6&period=30" % (acct.username, b["secret"]))
    assert b["qr_svg"].startswith("<svg xmlns=\"http://www.w3.org/2000/svg\"")
    assert b["qr_svg"].endswith("</svg>")
    assert status(acct)["totp"] == "pending"
    # Not active yet: the password alone still signs in.
    assert auth_method(login(acct, fresh_address())) == "password"

    secret = b["secret"]
    t0 = time.time()
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": otp(secret, t0)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"message", "recovery_codes", "sessions_revoked"}, body
    assert body["message"] == "Two-factor authentication enabled"
    codes = body["recovery_codes"]
    for c in codes:
        note_secret(c)
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    assert all(RECOVERY_RE.match(c) for c in codes), codes
    # Enrolling revokes the other sessions (two: `other` and the login above).
    assert body["sessions_revoked"] == 2, body
    assert_unauthorized(api("GET", "/users/me/", token=other.access))
    assert api("GET", "/users/me/", token=acct.access).status_code == 200
    st = status(acct)
    assert st["totp"] == "active" and st["recovery_codes_left"] == 10, st
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", st["totp_activated_at"]), st

    src = fresh_address()
    # A right password alone: the second step is asked for.
    r = login(acct, src)
    assert r.status_code == 401 and r.json() == CODE_REQUIRED, r.text
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    # A wrong password gets the ordinary 401 and nothing more, code or not.
    r = login_response(acct.username, acct.password + "x", source=src)
    assert_unauthorized(r, BAD_LOGIN)
    r = login_response(acct.username, acct.password + "x",
                       extra={"otp": otp(secret)}, source=src)
    assert_unauthorized(r, BAD_LOGIN)
    # The activation's code again: already accepted once.
    assert_unauthorized(login(acct, src, otp=otp(secret, t0)), BAD_CODE)
    # The next step's code works, once.
    nxt = otp(secret, t0 + STEP)
    r = login(acct, src, otp=nxt)
    assert auth_method(r) == "password+otp"
    acct.take(r.json(), src)
    assert_unauthorized(login(acct, fresh_address(), otp=nxt), BAD_CODE)
    # The session says so, and so do the tokens of its refreshes.
    sessions = api("GET", "/auth/sessions", token=acct.access).json()["sessions"]
    mine = [s for s in sessions if s["is_current"]]
    assert len(mine) == 1 and mine[0]["login_method"] == "password+otp", sessions
    r = refresh_response(acct.refresh)
    assert auth_method(r) == "password+otp"

    # A recovery code works once.
    src = fresh_address()
    assert auth_method(login(acct, src, recovery_code=codes[0])) == \
        "password+recovery_code"
    assert_unauthorized(login(acct, src, recovery_code=codes[0]), BAD_CODE)
    # Case, dashes and spaces do not matter.
    typed = " ".join(codes[1].upper().split("-"))
    assert auth_method(login(acct, src, recovery_code=typed)) == "password+recovery_code"
    assert status(acct)["recovery_codes_left"] == 8
    # Not a code at all, or one of another user: refused alike.
    assert_unauthorized(login(acct, src, recovery_code="not-a-code"), BAD_CODE)
    assert_unauthorized(login(acct, src, otp="12345"), BAD_CODE)
    assert_unauthorized(login(acct, src, otp="12345a"), BAD_CODE)


def test_both_fields_is_422():
    acct = register_account()
    secret, codes, _ = enrol(acct)
    r = login(acct, fresh_address(), otp=otp(secret), recovery_code=codes[0])
    assert_422(r)


def test_repeated_wrong_codes_lock_the_address_out():
    acct = register_account()
    secret, codes, _ = enrol(acct)
    since = audit_max_id()
    src = fresh_address()
    bad = wrong_code(secret)
    for _ in range(5):
        assert_unauthorized(login(acct, src, otp=bad), BAD_CODE)
    # Locked: even the right password with a valid recovery code fails,
    # costs no hash, and spends no code.
    assert_unauthorized(login(acct, src, recovery_code=codes[0]), BAD_LOGIN)
    assert status(acct)["recovery_codes_left"] == 10
    rows = audit_rows(since, user_id=acct.id, client=src)
    reasons = [(r["event"], r["outcome"], (r["details"] or {}).get("reason")) for r in rows]
    assert reasons.count(("login", "failure", "bad_otp")) == 5, reasons
    assert ("lockout", "address", "consecutive_failures") in reasons, reasons
    assert ("login", "failure", "address_locked") in reasons, reasons
    # The failures count per account too.
    n = root_sql("SELECT failed_logins FROM users WHERE id = %s"
                 % sql_quote(acct.id), db="genesis")
    assert int(n[0][0]) >= 5, n
    # Another address is not locked out.
    assert auth_method(login(acct, fresh_address(), recovery_code=codes[0])) == \
        "password+recovery_code"


def test_one_code_two_logins_at_once():
    """The step is spent by one guarded UPDATE: of two logins with the same
    fresh code at the same moment, exactly one wins."""
    acct = register_account()
    secret, _, t0 = enrol(acct)
    code = otp(secret, t0 + STEP)
    results = []
    barrier = threading.Barrier(2)

    def go():
        src = fresh_address()
        barrier.wait()
        results.append(login(acct, src, otp=code).status_code)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 401], results


def test_admin_reset_then_password_only():
    acct = register_account()
    enrol(acct)
    admin = create_admin()
    since = audit_max_id()
    r = api("POST", "/admin/users/%s/mfa/reset" % acct.id, token=admin.access)
    assert r.status_code == 200, r.text
    assert r.json() == {"message": "Two-factor authentication reset",
                        "had_totp": True, "sessions_revoked": 1}, r.json()
    assert_unauthorized(api("GET", "/users/me/", token=acct.access))
    r = login(acct, fresh_address())
    assert auth_method(r) == "password"
    acct.take(r.json())
    assert status(acct) == {"totp": "none", "totp_activated_at": None,
                            "recovery_codes_left": 0, "required": False}
    rows = audit_rows(since, user_id=acct.id)
    resets = [r for r in rows if r["event"] == "mfa_reset"]
    assert len(resets) == 1 and resets[0]["outcome"] == "success", rows
    assert resets[0]["details"] == {"reason": "totp", "actor": admin.id}, resets
    # Unknown or malformed ids: 404.
    assert_detail(api("POST", "/admin/users/%s/mfa/reset" % ("0" * 8 + "-0000-4000-8000-" + "0" * 12),
                      token=admin.access), 404, "User not found")
    assert_detail(api("POST", "/admin/users/nope/mfa/reset", token=admin.access),
                  404, "User not found")


def test_who_may_reset():
    user = register_account()
    other = register_account()
    enrol(other)
    # A user may not reset anyone's.
    r = api("POST", "/admin/users/%s/mfa/reset" % other.id, token=user.access)
    assert_detail(r, 403, "Not enough permissions")
    # An admin may not reset another admin's (only root may).
    a1, a2 = create_admin(), create_admin()
    enrol(a2)
    since = audit_max_id()
    r = api("POST", "/admin/users/%s/mfa/reset" % a2.id, token=a1.access)
    assert_detail(r, 403, "Only root may reset the second factor of an admin")
    assert status(a2)["totp"] == "active"
    rows = audit_rows(since, user_id=a2.id)
    assert [(r["event"], r["outcome"], r["details"]) for r in rows] == [
        ("mfa_reset", "denied", {"reason": "needs_root", "actor": a1.id})], rows


def test_genesis_admin_mfa_reset():
    acct = register_account()
    enrol(acct)
    p = dev_sh("admin", "mfa-reset", acct.username)
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    assert ("mfa-reset: %s (%s), 1 session(s) ended" % (acct.username, acct.id)) \
        in p.stdout.decode(), p.stdout
    assert auth_method(login(acct, fresh_address())) == "password"
    rows = root_sql("SELECT COUNT(*) FROM mfa_totp WHERE user_id = %s UNION ALL "
                    "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = %s"
                    % (sql_quote(acct.id), sql_quote(acct.id)), db="genesis")
    assert rows == [["0"], ["0"]], rows
    p = dev_sh("admin", "mfa-reset", "no_such_user_%s" % acct.id[:8])
    assert p.returncode == 1, (p.returncode, p.stderr)


# --- enrolment rules -----------------------------------------------------------------

def test_enrolment_errors():
    acct = register_account()
    # The password again, and right.
    r = mfa_call("POST", "/auth/mfa/totp", acct, {"password": acct.password + "x"})
    assert_detail(r, 400, "Incorrect password")
    assert_422(mfa_call("POST", "/auth/mfa/totp", acct, {}), "password")
    assert_422(mfa_call("POST", "/auth/mfa/totp", acct, {"password": 5}), "password")
    # Nothing pending.
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": "123456"})
    assert_detail(r, 409, "No two-factor enrolment is pending")
    assert_detail(mfa_call("POST", "/auth/mfa/recovery-codes", acct,
                           {"password": acct.password, "code": "123456"}),
                  409, "Two-factor authentication is not enabled")
    assert_detail(mfa_call("DELETE", "/auth/mfa/totp", acct,
                           {"password": acct.password, "code": "123456"}),
                  409, "Two-factor authentication is not enabled")
    # A second start replaces the pending secret.
    first = begin(acct)["secret"]
    second = begin(acct)["secret"]
    assert first != second
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": otp(first)})
    assert_detail(r, 400, "Invalid two-factor code")
    assert_422(mfa_call("POST", "/auth/mfa/totp/activate", acct, {}), "code")
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": otp(second)})
    assert r.status_code == 200, r.text
    for c in r.json()["recovery_codes"]:
        note_secret(c)
    # Active: no second enrolment, no second activation.
    r = mfa_call("POST", "/auth/mfa/totp", acct, {"password": acct.password})
    assert_detail(r, 409, "Two-factor authentication is already enabled")
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": otp(second)})
    assert_detail(r, 409, "Two-factor authentication is already enabled")
    # Without a token: 401.
    assert_unauthorized(api("GET", "/auth/mfa"), "Not authenticated")
    assert_unauthorized(api("POST", "/auth/mfa/totp", json={"password": "x"}),
                        "Not authenticated")


def test_remove_needs_password_and_code_and_revokes_sessions():
    acct = register_account()
    secret, codes, t0 = enrol(acct)
    r = login(acct, fresh_address(), otp=otp(secret, t0 + STEP))
    other = e2elib.Account(acct.id, acct.username, acct.email, acct.password)
    other.take(assert_token_pair(r))
    since = audit_max_id()
    bad = wrong_code(secret)
    r = mfa_call("DELETE", "/auth/mfa/totp", acct,
                 {"password": acct.password + "x", "code": otp(secret)})
    assert_detail(r, 400, "Incorrect password")
    r = mfa_call("DELETE", "/auth/mfa/totp", acct,
                 {"password": acct.password, "code": bad})
    assert_detail(r, 400, BAD_CODE)
    assert_422(mfa_call("DELETE", "/auth/mfa/totp", acct, {"password": acct.password}),
               "code")
    # Both failures counted as failed logins.
    rows = audit_rows(since, user_id=acct.id)
    reasons = [(r["event"], r["outcome"], (r["details"] or {}).get("reason")) for r in rows]
    assert ("login", "failure", "reauth_bad_password") in reasons, reasons
    assert ("login", "failure", "bad_otp") in reasons, reasons
    # A recovery code does too (for a user who lost the device).
    r = mfa_call("DELETE", "/auth/mfa/totp", acct,
                 {"password": acct.password, "code": codes[0]})
    assert r.status_code == 200, r.text
    assert r.json() == {"message": "Two-factor authentication disabled",
                        "sessions_revoked": 1}, r.json()
    assert_unauthorized(api("GET", "/users/me/", token=other.access))
    assert status(acct)["totp"] == "none"
    assert auth_method(login(acct, fresh_address())) == "password"
    rows = audit_rows(since, user_id=acct.id)
    events = [(r["event"], r["outcome"]) for r in rows]
    assert ("mfa_recovery_code_used", "success") in events, events
    assert ("mfa_remove", "success") in events, events


def test_new_recovery_codes_replace_the_old():
    acct = register_account()
    secret, old, t0 = enrol(acct)
    r = mfa_call("POST", "/auth/mfa/recovery-codes", acct,
                 {"password": acct.password, "code": otp(secret, t0 + STEP)})
    assert r.status_code == 200, r.text
    new = r.json()["recovery_codes"]
    for c in new:
        note_secret(c)
    assert set(r.json()) == {"recovery_codes"} and len(new) == 10, r.json()
    assert not set(new) & set(old)
    assert status(acct)["recovery_codes_left"] == 10
    src = fresh_address()
    assert_unauthorized(login(acct, src, recovery_code=old[0]), BAD_CODE)
    assert auth_method(login(acct, src, recovery_code=new[0])) == "password+recovery_code"


# --- storage and logs --------------------------------------------------------------

def test_secrets_stored_sealed_and_codes_hashed():
    acct = register_account()
    secret, codes, _ = enrol(acct)
    raw = base64.b32decode(secret)
    rows = root_sql("SELECT HEX(secret_sealed), active, last_step FROM mfa_totp "
                    "WHERE user_id = %s" % sql_quote(acct.id), db="genesis")
    sealed = bytes.fromhex(rows[0][0])
    assert len(sealed) == 12 + 20 + 16, len(sealed)          # nonce, text, tag
    assert raw not in sealed and secret.encode() not in sealed
    assert rows[0][1] == "1" and int(rows[0][2]) > 0, rows
    stored = {r[0].lower() for r in root_sql(
        "SELECT HEX(code_hash) FROM mfa_recovery_codes WHERE user_id = %s"
        % sql_quote(acct.id), db="genesis")}
    want = {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert stored == want
    # A sealed secret moved to another user's row does not open there.
    other = register_account()
    o_secret, _, _ = enrol(other)
    root_sql("UPDATE mfa_totp SET secret_sealed = UNHEX(%s) WHERE user_id = %s"
             % (sql_quote(sealed.hex()), sql_quote(other.id)), db="genesis")
    r = login(other, fresh_address(), otp=otp(secret, time.time() + STEP))
    assert r.status_code == 500, r.text
    assert r.json() == {"detail": "Internal server error"}, r.text


def test_qr_code_decodes_to_the_uri():
    """The SVG drawn by libqrencode, read back by an independent decoder
    (zbarimg): rasterised here from the path of 1x1 module runs."""
    if subprocess.run(["which", "zbarimg"], stdout=subprocess.DEVNULL).returncode != 0:
        pytest.skip("zbarimg (zbar-tools) is not installed")
    acct = register_account()
    b = begin(acct)
    svg = b["qr_svg"]
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    grid = [[0] * size for _ in range(size)]
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path)
    assert runs and "".join("M%s %sh%sv1h-%sz" % (x, y, w, w) for x, y, w in runs) == path
    for x, y, w in runs:
        for i in range(int(w)):
            grid[int(y)][int(x) + i] = 1
    scale = 4
    with tempfile.NamedTemporaryFile(suffix=".pbm", delete=False) as f:
        f.write(b"P1\n%d %d\n" % (size * scale, size * scale))
        for row in grid:
            line = " ".join(str(v) for v in row for _ in range(scale)).encode() + b"\n"
            f.write(line * scale)
        name = f.name
    try:
        p = subprocess.run(["zbarimg", "--quiet", "--raw", name],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    finally:
        os.unlink(name)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().strip() == b["otpauth_uri"]


def test_no_secret_code_or_qr_in_the_log():
    acct = register_account()
    b = begin(acct)
    secret = b["secret"]
    r = mfa_call("POST", "/auth/mfa/totp/activate", acct, {"code": otp(secret)})
    codes = r.json()["recovery_codes"]
    login(acct, fresh_address(), recovery_code=codes[0])
    with open(LOG_FILE, "rb") as f:
        log = f.read()
    assert secret.encode() not in log
    assert b["otpauth_uri"].encode() not in log
    assert b["qr_svg"][:200].encode() not in log and b"<svg" not in log
    for c in codes:
        assert c.encode() not in log and c.replace("-", "").encode() not in log


def test_long_legacy_username_still_draws():
    """A username of the original service may be 100 characters of any
    script: the URI percent-encodes it and the QR code still fits."""
    acct = register_account()
    name = "\u00e9" * 90 + acct.id[:10]
    root_sql("UPDATE users SET username = %s WHERE id = %s"
             % (sql_quote(name), sql_quote(acct.id)), db="genesis")
    r = login_response(acct.email, acct.password, source=fresh_address())
    acct.take(assert_token_pair(r))
    b = begin(acct)
    assert b["otpauth_uri"].startswith(
        "otpauth://totp/Genesis%20IAM:" + "%C3%A9" * 90 + acct.id[:10] + "?secret=")
    assert b["qr_svg"].endswith("</svg>")


def test_reauth_refused_while_the_account_is_locked():
    """Changing a factor checks the password as a login does: while the
    account is locked, even the right one is refused, without a hash."""
    acct = register_account()
    root_sql("UPDATE users SET locked_until = UTC_TIMESTAMP() + INTERVAL 10 MINUTE "
             "WHERE id = %s" % sql_quote(acct.id), db="genesis")
    since = audit_max_id()
    r = mfa_call("POST", "/auth/mfa/totp", acct, {"password": acct.password})
    assert_detail(r, 400, "Incorrect password")
    rows = audit_rows(since, user_id=acct.id)
    assert [(r["event"], r["outcome"], r["details"]) for r in rows] == [
        ("reauth", "failure", {"reason": "account_locked"})], rows
    root_sql("UPDATE users SET locked_until = NULL WHERE id = %s"
             % sql_quote(acct.id), db="genesis")
    assert begin(acct)["secret"]
