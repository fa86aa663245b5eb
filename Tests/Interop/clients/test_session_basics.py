"""Session and mailbox commands through Python's imaplib and IMAPClient.

Login (and a refused login), capabilities, namespace, list, create, rename,
delete, subscribe, select/examine, status and logout; each change is then
checked through the Oracle's independent session.
"""

from __future__ import annotations

import imaplib

import pytest

from imap_oracle import TIMEOUT

imapclient = pytest.importorskip("imapclient")

PREFIX = "interop-session"


def imaplib_login(server) -> imaplib.IMAP4:
    client = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT)
    client.login(server.user, server.password)
    return client


def test_imaplib_mailbox_commands(server, oracle):
    oracle.delete_tree(PREFIX)
    client = imaplib_login(server)
    try:
        assert "IMAP4REV2" in client.capabilities and "IMAP4REV1" in client.capabilities
        typ, data = client.namespace()
        assert typ == "OK" and data[0] == b'(("" "/")) NIL NIL'

        parent, child = f"{PREFIX}-imaplib", f"{PREFIX}-imaplib/child"
        assert client.create(child)[0] == "OK"
        typ, listed = client.list('""', f"{PREFIX}-imaplib*")
        assert typ == "OK"
        assert listed == [
            b'(\\HasChildren) "/" ' + parent.encode(),
            b'(\\HasNoChildren) "/" ' + child.encode(),
        ]
        assert client.create(parent)[0] == "NO"   # [ALREADYEXISTS]

        renamed = f"{PREFIX}-imaplib-renamed"
        assert client.rename(parent, renamed)[0] == "OK"
        assert {renamed, f"{renamed}/child"} <= oracle.folders(f"{PREFIX}*")
        assert parent not in oracle.folders(f"{PREFIX}*")

        assert client.subscribe(renamed)[0] == "OK"
        typ, subscribed = client.lsub('""', f"{PREFIX}*")
        assert typ == "OK" and subscribed == [b'() "/" ' + renamed.encode()]
        assert client.unsubscribe(renamed)[0] == "OK"

        typ, data = client.select("INBOX")
        assert typ == "OK" and int(data[0]) >= 0
        assert client.close()[0] == "OK"
        typ, data = client.select(renamed, readonly=True)
        assert typ == "OK" and data == [b"0"]
        assert client.unselect()[0] == "OK"

        typ, data = client.status(renamed, "(MESSAGES UIDNEXT UNSEEN SIZE)")
        assert typ == "OK" and data == [renamed.encode() + b" (MESSAGES 0 UIDNEXT 1 UNSEEN 0 SIZE 0)"]
        typ, data = client.status(f"{PREFIX}-missing", "(MESSAGES)")
        assert typ == "NO" and b"NONEXISTENT" in data[0]

        assert client.delete(f"{renamed}/child")[0] == "OK"
        assert client.delete(renamed)[0] == "OK"
        assert not oracle.folders(f"{PREFIX}-imaplib*")
    finally:
        client.logout()


def test_imaplib_refuses_a_wrong_password(server):
    client = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT)
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(server.user, server.password + "-wrong")
    finally:
        client.shutdown()


def test_imapclient_mailbox_commands(server, oracle):
    oracle.delete_tree(PREFIX)
    client = imapclient.IMAPClient(server.host, port=server.port, ssl=False, timeout=TIMEOUT)
    try:
        client.login(server.user, server.password)
        assert b"LIST-STATUS" in client.capabilities()
        client.id_({"name": "interop"})
        client.enable("IMAP4rev2")

        folder = f"{PREFIX}-imapclient"
        client.create_folder(folder)
        client.create_folder(f"{folder}/Ünïcode")
        names = {name for _flags, _delimiter, name in client.list_folders(pattern=f"{PREFIX}-imapclient*")}
        assert names == {folder, f"{folder}/Ünïcode"}
        assert client.folder_exists(folder)

        client.rename_folder(folder, f"{folder}-2")
        assert not client.folder_exists(folder)
        assert client.folder_exists(f"{folder}-2/Ünïcode")

        info = client.select_folder("INBOX")
        assert b"UIDVALIDITY" in info and b"EXISTS" in info
        client.unselect_folder()
        info = client.select_folder(f"{folder}-2", readonly=True)
        assert info[b"EXISTS"] == 0 and info[b"READ-ONLY"] == [b""]
        client.close_folder()

        status = client.folder_status(f"{folder}-2", ["MESSAGES", "UIDNEXT", "UIDVALIDITY"])
        assert status[b"MESSAGES"] == 0 and status[b"UIDNEXT"] == 1 and status[b"UIDVALIDITY"] > 0

        special = {name for flags, _d, name in client.list_folders() if b"\\Sent" in flags}
        assert special == {"Sent"}

        client.delete_folder(f"{folder}-2/Ünïcode")
        client.delete_folder(f"{folder}-2")
        assert not oracle.folders(f"{PREFIX}-imapclient*")
    finally:
        client.logout()
