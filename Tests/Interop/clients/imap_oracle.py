"""The server under test, as the client suites see it.

`ServerConfig.from_env()` reads INTEROP_IMAP_HOST / _PORT / _USER /
_PASSWORD.  `Oracle` is an independent view of the mailbox built on the
standard library's imaplib: it prepares folders and messages before a
client runs and reads back what the client left (messages, flags,
folders), so every suite asserts the resulting state rather than a
client's exit code.  Messages are identified by their Message-ID.
"""

from __future__ import annotations

import imaplib
import os
import re
import shutil
from dataclasses import dataclass
from email import message_from_bytes
from email.utils import make_msgid

TIMEOUT = 30

# Mailshard serves the message commands (APPEND, FETCH, STORE, SEARCH, COPY/MOVE,
# EXPUNGE, IDLE) from issue 7 on; a test that needs any of them carries this mark
# until then, and only such tests do.
NEEDS_MESSAGE_COMMANDS = "needs issue 7 message commands"


def require_tool(name: str) -> str:
    """The path of a command-line client, or a skip saying how to get it."""
    import pytest
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (run Tests/Interop/install.sh)")
    return path


@dataclass(frozen=True)
class ServerConfig:
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_env(cls) -> "ServerConfig | None":
        port = os.environ.get("INTEROP_IMAP_PORT")
        user = os.environ.get("INTEROP_IMAP_USER")
        password = os.environ.get("INTEROP_IMAP_PASSWORD")
        if not port or not user or password is None:
            return None
        return cls(os.environ.get("INTEROP_IMAP_HOST", "127.0.0.1"), int(port), user, password)


def make_message(subject: str, body: str = "", sender: str = "sender@example.org",
                 msgid: str | None = None) -> bytes:
    """A small RFC 5322 message with CRLF line endings and a unique Message-ID."""
    msgid = msgid or make_msgid(domain="interop.example")
    text = (f"From: {sender}\r\nTo: user@example.org\r\nSubject: {subject}\r\n"
            f"Date: Fri, 22 Feb 2008 17:06:23 +0000\r\nMessage-ID: {msgid}\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            f"{body or subject}\r\n")
    return text.encode("ascii")


def message_id(raw: bytes) -> str:
    return (message_from_bytes(raw).get("Message-ID") or "").strip()


_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_LIST = re.compile(rb'\((?P<flags>[^)]*)\) (?P<sep>"[^"]*"|NIL) (?P<name>.+)$')


class Oracle:
    """A plain imaplib session for preparing and checking server state."""

    def __init__(self, config: ServerConfig):
        self.imap = imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT)
        self.imap.login(config.user, config.password)

    def close(self):
        try:
            self.imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _q(name: str) -> str:
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def folders(self, pattern: str = "*") -> set[str]:
        typ, data = self.imap.list('""', self._q(pattern))
        assert typ == "OK", data
        names = set()
        for line in data:
            if not line:
                continue
            if isinstance(line, tuple):   # name sent as a literal
                names.add(line[1].decode())
                continue
            m = _LIST.match(line)
            if m:
                name = m.group("name").decode()
                names.add(name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                          if name.startswith('"') else name)
        return names

    def delete_tree(self, prefix: str):
        """Deletes every folder whose name starts with prefix, deepest first."""
        for name in sorted(self.folders(prefix + "*"), key=len, reverse=True):
            self.imap.delete(self._q(name))

    def create(self, name: str):
        typ, data = self.imap.create(self._q(name))
        assert typ == "OK", data

    def append(self, folder: str, raw: bytes, flags: str = ""):
        typ, data = self.imap.append(self._q(folder), f"({flags})" if flags else None, None, raw)
        assert typ == "OK", data

    def empty(self, folder: str):
        """Expunges every message of a folder."""
        typ, data = self.imap.select(self._q(folder))
        assert typ == "OK", data
        self.imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)") if int(data[0]) else None
        self.imap.expunge()
        self.imap.close()

    def messages(self, folder: str) -> dict[str, tuple[frozenset[str], bytes]]:
        """Message-ID -> (flags without \\Recent, full message) of a folder."""
        typ, data = self.imap.select(self._q(folder), readonly=True)
        assert typ == "OK", data
        result: dict[str, tuple[frozenset[str], bytes]] = {}
        if int(data[0]):
            typ, data = self.imap.fetch("1:*", "(FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            for item in data:
                if not isinstance(item, tuple):
                    continue
                flags = _FLAGS.search(item[0])
                names = frozenset(f for f in (flags.group(1).decode().split() if flags else [])
                                  if f.lower() != "\\recent")
                result[message_id(item[1])] = (names, item[1])
        self.imap.close()
        return result

    def count(self, folder: str) -> int:
        typ, data = self.imap.status(self._q(folder), "(MESSAGES)")
        assert typ == "OK", data
        return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))

    def uids(self, folder: str) -> list[int]:
        typ, data = self.imap.select(self._q(folder), readonly=True)
        assert typ == "OK", data
        typ, data = self.imap.uid("SEARCH", "ALL")
        assert typ == "OK", data
        self.imap.close()
        return [int(x) for x in data[0].split()]


def body_text(raw: bytes) -> bytes:
    """A message's body with LF line ends (headers may be added on delivery)."""
    text = raw.replace(b"\r\n", b"\n")
    return text.split(b"\n\n", 1)[1] if b"\n\n" in text else b""
