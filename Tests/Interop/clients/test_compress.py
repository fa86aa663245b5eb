"""COMPRESS=DEFLATE (RFC 4978) through Python's imaplib with its streams
wrapped in Python's zlib (raw DEFLATE, wbits=-15, as RFC 4978 asks), the way
clients without native support add it: everything after COMPRESS's tagged OK
is compressed both ways. What it stores is checked through the Oracle's
independent, uncompressed session.
"""

from __future__ import annotations

import imaplib
import zlib

from imap_oracle import TIMEOUT, make_message, message_id

FOLDER = "interop-compress"
# imaplib checks each command's name against its table of states.
imaplib.Commands.setdefault("COMPRESS", ("AUTH", "SELECTED"))


class CompressingIMAP4(imaplib.IMAP4):
    """imaplib.IMAP4 whose socket streams go through raw DEFLATE once
    `compress()` has been answered OK."""

    def __init__(self, *args, **kwargs):
        self.compressor = None
        self.decompressor = None
        self.decoded = b""
        super().__init__(*args, **kwargs)

    def compress(self):
        typ, data = self._simple_command("COMPRESS", "DEFLATE")
        if typ == "OK":
            self.compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            self.decompressor = zlib.decompressobj(-15)
        return typ, data

    def send(self, data):
        if self.compressor is not None:
            data = self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        super().send(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise self.abort("socket closed")
        self.decoded += self.decompressor.decompress(chunk)

    def read(self, size):
        if self.decompressor is None:
            return super().read(size)
        while len(self.decoded) < size:
            self._fill()
        data, self.decoded = self.decoded[:size], self.decoded[size:]
        return data

    def readline(self):
        if self.decompressor is None:
            return super().readline()
        while b"\n" not in self.decoded:
            self._fill()
        end = self.decoded.index(b"\n") + 1
        line, self.decoded = self.decoded[:end], self.decoded[end:]
        return line


def test_imaplib_session_compressed(server, oracle):
    oracle.delete_tree(FOLDER)
    with CompressingIMAP4(server.host, server.port, timeout=TIMEOUT) as client:
        client.login(server.user, server.password)
        assert "COMPRESS=DEFLATE" in client.capabilities
        typ, data = client.compress()
        assert (typ, data) == ("OK", [b"DEFLATE active"])

        assert client.create(FOLDER)[0] == "OK"
        # Bodies large and repetitive enough that both directions really compress,
        # one big enough for the server's file paths.
        raws = [make_message(f"compressed {index}", "line of text to squeeze\r\n" * (40 * 10 ** index))
                for index in range(3)]
        for raw in raws:
            assert client.append(FOLDER, "(\\Flagged)", None, raw)[0] == "OK"
        typ, data = client.select(FOLDER)
        assert typ == "OK" and data == [b"3"]
        typ, data = client.fetch("1:3", "(FLAGS BODY.PEEK[])")
        assert typ == "OK"
        fetched = [part[1] for part in data if isinstance(part, tuple)]
        assert fetched == raws
        typ, data = client.search(None, "BODY", "squeeze")
        assert typ == "OK" and data == [b"1 2 3"]
        typ, data = client._simple_command("COMPRESS", "DEFLATE")
        assert typ == "NO"
        assert client.logout()[0] == "BYE"

    stored = oracle.messages(FOLDER)
    assert sorted(message_id(raw) for raw in raws) == sorted(stored)
    assert all("\\Flagged" in flags for flags, _ in stored.values())
    oracle.delete_tree(FOLDER)
