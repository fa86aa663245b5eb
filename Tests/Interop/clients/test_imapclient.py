"""IMAPClient (PyPI `imapclient`) through a full session.

Login, list, create, append, search, fetch, store, move, expunge and IDLE,
then the resulting folders, messages and flags are read back with imaplib;
and CONDSTORE / QRESYNC as IMAPClient's users sync with them.
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


CONDSTORE_FOLDER = "interop-imapclient-condstore"


def test_condstore_and_qresync(server, oracle):
    """CONDSTORE and QRESYNC (RFC 7162) as IMAPClient uses them: ENABLE, the
    HIGHESTMODSEQ of SELECT, MODSEQ and CHANGEDSINCE on FETCH, STORE UNCHANGEDSINCE
    against another session's change, then a QRESYNC resync of what vanished."""
    oracle.delete_tree(CONDSTORE_FOLDER)
    client = connect(server)
    other = connect(server)
    try:
        assert client.has_capability("CONDSTORE") and client.has_capability("QRESYNC")
        client.create_folder(CONDSTORE_FOLDER)
        for i in range(4):
            client.append(CONDSTORE_FOLDER, make_message(f"condstore message {i}"))
        assert client.enable("QRESYNC") == [b"QRESYNC"]
        info = client.select_folder(CONDSTORE_FOLDER)
        validity, highest = info[b"UIDVALIDITY"], info[b"HIGHESTMODSEQ"]
        uids = client.search(["ALL"])
        assert len(uids) == 4
        modseqs = {uid: data[b"MODSEQ"][0] for uid, data in client.fetch(uids, ["MODSEQ"]).items()}
        assert set(modseqs) == set(uids) and max(modseqs.values()) == highest

        # Another session flags the first message and expunges the second.
        other.select_folder(CONDSTORE_FOLDER)
        other.add_flags([uids[0]], [imapclient.FLAGGED])
        other.delete_messages([uids[1]])
        other.expunge()

        changed = client.fetch(uids, ["FLAGS"], modifiers=[f"CHANGEDSINCE {highest}"])
        assert set(changed) == {uids[0]}, changed
        assert imapclient.FLAGGED in changed[uids[0]][b"FLAGS"]
        assert changed[uids[0]][b"MODSEQ"][0] > highest

        # UNCHANGEDSINCE (IMAPClient has no argument for it: the raw command):
        # the first message changed after `highest`, the third did not.
        typ, data = client._raw_command(
            b"STORE", [f"{uids[0]},{uids[2]}".encode(), f"(UNCHANGEDSINCE {highest})".encode(),
                       b"+FLAGS.SILENT", b"(\\Answered)"])
        assert typ == "OK" and f"[MODIFIED {uids[0]}]".encode() in data[0], data
        flags = client.get_flags([uids[0], uids[2]])
        assert imapclient.ANSWERED in flags[uids[2]] and imapclient.ANSWERED not in flags[uids[0]]

        # The other session's expunge reached this one as a VANISHED of its UID
        # (QRESYNC is on), with a UID command (imaplib keeps such lines aside).
        untagged = client._imap.untagged_responses
        assert untagged.pop("VANISHED", None) == [str(uids[1]).encode()]
        untagged.pop("FETCH", None)

        # A QRESYNC resync from the state first seen: what vanished, then what changed.
        client.unselect_folder()
        typ, data = client._raw_command(
            b"SELECT", [CONDSTORE_FOLDER.encode(), f"(QRESYNC ({validity} {highest}))".encode()], uid=False)
        assert typ == "OK", data
        untagged = client._imap.untagged_responses
        assert untagged.pop("VANISHED") == [f"(EARLIER) {uids[1]}".encode()]
        resynced = imapclient.response_parser.parse_fetch_response(untagged.pop("FETCH"))
        assert set(resynced) == {uids[0], uids[2]}, resynced
        assert all(resynced[uid][b"MODSEQ"][0] > highest for uid in resynced)

        # Once QRESYNC is on, another session's expunge is a VANISHED, not an EXPUNGE.
        other.delete_messages([uids[3]])
        other.expunge()
        assert client.noop()[1] == [(b"VANISHED", uids[3])]
    finally:
        other.logout()
        client.logout()
    assert oracle.count(CONDSTORE_FOLDER) == 2
    oracle.delete_tree(CONDSTORE_FOLDER)
