"""SECURITY.md C-T17 (and C-T3, C-T9): a corpus of hostile requests, each
with the 4xx it must get and never a 5xx; no worker of either pool dies
(the same pids before and after) and no request is logged with a 5xx.

Hard limits: body <= 64 KiB (413), JSON depth <= 16, strings <= their
column width, only valid UTF-8 without NUL (422); a field of the wrong JSON
type is 422; unknown route 404, wrong method 405.  Requests are written
byte for byte over a socket (abuselib.raw_request), each from a fresh
source address so that no rate limit turns them into 429.  Where nginx
answers before the worker (framing, header sizes, bad escapes in the path)
its 400/413/414 is expected; a truncated body may also end with the
connection closed and no answer.

The suite runs behind nginx and behind lighttpd (GENESIS_WEB).  Where the
web server answers by itself the status may differ per server (LIGHTTPD
below); where the worker answers, the expectation is the same under both
(and is checked to be the worker's: JSON, Cache-Control: no-store,
X-Content-Type-Options: nosniff)."""
import json
import os
import re

import pytest

import e2elib
from abuselib import (fresh_address, login_ok, new_user, pool_pids, raw_request,
                      wait_pools_full)
from e2elib import LOG_FILE, create_admin, note_secret

JSON = ("Content-Type", "application/json")
FORM = ("Content-Type", "application/x-www-form-urlencoded")
USER, ADMIN = "@user", "@admin"          # Authorization placeholders
CLOSED = None                            # the server closed without an answer
TOO_LARGE_HEADER = {400, 431, 494}
WEB = os.environ.get("GENESIS_WEB", "nginx")
SESSION_ID = "0b6f3c52-7a4c-4d6e-9f1a-2b3c4d5e6f70"
PW = "Str0ng@Passw0rd-hostile"           # never an account's password
note_secret(PW)


# The routes that take a JSON body.
JSON_ROUTES = {("POST", "/users/"), ("POST", "/users/search"), ("PUT", "/users/{oid}"),
               ("POST", "/admin/users/{oid}/role"), ("POST", "/admin/users/{oid}/disable"),
               ("POST", "/profile/"), ("PUT", "/profile/me")}


def C(id, method, target, headers=(), body=b"", expect=(422,), **opts):
    """One case.  expect: the statuses it may get (behind nginx, and behind
    lighttpd unless LIGHTTPD says otherwise).  Options: those of
    abuselib.raw_request; allow (the worker's 405 with Allow); web413 (the
    web server's own JSON 413); cl0_behind_lighttpd (see LIGHTTPD)."""
    return pytest.param(dict(id=id, method=method, target=target, headers=list(headers),
                             body=body, expect=set(expect), **opts), id=id)


def reg(**fields):
    """A registration body with the given fields replaced (bytes values raw)."""
    parts = {"username": b'"hostile_user"', "email": b'"hostile@example.com"',
             "password": json.dumps(PW).encode()}
    parts.update(fields)
    return b"{" + b",".join(b'"%s":%s' % (k.encode(), v) for k, v in parts.items()
                           if v is not None) + b"}"


def deep(n, open_=b"[", close=b"]", inner=b"1"):
    return open_ * n + inner + close * n


CORPUS = [
    # --- sizes and framing ------------------------------------------------------------
    C("body-70k", "POST", "/users/", [JSON], b'{"a":"' + b"x" * 70000 + b'"}', {413},
      web413=True),
    C("body-64k-plus-1", "POST", "/users/", [JSON], b'{"pad":"' + b"x" * (65536 - 9) + b'"}',
      {413}, web413=True),
    C("body-64k-exactly-parsed", "POST", "/users/", [JSON],
      b'{"pad":"' + b"x" * (65536 - 10) + b'"}', {422}),
    C("content-length-70000-no-body", "POST", "/users/", [JSON], b"", {413},
      content_length=70000, web413=True),
    C("expect-100-continue-too-large", "POST", "/users/", [JSON, ("Expect", "100-continue")],
      b"", {413}, content_length=100000, web413=True),
    C("token-form-9k", "POST", "/token", [FORM], b"username=a&password=" + b"x" * 9000, {413}),
    C("refresh-form-9k", "POST", "/refresh_token", [FORM], b"refresh_token=" + b"x" * 9000,
      {413}),
    C("profile-put-65k", "PUT", "/profile/me", [JSON, ("Authorization", USER)],
      b'{"city":"' + b"x" * 66000 + b'"}', {413}, web413=True),
    C("chunked-70k", "POST", "/users/", [JSON, ("Transfer-Encoding", "chunked")],
      b"11170\r\n" + b"x" * 70000 + b"\r\n0\r\n\r\n", {413}, content_length=False,
      web413=True),
    C("truncated-body-half-closed", "POST", "/users/", [JSON], b'{"a":', {400, 408, CLOSED},
      content_length=100, half_close=True, timeout=3),
    C("truncated-body-stalled", "POST", "/users/", [JSON], b'{"username":', {400, 408, CLOSED},
      content_length=200, timeout=2),
    C("truncated-form-stalled", "POST", "/token", [FORM], b"username=a", {400, 408, CLOSED},
      content_length=50, timeout=2),
    C("truncated-chunked", "POST", "/users/", [JSON, ("Transfer-Encoding", "chunked")],
      b"10\r\n{}", {400, 408, CLOSED}, content_length=False, half_close=True, timeout=3),
    C("content-length-negative", "POST", "/users/", [JSON], b"{}", {400}, content_length=-1),
    C("content-length-not-a-number", "POST", "/users/", [JSON], b"{}", {400},
      content_length="12abc"),
    C("content-length-twice", "POST", "/users/",
      [JSON, ("Content-Length", "2"), ("Content-Length", "3")], b"{}", {400},
      content_length=False),
    C("content-length-and-chunked", "POST", "/users/",
      [JSON, ("Transfer-Encoding", "chunked"), ("Content-Length", "5")], b"0\r\n\r\n", {400},
      content_length=False),
    C("chunk-size-garbage", "POST", "/users/", [JSON, ("Transfer-Encoding", "chunked")],
      b"zz\r\n{}\r\n0\r\n\r\n", {400}, content_length=False),
    C("chunk-size-overflow", "POST", "/users/", [JSON, ("Transfer-Encoding", "chunked")],
      b"fffffffffffffffff\r\n{}\r\n0\r\n\r\n", {400}, content_length=False),
    C("chunked-valid-but-empty-object", "POST", "/users/",
      [JSON, ("Transfer-Encoding", "chunked")], b"2\r\n{}\r\n0\r\n\r\n", {422},
      content_length=False),

    # --- headers --------------------------------------------------------------------------
    C("header-40k", "GET", "/health", [("X-Bomb", "a" * 40000)], b"", TOO_LARGE_HEADER),
    C("headers-5x30k", "GET", "/health", [("X-B%d" % i, "a" * 30000) for i in range(5)], b"",
      TOO_LARGE_HEADER),
    C("headers-200x1k", "GET", "/health", [("X-B%d" % i, "a" * 1000) for i in range(200)],
      b"", TOO_LARGE_HEADER),
    C("cookie-40k", "GET", "/users/me", [("Cookie", "s=" + "a" * 40000)], b"",
      TOO_LARGE_HEADER),
    C("host-40k", "GET", "/health", [("Host", "h" * 40000)], b"", TOO_LARGE_HEADER, host=False),
    C("no-host", "GET", "/health", [], b"", {400}, host=False),
    C("obs-fold", "GET", "/health", [("X-A", "b\r\n c")], b"", {400}),
    C("authorization-7k", "GET", "/users/me", [("Authorization", "Bearer " + "k7Qz" * 1750)], b"",
      {401}),
    # Up to nginx's 32 KiB header line the token reaches the worker (its
    # JSON 401); beyond, nginx refuses the request itself.
    C("authorization-20k", "GET", "/users/me", [("Authorization", "Bearer " + "x20K" * 5000)],
      b"", {401}),
    C("authorization-40k", "GET", "/users/me", [("Authorization", "Bearer " + "y40K" * 10000)],
      b"", TOO_LARGE_HEADER),
    C("authorization-40k-refresh", "POST", "/refresh_token",
      [("Authorization", "Bearer rt_" + "z40K" * 10000)], b"", TOO_LARGE_HEADER),
    C("authorization-jwt-shaped-7k", "POST", "/token/validate",
      [("Authorization", "Bearer eyJ" + "A" * 3000 + ".eyJ" + "B" * 3000 + ".c")], b"", {401},
      cl0_behind_lighttpd=True),
    C("authorization-empty-bearer", "GET", "/users/me", [("Authorization", "Bearer ")], b"",
      {401}),
    C("authorization-basic", "GET", "/users/me", [("Authorization", "Basic Zm9vOmJhcg==")], b"",
      {401}),
    C("authorization-nul", "GET", "/users/me", [("Authorization", b"Bearer a\x00b")], b"",
      {400, 401}),
    C("authorization-bad-utf8", "GET", "/users/me", [("Authorization", b"Bearer a\xff\xfeb")],
      b"", {401}),
    C("authorization-twice", "GET", "/users/me",
      [("Authorization", USER), ("Authorization", "Bearer x")], b"", {400, 401}),
    C("authorization-alg-none", "GET", "/users/me",
      [("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")], b"", {401}),
    C("content-type-nul", "POST", "/users/", [("Content-Type", b"application/json\x00")], b"{}",
      {400}),
    C("content-type-text", "POST", "/users/", [("Content-Type", "text/plain")], reg(), {415}),
    C("content-type-form-to-json-route", "POST", "/users/", [FORM], b"username=a", {415}),
    C("content-type-json-to-token", "POST", "/token", [JSON],
      b'{"username":"a","password":"b"}', {415}),
    C("content-type-multipart-to-token", "POST", "/token",
      [("Content-Type", "multipart/form-data; boundary=x")], b"--x\r\n", {415}),

    # --- request line and path -----------------------------------------------------------
    C("path-bad-percent", "GET", "/users/%zz", [("Authorization", ADMIN)], b"", {400}),
    C("path-percent-nul", "GET", "/users/%00", [("Authorization", ADMIN)], b"", {400}),
    C("path-health-percent-nul", "GET", "/health%00", [], b"", {400}),
    C("path-raw-nul", "GET", "/health\x00x", [], b"", {400}),
    C("path-traversal", "GET", "/../../etc/passwd", [], b"", {400}),
    C("path-dotdot-normalised", "GET", "/users/me/../../admin", [], b"", {404}),
    C("path-double-encoded", "GET", "/users/%252e%252e", [("Authorization", ADMIN)], b"",
      {404}),
    C("path-bad-utf8", "GET", "/users/%ff%fe", [("Authorization", ADMIN)], b"", {404}),
    C("path-overlong-utf8", "GET", "/users/%C0%AF", [("Authorization", ADMIN)], b"", {404}),
    C("path-sql", "GET", "/users/1%27%20OR%20%271%27=%271", [("Authorization", ADMIN)], b"",
      {404}),
    C("path-1500", "GET", "/users/" + "a" * 1500, [("Authorization", ADMIN)], b"", {414}),
    C("uri-20k", "GET", "/users/" + "a" * 20000, [], b"", {414}),
    C("uri-40k", "GET", "/users/" + "a" * 40000, [], b"", {414}),
    C("query-40k", "GET", "/health?" + "q=1&" * 10000, [], b"", {414}),
    C("query-3000", "GET", "/users/?cursor=" + "a" * 3000, [("Authorization", ADMIN)], b"",
      {414}),
    C("unknown-route", "GET", "/etc/passwd", [], b"", {404}),
    C("unknown-method", "FOO", "/health", [], b"", {405}),
    C("lowercase-method", "get", "/health", [], b"", {400}),
    C("trace", "TRACE", "/health", [], b"", {405}),
    C("connect", "CONNECT", "127.0.0.1:80", [], b"", {400}),
    C("http2-preface", "PRI", "*", [], b"", {400}),
    C("wrong-method-users-id", "PATCH", "/users/{uid}", [("Authorization", USER)], b"", {405}),
    C("options-without-preflight", "OPTIONS", "/users/me", [], b"", {405}),
    C("request-line-junk", "GET", "/health HTTP/1.1 x", [], b"", {400}),

    # --- JSON ------------------------------------------------------------------------------
    C("json-depth-17", "PUT", "/users/{uid}", [JSON, ("Authorization", USER)],
      b'{"email":' + deep(16) + b"}", {422}),
    C("json-depth-20000", "POST", "/users/", [JSON], b"[" * 20000, {422}),
    C("json-objects-1000-deep", "POST", "/users/", [JSON], deep(1000, b'{"a":', b"}"), {422}),
    C("json-array", "POST", "/users/", [JSON], b"[]", {422}),
    C("json-string", "POST", "/users/", [JSON], b'"x"', {422}),
    C("json-number", "POST", "/users/", [JSON], b"1", {422}),
    C("json-null", "POST", "/users/", [JSON], b"null", {422}),
    C("json-empty", "POST", "/users/", [JSON], b"", {422}),
    C("json-empty-content-length-0", "POST", "/users/", [JSON], b"", {422}, content_length=0),
    C("json-whitespace", "POST", "/users/", [JSON], b" \n\t ", {422}),
    C("json-trailing-garbage", "POST", "/users/", [JSON], reg() + b" x", {422}),
    C("json-two-documents", "POST", "/users/", [JSON], reg() + reg(), {422}),
    C("json-truncated", "POST", "/users/", [JSON], b'{"username":', {422}),
    C("json-single-quotes", "POST", "/users/", [JSON], b"{'username':'a'}", {422}),
    C("json-comment", "POST", "/users/", [JSON], b"{/*x*/}", {422}),
    C("json-nan", "PUT", "/profile/me", [JSON, ("Authorization", USER)], b'{"city":NaN}', {422}),
    C("json-bom", "POST", "/users/", [JSON], b"\xef\xbb\xbf" + reg(), {422}),
    C("json-raw-nul", "POST", "/users/", [JSON], reg(username=b'"ab\x00cd"'), {422}),
    C("json-escaped-nul", "POST", "/users/", [JSON], reg(username=b'"ab\\u0000cd"'), {422}),
    C("json-escaped-nul-password", "POST", "/users/", [JSON],
      reg(password=b'"Str0ng@Pass\\u0000word"'), {422}),
    C("json-bad-utf8", "POST", "/users/", [JSON], reg(username=b'"ab\xffcd"'), {422}),
    C("json-overlong-utf8", "POST", "/users/", [JSON], reg(username=b'"ab\xc0\xafcd"'), {422}),
    C("json-utf8-surrogate", "POST", "/users/", [JSON], reg(username=b'"ab\xed\xa0\x80cd"'),
      {422}),
    C("json-lone-surrogate-escape", "POST", "/users/", [JSON], reg(username=b'"ab\\ud800cd"'),
      {422}),
    C("json-bad-escape", "POST", "/users/", [JSON], reg(username=b'"\\x41bcd"'), {422}),
    C("json-raw-control-char", "POST", "/users/", [JSON], reg(username=b'"ab\x01cd"'), {422}),
    C("json-duplicate-keys", "POST", "/users/", [JSON],
      b'{"username":"dupkey_a","username":"dupkey_b","email":"dupkey@example.com",'
      b'"password":' + json.dumps(PW).encode() + b"}", {422}),
    C("json-100-members", "PUT", "/users/{uid}", [JSON, ("Authorization", USER)],
      b"{" + b",".join(b'"f%d":1' % i for i in range(100)) + b"}", {422}),
    C("json-huge-number", "PUT", "/profile/me", [JSON, ("Authorization", USER)],
      b'{"city":1e999}', {422}),
    C("type-username-number", "POST", "/users/", [JSON], reg(username=b"12345"), {422}),
    C("type-email-array", "POST", "/users/", [JSON], reg(email=b'["a@example.com"]'), {422}),
    C("type-password-object", "POST", "/users/", [JSON], reg(password=b'{"a":1}'), {422}),
    C("type-password-null", "POST", "/users/", [JSON], reg(password=b"null"), {422}),
    C("type-password-bool", "PUT", "/users/{uid}", [JSON, ("Authorization", USER)],
      b'{"password":true}', {422}),
    C("username-101", "POST", "/users/", [JSON], reg(username=b'"' + b"a" * 101 + b'"'), {422}),
    C("username-2", "POST", "/users/", [JSON], reg(username=b'"ab"'), {422}),
    C("username-space", "POST", "/users/", [JSON], reg(username=b'"a b c"'), {422}),
    C("username-unicode-100", "POST", "/users/", [JSON],
      reg(username=b'"' + "\u00e9".encode() * 100 + b'"'), {422}),
    C("email-256", "PUT", "/users/{uid}", [JSON, ("Authorization", USER)],
      b'{"email":"' + b"a" * 250 + b'@example.com"}', {422}),
    C("password-129", "POST", "/users/", [JSON],
      reg(password=json.dumps("Aa1@" + "x" * 125).encode()), {422}),
    C("role-superadmin", "POST", "/admin/users/{oid}/role", [JSON, ("Authorization", ADMIN)],
      b'{"role":"superadmin"}', {422}),
    C("role-number", "POST", "/admin/users/{oid}/role", [JSON, ("Authorization", ADMIN)],
      b'{"role":5}', {422}),
    C("role-array", "POST", "/admin/users/{oid}/role", [JSON, ("Authorization", ADMIN)],
      b'{"role":["admin"]}', {422}),
    C("role-missing", "POST", "/admin/users/{oid}/role", [JSON, ("Authorization", ADMIN)],
      b"{}", {422}),
    C("disabled-string", "POST", "/admin/users/{oid}/disable",
      [JSON, ("Authorization", ADMIN)], b'{"disabled":"true"}', {422}),
    C("disabled-number", "POST", "/admin/users/{oid}/disable",
      [JSON, ("Authorization", ADMIN)], b'{"disabled":1}', {422}),
    C("disabled-99999999999999999999", "POST", "/admin/users/{oid}/disable",
      [JSON, ("Authorization", ADMIN)], b'{"disabled":99999999999999999999}', {422}),
    C("disabled-null", "POST", "/admin/users/{oid}/disable", [JSON, ("Authorization", ADMIN)],
      b'{"disabled":null}', {422}),
    C("search-empty", "POST", "/users/search", [JSON, ("Authorization", ADMIN)], b"{}", {422}),
    C("search-email-number", "POST", "/users/search", [JSON, ("Authorization", ADMIN)],
      b'{"email":5}', {422}),
    C("search-username-1000", "POST", "/users/search", [JSON, ("Authorization", ADMIN)],
      b'{"username":"' + b"x" * 1000 + b'"}', {422}),
    C("profile-dob-invalid", "POST", "/profile/", [JSON, ("Authorization", USER)],
      b'{"given_name":"a","family_name":"b","sub":"c","date_of_birth":"2020-13-45"}', {422}),
    C("profile-given-name-10k", "POST", "/profile/", [JSON, ("Authorization", USER)],
      b'{"given_name":"' + b"x" * 10000 + b'","family_name":"b","sub":"c"}', {422}),
    C("profile-missing-fields", "POST", "/profile/", [JSON, ("Authorization", USER)], b"{}",
      {422}),
    C("profile-put-nested", "PUT", "/profile/me", [JSON, ("Authorization", USER)],
      b'{"city":{"a":1}}', {422}),
    C("profile-put-bad-utf8", "PUT", "/profile/me", [JSON, ("Authorization", USER)],
      b'{"city":"\xff"}', {422}),

    # --- form bodies (/token, /refresh_token) -----------------------------------------------
    C("form-duplicate-username", "POST", "/token", [FORM], b"username=a&username=b&password=x"),
    C("form-duplicate-grant", "POST", "/token", [FORM],
      b"grant_type=password&grant_type=password&username=a&password=b"),
    C("form-bad-percent", "POST", "/token", [FORM], b"username=a%zz&password=x"),
    C("form-percent-nul", "POST", "/token", [FORM], b"username=a%00b&password=x"),
    C("form-raw-nul", "POST", "/token", [FORM], b"username=a\x00b&password=x"),
    C("form-bad-utf8-escaped", "POST", "/token", [FORM], b"username=a%ff%fe&password=x"),
    C("form-bad-utf8-raw", "POST", "/token", [FORM], b"username=a\xff\xfe&password=x"),
    C("form-garbage", "POST", "/token", [FORM], b"\xff\xfe\x00garbage=="),
    C("form-1000-fields", "POST", "/token", [FORM],
      b"&".join(b"a%d=1" % i for i in range(1000)) + b"&username=a&password=b"),
    C("form-missing-password", "POST", "/token", [FORM], b"username=a"),
    C("form-semicolons", "POST", "/token", [FORM], b"username=a;password=b"),
    C("form-empty", "POST", "/token", [FORM], b""),
    C("form-empty-content-length-0", "POST", "/token", [FORM], b"", content_length=0),
    C("form-unsupported-grant", "POST", "/token", [FORM],
      b"grant_type=client_credentials&username=a&password=b", {400}),
    C("form-username-5000", "POST", "/token", [FORM],
      b"username=" + b"x" * 5000 + b"&password=x", {401}),
    C("refresh-form-nul", "POST", "/refresh_token", [FORM], b"refresh_token=rt_%00"),
    C("refresh-form-duplicate", "POST", "/refresh_token", [FORM],
      b"refresh_token=rt_a&refresh_token=rt_b"),
    C("refresh-garbage-token", "POST", "/refresh_token", [FORM],
      b"refresh_token=" + b"%41" * 100, {401}),
    C("refresh-access-token-as-refresh", "POST", "/refresh_token",
      [("Authorization", USER)], b"", {401}, cl0_behind_lighttpd=True),

    # --- query strings ---------------------------------------------------------------------
    C("limit-huge", "GET", "/users/?limit=99999999999999999999", [("Authorization", ADMIN)]),
    C("limit-negative", "GET", "/users/?limit=-1", [("Authorization", ADMIN)]),
    C("limit-zero", "GET", "/users/?limit=0", [("Authorization", ADMIN)]),
    C("limit-101", "GET", "/users/?limit=101", [("Authorization", ADMIN)]),
    C("limit-text", "GET", "/users/?limit=abc", [("Authorization", ADMIN)]),
    C("limit-float", "GET", "/users/?limit=1e2", [("Authorization", ADMIN)]),
    C("limit-empty", "GET", "/users/?limit=", [("Authorization", ADMIN)]),
    C("limit-bad-percent", "GET", "/users/?limit=%zz", [("Authorization", ADMIN)]),
    C("limit-bad-utf8", "GET", "/users/?limit=%ff", [("Authorization", ADMIN)]),
    C("limit-nul", "GET", "/users/?limit=1%00", [("Authorization", ADMIN)]),
    C("limit-twice", "GET", "/users/?limit=5&limit=500", [("Authorization", ADMIN)]),
    C("cursor-garbage", "GET", "/users/?cursor=AAAAAAAAAAAA", [("Authorization", ADMIN)]),
    C("cursor-bad-utf8", "GET", "/users/?cursor=%ff%00zz", [("Authorization", ADMIN)]),
    C("query-unauthenticated-first", "GET", "/users/?limit=%zz", [], b"", {401}),

    # --- every route with a garbage bearer token ----------------------------------------------
] + [
    # "ctl": control characters in the token (lighttpd refuses the header
    # itself); "obs": bytes >= 0x80 (obs-text), which both servers pass on.
    C("garbage-bearer-%s%s-%s" % (kind, m, re.sub(r"[{}]", "", p.strip("/").replace("/", "_"))),
      m, p, [("Authorization", token)] + ([JSON] if json_body else []),
      b"{}" if json_body else b"", {401}, cl0_behind_lighttpd=True)
    for kind, token in [("", "Bearer \x7fgarbage.\x01.~~"), ("obs-", b"Bearer \xffgarbage.\xfe.~~")]
    for m, p, json_body in [(m, p, (m, p) in JSON_ROUTES) for m, p in [
        ("GET", "/users/me"), ("GET", "/users/"), ("POST", "/users/search"),
        ("GET", "/users/{oid}"), ("PUT", "/users/{oid}"), ("DELETE", "/users/{oid}"),
        ("POST", "/admin/users/{oid}/role"), ("POST", "/admin/users/{oid}/disable"),
        ("POST", "/admin/users/{oid}/unlock"), ("POST", "/profile/"),
        ("GET", "/profile/me"), ("PUT", "/profile/me"), ("DELETE", "/profile/me"),
        ("GET", "/auth/sessions"), ("DELETE", "/auth/sessions"),
        ("DELETE", "/auth/sessions/" + SESSION_ID), ("POST", "/logout"),
        ("POST", "/token/validate"), ("POST", "/refresh_token"),
    ]]
] + [
    # --- every route with an id: garbage ids ---------------------------------------------------
    C("garbage-id-%s-%s-%d" % (m, p.strip("/").replace("/", "_").replace("{x}", "id"), i),
      m, p.replace("{x}", g), [("Authorization", who)] + ([JSON] if body else []), body,
      {404}, cl0_behind_lighttpd=True)
    for i, g in enumerate(["%27%3B--", "..%2f", "%ff%fe", "a" * 500, "{oid}x",
                           "00000000-0000-0000-0000-00000000000g"])
    for m, p, who, body in [
        ("GET", "/users/{x}", ADMIN, b""),
        ("PUT", "/users/{x}", ADMIN, b'{"email":"hostile2@example.com"}'),
        ("DELETE", "/users/{x}", ADMIN, b""),
        ("POST", "/admin/users/{x}/role", ADMIN, b'{"role":"user"}'),
        ("POST", "/admin/users/{x}/disable", ADMIN, b'{"disabled":false}'),
        ("POST", "/admin/users/{x}/unlock", ADMIN, b""),
        ("DELETE", "/auth/sessions/{x}", USER, b""),
    ]
] + [
    # --- every route with a method it does not have -----------------------------------------------
    C("wrong-method-%s-%s" % (m, p.strip("/").replace("/", "_").replace(".", "").replace("{", "")
                                          .replace("}", "")), m, p, [], b"", {405}, allow=True,
      cl0_behind_lighttpd=True)
    for m, p in [
        ("POST", "/health"), ("PUT", "/health/ready"), ("DELETE", "/.well-known/jwks.json"),
        ("GET", "/token"), ("GET", "/refresh_token"), ("GET", "/token/validate"),
        ("GET", "/logout"), ("POST", "/auth/sessions"), ("GET", "/auth/sessions/" + SESSION_ID),
        ("DELETE", "/users/"), ("GET", "/admin/users/{oid}/role"),
        ("GET", "/admin/users/{oid}/disable"), ("DELETE", "/admin/users/{oid}/unlock"),
        ("GET", "/profile/"), ("POST", "/profile/me"), ("POST", "/users/me"),
    ]
] + [
    # --- every route with a JSON body, given garbage ---------------------------------------------
    C("garbage-json-%s-%s" % (m, p.strip("/").replace("/", "_").replace("{", "").replace("}", "")),
      m, p, [JSON] + ([("Authorization", who)] if who else []),
      b"\xff\xfe{garbage\x00]]", {422})
    for m, p, who in [
        ("POST", "/users/", None), ("POST", "/users/search", ADMIN),
        ("PUT", "/users/{uid}", USER), ("POST", "/admin/users/{oid}/role", ADMIN),
        ("POST", "/admin/users/{oid}/disable", ADMIN), ("POST", "/profile/", USER),
        ("PUT", "/profile/me", USER),
    ]
]

# Behind lighttpd: the cases whose answer differs from nginx's, as
# (statuses, who answers).  "web": lighttpd answers by itself, before the
# worker sees the request (its own errors are HTML, no X-Content-Type-
# Options); "worker": lighttpd passes on a request nginx refuses, and the
# worker's answer is checked as every worker answer is (JSON, no-store,
# nosniff, the API's shape).  lighttpd passes REQUEST_URI byte for byte as
# received (no percent-decoding, no dot-segment removal, not even of
# "/../../etc/passwd"), while it checks its own normalised copy of the path
# and query, refusing %00, %ff-style bytes that are not UTF-8, control
# characters and malformed request lines itself.
LIGHTTPD = {
    # The request line counts towards the 32 KiB header limit: 431, not 414.
    "uri-40k": ({431}, "web"),
    "query-40k": ({431}, "web"),
    # An obs-fold is replaced by spaces (RFC 9112 5.2 allows this instead of
    # a 400): the worker gets X-A "b   c" and GET /health is 200.
    "obs-fold": ({200}, "worker"),
    # /users/%zz reaches the worker verbatim: no user has the id "%zz" (nginx
    # refuses the bad escape itself).
    "path-bad-percent": ({404}, "worker"),
    # REQUEST_URI "/../../etc/passwd" reaches the worker verbatim: no route.
    "path-traversal": ({404}, "worker"),
    # "GET /health HTTP/1.1 x HTTP/1.1": lighttpd takes "/health HTTP/1.1 x"
    # as the target and passes it verbatim: no route.
    "request-line-junk": ({404}, "worker"),
    # Percent-escapes that decode to bytes that are not UTF-8 (or to NUL), in
    # the path or the query: lighttpd's 400 (nginx passes them on, and the
    # worker answers 404 or 422).
    "path-bad-utf8": ({400}, "web"),
    "path-overlong-utf8": ({400}, "web"),
    "limit-bad-utf8": ({400}, "web"),
    "limit-nul": ({400}, "web"),
    "cursor-bad-utf8": ({400}, "web"),
    # A POST without Content-Length: 411 Length Required.  (The cases where
    # the missing header is incidental send "Content-Length: 0" behind
    # lighttpd instead, cl0_behind_lighttpd, so that the worker is still
    # checked; these two keep the bare POST.)
    "json-empty": ({411}, "web"),
    "form-empty": ({411}, "web"),
    # Methods lighttpd does not implement: RFC 9110 9.1 says a server answers
    # an unknown method with 501 Not Implemented.  This is the web server's
    # standard answer, not the service failing; 501 is accepted only for
    # these method cases and only behind lighttpd (METHOD_501).  CONNECT
    # (not a proxy) gets lighttpd's own 405.
    "unknown-method": ({501}, "web"),
    "lowercase-method": ({501}, "web"),
    "http2-preface": ({501}, "web"),
    "connect": ({405}, "web"),
}
# Control characters (DEL, \x01) in the Authorization value: lighttpd's 400.
# The "garbage-bearer-obs-*" twins (bytes >= 0x80) still reach the worker.
LIGHTTPD.update({c.id: ({400}, "web") for c in CORPUS
                 if c.id.startswith("garbage-bearer-") and
                 not c.id.startswith("garbage-bearer-obs-")})
# The garbage id "%ff%fe" (not UTF-8 once decoded): lighttpd's 400.
LIGHTTPD.update({c.id: ({400}, "web") for c in CORPUS
                 if c.id.startswith("garbage-id-") and c.id.endswith("-2")})
METHOD_501 = {"unknown-method", "lowercase-method", "http2-preface"}
assert set(LIGHTTPD) <= {c.id for c in CORPUS}
assert METHOD_501 <= set(LIGHTTPD)


def expectation(case):
    """(statuses, who) for this web server; who is None where the case does
    not say who answers (nginx, and lighttpd where it answers as nginx)."""
    if WEB == "lighttpd" and case["id"] in LIGHTTPD:
        return LIGHTTPD[case["id"]]
    return case["expect"], None


@pytest.fixture(scope="module")
def ctx():
    """Accounts for the authenticated cases, the pools' pids and where the
    workers' log ended before the corpus."""
    user = login_ok(new_user(), fresh_address())
    other = new_user()
    admin = login_ok(create_admin(login=False), fresh_address())
    pids = wait_pools_full()
    with open(LOG_FILE, "rb") as f:
        f.seek(0, os.SEEK_END)
        log_at = f.tell()
    return {"user": user, "other": other, "admin": admin, "pids": pids, "log_at": log_at,
            "seen": []}


def build(case, ctx):
    def sub(x):
        if isinstance(x, str):
            return x.replace("{uid}", ctx["user"].id).replace("{oid}", ctx["other"].id)
        return x
    headers = []
    for k, v in case["headers"]:
        if v == USER:
            v = "Bearer " + ctx["user"].access
        elif v == ADMIN:
            v = "Bearer " + ctx["admin"].access
        headers.append((k, v))
    opts = {k: case[k] for k in ("content_length", "half_close", "timeout", "host") if k in case}
    if WEB == "lighttpd" and case.get("cl0_behind_lighttpd") and not case["body"] \
            and "content_length" not in opts:
        # lighttpd answers a POST/PUT without Content-Length with 411 itself:
        # where that is not what the case is about, say the empty body.
        opts["content_length"] = 0
    return sub(case["method"]), sub(case["target"]), headers, case["body"], opts


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 100, len(CORPUS)


@pytest.mark.parametrize("case", CORPUS)
def test_hostile_request(case, ctx):
    method, target, headers, body, opts = build(case, ctx)
    r = raw_request(method, target, headers, body, source=fresh_address(), **opts)
    ctx["seen"].append(r.status_code)
    expect, who = expectation(case)
    # Never a 5xx; the one exception is lighttpd's own 501 to a method it
    # does not implement (RFC 9110 9.1), for the METHOD_501 cases only.
    lighttpd_501 = WEB == "lighttpd" and case["id"] in METHOD_501 and r.status_code == 501
    assert r.status_code is None or r.status_code < 500 or lighttpd_501, r
    assert r.status_code in expect, (r.status_code, expect, WEB, r.raw[:400])
    if r.status_code is None:
        return
    ct = r.headers.get("content-type", "").split(";")[0].strip()
    worker = r.headers.get("x-content-type-options") == "nosniff"
    if who == "web":
        # lighttpd's own answer: HTML, not the worker's.
        assert ct == "text/html" and not worker, (r.headers, r.raw[:300])
    elif who == "worker":
        assert ct == "application/json" and worker, (r.headers, r.raw[:300])
    if case.get("web413") and r.status_code == 413:
        # The web server's own 413, with the API's JSON body.  nginx's
        # (@too_large) also says Cache-Control: no-store; lighttpd's cannot
        # (it answers before mod_setenv runs: a documented limitation).
        assert ct == "application/json" and not worker, r.headers
        assert r.json() == {"detail": "Request body too large"}, r.raw[:300]
        if WEB != "lighttpd":
            assert r.headers.get("cache-control") == "no-store", r.headers
    elif ct == "application/json":
        # The service's answer: well-formed, not cached, not sniffed.
        assert r.headers.get("cache-control") == "no-store", r.headers
        assert worker, r.headers
        b = r.json()
        if r.status_code == 200:
            # Only obs-fold behind lighttpd: GET /health, unfolded.
            assert b.get("status") == "ok", b
            return
        assert isinstance(b, dict) and ("detail" in b or "error" in b), b
        if r.status_code == 422:
            assert isinstance(b["detail"], list) and b["detail"], b
            for err in b["detail"]:
                assert {"loc", "msg", "type"} <= set(err), err
                assert err["loc"][0] in ("body", "query"), err
        if r.status_code == 401 and target != "/token":
            assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
    if case.get("allow"):
        # The service's 405: API.md's detail and an Allow header without
        # the method that was refused.
        assert r.json() == {"detail": "Method Not Allowed"}, r.raw[:300]
        allow = {m.strip() for m in r.headers.get("allow", "").split(",") if m.strip()}
        assert allow and method not in allow, r.headers


def test_zz_every_worker_survived_the_corpus(ctx):
    assert len(ctx["seen"]) >= 100, len(ctx["seen"])
    assert pool_pids() == ctx["pids"]
    r = e2elib.client(fresh_address()).get(e2elib.url("/health/ready"), timeout=10)
    assert r.status_code == 200, r.text
    # No request of the corpus was logged with a 5xx, and no worker complained of a crash.
    with open(LOG_FILE, "rb") as f:
        f.seek(ctx["log_at"])
        new = f.read().decode("utf-8", errors="replace")
    fives = [ln for ln in new.splitlines() if re.search(r'"status":\s*5\d\d', ln)]
    assert not fives, fives[:5]
