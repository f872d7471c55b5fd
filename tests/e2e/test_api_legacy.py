"""The original service's users, upgraded in place by deploy/dev.sh (the
stack is seeded from tests/fixtures/genesis-4ae971e.sql), log in with
their old passwords; bcrypt is re-hashed to argon2id at the first
successful login (SECURITY.md C-T18).  The original hash is put back
afterwards so that test_upgrade.py and later runs see the fixture."""
import pytest

from e2elib import (ARGON2ID_PREFIX, api, assert_detail, assert_token_pair,
                    assert_unauthorized, jwt_decode, login_response,
                    note_secret, root_sql, sql_quote, unique_name)

ALICE_ID = "3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c01"
BOB_ID = "8b5d1e2f-0c3a-4f6e-8d21-7a9b0c1d2e03"
ALICE_HASH = "$2b$12$oMnFO3KzZMDjTkXGzAxkU.gbd/uNnVCZDWC1vAG3BrrS0Ax/p2o9."
ALICE_PASSWORD = note_secret("Legacy@Passw0rd-1")
BOB_PASSWORD = note_secret("Legacy@Passw0rd-2")


def stored(uid):
    rows = root_sql("SELECT password, disabled, last_login_at, last_login_method FROM users "
                    "WHERE id = %s" % sql_quote(uid), db="genesis")
    return rows[0] if rows else None


@pytest.fixture
def alice():
    """legacy_alice with her original bcrypt hash; restored afterwards."""
    row = stored(ALICE_ID)
    if row is None:
        pytest.fail("the stack was not seeded from the original service's dump "
                    "(GENESIS_SEED_LEGACY=1)")
    assert row[0] == ALICE_HASH, "legacy_alice's hash is not the original: %s" % row[0][:20]
    try:
        yield ALICE_ID
    finally:
        root_sql("UPDATE users SET password = %s, last_login_at = %s, last_login_method = %s, "
                 "failed_logins = 0, locked_until = NULL "
                 "WHERE id = %s" % (sql_quote(ALICE_HASH),
                                    "NULL" if row[2] == "NULL" else sql_quote(row[2]),
                                    "NULL" if row[3] == "NULL" else sql_quote(row[3]),
                                    sql_quote(ALICE_ID)), db="genesis")
        root_sql("UPDATE sessions SET revoked_at = UTC_TIMESTAMP(), revoked_reason = 'test' "
                 "WHERE user_id = %s AND revoked_at IS NULL" % sql_quote(ALICE_ID),
                 db="genesis")


def test_legacy_alice_logs_in_and_is_rehashed(alice):
    r = login_response("legacy_alice", ALICE_PASSWORD)
    b = assert_token_pair(r)
    claims = jwt_decode(b["access_token"])[1]
    assert claims["sub"] == ALICE_ID and claims["username"] == "legacy_alice"
    assert claims["role"] == "user"
    me = api("GET", "/users/me", b["access_token"])
    assert me.status_code == 200, me.text
    assert me.json()["email"] == "alice@legacy.example"
    # Re-hashed in place to argon2id with the configured parameters.
    h = stored(ALICE_ID)[0]
    assert h.startswith(ARGON2ID_PREFIX), h[:40]
    assert h != ALICE_HASH
    # The new hash holds the same password (and only it).
    b2 = assert_token_pair(login_response("alice@legacy.example", ALICE_PASSWORD))
    assert jwt_decode(b2["access_token"])[1]["sub"] == ALICE_ID
    assert stored(ALICE_ID)[0] == h, "re-hashed again although already argon2id"
    assert_unauthorized(login_response("legacy_alice", note_secret(ALICE_PASSWORD + "x")),
                        "Incorrect username or password")


def test_legacy_alice_wrong_password_keeps_bcrypt(alice):
    r = login_response("legacy_alice", note_secret("Legacy@Passw0rd-9"))
    assert_unauthorized(r, "Incorrect username or password")
    assert stored(ALICE_ID)[0] == ALICE_HASH


@pytest.fixture
def bob_counters():
    """legacy_bob's failure counters, restored afterwards (a disabled
    account never logs in successfully, so reruns would pile them up)."""
    row = root_sql("SELECT failed_logins, locked_until FROM users WHERE id = %s"
                   % sql_quote(BOB_ID), db="genesis")
    yield
    if row:
        root_sql("UPDATE users SET failed_logins = %s, locked_until = %s WHERE id = %s" % (
            row[0][0], "NULL" if row[0][1] == "NULL" else sql_quote(row[0][1]),
            sql_quote(BOB_ID)), db="genesis")


def test_legacy_bob_is_deactivated(bob_counters):
    before = stored(BOB_ID)
    assert before is not None and before[1] == "1", before
    r = login_response("legacy_bob", BOB_PASSWORD)
    assert_detail(r, 403, "User account is deactivated")
    # A wrong password is the ordinary answer, same as for nobody.
    r1 = login_response("legacy_bob", note_secret(BOB_PASSWORD + "x"))
    r2 = login_response(unique_name("nobody"), note_secret(BOB_PASSWORD + "x"))
    assert_unauthorized(r1, "Incorrect username or password")
    assert r1.content == r2.content
    # No session was made for bob.
    assert root_sql("SELECT COUNT(*) FROM sessions WHERE user_id = %s" % sql_quote(BOB_ID),
                    db="genesis") == [["0"]]
