"""TLS through real clients: Python's imaplib (IMAP4_SSL and STARTTLS),
IMAPClient, and curl (imaps:// and STARTTLS with --ssl-reqd), each verifying
the server's certificate against the test-only CA that Scripts/with-test-server
configures (INTEROP_IMAP_TLS_PORT, INTEROP_IMAP_CA_FILE). Everything stored is
checked through the Oracle's independent session.
"""

from __future__ import annotations

import imaplib
import os
import socket
import ssl
import subprocess

import pytest

from imap_oracle import TIMEOUT, make_message, message_id, require_tool

FOLDER = "interop-tls"
TLS_PORT = os.environ.get("INTEROP_IMAP_TLS_PORT")
CA_FILE = os.environ.get("INTEROP_IMAP_CA_FILE")

pytestmark = pytest.mark.skipif(not TLS_PORT or not CA_FILE,
                                reason="no TLS port configured (INTEROP_IMAP_TLS_PORT, INTEROP_IMAP_CA_FILE)")


def context() -> ssl.SSLContext:
    """Verifies the certificate and its name, as a client should."""
    return ssl.create_default_context(cafile=CA_FILE)


def test_imaplib_implicit_tls(server, oracle):
    oracle.delete_tree(FOLDER)
    with imaplib.IMAP4_SSL(server.host, int(TLS_PORT), ssl_context=context(), timeout=TIMEOUT) as client:
        assert client.sock.version() in ("TLSv1.3", "TLSv1.2")
        assert "STARTTLS" not in client.capabilities
        assert "AUTH=PLAIN" in client.capabilities
        client.login(server.user, server.password)
        assert client.create(FOLDER)[0] == "OK"
        raws = [make_message(f"over tls {index}", "body line\r\n" * (20 * 100 ** index)) for index in range(2)]
        for raw in raws:
            assert client.append(FOLDER, None, None, raw)[0] == "OK"
        assert client.select(FOLDER) == ("OK", [b"2"])
        typ, data = client.fetch("1:2", "(BODY.PEEK[])")
        assert typ == "OK"
        assert [part[1] for part in data if isinstance(part, tuple)] == raws
        assert client.logout()[0] == "BYE"
    assert sorted(oracle.messages(FOLDER)) == sorted(message_id(raw) for raw in raws)
    oracle.delete_tree(FOLDER)


def test_imaplib_starttls(server):
    with imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT) as client:
        assert "STARTTLS" in client.capabilities
        typ, _ = client.starttls(ssl_context=context())
        assert typ == "OK"
        # imaplib asks for the capabilities again, as RFC 9051 requires.
        assert "STARTTLS" not in client.capabilities
        client.login(server.user, server.password)
        assert client.select("INBOX")[0] == "OK"
        assert client.logout()[0] == "BYE"


def test_imapclient_implicit_tls(server):
    imapclient = pytest.importorskip("imapclient")
    with imapclient.IMAPClient(server.host, port=int(TLS_PORT), ssl=True, ssl_context=context(),
                               timeout=TIMEOUT) as client:
        client.login(server.user, server.password)
        assert b"COMPRESS=DEFLATE" in client.capabilities()
        assert client.select_folder("INBOX")[b"EXISTS"] >= 0


def test_a_certificate_for_another_name_is_refused(server):
    with socket.create_connection((server.host, int(TLS_PORT)), timeout=TIMEOUT) as raw:
        with pytest.raises(ssl.SSLCertVerificationError):
            context().wrap_socket(raw, server_hostname="mail.example.org")


@pytest.mark.parametrize("scheme", ["imaps", "imap-starttls"])
def test_curl(server, oracle, scheme):
    require_tool("curl")
    oracle.delete_tree(FOLDER)
    oracle.create(FOLDER)
    raw = make_message(f"curl over {scheme}")
    oracle.append(FOLDER, raw)
    uid = oracle.uids(FOLDER)[0]
    if scheme == "imaps":
        url, extra = f"imaps://localhost:{TLS_PORT}/{FOLDER};UID={uid}", []
    else:
        url, extra = f"imap://localhost:{server.port}/{FOLDER};UID={uid}", ["--ssl-reqd"]
    result = subprocess.run(["curl", "--silent", "--show-error", "--max-time", "30", "--cacert", CA_FILE,
                             "--resolve", f"localhost:{TLS_PORT}:{server.host}",
                             "--resolve", f"localhost:{server.port}:{server.host}",
                             "--user", f"{server.user}:{server.password}", *extra, url],
                            capture_output=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout == raw
    oracle.delete_tree(FOLDER)
