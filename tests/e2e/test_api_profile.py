"""The caller's profile (API.md, Profiles): create, read, partial update,
delete; real calendar dates; user_id and email from the account only."""
import pytest

from e2elib import (PROFILE_FIELDS, RFC3339_Z_RE, api, assert_422,
                    assert_detail, assert_json_response, body_of,
                    register_account, root_sql, shared_account, sql_quote,
                    unique_name)

NOT_FOUND = "Profile not found"


def full_body():
    return {
        "given_name": "Ada", "family_name": "Lovelace", "nick_name": "ada",
        "sub": unique_name("sub"), "date_of_birth": "2024-02-29",
        "mobile_number": "+44 20 7946 0000", "address_line1": "1 Analytical St",
        "address_line2": "Flat 2", "city": "London", "state": "Greater London",
        "zip_code": "N1 9GU", "country": "GB", "picture": "https://example.com/a.png",
        "locale": "en-GB", "timezone": "Europe/London",
    }


def assert_profile(p, account):
    assert set(p) == PROFILE_FIELDS, sorted(p)
    assert type(p["id"]) is int
    assert p["user_id"] == account.id
    assert p["email"].lower() == account.email.lower()
    assert p["phone_verified"] is False
    assert p["updated_at"] is None or RFC3339_Z_RE.match(p["updated_at"]), p


@pytest.fixture
def acct():
    return register_account()


def test_no_profile_yet(acct):
    for path in ("/profile/me/", "/profile/me"):
        assert_detail(api("GET", path, acct.access), 404, NOT_FOUND)
    assert_detail(api("PUT", "/profile/me/", acct.access, json={"city": "X"}), 404, NOT_FOUND)
    assert_detail(api("DELETE", "/profile/me/", acct.access), 404, NOT_FOUND)


def test_profile_lifecycle(acct):
    other = shared_account("profile_other")
    body = full_body()
    body.update({"user_id": other.id, "email": "spoof@example.com", "id": 424242,
                 "phone_verified": True})
    r = api("POST", "/profile/", acct.access, json=body)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    p = body_of(r)
    assert_profile(p, acct)
    for k, v in full_body().items():
        if k != "sub":
            assert p[k] == v, (k, p[k])
    assert p["sub"] == body["sub"]
    assert p["id"] != 424242
    # The stored row belongs to the caller, with the account's email.
    rows = root_sql("SELECT user_id, email FROM profiles WHERE id = %d" % p["id"], db="genesis")
    assert rows == [[acct.id, acct.email]], rows
    assert root_sql("SELECT COUNT(*) FROM profiles WHERE user_id = %s" % sql_quote(other.id),
                    db="genesis") == [["0"]]
    # Read.
    r = api("GET", "/profile/me/", acct.access)
    assert r.status_code == 200, r.text
    assert body_of(r) == p
    # Twice: refused, nothing changed.
    r = api("POST", "/profile", acct.access, json=full_body())
    assert_detail(r, 400, "Profile already exists for this user")
    assert body_of(api("GET", "/profile/me", acct.access)) == p
    # Partial update: only what is present changes; null clears.
    r = api("PUT", "/profile/me/", acct.access,
            json={"city": "Paris", "nick_name": None, "user_id": other.id,
                  "email": "spoof2@example.com"})
    assert r.status_code == 200, r.text
    q = body_of(r)
    assert_profile(q, acct)
    assert q["city"] == "Paris" and q["nick_name"] is None
    for k in PROFILE_FIELDS - {"city", "nick_name", "updated_at"}:
        assert q[k] == p[k], (k, q[k], p[k])
    assert body_of(api("GET", "/profile/me", acct.access)) == q
    r = api("PUT", "/profile/me", acct.access, json={"date_of_birth": "2000-12-31"})
    assert r.status_code == 200 and body_of(r)["date_of_birth"] == "2000-12-31", r.text
    r = api("PUT", "/profile/me", acct.access, json={})
    assert r.status_code == 200 and body_of(r)["date_of_birth"] == "2000-12-31", r.text
    # Delete.
    r = api("DELETE", "/profile/me/", acct.access)
    assert r.status_code == 200, r.text
    assert_json_response(r)
    assert body_of(r) == {"message": "Profile with user ID %s has been successfully deleted"
                          % acct.id}
    assert_detail(api("GET", "/profile/me/", acct.access), 404, NOT_FOUND)
    assert_detail(api("DELETE", "/profile/me/", acct.access), 404, NOT_FOUND)
    # And it can be created again.
    r = api("POST", "/profile/", acct.access,
            json={"given_name": "A", "family_name": "B", "sub": unique_name("s")})
    assert r.status_code == 200, r.text
    minimal = body_of(r)
    assert_profile(minimal, acct)
    for k in PROFILE_FIELDS - {"id", "user_id", "email", "given_name", "family_name", "sub",
                               "phone_verified", "updated_at"}:
        assert minimal[k] is None, (k, minimal[k])


@pytest.mark.parametrize("date", ["2024-02-29", "2000-02-29", "1900-01-01", "2023-12-31",
                                  "2023-04-30"])
def test_valid_dates(acct, date):
    b = dict(full_body(), date_of_birth=date)
    r = api("POST", "/profile/", acct.access, json=b)
    assert r.status_code == 200, r.text
    assert body_of(r)["date_of_birth"] == date


@pytest.mark.parametrize("date", [
    "2023-02-29", "1900-02-29", "2024-02-30", "2023-04-31", "2024-13-01", "2024-00-10",
    "2024-01-00", "2024-01-32", "24-01-01", "2024-1-1", "2024/01/01", "01-02-2024",
    "2024-01-01T00:00:00", "2024-01-01 ", " 2024-01-01", "", "yesterday", "2024-٠١-٠١",
])
def test_invalid_dates_422(date):
    a = shared_account("profile_dates")
    assert_422(api("POST", "/profile/", a.access,
                   json=dict(full_body(), date_of_birth=date)), "date_of_birth")
    assert_detail(api("GET", "/profile/me", a.access), 404, NOT_FOUND)


def test_invalid_date_on_update_changes_nothing(acct):
    r = api("POST", "/profile/", acct.access, json=full_body())
    assert r.status_code == 200, r.text
    before = body_of(r)
    assert_422(api("PUT", "/profile/me/", acct.access,
                   json={"date_of_birth": "2023-02-29", "city": "Rome"}), "date_of_birth")
    assert body_of(api("GET", "/profile/me/", acct.access)) == before


@pytest.mark.parametrize("drop", ["given_name", "family_name", "sub"])
def test_create_requires_fields(drop):
    a = shared_account("profile_required")
    b = full_body()
    del b[drop]
    assert_422(api("POST", "/profile/", a.access, json=b), drop)
    assert_detail(api("GET", "/profile/me", a.access), 404, NOT_FOUND)


@pytest.mark.parametrize("field,value", [
    ("given_name", 5), ("family_name", ["x"]), ("sub", {"a": 1}), ("city", 1.5),
    ("date_of_birth", 20240229), ("given_name", "x" * 101), ("given_name", None),
])
def test_create_wrong_types_422(field, value):
    a = shared_account("profile_types")
    assert_422(api("POST", "/profile/", a.access, json=dict(full_body(), **{field: value})),
               field)
    assert_detail(api("GET", "/profile/me", a.access), 404, NOT_FOUND)
