"""OIDC.md "Limits and audit": every step of a flow leaves audit rows
(with the client id and the session id): page login failure and success,
consent given and revoked, code issued, code replayed, tokens issued,
refresh reuse, revocation, logout.  Rows are read as in
test_abuse_audit.py (MariaDB as root) and each is also a JSON line of
the workers' log."""
import hashlib
import json

import pytest


import e2elib
import oidclib
from abuselib import assert_logged, audit_max_id, audit_rows, wrong_password
from oidclib import (Browser, assert_oauth_error, assert_tokens, make_client, redeem,
                     revoke, sign_in, token)


def _mentions(row, client_id):
    return client_id in json.dumps(row["details"] or {})


def _browser_sid(browser):
    h = hashlib.sha256(browser.cookie.encode()).hexdigest()
    rows = e2elib.root_sql("SELECT id FROM sessions WHERE browser_hash = UNHEX('%s')" % h,
                           db="genesis")
    assert len(rows) == 1, rows
    return rows[0][0]


class Steps:
    """Audit rows of one user, step by step."""

    def __init__(self, user):
        self.user = user
        self.since = audit_max_id()

    def new_rows(self, at_least=1):
        rows = audit_rows(self.since, user_id=self.user.id)
        assert len(rows) >= at_least, rows
        self.since = max(r["id"] for r in rows)
        for r in rows:
            assert 0 <= r["age"] < 300, r
        assert_logged(rows)
        return rows


def test_audit_rows_of_a_whole_flow():
    user = oidclib.new_user()
    user.login()
    c = make_client(require_consent=True)
    b = Browser()
    steps = Steps(user)

    # A wrong password on the page.
    page = oidclib.login_page(b, c)
    r = b.submit_login(page, user.username, wrong_password())
    assert r.status_code == 401
    rows = steps.new_rows()
    assert len(rows) == 1 and "login" in rows[0]["event"], rows
    assert rows[0]["outcome"] == "failure", rows
    assert rows[0]["client_address"] == b.source

    # The right one: a login row with the new browser session.
    r = b.submit_login(r, user.username, user.password)
    assert r.status_code == 303, r.status_code
    sid = _browser_sid(b)
    rows = steps.new_rows()
    logins = [x for x in rows if "login" in x["event"] and x["outcome"] == "success"]
    assert len(logins) == 1 and logins[0]["session_id"] == sid, (sid, rows)
    assert all(x["client_address"] == b.source for x in rows), rows

    # Consent given, and the code issued: rows naming the client.
    consent = b.get(r.headers["Location"])
    r = b.submit_consent(consent, "allow")
    code = oidclib.assert_code_redirect(r, c)
    rows = steps.new_rows(at_least=2)
    assert all(_mentions(x, c.id) for x in rows), rows
    assert all(x["outcome"] == "success" for x in rows), rows
    assert len({x["event"] for x in rows}) >= 2, rows          # consent and code are two events

    # Tokens issued.
    flow = oidclib.Flow(code=code, verifier=page.verifier)
    assert_tokens(redeem(c, flow))
    rows = steps.new_rows()
    assert all(_mentions(x, c.id) and x["session_id"] for x in rows), rows
    issued_events = {x["event"] for x in rows}

    # The code replayed.
    assert_oauth_error(redeem(c, flow), 400, "invalid_grant")
    rows = steps.new_rows()
    assert any(x["outcome"] != "success" for x in rows), rows
    assert all(_mentions(x, c.id) for x in rows), rows
    assert not {x["event"] for x in rows} & issued_events, rows
    b.close()


@pytest.fixture
def signed_in():
    """A user signed in at a consent client, with tokens (offline_access)."""
    user = oidclib.new_user()
    user.login()
    c = make_client(require_consent=True)
    b = Browser()
    flow = sign_in(b, c, user, scope="openid offline_access")
    tk = assert_tokens(redeem(c, flow), refresh=True)
    yield user, c, b, tk
    b.close()


def test_audit_rows_of_refresh_and_refresh_reuse(signed_in):
    user, c, b, tk = signed_in
    steps = Steps(user)
    assert_tokens(token(c, {"grant_type": "refresh_token",
                            "refresh_token": tk["refresh_token"]}), refresh=True)
    rows = steps.new_rows()
    assert all(x["outcome"] == "success" and x["session_id"] for x in rows), rows
    assert_oauth_error(token(c, {"grant_type": "refresh_token",
                                 "refresh_token": tk["refresh_token"]}), 400, "invalid_grant")
    rows = steps.new_rows()
    assert any(x["outcome"] != "success" for x in rows), rows
    assert all(x["session_id"] for x in rows), rows


def test_audit_rows_of_revocation(signed_in):
    user, c, b, tk = signed_in
    steps = Steps(user)
    assert revoke(c, tk["refresh_token"]).status_code == 200
    rows = steps.new_rows()
    assert all(_mentions(x, c.id) for x in rows), rows


def test_audit_rows_of_a_revoked_grant(signed_in):
    user, c, b, tk = signed_in
    steps = Steps(user)
    r = e2elib.api("DELETE", "/auth/grants/%s" % c.id, token=user.access)
    assert r.status_code == 200, r.text
    rows = steps.new_rows()
    assert all(_mentions(x, c.id) for x in rows), rows


def test_audit_rows_of_logout(signed_in):
    user, c, b, tk = signed_in
    steps = Steps(user)
    sid = _browser_sid(b)
    r = b.post("/oauth/logout", {"id_token_hint": tk["id_token"],
                                 "post_logout_redirect_uri": c.post_logout_redirect_uris[0]})
    assert r.status_code in (302, 303), (r.status_code, r.text[:300])
    rows = steps.new_rows()
    assert any(x["session_id"] == sid for x in rows), (sid, rows)


def test_no_audit_row_holds_a_secret():
    user = oidclib.new_user()
    c = make_client()
    b = Browser()
    since = audit_max_id()
    flow = sign_in(b, c, user, scope="openid offline_access")
    tk = assert_tokens(redeem(c, flow), refresh=True)
    rows = audit_rows(since)
    text = json.dumps(rows)
    for s in (flow.code, c.secret, tk["access_token"], tk["refresh_token"], tk["id_token"],
              b.cookie, flow.verifier):
        assert s and s not in text
    b.close()
