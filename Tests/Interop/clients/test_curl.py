"""curl's IMAP support: list and fetch through imap:// URLs."""

from __future__ import annotations

import subprocess

import pytest

from imap_oracle import make_message, require_tool

FOLDER = "interop-curl"
TIMEOUT = 60


def curl(server, path: str) -> bytes:
    url = f"imap://{server.host}:{server.port}/{path}"
    result = subprocess.run(["curl", "--silent", "--show-error", "--max-time", "30",
                             "--user", f"{server.user}:{server.password}", url],
                            capture_output=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


@pytest.fixture
def folder(oracle):
    oracle.delete_tree(FOLDER)
    oracle.create(FOLDER)
    messages = [make_message(f"curl message {i}") for i in range(3)]
    for raw in messages:
        oracle.append(FOLDER, raw)
    yield messages, oracle.uids(FOLDER)
    oracle.delete_tree(FOLDER)


def test_list(server, folder):
    require_tool("curl")
    listing = curl(server, "").decode(errors="replace")
    names = [line.rsplit(" ", 1)[-1].strip('"') for line in listing.splitlines()
             if line.upper().startswith("* LIST")]
    assert FOLDER in names and "INBOX" in [n.upper() for n in names]


def test_fetch_by_uid(server, folder):
    require_tool("curl")
    messages, uids = folder
    assert len(uids) == len(messages)
    for uid, raw in zip(uids, messages):
        assert curl(server, f"{FOLDER};UID={uid}") == raw


def test_search(server, folder):
    require_tool("curl")
    _, uids = folder
    found = curl(server, f"{FOLDER}?SUBJECT%20%22curl%20message%201%22").decode()
    assert found.split() == ["*", "SEARCH", "2"]
