"""One IMAP connection as the script runner needs it: tagged commands out,
whole responses (literals included) in, and the few facts about the session
that the format relies on (message count, capabilities, BYE seen)."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass

from imaptest_args import ATOM, Arg, ascii_upper, literal_heads, parse_args

_TRAILING_LITERAL = re.compile(r"~?\{(\d+)\+?\}\Z")


class ConnectionClosed(Exception):
    pass


class ReplyTimeout(Exception):
    pass


@dataclass
class Response:
    kind: str          # "untagged", "tagged" or "continuation"
    tag: str
    args: list[Arg]
    raw: str


class Connection:
    """A plain-TCP IMAP client connection; text is latin-1 both ways."""

    def __init__(self, host: str, port: int, index: int, timeout: float,
                 trace=None):
        self.index = index
        self.timeout = timeout
        self.trace = trace
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self.closed = False
        self.exists = 0
        self.saw_bye = False
        self.capabilities: list[str] = []
        self.counter = 0
        self.greeting: Response | None = None
        self.preauth = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    def next_tag(self) -> str:
        self.counter += 1
        return f"{self.index + 1}.{self.counter}"

    def send(self, data: str):
        if self.trace:
            self.trace(self.index, "C", data)
        try:
            self.sock.sendall(data.encode("latin-1"))
        except OSError as error:
            self.closed = True
            raise ConnectionClosed(str(error)) from error

    # -- reading -----------------------------------------------------------

    def _fill(self, deadline: float):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ReplyTimeout()
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout as error:
            raise ReplyTimeout() from error
        except OSError as error:
            self.closed = True
            raise ConnectionClosed(str(error)) from error
        if not chunk:
            self.closed = True
            raise ConnectionClosed("server closed the connection")
        self.buffer += chunk

    def _line(self, deadline: float) -> str:
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line = self.buffer[:end]
                self.buffer = self.buffer[end + 2:]
                return line.decode("latin-1")
            self._fill(deadline)

    def _exact(self, size: int, deadline: float) -> str:
        while len(self.buffer) < size:
            self._fill(deadline)
        data = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return data.decode("latin-1")

    def read(self, timeout: float | None = None) -> Response:
        """Reads one whole response, following its literals."""
        deadline = time.monotonic() + (timeout or self.timeout)
        parts = [self._line(deadline)]
        while True:
            m = _TRAILING_LITERAL.search(parts[-1])
            if not m:
                break
            parts.append("\r\n" + self._exact(int(m.group(1)), deadline))
            parts.append(self._line(deadline))
        raw = "".join(parts)
        if self.trace:
            self.trace(self.index, "S", raw)
        tag, _, rest = raw.partition(" ")
        args = parse_args(rest)
        if tag == "*":
            self._track(args)
            return Response("untagged", tag, args, raw)
        if tag == "+":
            return Response("continuation", tag, args, raw)
        return Response("tagged", tag, args, raw)

    def _track(self, args: list[Arg]):
        """Keeps the message count and capabilities this session knows."""
        if not args or args[0].kind != ATOM:
            return
        first = ascii_upper(args[0].text)
        if first.isdigit() and len(args) > 1 and args[1].kind == ATOM:
            what = ascii_upper(args[1].text)
            if what == "EXISTS":
                self.exists = int(first)
            elif what == "EXPUNGE" and self.exists > 0:
                self.exists -= 1
        elif first == "BYE":
            self.saw_bye = True
        elif first == "CAPABILITY":
            self.capabilities = [a.text for a in args[1:] if a.kind == ATOM]
        elif first in ("OK", "PREAUTH"):
            self.take_capability_code(args)

    def take_capability_code(self, args: list[Arg]):
        """Reads `[CAPABILITY ...]` from an OK/PREAUTH response's code."""
        words = [a.text for a in args if a.kind == ATOM]
        if len(words) > 1 and ascii_upper(words[1]) == "[CAPABILITY":
            caps = []
            for word in words[2:]:
                if word.endswith("]"):
                    if word[:-1]:
                        caps.append(word[:-1])
                    break
                caps.append(word)
            self.capabilities = caps

    def has(self, capability: str) -> bool:
        wanted = ascii_upper(capability)
        return any(ascii_upper(c) == wanted for c in self.capabilities)

    # -- commands ----------------------------------------------------------

    def send_command(self, tag: str, text: str, on_response) -> bool:
        """Sends `tag text`, honouring synchronizing literals.

        With LITERAL+ every `{N}` becomes `{N+}` and all goes at once;
        without it each literal waits for the server's `+`.  Responses read
        while waiting go to `on_response`; returns False when the command was
        answered before all of it could be sent (a NO to a literal)."""
        if self.has("LITERAL+"):
            out = []
            pos = 0
            for m in literal_heads(text):
                end = m.end() + int(m.group(2))
                out.append(text[pos:m.start()] + m.group(1) + "{%s+}\r\n" % m.group(2))
                out.append(text[m.end():end])
                pos = end
            self.send(f"{tag} " + "".join(out) + text[pos:] + "\r\n")
            return True
        pos = 0
        prefix = f"{tag} "
        for m in literal_heads(text):
            self.send(prefix + text[pos:m.end()])
            prefix = ""
            while True:
                response = self.read()
                if response.kind == "continuation":
                    break
                on_response(response)
                if response.kind == "tagged" and response.tag == tag:
                    return False
            end = m.end() + int(m.group(2))
            self.send(text[m.end():end])
            pos = end
        self.send(prefix + text[pos:] + "\r\n")
        return True

    def simple(self, text: str) -> tuple[Response, list[Response]]:
        """Runs one command to completion: its tagged reply and untagged ones."""
        tag = self.next_tag()
        untagged: list[Response] = []
        done: list[Response] = []

        def collect(response: Response):
            if response.kind == "tagged" and response.tag == tag:
                done.append(response)
            elif response.kind == "untagged":
                untagged.append(response)

        self.send_command(tag, text, collect)
        while not done:
            collect(self.read())
        return done[0], untagged


def reply_status(response: Response) -> str:
    """OK, NO or BAD of a tagged reply (upper case)."""
    if response.args and response.args[0].kind == ATOM:
        return ascii_upper(response.args[0].text)
    return ""
