"""`mailshard serve` under a service manager: this test plays systemd's side of
Type=notify (a datagram socket named by NOTIFY_SOCKET) against the real binary.

READY=1 must come only once the port accepts IMAP connections; SIGTERM must
bring STOPPING=1, a BYE to connected clients, and a clean exit; a stop asked
for at once after READY must not be lost; with WATCHDOG_USEC the server keeps
saying WATCHDOG=1.

Run: python3 -m pytest -q Tests/Interop/test_service_manager.py
(MAILSHARD_BINARY picks the binary; default: the debug build.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("MAILSHARD_BINARY", ROOT / ".build/debug/mailshard"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServiceManager:
    """The notify socket and the server process it supervises."""

    def __init__(self, tmp_path: Path, extra_env: dict[str, str] | None = None):
        if not BINARY.exists():
            pytest.fail(f"{BINARY} is missing: run swift build first")
        self.socket_path = str(tmp_path / "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.socket_path)
        self.port = free_port()
        data = tmp_path / "data"
        subprocess.run([str(BINARY), "user", "add", "--data", str(data), "--password-stdin",
                        "--scheme", "PLAIN", "op"], input=b"secret\n", check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, NOTIFY_SOCKET=self.socket_path, MAILSHARD_PIN_THREADS="false",
                   MAILSHARD_LOG_LEVEL="warning", **(extra_env or {}))
        self.log = open(tmp_path / "server.log", "wb")
        self.process = subprocess.Popen(
            [str(BINARY), "serve", "--listen", "127.0.0.1", "--port", str(self.port), "--data", str(data),
             "--grace-period", "2"], env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def message(self, timeout: float = 60) -> dict[str, str]:
        """The next notification, as its assignments."""
        self.notify.settimeout(timeout)
        datagram = self.notify.recv(4096).decode()
        return dict(line.split("=", 1) for line in datagram.split("\n"))

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.notify.close()
        self.log.close()


@pytest.fixture
def manager(tmp_path):
    manager = ServiceManager(tmp_path)
    yield manager
    manager.close()


def test_ready_then_stopping(manager):
    ready = manager.message()
    assert ready["READY"] == "1"
    assert ready["STATUS"] == f"serving IMAP on 127.0.0.1:{manager.port}"
    # READY promises the port accepts: a client connects at once and is greeted.
    client = socket.create_connection(("127.0.0.1", manager.port), timeout=10)
    reader = client.makefile("rb")
    assert reader.readline().startswith(b"* OK ")
    client.sendall(b"a LOGIN op secret\r\n")
    assert reader.readline().startswith(b"a OK ")

    manager.process.send_signal(signal.SIGTERM)
    stopping = manager.message()
    assert stopping["STOPPING"] == "1"
    assert stopping["STATUS"].startswith("stopping: SIGTERM")
    assert reader.readline().startswith(b"* BYE ")
    assert manager.process.wait(timeout=30) == 0
    client.close()


def test_stop_right_after_ready_is_kept(manager):
    assert manager.message()["READY"] == "1"
    manager.process.send_signal(signal.SIGTERM)
    assert manager.message()["STOPPING"] == "1"
    assert manager.process.wait(timeout=30) == 0


def test_the_watchdog_is_fed_while_the_shards_answer(tmp_path):
    manager = ServiceManager(tmp_path, {"WATCHDOG_USEC": "400000"})
    try:
        assert manager.message()["READY"] == "1"
        # Fed at half the interval: several within a few seconds.
        for _ in range(3):
            assert manager.message(timeout=10) == {"WATCHDOG": "1"}
        manager.process.send_signal(signal.SIGTERM)
        while (message := manager.message()).get("STOPPING") != "1":
            assert message == {"WATCHDOG": "1"}
        assert manager.process.wait(timeout=30) == 0
    finally:
        manager.close()


def test_unusable_notify_socket_fails_the_start(tmp_path):
    port = free_port()
    result = subprocess.run(
        [str(BINARY), "serve", "--listen", "127.0.0.1", "--port", str(port), "--data", str(tmp_path / "data")],
        env=dict(os.environ, NOTIFY_SOCKET="vsock:2:99", MAILSHARD_PIN_THREADS="false"),
        capture_output=True, timeout=60)
    assert result.returncode != 0
    assert b"NOTIFY_SOCKET=vsock:2:99" in result.stderr
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
