"""Fixtures for the differential suite: one cairn-server/redis-server pair per module."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_compat import ServerPair  # noqa: E402  pylint: disable=wrong-import-position

# Both servers start with the same options; DEBUG is needed by test_server.py and by the
# deterministic setups of other modules (DEBUG SET-ACTIVE-EXPIRE).
COMPAT_ARGS = ["--enable-debug-command", "yes"]


@pytest.fixture(scope="module")
def servers():
    """The module's ServerPair, stopped (and checked for a clean exit) after its last test."""
    server_pair = ServerPair(COMPAT_ARGS)
    try:
        server_pair.start()
    except BaseException:
        server_pair.stop()
        raise
    yield server_pair
    server_pair.stop()


def _pair(servers, resp):
    servers.ensure_running()
    servers.reset()
    client_pair = servers.client_pair(resp=resp)
    yield client_pair
    servers.close_clients()
    servers.restore_config()


@pytest.fixture
def pair(servers):
    """A RESP2 ClientPair on flushed servers; config changes are undone afterwards."""
    yield from _pair(servers, 2)


@pytest.fixture
def pair3(servers):
    """Like ``pair`` but both connections switched to RESP3 with HELLO 3."""
    yield from _pair(servers, 3)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def pair23(servers, request):
    """A ClientPair in RESP2 and then in RESP3: the test runs once per protocol."""
    yield from _pair(servers, request.param)
