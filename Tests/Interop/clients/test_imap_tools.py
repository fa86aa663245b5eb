"""imap-tools (PyPI `imap-tools`) through a full session.

Login, list, create, append, search, fetch, store, move, expunge and IDLE,
then the resulting folders, messages and flags are read back with imaplib.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from imap_oracle import TIMEOUT, make_message, message_id

imap_tools = pytest.importorskip("imap_tools")
from imap_tools import AND, MailBoxUnencrypted, MailMessageFlags  # noqa: E402

SOURCE = "interop-imaptools"
DEST = "interop-imaptools-moved"
IDLE_MESSAGE = make_message("imap-tools IDLE delivery")


def connect(server, folder="INBOX"):
    return MailBoxUnencrypted(server.host, server.port, timeout=TIMEOUT).login(
        server.user, server.password, initial_folder=folder)


def test_full_session(server, oracle):
    oracle.delete_tree(SOURCE)
    sent = [make_message(f"imap-tools message {i}", body=f"body number {i}") for i in range(5)]
    with connect(server) as box:
        box.folder.create(SOURCE)
        box.folder.create(DEST)
        assert {SOURCE, DEST} <= {f.name for f in box.folder.list()}

        when = datetime(2023, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
        for i, raw in enumerate(sent):
            box.append(raw, SOURCE, dt=when, flag_set=[MailMessageFlags.FLAGGED] if i == 4 else None)
        box.folder.set(SOURCE)

        uids = box.uids()
        assert len(uids) == 5
        assert box.uids(AND(subject="imap-tools message 2")) == [uids[2]]
        assert box.uids(AND(flagged=True)) == [uids[4]]
        assert box.uids(AND(body="body number 3")) == [uids[3]]

        messages = list(box.fetch(mark_seen=False))
        assert [m.subject for m in messages] == [f"imap-tools message {i}" for i in range(5)]
        assert all(m.date.astimezone(timezone.utc).year == 2008 for m in messages)
        assert messages[1].text.strip() == "body number 1"
        assert all(MailMessageFlags.SEEN not in m.flags for m in messages)

        box.flag([uids[0]], [MailMessageFlags.SEEN, MailMessageFlags.ANSWERED], True)
        box.flag([uids[4]], MailMessageFlags.FLAGGED, False)
        box.move([uids[1]], DEST)
        box.flag([uids[3]], MailMessageFlags.DELETED, True)
        box.expunge()
        assert len(box.uids()) == 3

        watch_idle(server, box)

    left = oracle.messages(SOURCE)
    assert set(left) == {message_id(sent[i]) for i in (0, 2, 4)} | {message_id(IDLE_MESSAGE)}
    assert {"\\Seen", "\\Answered"} <= left[message_id(sent[0])][0]
    assert "\\Flagged" not in left[message_id(sent[4])][0]
    assert left[message_id(sent[2])][1] == sent[2]
    assert set(oracle.messages(DEST)) == {message_id(sent[1])}
    oracle.delete_tree(SOURCE)


def watch_idle(server, box):
    """IDLE sees a message that another session appends meanwhile."""
    box.idle.start()
    try:
        with connect(server) as other:
            other.append(IDLE_MESSAGE, SOURCE)
        responses = []
        for _ in range(10):
            responses += box.idle.poll(timeout=1)
            if any(b"EXISTS" in r for r in responses):
                break
    finally:
        box.idle.stop()
    assert any(b"EXISTS" in r for r in responses), responses
