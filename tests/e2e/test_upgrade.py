"""In-place upgrade of a database made by the original Python service
(tests/fixtures/genesis-4ae971e.sql) with genesis-admin migrate: every
original value survives, the new columns appear with the right values,
the migrations are recorded once, and a second run changes nothing."""
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import uuid

import pytest

from e2elib import ADMIN_BIN, CONF, FIXTURE_SQL, root_sql

ALICE_ID = "3f0c2a9e-6a51-4c1b-9a57-2f1e1d7b9c01"
BOB_ID = "8b5d1e2f-0c3a-4f6e-8d21-7a9b0c1d2e03"
ALICE_HASH = "$2b$12$oMnFO3KzZMDjTkXGzAxkU.gbd/uNnVCZDWC1vAG3BrrS0Ax/p2o9."
BOB_HASH = "$2b$12$StDhuuAwPAf.MI80Hg48pOLqRRL14ewZUhHdfaRySUwbSrzKhTw36"

# The fixture's rows, column by column (datetimes as MariaDB prints them).
FIXTURE_USERS = {
    ALICE_ID: {"username": "legacy_alice", "email": "alice@legacy.example",
               "password": ALICE_HASH, "created_at": "2024-09-10 08:00:00",
               "last_modified": "2024-09-10 08:00:00", "disabled": "0"},
    BOB_ID: {"username": "legacy_bob", "email": "bob@legacy.example",
             "password": BOB_HASH, "created_at": "2024-09-11 09:30:00",
             "last_modified": "2025-01-02 10:00:00", "disabled": "1"},
}
FIXTURE_PROFILE = {
    "user_id": ALICE_ID, "given_name": "Alice", "family_name": "Legacy",
    "nick_name": "al", "picture": "http://example.com/alice.jpg",
    "updated_at": "2024-09-10 08:05:00", "email": "alice@legacy.example",
    "sub": "legacy-sub-1",
}

# The columns migrations add to users, with the values an existing row gets.
NEW_USER_COLUMNS = {
    "role": "user", "email_verified": "0", "auth_provider": "native",
    "is_native": "1", "last_login_at": "NULL", "last_login_method": "NULL",
    "failed_logins": "0", "locked_until": "NULL",
}
NEW_PROFILE_COLUMNS = {
    "date_of_birth": "NULL", "mobile_number": "NULL", "phone_verified": "0",
    "address_line1": "NULL", "address_line2": "NULL", "city": "NULL",
    "state": "NULL", "zip_code": "NULL", "country": "NULL", "locale": "NULL",
    "timezone": "NULL",
}


def conf_value(key):
    with open(CONF) as f:
        for line in f:
            k, _, v = line.partition("=")
            if not line.lstrip().startswith("#") and k.strip() == key:
                return v.strip()
    return None


def migration_scripts():
    d = conf_value("migrations_dir")
    names = sorted(n for n in os.listdir(d) if re.match(r"^\d{4}_.+\.sql$", n))
    return [(int(n[:4]), n) for n in names]


def rows_as_dicts(table, db, order="id"):
    cols = [r[0] for r in root_sql(
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s' "
        "AND TABLE_NAME = '%s' ORDER BY ORDINAL_POSITION" % (db, table))]
    rows = root_sql("SELECT %s FROM `%s` ORDER BY %s" % (
        ", ".join("`%s`" % c for c in cols), table, order), db=db)
    return [dict(zip(cols, r)) for r in rows]


def fingerprint(db):
    """Everything migrate could change: table definitions and every row."""
    h = hashlib.sha256()
    for (t,) in root_sql("SHOW TABLES", db=db):
        h.update(root_sql("SHOW CREATE TABLE `%s`" % t, db=db)[0][1].encode())
        for row in sorted(root_sql("SELECT * FROM `%s`" % t, db=db)):
            h.update("\t".join(row).encode() + b"\n")
    h.update(repr(sorted(root_sql("SHOW GRANTS FOR 'genesis'@'localhost'"))).encode())
    return h.hexdigest()


def admin(conf, *args):
    p = subprocess.run([ADMIN_BIN, "-c", conf] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def upgrade_db():
    """A database loaded from the original service's dump, and a config
    naming it; dropped (with the grants made on it) afterwards."""
    db = "genesis_upgrade_%s" % uuid.uuid4().hex[:12]
    d = tempfile.mkdtemp(prefix="genesis-e2e-upgrade-")
    os.chmod(d, 0o755)
    root_sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" % db)
    try:
        with open(FIXTURE_SQL, "rb") as f:
            root_sql(None, db=db, stdin=f.read())
        root_sql("GRANT ALL PRIVILEGES ON `%s`.* TO 'genesis_owner'@'localhost' "
                 "WITH GRANT OPTION" % db)
        lines = []
        with open(CONF) as f:
            for line in f:
                k = line.partition("=")[0].strip()
                lines.append("db_name = %s\n" % db if k == "db_name" else line)
        conf = os.path.join(d, "genesis.conf")
        with open(conf, "w") as f:
            f.writelines(lines)
        os.chmod(conf, 0o644)
        yield db, conf
    finally:
        root_sql("DROP DATABASE IF EXISTS `%s`" % db)
        for t in ("tables_priv", "columns_priv", "db", "procs_priv"):
            root_sql("DELETE FROM mysql.%s WHERE Db = '%s'" % (t, db))
        root_sql("FLUSH PRIVILEGES")
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def migrated(upgrade_db):
    db, conf = upgrade_db
    rc, out, err = admin(conf, "migrate")
    assert rc == 0, (rc, out, err)
    return db, conf, out


def test_check_reports_pending_before_migrate(upgrade_db):
    db, conf = upgrade_db
    # Before any migration the service account has no rights on the new
    # database, so --check must not say "current".
    rc, out, err = admin(conf, "migrate", "--check")
    assert rc != 0, (rc, out, err)


def test_migrate_applies_every_script(migrated):
    db, conf, out = migrated
    scripts = migration_scripts()
    for _, name in scripts:
        assert name in out, out
    assert re.search(r"\b%d applied\b" % len(scripts), out), out
    rows = root_sql("SELECT version, name FROM schema_migrations ORDER BY version", db=db)
    assert rows == [[str(v), n] for v, n in scripts]
    assert len(rows) >= 4


def test_original_users_unchanged(migrated):
    db = migrated[0]
    users = {u["id"]: u for u in rows_as_dicts("users", db)}
    assert set(users) == set(FIXTURE_USERS)
    for uid, want in FIXTURE_USERS.items():
        for col, val in want.items():
            assert users[uid][col] == val, (uid, col, users[uid][col])


def test_new_user_columns(migrated):
    db = migrated[0]
    users = {u["id"]: u for u in rows_as_dicts("users", db)}
    for uid in FIXTURE_USERS:
        for col, val in NEW_USER_COLUMNS.items():
            assert col in users[uid], (col, sorted(users[uid]))
            assert users[uid][col] == val, (uid, col, users[uid][col])
    # The original's disabled flag carries over to is_active.
    assert users[ALICE_ID]["is_active"] == "1" and users[ALICE_ID]["disabled"] == "0"
    assert users[BOB_ID]["is_active"] == "0" and users[BOB_ID]["disabled"] == "1"


def test_original_profile_unchanged(migrated):
    db = migrated[0]
    profiles = rows_as_dicts("profiles", db)
    assert len(profiles) == 1
    p = profiles[0]
    for col, val in FIXTURE_PROFILE.items():
        assert p[col] == val, (col, p[col])
    for col, val in NEW_PROFILE_COLUMNS.items():
        assert p.get(col) == val, (col, p.get(col))


def test_constraints_kept(migrated):
    db = migrated[0]
    idx = root_sql("SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS "
                   "WHERE TABLE_SCHEMA = '%s' AND TABLE_NAME = 'users'" % db)
    unique_cols = {c for _, c, nu in idx if nu == "0"}
    assert {"id", "username", "email"} <= unique_cols, idx
    fks = root_sql("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
                   "WHERE CONSTRAINT_SCHEMA = '%s' AND TABLE_NAME = 'profiles' "
                   "AND REFERENCED_TABLE_NAME = 'users'" % db)
    assert fks == [["1"]]
    # role is limited to user/admin/root.
    out = root_sql("UPDATE users SET role = 'superuser' WHERE id = '%s'" % ALICE_ID, db=db,
                   check=False)
    assert root_sql("SELECT role FROM users WHERE id = '%s'" % ALICE_ID, db=db) == [["user"]], out


def test_service_account_least_privilege(migrated):
    db = migrated[0]
    grants = "\n".join(r[0] for r in root_sql("SHOW GRANTS FOR 'genesis'@'localhost'"))
    mine = [g for g in grants.splitlines() if "`%s`" % db in g]
    assert mine, grants
    for g in mine:
        privs = g.split(" ON ")[0].replace("GRANT ", "")
        assert set(p.strip() for p in privs.split(",")) <= {"SELECT", "INSERT", "UPDATE", "DELETE"}, g
        assert "WITH GRANT OPTION" not in g and "ALL PRIVILEGES" not in g, g
    assert not any("`%s`.*" % db in g for g in mine), mine


def test_second_migrate_changes_nothing(migrated):
    db, conf, _ = migrated
    before = fingerprint(db)
    rc, out, err = admin(conf, "migrate")
    assert rc == 0, (rc, out, err)
    assert re.search(r"\b0 applied\b", out), out
    assert "applying" not in out, out
    assert fingerprint(db) == before
    n = len(migration_scripts())
    assert root_sql("SELECT COUNT(*) FROM schema_migrations", db=db) == [[str(n)]]


def test_check_when_current(migrated):
    db, conf, _ = migrated
    rc, out, err = admin(conf, "migrate", "--check")
    assert rc == 0, (rc, out, err)
    assert "pending" not in out, out


def test_check_when_behind(migrated):
    # A migrations folder with one script more than applied: --check says so
    # and exits 1 without applying it.
    db, conf, _ = migrated
    d = tempfile.mkdtemp(prefix="genesis-e2e-mig-")
    try:
        os.chmod(d, 0o755)
        src = conf_value("migrations_dir")
        for _, name in migration_scripts():
            shutil.copy(os.path.join(src, name), d)
        nxt = migration_scripts()[-1][0] + 1
        extra = "%04d_e2e_probe.sql" % nxt
        with open(os.path.join(d, extra), "w") as f:
            f.write("CREATE TABLE e2e_probe (id int PRIMARY KEY);\n")
        conf2 = os.path.join(d, "genesis.conf")
        with open(conf) as f, open(conf2, "w") as g:
            for line in f:
                k = line.partition("=")[0].strip()
                g.write("migrations_dir = %s\n" % d if k == "migrations_dir" else line)
        before = fingerprint(db)
        rc, out, err = admin(conf2, "migrate", "--check")
        assert rc == 1, (rc, out, err)
        assert extra in out, out
        assert fingerprint(db) == before
    finally:
        shutil.rmtree(d, ignore_errors=True)


# --- the stack's own database, made the same way by deploy/dev.sh test ---------

def test_stack_database_keeps_legacy_users():
    users = {u["id"]: u for u in rows_as_dicts("users", "genesis")
             if u["id"] in FIXTURE_USERS}
    assert set(users) == set(FIXTURE_USERS), "the stack was not seeded from the fixture"
    alice, bob = users[ALICE_ID], users[BOB_ID]
    assert alice["username"] == "legacy_alice"
    assert alice["password"] == ALICE_HASH
    assert alice["disabled"] == "0" and alice["is_active"] == "1" and alice["role"] == "user"
    assert bob["username"] == "legacy_bob"
    assert bob["disabled"] == "1" and bob["is_active"] == "0"
    n = len(migration_scripts())
    assert root_sql("SELECT COUNT(*) FROM schema_migrations", db="genesis") == [[str(n)]]
