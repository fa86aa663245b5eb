"""The runner end to end against a tiny in-process IMAP server on loopback.

The fake server knows just enough IMAP for the runner's setup and a few
commands, and does not advertise LITERAL+, so APPEND goes through
synchronizing literals. No external server is needed: this runs in CI.
"""

from __future__ import annotations

import socket
import socketserver
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from imaptest_runner import Settings, ScriptRun, main  # noqa: E402
from imaptest_script import load_script  # noqa: E402

MBOX = ("From a@b  Fri Feb 22 17:06:23 2008\nSubject: one\n\nbody1\n"
        "From a@b  Fri Feb 22 17:06:24 2008\nSubject: two\n\nbody2\n")


class FakeIMAP(socketserver.StreamRequestHandler):
    boxes: dict[str, list[bytes]] = {}

    def send(self, text: str | bytes):
        self.wfile.write(text.encode() if isinstance(text, str) else text)

    def read_command(self) -> bytes | None:
        data = b""
        while True:
            line = self.rfile.readline()
            if not line:
                return None
            data += line
            stripped = line.rstrip(b"\r\n")
            if stripped.endswith(b"}") and b"{" in stripped:
                size = stripped[stripped.rindex(b"{") + 1:-1]
                if size.isdigit():
                    self.send("+ go ahead\r\n")
                    data += self.rfile.read(int(size))
                    continue
            return data

    def handle(self):
        selected = None
        self.send("* OK [CAPABILITY IMAP4rev1] fake ready\r\n")
        while True:
            data = self.read_command()
            if data is None:
                return
            first = data.split(b"\r\n", 1)[0].decode("latin-1")
            tag, _, rest = first.partition(" ")
            verb, _, args = rest.partition(" ")
            verb = verb.upper()
            name = args.split(" ")[0].strip('"')
            if verb == "LOGIN":
                self.send(f"{tag} OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n")
            elif verb == "CAPABILITY":
                self.send(f"* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK done\r\n")
            elif verb in ("LIST", "LSUB"):
                for box in self.boxes:
                    self.send(f'* {verb} () "/" {box}\r\n')
                self.send(f"{tag} OK done\r\n")
            elif verb == "CREATE":
                self.boxes[name] = []
                self.send(f"{tag} OK created\r\n")
            elif verb == "DELETE":
                found = self.boxes.pop(name, None) is not None
                self.send(f"{tag} {'OK deleted' if found else 'NO [NONEXISTENT] no such box'}\r\n")
            elif verb == "UNSUBSCRIBE":
                self.send(f"{tag} OK done\r\n")
            elif verb == "APPEND":
                if name not in self.boxes:
                    self.send(f"{tag} NO [TRYCREATE] no such box\r\n")
                    continue
                literal = data.split(b"}\r\n", 1)[1]
                self.boxes[name].append(literal[:-2] if literal.endswith(b"\r\n") else literal)
                self.send(f"{tag} OK appended\r\n")
            elif verb == "SELECT":
                selected = self.boxes[name]
                self.send(f"* {len(selected)} EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n"
                          f"{tag} OK [READ-WRITE] selected\r\n")
            elif verb == "SEARCH":
                numbers = " ".join(str(i + 1) for i in range(len(selected or [])))
                self.send(f"* SEARCH {numbers}\r\n{tag} OK done\r\n")
            elif verb == "FETCH":
                seq = int(args.split(" ")[0])
                body = selected[seq - 1]
                self.send(f"* {seq} FETCH (UID {seq + 100} BODY[] {{{len(body)}}}\r\n".encode()
                          + body + b" FLAGS (\\Recent))\r\n")
                self.send(f"{tag} OK fetched\r\n")
            elif verb == "NOOP":
                self.send(f"{tag} OK noop\r\n")
            elif verb == "LOGOUT":
                self.send(f"* BYE bye\r\n{tag} OK done\r\n")
                return
            else:
                self.send(f"{tag} BAD unknown command\r\n")


@pytest.fixture
def fake_server():
    FakeIMAP.boxes = {}
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeIMAP)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def make_scripts(tmp_path: Path, scripts: dict[str, str]) -> Path:
    (tmp_path / "default.mbox").write_text(MBOX)
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
    return tmp_path


GOOD = """messages: 2

ok search all
* search 1 2

ok fetch 1 (uid body[])
* 1 fetch (uid $uid1 body[] {{{
Subject: one

body1

}}})

ok fetch 2 (uid)
* 2 fetch (uid $uid2)

tag1 noop
tag2 search all
* search 1 2
tag2 ok
tag1 ok

ok append
"" append ${mailbox}missing
no append ${mailbox}missing
"""


def settings(port: int) -> Settings:
    return Settings("127.0.0.1", port, "user", "pass", timeout=5)


def test_a_passing_script(fake_server, tmp_path):
    directory = make_scripts(tmp_path, {"good": GOOD})
    outcome = ScriptRun(load_script(directory / "good", environ={}), settings(fake_server)).run()
    assert outcome.status == "PASS", outcome.detail
    assert len(FakeIMAP.boxes["imaptest"]) == 3     # two set up, one appended by the script


def test_a_wrong_expectation_fails_with_both_sides(fake_server, tmp_path):
    directory = make_scripts(tmp_path, {"bad": "messages: 2\n\nok search all\n* search 1 2 3\n"})
    outcome = ScriptRun(load_script(directory / "bad", environ={}), settings(fake_server)).run()
    assert outcome.status == "FAIL"
    assert "line 4" in outcome.detail
    assert "expected: * search 1 2 3" in outcome.detail
    assert "received: * SEARCH 1 2" in outcome.detail


def test_a_wrong_tagged_reply_fails(fake_server, tmp_path):
    directory = make_scripts(tmp_path, {"t": "state: auth\n\nok select nothere\n"})
    outcome = ScriptRun(load_script(directory / "t", environ={}), settings(fake_server)).run()
    assert outcome.status == "FAIL"


def test_a_missing_capability_skips(fake_server, tmp_path):
    directory = make_scripts(tmp_path, {"sorting": "capabilities: SORT\n\nok sort (arrival) us-ascii all\n"})
    outcome = ScriptRun(load_script(directory / "sorting", environ={}), settings(fake_server)).run()
    assert (outcome.status, outcome.detail) == ("SKIP", "server lacks SORT")


def test_command_line_summary_and_exit_status(fake_server, tmp_path, capsys):
    directory = make_scripts(tmp_path, {
        "good": GOOD,
        "sorting": "capabilities: SORT\n\nok sort (arrival) us-ascii all\n",
    })
    common = ["--port", str(fake_server), "--user", "u", "--password", "p",
              "--scripts", str(directory), "--timeout", "5"]
    assert main(common) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "1 passed, 0 failed, 1 skipped"
    assert any(line.startswith("SKIP  sorting") for line in lines)

    skips = tmp_path.parent / f"{tmp_path.name}-skips.txt"
    skips.write_text("other  some reason\n")
    assert main(common + ["--expected-skips", str(skips)]) == 1
    assert "[not in the expected skips]" in capsys.readouterr().out
    skips.write_text("sorting  SORT not advertised\n")
    assert main(common + ["--expected-skips", str(skips)]) == 0


def test_server_that_never_answers_times_out(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    accepted = []

    def greet_then_hang():
        conn, _ = listener.accept()
        accepted.append(conn)
        conn.sendall(b"* OK [CAPABILITY IMAP4rev1] hi\r\n")

    threading.Thread(target=greet_then_hang, daemon=True).start()
    directory = make_scripts(tmp_path, {"t": "state: nonauth\n\nok noop\n"})
    run = ScriptRun(load_script(directory / "t", environ={}),
                    Settings("127.0.0.1", port, "u", "p", timeout=0.5))
    outcome = run.run()
    listener.close()
    for conn in accepted:
        conn.close()
    assert outcome.status == "FAIL" and "no reply within" in outcome.detail
