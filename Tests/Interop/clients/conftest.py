"""Fixtures of the real-client suites.

The server under test comes from the environment (INTEROP_IMAP_HOST,
INTEROP_IMAP_PORT, INTEROP_IMAP_USER, INTEROP_IMAP_PASSWORD); without it
every test here is skipped with that reason, so the suite can sit in the
default test run before a server exists.  A command-line client that is not
installed skips its own tests (Tests/Interop/install.sh installs them all).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from imap_oracle import Oracle, ServerConfig  # noqa: E402

NO_SERVER = ("no IMAP server configured: set INTEROP_IMAP_HOST, INTEROP_IMAP_PORT, "
             "INTEROP_IMAP_USER and INTEROP_IMAP_PASSWORD (Tests/Interop/README.md)")


def pytest_collection_modifyitems(config, items):
    if ServerConfig.from_env() is not None:
        return
    here = Path(__file__).resolve().parent
    skip = pytest.mark.skip(reason=NO_SERVER)
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def server() -> ServerConfig:
    config = ServerConfig.from_env()
    if config is None:
        pytest.skip(NO_SERVER)
    return config


@pytest.fixture
def oracle(server):
    with Oracle(server) as session:
        yield session
