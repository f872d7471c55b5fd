"""mfa_required_roles (SECURITY.md C-T25) and the mfa key at start.

The stack runs with mfa_required_roles = none (deploy/dev.sh) because the
other suites act as admins without a second factor.  This file takes the
key out of the stack's genesis.conf, so that the default ("admin root")
holds, restarts both pools (deploy/dev.sh workers-restart), checks the
rule, and puts the configuration and the pools back as they were.

The key that seals the TOTP secrets is refused at start like the other
secrets: missing, unreadable or shorter than 32 characters is exit 78
with one line naming mfa_key_file."""
import os
import time

import pytest

from abuselib import fresh_address, wait_pools_full, wait_ready
from e2elib import (CONF, api, assert_detail, assert_unauthorized,
                    create_admin, dev_sh, register_account)
from test_config import (assert_refused, assert_started, confdir,  # noqa: F401
                         make_conf, run_worker, write)
from test_mfa_totp import STEP, auth_method, begin, login, otp

ENROL_FIRST = "Two-factor enrolment required"


def restart_pools():
    p = dev_sh("workers-restart", timeout=120)
    assert p.returncode == 0, (p.returncode, p.stderr)
    wait_pools_full()
    wait_ready()


@pytest.fixture(scope="module")
def default_roles():
    """The stack with mfa_required_roles at its default for this module."""
    with open(CONF) as f:
        saved = f.read()
    kept = [line for line in saved.splitlines(True)
            if not line.strip().startswith("mfa_required_roles")]
    assert len(kept) < len(saved.splitlines(True)), "dev.sh sets mfa_required_roles"
    with open(CONF, "w") as f:          # same owner and mode
        f.write("".join(kept))
    try:
        restart_pools()
        yield
    finally:
        with open(CONF, "w") as f:
            f.write(saved)
        restart_pools()


def test_admin_must_enrol_first(default_roles):
    admin = create_admin()
    user = register_account()
    # Everything but enrolment is refused, with a clear answer.
    for method, path in (("GET", "/users/"), ("GET", "/users/me/"),
                         ("GET", "/auth/sessions"),
                         ("GET", "/users/%s" % user.id),
                         ("POST", "/admin/users/%s/unlock" % user.id),
                         ("POST", "/admin/users/%s/mfa/reset" % user.id)):
        assert_detail(api(method, path, token=admin.access), 403, ENROL_FIRST)
    # Token validation for other services: the token is no good yet.
    assert_unauthorized(api("POST", "/token/validate", token=admin.access))
    # A user's role is not in the list.
    assert api("GET", "/users/me/", token=user.access).status_code == 200
    r = api("GET", "/auth/mfa", token=user.access)
    assert r.status_code == 200 and r.json()["required"] is False, r.text
    # Enrolment is open to the admin.
    r = api("GET", "/auth/mfa", token=admin.access)
    assert r.status_code == 200 and r.json()["required"] is True, r.text
    secret = begin(admin)["secret"]
    assert_detail(api("GET", "/users/", token=admin.access), 403, ENROL_FIRST)
    t0 = time.time()
    r = api("POST", "/auth/mfa/totp/activate", token=admin.access,
            json={"code": otp(secret, t0)})
    assert r.status_code == 200, r.text
    # Enrolled: the same session may now do what admins do.
    assert api("GET", "/users/", token=admin.access).status_code == 200
    assert api("POST", "/token/validate", token=admin.access).status_code == 200
    # And the admin's next login needs the code.
    src = fresh_address()
    r = login(admin, src)
    assert r.status_code == 401 and r.json()["mfa_required"] is True, r.text
    assert auth_method(login(admin, src, otp=otp(secret, t0 + STEP))) == "password+otp"


def test_logout_stays_open(default_roles):
    admin = create_admin()
    r = api("POST", "/logout", token=admin.access)
    assert r.status_code == 200, r.text
    assert_unauthorized(api("GET", "/auth/mfa", token=admin.access))


def test_reset_admin_must_enrol_again(default_roles):
    """An admin whose second factor is reset (genesis-admin) signs in with
    the password alone and is back to enrolment only."""
    admin = create_admin()
    secret = begin(admin)["secret"]
    r = api("POST", "/auth/mfa/totp/activate", token=admin.access,
            json={"code": otp(secret)})
    assert r.status_code == 200, r.text
    p = dev_sh("admin", "mfa-reset", admin.username)
    assert p.returncode == 0, p.stderr
    r = login(admin, fresh_address())
    assert auth_method(r) == "password"
    admin.take(r.json())
    assert_detail(api("GET", "/users/", token=admin.access), 403, ENROL_FIRST)
    r = api("GET", "/auth/mfa", token=admin.access)
    assert r.status_code == 200 and r.json()["totp"] == "none", r.text


# --- the key at start ---------------------------------------------------------------

def test_missing_mfa_key_refused(confdir):
    rc, err = run_worker(make_conf(confdir, drop=["mfa_key_file"]))
    assert_refused(rc, err, "mfa_key_file")


def test_unreadable_mfa_key_refused(confdir):
    path = write(confdir, "mfa_key", "k" * 40 + "\n", mode=0o600, owner="root")
    rc, err = run_worker(make_conf(confdir, set_=[("mfa_key_file", path)]))
    assert_refused(rc, err, "mfa_key_file")


@pytest.mark.parametrize("content", ["", "\n", "short-key-of-31-characters-xxxx\n"],
                         ids=["empty", "newline", "31-chars"])
def test_bad_mfa_key_refused(confdir, content):
    path = write(confdir, "mfa_key", content)
    rc, err = run_worker(make_conf(confdir, set_=[("mfa_key_file", path)]))
    assert_refused(rc, err, "mfa_key_file")
    assert "short-key" not in err


def test_mfa_key_from_credentials_directory(confdir):
    creds = os.path.join(confdir, "creds")
    os.mkdir(creds)
    os.chmod(creds, 0o755)
    write(creds, "mfa_key", "c" * 43 + "\n", mode=0o600, owner="genesis")
    rc, err = run_worker(make_conf(confdir, drop=["mfa_key_file"]),
                         env_set={"CREDENTIALS_DIRECTORY": creds})
    assert_started(rc, err)


@pytest.mark.parametrize("value", ["none", "admin", "admin,root", "user admin"])
def test_required_roles_values_start(confdir, value):
    rc, err = run_worker(make_conf(confdir, set_=[("mfa_required_roles", value)]))
    assert_started(rc, err)
