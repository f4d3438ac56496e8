"""Fixtures for the integration suite: one cairn-server per module, flushed before each test."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pylib"))

from cairn_testlib import HarnessError, ServerProcess, cairn_server_bin  # noqa: E402


@pytest.fixture(scope="module")
def cairn_process():
    """The module's cairn-server. At the end it must exit 0 on SIGTERM (no ASan report)."""
    server = ServerProcess(cairn_server_bin(), name="cairn")
    try:
        server.start()
        yield server
    finally:
        code = server.stop()
        if code not in (0, None):
            raise HarnessError(f"cairn-server exited with {code} on SIGTERM\n{server.describe()}")
        server.cleanup()


@pytest.fixture
def server(cairn_process):
    """The module's cairn-server, flushed; restarted first if an earlier test crashed it. The
    test fails at teardown if the server died during it."""
    if not cairn_process.alive():
        cairn_process.stop()
        cairn_process.start()
    with cairn_process.client() as client:
        assert client.call("FLUSHALL") == b"+OK\r\n"
    yield cairn_process
    assert cairn_process.alive(), f"cairn-server died during the test\n{cairn_process.describe()}"
