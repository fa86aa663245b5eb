"""mbsync (Debian `isync`): two-way sync of a Maildir with the server.

A local Maildir of three folders (300 messages, some flagged) and a server
folder of its own are synced both ways; then both sides change (local
deletions, new local mail, local flag changes; new server mail, server
flags, server expunges) and a second sync must leave the two sides equal:
the same folders, and in each the same messages (Message-ID and body) with
the same flags.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from imap_oracle import make_message, message_id, require_tool

PREFIX = "mbsync-"
LOCAL_FOLDERS = {"mbsync-a": 120, "mbsync-b": 100, "mbsync-c": 80}
SERVER_FOLDER = ("mbsync-d", 25)
MAILDIR_FLAGS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
SYNC_TIMEOUT = 180


def write_config(tmp: Path, server) -> Path:
    root = tmp / "Maildir"
    root.mkdir()
    config = tmp / "mbsyncrc"
    config.write_text(f"""\
IMAPAccount interop
Host {server.host}
Port {server.port}
User {server.user}
Pass "{server.password}"
SSLType None
AuthMechs LOGIN PLAIN
Timeout 60

IMAPStore remote
Account interop

MaildirStore local
Path {root}/
Inbox {root}/INBOX
SubFolders Verbatim

Channel interop
Far :remote:
Near :local:
Patterns {PREFIX}*
Create Both
Expunge Both
SyncState *
""")
    config.chmod(0o600)
    return root


def sync(config: Path):
    result = subprocess.run(["mbsync", "-c", str(config), "interop"], capture_output=True,
                            text=True, timeout=SYNC_TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr


class Maildir:
    """The local side: folders of cur/ and new/ files, flags in names."""

    def __init__(self, root: Path):
        self.root = root
        self.counter = 0

    def add(self, folder: str, raw: bytes, flags: str = "") -> Path:
        base = self.root / folder
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        self.counter += 1
        name = f"1700000000.{self.counter}_interop.localhost"
        path = base / ("cur" if flags else "new") / (name + (f":2,{flags}" if flags else ""))
        path.write_bytes(raw.replace(b"\r\n", b"\n"))
        return path

    def files(self, folder: str) -> list[Path]:
        base = self.root / folder
        return sorted(p for sub in ("cur", "new") for p in (base / sub).glob("*") if p.is_file())

    def folders(self) -> set[str]:
        return {p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith(PREFIX)}

    def messages(self, folder: str) -> dict[str, tuple[frozenset[str], bytes]]:
        result = {}
        for path in self.files(folder):
            letters = path.name.split(":2,", 1)[1] if ":2," in path.name else ""
            flags = frozenset(MAILDIR_FLAGS[c] for c in letters if c in MAILDIR_FLAGS)
            raw = path.read_bytes()
            result[message_id(raw)] = (flags, raw)
        return result

    def set_flags(self, path: Path, letters: str) -> Path:
        stem = path.name.split(":2,", 1)[0]
        target = path.parent.parent / "cur" / f"{stem}:2,{letters}"
        path.rename(target)
        return target


def normalized(side: dict[str, tuple[frozenset[str], bytes]]):
    """LF line ends, and without the X-TUID header mbsync adds to the copies it
    uploads (its own tracking mark, kept by design)."""
    out = {}
    for mid, (flags, raw) in side.items():
        lines = raw.replace(b"\r\n", b"\n").split(b"\n")
        out[mid] = (flags, b"\n".join(line for line in lines if not line.startswith(b"X-TUID: ")))
    return out


def assert_sides_equal(maildir: Maildir, oracle):
    remote_folders = oracle.folders(PREFIX + "*")
    assert maildir.folders() == remote_folders
    for folder in sorted(remote_folders):
        local = normalized(maildir.messages(folder))
        remote = normalized(oracle.messages(folder))
        assert set(local) == set(remote), folder
        differing = [mid for mid in local if local[mid] != remote[mid]]
        assert not differing, (folder, [(local[m][0], remote[m][0]) for m in differing[:3]])


def test_two_way_sync(server, oracle, tmp_path):
    require_tool("mbsync")
    oracle.delete_tree(PREFIX)
    config_root = write_config(tmp_path, server)
    maildir = Maildir(config_root)
    config = tmp_path / "mbsyncrc"

    for folder, count in LOCAL_FOLDERS.items():
        for i in range(count):
            flags = "S" if i % 3 == 0 else ("FS" if i % 7 == 0 else "")
            maildir.add(folder, make_message(f"{folder} local {i}"), flags)
    remote_name, remote_count = SERVER_FOLDER
    oracle.create(remote_name)
    for i in range(remote_count):
        oracle.append(remote_name, make_message(f"{remote_name} server {i}"),
                      "\\Seen" if i % 2 else "")

    sync(config)
    assert_sides_equal(maildir, oracle)
    assert oracle.count("mbsync-a") == 120
    assert len(maildir.files(remote_name)) == remote_count

    # Local changes: delete, add, flag.
    for path in maildir.files("mbsync-a")[:5]:
        path.unlink()
    new_local = [make_message(f"mbsync-b new local {i}") for i in range(10)]
    for raw in new_local:
        maildir.add("mbsync-b", raw)
    flagged_local = [maildir.set_flags(p, "FS") for p in maildir.files("mbsync-c")[:5]]

    # Server changes: append, flag, expunge.
    new_remote = [make_message(f"mbsync-a new server {i}") for i in range(10)]
    for raw in new_remote:
        oracle.append("mbsync-a", raw)
    imap = oracle.imap
    imap.select('"mbsync-b"')
    imap.store("1:5", "+FLAGS", "(\\Flagged \\Answered)")
    imap.close()
    imap.select(f'"{remote_name}"')
    imap.store("1:5", "+FLAGS", "(\\Deleted)")
    imap.expunge()
    imap.close()

    sync(config)
    assert_sides_equal(maildir, oracle)
    assert oracle.count("mbsync-a") == 120 - 5 + 10
    assert oracle.count("mbsync-b") == 100 + 10
    assert len(maildir.files(remote_name)) == remote_count - 5
    remote_c = oracle.messages("mbsync-c")
    for path in flagged_local:
        assert {"\\Flagged", "\\Seen"} <= remote_c[message_id(path.read_bytes())][0]
    local_b = maildir.messages("mbsync-b")
    assert sum(1 for flags, _ in local_b.values() if {"\\Flagged", "\\Answered"} <= flags) >= 5
    local_a = maildir.messages("mbsync-a")
    assert {message_id(raw) for raw in new_remote} <= set(local_a)

    oracle.delete_tree(PREFIX)
