"""Fixtures for the differential suite: one cairn-server/redis-server pair per module."""

import inspect
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_compat import running_pair  # noqa: E402

# Both servers start with the same options; DEBUG is needed by test_server.py and by the
# deterministic setups of other modules (DEBUG SET-ACTIVE-EXPIRE).
COMPAT_ARGS = ["--enable-debug-command", "yes"]


# What cairn-server does not have yet, and the issue that brings it. A test whose source uses one
# of these is expected to fail until then. The mark is strict: the day the feature lands, the
# test passes, pytest reports XPASS as a failure, and the entry here must be deleted.
PENDING_IN_SOURCE = {
}
PENDING_BY_ID = {
}


def pytest_collection_modifyitems(config, items):
    """Marks the tests that need a pending feature as strict expected failures."""
    for item in items:
        reasons = [why for name, why in PENDING_BY_ID.items() if item.name == name]
        source = inspect.getsource(item.function)
        reasons += [why for needle, why in PENDING_IN_SOURCE.items() if needle in source]
        if reasons:
            item.add_marker(pytest.mark.xfail(strict=True, reason="needs " + ", ".join(reasons)))


@pytest.fixture(scope="module")
def servers():
    """The module's ServerPair, stopped (and checked for a clean exit) after its last test."""
    with running_pair(COMPAT_ARGS) as server_pair:
        yield server_pair


def _pair(servers, resp):
    servers.ensure_running()
    servers.reset()
    client_pair = servers.client_pair(resp=resp)
    yield client_pair
    try:
        servers.assert_alive()
        servers.close_clients()
    finally:
        servers.close_clients_quietly()
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
