#!/usr/bin/env python3
"""Runs Dovecot imaptest's compliance scripts against an IMAP server.

    python3 Tests/Interop/imaptest_runner.py --host 127.0.0.1 --port 1143 \\
        --user alice --password secret [--expected-skips FILE] [SCRIPT ...]

For each script it sets up the state the header asks for (log in; delete
every mailbox named like the test mailbox; create it; append the script's
messages; select it on every connection), runs the command groups on their
connections, matches the replies as imaptest's FORMAT.md specifies, and
prints PASS / FAIL (with the first mismatch, expected vs received) / SKIP
(a required capability is not advertised).  The last line reads
`N passed, N failed, N skipped`; the exit status is non-zero when a script
failed or a skip is missing from the expected-skips list.

The scripts, their format and their MIT licence come from imaptest; this
runner is the project's own code (see README.md beside it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote as url_quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from imaptest_args import ATOM, LIST, LITERAL, STRING, ascii_upper, parse_args, quote, render_args  # noqa: E402
from imaptest_match import FULL, GroupState, Matcher, Mismatch, UnboundVariable  # noqa: E402
from imaptest_script import STATES, Group, MboxSource, Script, ScriptError, list_scripts, load_script  # noqa: E402
from imaptest_wire import Connection, ConnectionClosed, ReplyTimeout, Response, reply_status  # noqa: E402

DEFAULT_SCRIPTS = Path(__file__).resolve().parents[2].parent / "shared" / "imaptest"


@dataclass
class Settings:
    host: str
    port: int
    user: str
    password: str
    user2: str | None = None
    password2: str | None = None
    mailbox: str = "imaptest"
    timeout: float = 15.0
    trace: bool = False


@dataclass
class Outcome:
    status: str            # PASS, FAIL or SKIP
    detail: str = ""
    seconds: float = 0.0


class ScriptFailed(Exception):
    def __init__(self, mismatch: Mismatch):
        super().__init__(mismatch.message)
        self.mismatch = mismatch


class ScriptSkipped(Exception):
    pass


# ----------------------------------------------------------------------------
# One script

class ScriptRun:
    def __init__(self, script: Script, settings: Settings):
        self.script = script
        self.settings = settings
        self.source = MboxSource(script.mbox_path)
        self.conns: list[Connection] = []
        self.matcher = Matcher()

    def trace(self, index: int, direction: str, text: str):
        shown = text if len(text) < 400 else text[:400] + f"... ({len(text)} chars)"
        print(f"    [{index + 1}] {direction}: {shown!r}", file=sys.stderr)

    def run(self) -> Outcome:
        try:
            self.connect()
            self.set_up()
            for group in self.script.groups:
                self.run_group(group)
            if not self.script.has_logout:
                self.logout()
            return Outcome("PASS")
        except ScriptSkipped as skip:
            return Outcome("SKIP", str(skip))
        except ScriptFailed as failure:
            return Outcome("FAIL", describe(failure.mismatch))
        except (OSError, ValueError) as error:
            return Outcome("FAIL", f"{type(error).__name__}: {error}")
        except Exception as error:   # a runner bug must not end the whole run
            return Outcome("FAIL", f"runner error: {type(error).__name__}: {error}")
        finally:
            for conn in self.conns:
                conn.close()

    # -- setup -------------------------------------------------------------

    def user_for(self, index: int) -> tuple[str, str]:
        wanted = self.script.users.get(index)
        if wanted in ("$user2", "${user2}"):
            return self.settings.user2, self.settings.password2
        if wanted:
            return wanted, self.settings.password
        return self.settings.user, self.settings.password

    def connect(self):
        s = self.settings
        if self.script.require_user2 and not s.user2:
            raise ScriptSkipped("needs a second user (--user2)")
        for i in range(self.script.connections):
            conn = Connection(s.host, s.port, i, s.timeout,
                              self.trace if s.trace else None)
            self.conns.append(conn)
            greeting = conn.read()
            first = greeting.args[0].text.upper() if greeting.args else ""
            if greeting.kind != "untagged" or first not in ("OK", "PREAUTH"):
                raise ScriptFailed(Mismatch("bad greeting", "* OK ...", greeting.raw))
            conn.greeting = greeting
            conn.preauth = first == "PREAUTH"
        variables = {"mailbox": s.mailbox, "mailbox_url": mailbox_url(s.mailbox)}
        for i in range(self.script.connections):
            user, password = self.user_for(i)
            suffix = "" if i == 0 else str(i + 1)
            username, _, domain = user.partition("@")
            variables["user" + suffix] = user
            variables["username" + suffix] = username
            variables["domain" + suffix] = domain or s.host
            variables["password" + suffix] = password
        self.matcher = Matcher(variables)

    def setup_command(self, conn: Connection, text: str, allow_no: bool = False):
        done, untagged = conn.simple(text)
        status = reply_status(done)
        if status != "OK" and not (allow_no and status == "NO"):
            raise ScriptFailed(Mismatch(f"setup command failed: {text.splitlines()[0]}",
                                        "OK", done.raw))
        return done, untagged

    def require_capabilities(self, conn: Connection):
        missing = [c for c in self.script.capabilities if not conn.has(c)]
        if missing:
            raise ScriptSkipped("server lacks " + " ".join(missing))

    def set_up(self):
        state = STATES.index(self.script.state)
        first = self.conns[0]
        if state == 0:
            if not first.capabilities:
                self.setup_command(first, "CAPABILITY")
            self.require_capabilities(first)
            return
        for i, conn in enumerate(self.conns):
            if conn.preauth:
                continue
            user, password = self.user_for(i)
            done, _ = self.setup_command(conn, f"LOGIN {quote(user)} {quote(password)}")
            conn.capabilities = []
            conn.take_capability_code(done.args)
        if not first.capabilities:
            self.setup_command(first, "CAPABILITY")
        self.require_capabilities(first)
        for conn in self.conns[1:]:
            if not conn.capabilities:
                conn.capabilities = first.capabilities
        self.delete_test_mailboxes(first)
        mailbox = quote(self.settings.mailbox)
        if state >= STATES.index("created") and ascii_upper(self.settings.mailbox) != "INBOX":
            self.setup_command(first, f"CREATE {mailbox}")
        if state >= STATES.index("appended"):
            count = len(self.source.messages) if self.script.messages is None else self.script.messages
            for _ in range(count):
                message = self.source.take()
                self.setup_command(first, f"APPEND {mailbox} {quote(message.internaldate)} "
                                          f"{{{len(message.data)}}}\r\n{message.data}")
        if state >= STATES.index("selected"):
            for conn in self.conns:
                self.setup_command(conn, f"SELECT {mailbox}")

    def delete_test_mailboxes(self, conn: Connection):
        """Removes what earlier runs left: every mailbox (and subscription)
        whose name starts with the test mailbox's name."""
        pattern = quote(self.settings.mailbox + "*")
        boxes: dict[str, set[str]] = {"LIST": set(), "LSUB": set()}
        for command in ("LIST", "LSUB"):
            _, untagged = self.setup_command(conn, f'{command} "" {pattern}')
            for response in untagged:
                args = response.args
                if (len(args) >= 4 and args[0].kind == ATOM
                        and ascii_upper(args[0].text) == command and args[1].kind == LIST
                        and args[3].astring() is not None):
                    boxes[command].add(args[3].astring())
        for name in sorted(boxes["LIST"], key=ascii_upper, reverse=True):
            self.setup_command(conn, f"DELETE {quote(name)}", allow_no=True)
        for name in sorted(boxes["LSUB"], key=ascii_upper, reverse=True):
            self.setup_command(conn, f"UNSUBSCRIBE {quote(name)}", allow_no=True)

    # -- command groups ----------------------------------------------------

    def run_group(self, group: Group):
        conn = self.conns[group.connection]
        matcher = self.matcher
        matcher.start_group(conn.exists)
        state = GroupState(group.untagged, group.ordered,
                           self.script.ignore_extra_untagged)
        if not group.commands:
            self.check_greeting(group, state, conn)
            return
        pending: dict[str, object] = {}
        first_tag = None
        failure: list[Mismatch] = []

        def on_response(response: Response):
            if failure:
                return
            if response.kind == "untagged":
                problem = state.offer(matcher, response.args, first_tag)
                if problem:
                    failure.append(located(problem, group))
                self.follow_expunge(response)
            elif response.kind == "tagged":
                cmd = pending.pop(response.tag, None)
                if cmd is None:
                    failure.append(located(Mismatch("reply with an unknown tag",
                                                    received=response.raw), group))
                    return
                matcher.vars["tag"] = response.tag
                count = matcher.match_args(cmd.reply, response.args, FULL, True)
                matcher.vars.pop("tag", None)
                if count != FULL:
                    failure.append(Mismatch("unexpected tagged reply",
                                            expected=render_args(cmd.reply) or '""',
                                            received=render_args(response.args),
                                            line=cmd.line))

        try:
            for cmd in group.commands:
                try:
                    text = self.command_text(matcher.expand_command(cmd.text))
                except UnboundVariable as error:
                    raise ScriptFailed(Mismatch(f"uninitialized variable ${error}", line=cmd.line))
                tag = conn.next_tag()
                first_tag = first_tag or tag
                pending[tag] = cmd
                conn.send_command(tag, text, on_response)
                if failure:
                    raise ScriptFailed(failure[0])
            while pending and not failure:
                on_response(conn.read())
        except ReplyTimeout:
            cmd = next(iter(pending.values()), group.commands[0])
            raise ScriptFailed(Mismatch(f"no reply within {self.settings.timeout:g}s",
                                        expected=render_args(cmd.reply) or '""',
                                        line=cmd.line))
        except ConnectionClosed:
            if not (group.expects_bye and conn.saw_bye):
                raise ScriptFailed(located(Mismatch("unexpected disconnection"), group))
            for cmd in pending.values():
                if render_args(cmd.reply) not in ("", '""'):
                    raise ScriptFailed(Mismatch("connection closed after BYE before the "
                                                "tagged reply", expected=render_args(cmd.reply),
                                                line=cmd.line))
        if failure:
            raise ScriptFailed(failure[0])
        problem = state.finish(matcher)
        if problem:
            raise ScriptFailed(located(problem, group))
        for line in group.outputs:
            print("    " + matcher.expand(line, strict=False))
        if group.sleep_ms:
            time.sleep(group.sleep_ms / 1000)

    def follow_expunge(self, response: Response):
        """After matching (as imaptest does), `$N` moves past an EXPUNGE."""
        args = response.args
        if (len(args) >= 2 and args[0].kind == ATOM and args[0].text.isdigit()
                and args[1].kind == ATOM and ascii_upper(args[1].text) == "EXPUNGE"):
            self.matcher.expunged(int(args[0].text))

    def check_greeting(self, group: Group, state: GroupState, conn: Connection):
        problem = state.offer(self.matcher, conn.greeting.args, None) or state.finish(self.matcher)
        if problem:
            raise ScriptFailed(located(problem, group))

    def command_text(self, text: str) -> str:
        """`append` without a message appends the next one of the mbox."""
        word, _, rest = text.partition(" ")
        verb = ascii_upper(word)
        replace = 0
        if verb == "UID" and ascii_upper(rest.partition(" ")[0]) == "REPLACE":
            verb, rest, replace = "UID REPLACE", rest.partition(" ")[2], 1
        elif verb == "REPLACE":
            replace = 1
        if verb not in ("APPEND", "REPLACE", "UID REPLACE"):
            return text
        if verb == "APPEND" and not rest.strip():
            message = self.source.take()
            return (f"APPEND {quote(self.settings.mailbox)} {quote(message.internaldate)} "
                    f"{{{len(message.data)}}}\r\n{message.data}")
        if has_message(rest, replace):
            return text
        message = self.source.take()
        return f"{verb} {rest} {{{len(message.data)}}}\r\n{message.data}"

    def logout(self):
        conn = self.conns[0]
        try:
            done, _ = conn.simple("LOGOUT")
        except (ConnectionClosed, ReplyTimeout):
            raise ScriptFailed(Mismatch("no reply to the closing LOGOUT", "OK"))
        if reply_status(done) != "OK":
            raise ScriptFailed(Mismatch("closing LOGOUT failed", "OK", done.raw))


def has_message(args_text: str, skip: int) -> bool:
    """Whether APPEND's arguments already carry the message (or CATENATE)."""
    args = parse_args(args_text)[skip:]
    if not args:
        return False
    i = 0
    if i + 1 < len(args) and args[i + 1].kind == LIST:
        i += 1
    if i + 1 < len(args) and args[i + 1].kind == STRING:
        i += 1
    if i + 1 >= len(args):
        return False
    nxt = args[i + 1]
    return nxt.kind == LITERAL or (nxt.kind == ATOM and ascii_upper(nxt.text) == "CATENATE")


def mailbox_url(name: str) -> str:
    """The mailbox as an IMAP URL path: modified UTF-7 decoded, then escaped."""
    return url_quote(decode_mutf7(name), safe="/!$&'()*+,=:@-._~")


def decode_mutf7(name: str) -> str:
    import base64
    out = []
    i = 0
    while i < len(name):
        if name[i] != "&":
            out.append(name[i])
            i += 1
            continue
        end = name.find("-", i)
        if end < 0:
            out.append(name[i:])
            break
        chunk = name[i + 1:end]
        if not chunk:
            out.append("&")
        else:
            b64 = chunk.replace(",", "/")
            b64 += "=" * (-len(b64) % 4)
            out.append(base64.b64decode(b64).decode("utf-16-be"))
        i = end + 1
    return "".join(out)


def located(problem: Mismatch, group: Group) -> Mismatch:
    if not problem.line:
        problem.line = group.line
    return problem


def describe(m: Mismatch) -> str:
    lines = [f"line {m.line}: {m.message}" if m.line else m.message]
    if m.expected:
        lines.append("expected: " + shorten(m.expected))
    if m.received:
        lines.append("received: " + shorten(m.received))
    return "\n".join(lines)


def shorten(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


# ----------------------------------------------------------------------------
# The command line

def read_expected_skips(path: Path) -> dict[str, str]:
    """`name  reason...` per line; `#` starts a comment."""
    skips = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            name, _, reason = line.partition(" ")
            skips[name] = reason.strip()
    return skips


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=env("INTEROP_IMAP_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("INTEROP_IMAP_PORT", "143")))
    parser.add_argument("--user", default=env("INTEROP_IMAP_USER"))
    parser.add_argument("--password", default=env("INTEROP_IMAP_PASSWORD"))
    parser.add_argument("--user2", default=env("INTEROP_IMAP_USER2"))
    parser.add_argument("--password2", default=env("INTEROP_IMAP_PASSWORD2"))
    parser.add_argument("--mailbox", default="imaptest",
                        help="test mailbox; every mailbox starting with it is deleted")
    parser.add_argument("--scripts", type=Path, default=DEFAULT_SCRIPTS,
                        help=f"script directory (default {DEFAULT_SCRIPTS})")
    parser.add_argument("--expected-skips", type=Path,
                        help="file of `script reason` lines: skips that are not failures")
    parser.add_argument("--expect-skip", action="append", default=[], metavar="SCRIPT")
    parser.add_argument("--timeout", type=float, default=15.0,
                        help="seconds to wait for any one reply")
    parser.add_argument("--trace", action="store_true", help="print the protocol exchange")
    parser.add_argument("names", nargs="*", help="scripts to run (default: all)")
    opts = parser.parse_args(argv)
    if not opts.user or opts.password is None:
        parser.error("--user and --password (or INTEROP_IMAP_USER/PASSWORD) are required")

    settings = Settings(opts.host, opts.port, opts.user, opts.password, opts.user2,
                        opts.password2, opts.mailbox, opts.timeout, opts.trace)
    expected: dict[str, str] | None = None
    if opts.expected_skips or opts.expect_skip:
        expected = read_expected_skips(opts.expected_skips) if opts.expected_skips else {}
        expected.update({name: "" for name in opts.expect_skip})

    paths = list_scripts(opts.scripts)
    if opts.names:
        chosen = set(opts.names)
        paths = [p for p in paths if p.name in chosen]
        unknown = chosen - {p.name for p in paths}
        if unknown:
            parser.error("no such script: " + ", ".join(sorted(unknown)))

    passed = failed = skipped = 0
    unexpected_skips = []
    started = time.monotonic()
    for path in paths:
        begin = time.monotonic()
        try:
            outcome = ScriptRun(load_script(path, opts.scripts / "default.mbox"), settings).run()
        except ScriptError as error:
            outcome = Outcome("FAIL", f"cannot read the script: {error}")
        outcome.seconds = time.monotonic() - begin
        note = ""
        if outcome.status == "PASS":
            passed += 1
        elif outcome.status == "FAIL":
            failed += 1
        else:
            skipped += 1
            if expected is not None and path.name not in expected:
                unexpected_skips.append(path.name)
                note = " [not in the expected skips]"
        if expected is not None and path.name in expected and outcome.status != "SKIP":
            note = " [listed as an expected skip: remove it from the list]"
        head = f"{outcome.status}  {path.name}  ({outcome.seconds:.2f}s)"
        if outcome.status == "SKIP":
            head += f"  {outcome.detail}"
        print(head + note)
        if outcome.status == "FAIL":
            for line in outcome.detail.splitlines():
                print("      " + line)
        sys.stdout.flush()
    print(f"total time {time.monotonic() - started:.1f}s")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or unexpected_skips else 0


if __name__ == "__main__":
    sys.exit(main())
