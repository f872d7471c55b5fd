"""genesis-fcgi refuses to start on a bad configuration (SECURITY.md C-T13;
deploy/genesis.conf.example): exit status 78 and ONE line on stderr that
names the key.  The worker is run as the workers' user (it refuses root
after the configuration checks); with a good configuration it gets past
them and stops because fd 0 is not a FastCGI socket (64), never 78."""
import os
import shutil
import subprocess
import tempfile

import pytest

from e2elib import CONF, FCGI_BIN

EX_CONFIG = 78
WORKER_USER = "genesis"


def read_conf():
    """The stack's genesis.conf as (key, value) pairs, comments dropped."""
    pairs = []
    with open(CONF) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            k, _, v = line.partition("=")
            pairs.append((k.strip(), v.strip()))
    return pairs


@pytest.fixture
def confdir():
    """A folder the workers' user can read (removed afterwards)."""
    d = tempfile.mkdtemp(prefix="genesis-e2e-conf-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def write(d, name, text, mode=0o644, owner=None):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    if owner is not None:
        shutil.chown(path, owner)
    return path


def make_conf(d, drop=(), set_=(), extra=""):
    """A copy of the stack's configuration without the keys in drop, with
    the (key, value) pairs of set_ replacing or adding, and extra lines."""
    over = dict(set_)
    lines = ["# written by tests/e2e/test_config.py"]
    for k, v in read_conf():
        if k in drop:
            continue
        if k in over:
            v = over.pop(k)
        lines.append("%s = %s" % (k, v))
    for k, v in over.items():
        lines.append("%s = %s" % (k, v))
    text = "\n".join(lines) + "\n" + extra
    return write(d, "genesis.conf", text)


def run_worker(conf, user=WORKER_USER, env_set=None):
    """Start genesis-fcgi -c conf as user with fd 0 from /dev/null."""
    env = ["env", "-u", "CREDENTIALS_DIRECTORY", "-u", "GENESIS_CONFIG"]
    for k, v in (env_set or {}).items():
        env.append("%s=%s" % (k, v))
    cmd = env + [FCGI_BIN, "-c", conf]
    if user is not None:
        cmd = ["runuser", "-u", user, "--"] + cmd
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    return p.returncode, p.stderr.decode("utf-8", errors="replace")


def assert_refused(rc, err, key):
    assert rc == EX_CONFIG, (rc, err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert key in lines[0], err
    assert lines[0].startswith("genesis-fcgi"), err


def assert_started(rc, err):
    """Past the configuration checks: not 78, and no configuration complaint."""
    assert rc != EX_CONFIG, (rc, err)
    assert rc == 64, (rc, err)        # fd 0 is not a FastCGI socket
    assert "FastCGI" in err or "spawn-fcgi" in err, err


def db_password():
    path = dict(read_conf())["db_password_file"]
    with open(path) as f:
        return f.read().strip()


def test_good_config_starts(confdir):
    rc, err = run_worker(make_conf(confdir))
    assert_started(rc, err)
    assert db_password() not in err


def test_stack_config_starts():
    # The very file the running workers use.
    rc, err = run_worker(CONF)
    assert_started(rc, err)


def test_refuses_root_with_good_config(confdir):
    assert os.geteuid() == 0, "this suite runs as root"
    rc, err = run_worker(make_conf(confdir), user=None)
    assert rc == EX_CONFIG, (rc, err)
    assert len(err.splitlines()) == 1 and "root" in err, err


def test_unknown_key(confdir):
    rc, err = run_worker(make_conf(confdir, extra="frobnicate = 1\n"))
    assert_refused(rc, err, "frobnicate")


def test_misspelt_key(confdir):
    rc, err = run_worker(make_conf(confdir, extra="db_pasword_file = /etc/passwd\n"))
    assert_refused(rc, err, "db_pasword_file")


@pytest.mark.parametrize("value", ["abc", "0", "65536", "-1", "3306x", "33 06", "99999999999999999999", ""])
def test_malformed_db_port(confdir, value):
    rc, err = run_worker(make_conf(confdir, set_=[("db_port", value)]))
    assert_refused(rc, err, "db_port")


@pytest.mark.parametrize("value", ["maybe", "1", "YESS", ""])
def test_malformed_registration(confdir, value):
    rc, err = run_worker(make_conf(confdir, set_=[("registration", value)]))
    assert_refused(rc, err, "registration")


@pytest.mark.parametrize("key,value", [
    ("log_level", "verbose"),
    ("db_connect_timeout", "0"),
    ("db_rw_timeout", "soon"),
    ("argon2_memory_kib", "1"),
    ("argon2_iterations", "0"),
    ("argon2_parallelism", "x"),
    ("max_requests", "-5"),
])
def test_other_malformed_values(confdir, key, value):
    rc, err = run_worker(make_conf(confdir, set_=[(key, value)]))
    assert_refused(rc, err, key)


def test_key_set_twice(confdir):
    name = dict(read_conf())["db_name"]
    rc, err = run_worker(make_conf(confdir, extra="db_name = %s\n" % name))
    assert_refused(rc, err, "db_name")


def test_line_without_equals(confdir):
    rc, err = run_worker(make_conf(confdir, extra="just some words\n"))
    assert rc == EX_CONFIG, (rc, err)
    assert len(err.splitlines()) == 1, err


@pytest.mark.parametrize("key", ["db_name", "db_user"])
def test_missing_required(confdir, key):
    rc, err = run_worker(make_conf(confdir, drop=[key]))
    assert_refused(rc, err, key)


def test_missing_db_socket_and_host(confdir):
    rc, err = run_worker(make_conf(confdir, drop=["db_socket", "db_host"]))
    assert rc == EX_CONFIG, (rc, err)
    assert len(err.splitlines()) == 1, err
    assert "db_socket" in err or "db_host" in err, err


def test_db_password_file_missing(confdir):
    rc, err = run_worker(make_conf(confdir, set_=[
        ("db_password_file", os.path.join(confdir, "no-such-file"))]))
    assert_refused(rc, err, "db_password_file")


def test_db_password_file_unreadable(confdir):
    path = write(confdir, "db_password", db_password() + "\n", mode=0o600, owner="root")
    rc, err = run_worker(make_conf(confdir, set_=[("db_password_file", path)]))
    assert_refused(rc, err, "db_password_file")
    assert db_password() not in err


@pytest.mark.parametrize("content", ["", "\n", "\r\n"], ids=["empty", "newline", "crlf"])
def test_db_password_file_empty(confdir, content):
    path = write(confdir, "db_password", content)
    rc, err = run_worker(make_conf(confdir, set_=[("db_password_file", path)]))
    assert_refused(rc, err, "db_password_file")


def test_db_password_file_is_a_directory(confdir):
    rc, err = run_worker(make_conf(confdir, set_=[("db_password_file", confdir)]))
    assert_refused(rc, err, "db_password_file")


def test_no_db_password_file_and_no_credentials_directory(confdir):
    rc, err = run_worker(make_conf(confdir, drop=["db_password_file"]))
    assert_refused(rc, err, "db_password")


def test_credentials_directory_supplies_the_password(confdir):
    creds = os.path.join(confdir, "creds")
    os.mkdir(creds)
    os.chmod(creds, 0o755)
    write(creds, "db_password", db_password() + "\n", mode=0o600, owner=WORKER_USER)
    conf = make_conf(confdir, drop=["db_password_file"])
    rc, err = run_worker(conf, env_set={"CREDENTIALS_DIRECTORY": creds})
    assert_started(rc, err)


def test_credentials_directory_without_the_file(confdir):
    creds = os.path.join(confdir, "creds")
    os.mkdir(creds)
    os.chmod(creds, 0o755)
    conf = make_conf(confdir, drop=["db_password_file"])
    rc, err = run_worker(conf, env_set={"CREDENTIALS_DIRECTORY": creds})
    assert_refused(rc, err, "db_password")


def test_config_file_missing(confdir):
    path = os.path.join(confdir, "absent.conf")
    rc, err = run_worker(path)
    assert rc == EX_CONFIG, (rc, err)
    assert len(err.splitlines()) == 1, err
    assert path in err, err


def test_config_file_unreadable(confdir):
    path = make_conf(confdir)
    os.chmod(path, 0o600)
    rc, err = run_worker(path)
    assert rc == EX_CONFIG, (rc, err)
    assert len(err.splitlines()) == 1 and path in err, err


def test_stderr_never_holds_the_password(confdir):
    # A password file with two lines is refused; its content is not echoed.
    pw = db_password()
    path = write(confdir, "db_password", pw + "\nsecond line\n")
    rc, err = run_worker(make_conf(confdir, set_=[("db_password_file", path)]))
    assert_refused(rc, err, "db_password_file")
    assert pw not in err and "second line" not in err
