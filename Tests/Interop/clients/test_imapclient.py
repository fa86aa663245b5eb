"""IMAPClient (PyPI `imapclient`) through a full session.

Login, list, create, append, search, fetch, store, move, expunge and IDLE,
then the resulting folders, messages and flags are read back with imaplib.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from imap_oracle import TIMEOUT, make_message, message_id

imapclient = pytest.importorskip("imapclient")

SOURCE = "interop-imapclient"
DEST = "interop-imapclient-moved"


def connect(server):
    client = imapclient.IMAPClient(server.host, port=server.port, ssl=False, timeout=TIMEOUT)
    client.login(server.user, server.password)
    client.normalise_times = False     # keep the server's zone, compare in UTC
    return client


def test_full_session(server, oracle):
    oracle.delete_tree(SOURCE)
    client = connect(server)
    try:
        client.create_folder(SOURCE)
        client.create_folder(DEST)
        names = {name for _flags, _sep, name in client.list_folders()}
        assert {SOURCE, DEST} <= names

        sent = [make_message(f"imapclient message {i}") for i in range(6)]
        when = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
        for i, raw in enumerate(sent):
            client.append(SOURCE, raw, flags=[imapclient.SEEN] if i == 0 else [], msg_time=when)

        info = client.select_folder(SOURCE)
        assert info[b"EXISTS"] == 6
        uids = client.search(["ALL"])
        assert len(uids) == 6
        assert client.search(["SUBJECT", "imapclient message 3"]) == [uids[3]]
        assert client.search(["UNSEEN"]) == uids[1:]

        fetched = client.fetch(uids, ["FLAGS", "RFC822.SIZE", "BODY.PEEK[]", "INTERNALDATE"])
        for uid, raw in zip(uids, sent):
            assert fetched[uid][b"BODY[]"] == raw
            assert fetched[uid][b"RFC822.SIZE"] == len(raw)
            assert fetched[uid][b"INTERNALDATE"].astimezone(timezone.utc) == when

        client.add_flags([uids[1]], [imapclient.FLAGGED, b"$Interop"])
        client.remove_flags([uids[0]], [imapclient.SEEN])
        flags = client.get_flags([uids[0], uids[1]])
        assert imapclient.SEEN not in flags[uids[0]]
        assert {imapclient.FLAGGED, b"$Interop"} <= set(flags[uids[1]])

        if client.has_capability("MOVE"):
            client.move([uids[2]], DEST)
        else:
            client.copy([uids[2]], DEST)
            client.delete_messages([uids[2]])
            client.expunge()
        client.delete_messages([uids[4]])
        client.expunge()
        assert len(client.search(["ALL"])) == 4

        idle_check(server, client)
    finally:
        client.logout()

    left = oracle.messages(SOURCE)
    assert set(left) == {message_id(sent[i]) for i in (0, 1, 3, 5)} | {message_id(IDLE_MESSAGE)}
    assert "\\Flagged" in left[message_id(sent[1])][0] and "$Interop" in left[message_id(sent[1])][0]
    assert "\\Seen" not in left[message_id(sent[0])][0]
    moved = oracle.messages(DEST)
    assert set(moved) == {message_id(sent[2])}
    assert moved[message_id(sent[2])][1] == sent[2]
    oracle.delete_tree(SOURCE)


IDLE_MESSAGE = make_message("delivered during IDLE")


def idle_check(server, client):
    """IDLE on the selected folder sees a message another session appends."""
    if not client.has_capability("IDLE"):
        pytest.fail("server does not advertise IDLE")
    client.idle()
    try:
        other = connect(server)
        try:
            other.append(SOURCE, IDLE_MESSAGE)
        finally:
            other.logout()
        seen = []
        for _ in range(10):
            seen += client.idle_check(timeout=1)
            if any(len(r) > 1 and r[1] == b"EXISTS" for r in seen):
                break
    finally:
        client.idle_done()
    assert any(len(r) > 1 and r[1] == b"EXISTS" for r in seen), seen
