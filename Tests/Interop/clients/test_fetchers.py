"""Fetch-all clients: getmail6 and fetchmail (Debian packages).

Each fetches every message of a server folder into a local store; the test
then checks that exactly the server's messages arrived (by Message-ID, with
their bodies intact) and that the server kept them (keep / delete = false).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from imap_oracle import body_text, make_message, message_id, require_tool

FOLDER = "interop-fetch"
COUNT = 40
RUN_TIMEOUT = 120


@pytest.fixture
def sent(oracle):
    oracle.delete_tree(FOLDER)
    oracle.create(FOLDER)
    messages = [make_message(f"fetch-all message {i}", body=f"payload {i}\r\nsecond line")
                for i in range(COUNT)]
    for i, raw in enumerate(messages):
        oracle.append(FOLDER, raw, "\\Seen" if i % 4 == 0 else "")
    yield messages
    oracle.delete_tree(FOLDER)


def assert_fetched(files: list[Path], sent: list[bytes], oracle):
    got = {}
    for path in files:
        raw = path.read_bytes()
        got[message_id(raw)] = body_text(raw)
    assert len(files) == len(sent)
    assert got == {message_id(raw): body_text(raw) for raw in sent}
    assert oracle.count(FOLDER) == len(sent)


def test_getmail(server, oracle, sent, tmp_path):
    require_tool("getmail")
    out = tmp_path / "delivered"
    out.mkdir()
    rc = tmp_path / "getmailrc"
    # An external MDA rather than getmail's Maildir writer: the latter
    # refuses to deliver as root, and CI runs as root.
    rc.write_text(f"""\
[retriever]
type = SimpleIMAPRetriever
server = {server.host}
port = {server.port}
username = {server.user}
password = {server.password}
mailboxes = ("{FOLDER}",)

[destination]
type = MDA_external
path = /bin/sh
arguments = ("-c", "cat > $(mktemp {out}/msg.XXXXXX)")
allow_root_commands = true

[options]
read_all = true
delete = false
verbose = 0
received = false
delivered_to = false
""")
    result = subprocess.run(["getmail", f"--rcfile={rc}", f"--getmaildir={tmp_path}"],
                            capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_fetched(sorted(out.iterdir()), sent, oracle)


def test_fetchmail(server, oracle, sent, tmp_path):
    require_tool("fetchmail")
    out = tmp_path / "delivered"
    out.mkdir()
    rc = tmp_path / "fetchmailrc"
    rc.write_text(f"""\
set no syslog
poll {server.host} with protocol IMAP port {server.port} auth password timeout 60
    user "{server.user}" there with password "{server.password}" is "root" here
    folder "{FOLDER}"
    keep
    fetchall
    sslproto ""
    mda "cat > $(mktemp {out}/msg.XXXXXX)"
""")
    rc.chmod(0o600)
    env = dict(os.environ, HOME=str(tmp_path), FETCHMAILHOME=str(tmp_path))
    result = subprocess.run(["fetchmail", "-f", str(rc), "--nodetach", "--nosyslog"],
                            capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_fetched(sorted(out.iterdir()), sent, oracle)
