"""Fixtures of the end-to-end suite; the helpers are in e2elib.py.

deploy/dev.sh test runs this suite against a throwaway stack:
  /usr/bin/python3 -m pytest -q tests/e2e
with GENESIS_URL, GENESIS_VAR, GENESIS_ROOT and GENESIS_WORKERS set
(see e2elib.py).  Files run in name order; test_zz_db_outage.py stops
and restarts the database, and test_zzz_log_secrets.py, last, searches the
workers' log for every password the suite sent.
"""
import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import e2elib  # noqa: E402


def pytest_report_header(config):
    return "genesis e2e: url=%s var=%s workers=%d" % (
        e2elib.BASE_URL, e2elib.VAR, e2elib.WORKERS)


@pytest.fixture(scope="session")
def base_url():
    return e2elib.BASE_URL


_http_sources = itertools.count()


@pytest.fixture
def http():
    """A requests.Session for one test, leaving from a loopback address of
    its own (127.15.x.y): the stack runs with the default per-address
    limits (100/s, burst 200), which the whole suite from one address
    would exceed."""
    n = next(_http_sources)
    s = e2elib.client("127.15.%d.%d" % ((n // 250) % 250, n % 250 + 2))
    yield s
    s.close()


@pytest.fixture(scope="session")
def sql():
    """root_sql(sql, db=None, stdin=None): MariaDB as root, rows of strings."""
    return e2elib.root_sql


@pytest.fixture(scope="session")
def secrets_used():
    """Every password the suite sent (e2elib.note_secret adds to it)."""
    return e2elib.SECRETS_USED


@pytest.fixture
def unique():
    """unique(prefix) -> a username no run of the suite used before."""
    return e2elib.unique_name

