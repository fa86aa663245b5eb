"""Reader of Dovecot imaptest's script format (FORMAT.md beside the scripts).

A script is a header of `key: value` lines, an empty line, then command
groups.  A group is one command (or several pipelined, tagged `tagN`, on one
connection), the untagged replies expected while it runs (`*` must appear,
`!` must not, `?` may) and the expected tagged reply of each command.
`{{{` ... `}}}` blocks become IMAP literals (`~{{{` a literal8 whose bytes
are kept as written); `!ifenv`/`!ifnenv`/`!else`/`!endif` select lines by
environment variables; `!ordered`, `!sleep` and `!output` tune a group.

Expected untagged lines get the format's default list directives here, once,
so the matcher only has to obey `$!` atoms at the start of a list.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from imaptest_args import ATOM, LIST, Arg, ascii_upper, parse_args

STATES = ("nonauth", "auth", "created", "appended", "selected")
MAX_CONNECTIONS = 100


class ScriptError(Exception):
    """A script the runner cannot read; reported as a failure of that script."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path.name} line {line}: {message}")
        self.line = line


@dataclass
class Untagged:
    """An expected untagged reply: `*` must exist, `!` must not, `?` may."""

    existence: str
    args: list[Arg]
    line: int


@dataclass
class Command:
    line: int
    text: str            # as written, literals inline as {N}\r\n<data>
    tag: int = 0         # the script's tagN, 0 when untagged
    reply: list[Arg] | None = None   # expected tagged reply; [""] = anything

    @property
    def is_logout(self) -> bool:
        return ascii_upper(self.text.strip()) == "LOGOUT"


@dataclass
class Group:
    connection: int      # 0-based
    commands: list[Command] = field(default_factory=list)
    untagged: list[Untagged] = field(default_factory=list)
    ordered: bool = False
    sleep_ms: int = 0
    outputs: list[str] = field(default_factory=list)
    pending: int = 0

    @property
    def expects_bye(self) -> bool:
        return any(
            u.existence == "*" and u.args and ascii_upper(u.args[0].text) == "BYE"
            for u in self.untagged
        )

    @property
    def line(self) -> int:
        if self.commands:
            return self.commands[0].line
        return self.untagged[0].line if self.untagged else 0


@dataclass
class Script:
    name: str
    path: Path
    mbox_path: Path
    capabilities: list[str] = field(default_factory=list)
    connections: int = 1
    users: dict[int, str] = field(default_factory=dict)   # 0-based connection -> user
    require_user2: bool = False
    messages: int | None = 0          # None = all of the mbox
    state: str = "selected"
    ignore_extra_untagged: bool = True
    groups: list[Group] = field(default_factory=list)

    @property
    def has_logout(self) -> bool:
        return any(
            c.is_logout or g.expects_bye for g in self.groups for c in g.commands
        )


# ----------------------------------------------------------------------------
# Reading a file

def load_script(path: Path, default_mbox: Path | None = None,
                environ: dict[str, str] | None = None) -> Script:
    """Reads one script; its `<name>.mbox` or the directory's default.mbox."""
    mbox = path.with_name(path.name + ".mbox")
    if not mbox.exists():
        mbox = default_mbox or path.with_name("default.mbox")
    script = Script(name=path.name, path=path, mbox_path=mbox)
    _Parser(script, os.environ if environ is None else environ).feed(path.read_bytes())
    return script


def list_scripts(directory: Path) -> list[Path]:
    """Every script in a directory (not its .mbox files, docs or subfolders)."""
    skip = {"README.md", "FORMAT.md", "COPYING.MIT", "COPYING"}
    return sorted(
        p for p in directory.iterdir()
        if p.is_file() and not p.name.startswith(".")
        and not p.name.endswith(".mbox") and p.name not in skip
    )


def _logical_lines(raw: bytes, path: Path):
    """Yields (line number, text) with `{{{` blocks folded into literals."""
    text = raw.decode("latin-1")
    if not text.endswith("\n"):
        raise ScriptError(path, text.count("\n") + 1, "last line doesn't end with LF")
    lines = text[:-1].split("\n")
    i = 0
    while i < len(lines):
        start = i + 1
        line = lines[i]
        i += 1
        if not line.endswith("{{{") or line.startswith("#") or line == "":
            yield start, line
            continue
        built = ""
        while line.endswith("{{{"):
            binary = line.endswith("~{{{")
            built += line[:-4] if binary else line[:-3]
            body: list[str] = []
            while True:
                if i >= len(lines):
                    raise ScriptError(path, start, "multiline literal not ended")
                row = lines[i]
                i += 1
                if row.startswith("}}}"):
                    break
                body.append(row)
            if binary:
                content = "\n".join(body)        # bytes exactly as written
            else:
                content = "\r\n".join(body)
            built += ("~" if binary else "") + "{%d}\r\n" % len(content) + content
            line = row[3:]
        yield start, built + line


class _Parser:
    def __init__(self, script: Script, environ):
        self.script = script
        self.environ = environ
        self.group: Group | None = None
        self.ifenv: list[tuple[int, bool, bool]] = []  # (line, outer skip, else seen)
        self.skip = False

    def fail(self, line: int, message: str):
        raise ScriptError(self.script.path, line, message)

    def feed(self, raw: bytes):
        header = True
        last = 0
        for number, line in _logical_lines(raw, self.script.path):
            last = number
            if line == "":
                header = False
                continue
            if line.startswith("#"):
                continue
            if header:
                self.header_line(number, line)
            else:
                self.command_line(number, line)
        if self.ifenv:
            self.fail(self.ifenv[0][0], "!ifenv not closed with !endif")
        if self.group is None:
            self.fail(last, "no commands in file")
        if self.group.pending:
            self.fail(last, "missing reply of the last command")

    # -- header -----------------------------------------------------------

    def header_line(self, number: int, line: str):
        key, colon, value = line.partition(":")
        if not colon:
            self.fail(number, "missing ':' in header")
        key = key.strip().lower()
        value = value.strip()
        s = self.script
        if key == "capabilities":
            s.capabilities = value.split()
        elif key == "connections":
            count = int(value) if value.isdigit() else 0
            if not 0 < count <= MAX_CONNECTIONS:
                self.fail(number, "bad connection count")
            s.connections = count
        elif key == "ignore_extra_untagged":
            s.ignore_extra_untagged = value.startswith("y")
        elif key.startswith("user ") and key[5:].isdigit() and int(key[5:]) > 0:
            if value in ("$user2", "${user2}"):
                s.require_user2 = True
            s.users[int(key[5:]) - 1] = value
        elif key == "messages":
            s.messages = None if value == "all" else int(value)
        elif key == "state":
            if value.lower() not in STATES:
                self.fail(number, f"unknown state {value!r}")
            s.state = value.lower()
        else:
            self.fail(number, f"unknown header {key!r}")

    # -- commands -----------------------------------------------------------

    def command_line(self, number: int, line: str):
        if self.preprocess(number, line) or self.skip:
            return
        group = self.group
        if group is not None:
            if line.startswith("!sleep "):
                group.sleep_ms = _parse_interval_ms(line[7:].strip())
                return
            if line.startswith("!output "):
                group.outputs.append(line[8:])
                return
            if line == "!ordered":
                group.ordered = True
                return
            if line[:2] in ("* ", "! ", "? "):
                group.untagged.append(self.untagged(number, line[0], line[2:]))
                return
            if group.pending and self.tagged_reply(number, line, group):
                return
        if group is None or group.pending == 0:
            group = Group(connection=0)
            self.group = group
            self.script.groups.append(group)
        self.command(number, line, group)

    def preprocess(self, number: int, line: str) -> bool:
        for word, negate in (("!ifenv ", False), ("!ifnenv ", True)):
            if line.startswith(word):
                present = line[len(word):] in self.environ
                self.ifenv.append((number, self.skip, False))
                if present == negate:
                    self.skip = True
                return True
        if line == "!else":
            if not self.ifenv:
                self.fail(number, "!else without !ifenv")
            start, outer, seen = self.ifenv[-1]
            if seen:
                self.fail(number, "!else already seen")
            self.ifenv[-1] = (start, outer, True)
            if not outer:
                self.skip = not self.skip
            return True
        if line == "!endif":
            if not self.ifenv:
                self.fail(number, "!endif without !ifenv")
            self.skip = self.ifenv.pop()[1]
            return True
        return False

    def split_connection(self, number: int, line: str) -> tuple[int | None, str]:
        """Strips a leading connection number when the script has several."""
        if self.script.connections <= 1:
            return None, line
        word, _, rest = line.partition(" ")
        if word.isdigit() and int(word) > 0:
            return int(word) - 1, rest
        return None, line

    def tagged_reply(self, number: int, line: str, group: Group) -> bool:
        conn, rest = self.split_connection(number, line)
        tag, reply, _ = _split_reply(rest)
        if reply is None:
            return False
        if self.script.connections > 1:
            if conn is None:
                self.fail(number, "missing connection number")
            if conn != group.connection:
                self.fail(number, "reply for the wrong connection")
        cmd = next((c for c in group.commands if c.tag == tag), None)
        if cmd is None:
            self.fail(number, "reply for unknown tag")
        if cmd.reply is not None:
            self.fail(number, "command already has a reply")
        args = parse_args(rest)
        cmd.reply = args[1:] if tag else args
        group.pending -= 1
        return True

    def command(self, number: int, line: str, group: Group):
        if self.script.connections > 1:
            conn, line = self.split_connection(number, line)
            if conn is None:
                self.fail(number, "missing connection number")
            if conn >= MAX_CONNECTIONS:
                self.fail(number, "too many connections")
            if group.commands and group.connection != conn:
                self.fail(number, "all pipelined commands must use the same connection")
            group.connection = conn
            self.script.connections = max(self.script.connections, conn + 1)
        tag, reply, text = _split_reply(line)
        if tag == 0:
            if group.pending:
                self.fail(number, "missing reply of the previous command group")
        elif any(c.tag == tag for c in group.commands):
            self.fail(number, "tag reused within a command group")
        if not group.commands and text[:2] in ("* ", "! ", "? "):
            # A group of only untagged lines checks the server's greeting.
            group.untagged.append(self.untagged(number, text[0], text[2:]))
            return
        cmd = Command(line=number, text=text, tag=tag,
                      reply=None if reply is None else [Arg(ATOM, reply)])
        if reply is None:
            group.pending += 1
        group.commands.append(cmd)

    def untagged(self, number: int, existence: str, text: str) -> Untagged:
        args = parse_args(text)
        if existence == "?" and args and ascii_upper(args[0].text) == "BYE":
            self.fail(number, "'? BYE' is not supported")
        name = ""
        if args and args[0].kind == ATOM:
            name = args[0].text
            if name[:1] == "$" or name[:1].isdigit():
                name = args[1].text if len(args) > 1 and args[1].kind == ATOM else ""
        try:
            apply_default_directives(args, name.lower())
        except ValueError as error:
            self.fail(number, str(error))
        return Untagged(existence=existence, args=args, line=number)


def _split_reply(line: str) -> tuple[int, str | None, str]:
    """Splits `[tagN] [ok|no|bad|""] rest` into (N, reply word, rest)."""
    tag = 0
    word, _, rest = line.partition(" ")
    if word[:3].lower() == "tag" and word[3:].isdigit() and int(word[3:]) > 0 and " " in line:
        tag = int(word[3:])
        line = rest
        word, _, rest = line.partition(" ")
    lowered = word.lower()
    if lowered in ("ok", "no", "bad"):
        return tag, lowered, rest
    if word == '""':
        return tag, "", rest
    return tag, None, line


def _parse_interval_ms(text: str) -> int:
    m = re.fullmatch(r"(\d+)\s*(ms|msecs?|s|secs?)?", text)
    if not m:
        return 0
    value = int(m.group(1))
    return value if (m.group(2) or "").startswith("m") else value * 1000


# ----------------------------------------------------------------------------
# Default list directives

_DIRECTIVE = re.compile(r"\$!(unordered(=\d+)?|ordered|noextra|extra|ignore=.*|ban=.*)\Z")


def apply_default_directives(args: list[Arg], reply_name: str):
    """Inserts the format's default `$!` directives into expected lists.

    The defaults: `LIST|LSUB (..)` unordered; `STATUS box (..)` unordered in
    pairs; `n FETCH (..)` unordered in pairs and its `FLAGS (..)` unordered,
    with no extras except \\Recent and the attachment keywords.  A list that
    states any directive of its own gets no defaults.
    """
    _walk(args, reply_name, parent=None, index=0, prev_atom=None)


class _ListContext:
    def __init__(self, parent, index: int, prev_atom: str | None):
        self.parent = parent
        self.index = index          # position in the parent list
        self.prev_atom = prev_atom  # last atom before this list in the parent


def _walk(items: list[Arg], name: str, parent, index: int, prev_atom):
    ctx = _ListContext(parent, index, prev_atom)
    chain = 1
    explicit = 0
    for arg in items:
        if arg.kind != ATOM or not arg.text.startswith("$!"):
            break
        if not _DIRECTIVE.match(arg.text):
            raise ValueError(f"unknown directive {arg.text}")
        if arg.text.startswith("$!unordered="):
            chain = int(arg.text[12:])
        explicit += 1
    if explicit == 0 and parent is not None:
        for directive in reversed(_defaults(ctx, name)):
            items.insert(0, Arg(ATOM, directive))
    if chain < 1:
        raise ValueError("$!unordered=0 is not a chain size")
    last_atom = None
    for i, arg in enumerate(items):
        if arg.kind == ATOM:
            last_atom = arg.text.lower()
        if arg.kind == LIST:
            _walk(arg.items, name, ctx, i if chain == 1 else i % chain, last_atom)


def _defaults(ctx: _ListContext, name: str) -> list[str]:
    top_level = ctx.parent is not None and ctx.parent.parent is None
    if name in ("list", "lsub") and top_level and ctx.index == 1:
        return ["$!unordered"]
    if name == "status" and top_level and ctx.index == 2:
        return ["$!unordered=2"]
    if name == "fetch":
        if top_level and ctx.index == 2:
            return ["$!unordered=2"]
        grand = ctx.parent.parent if ctx.parent is not None else None
        if (grand is not None and grand.parent is None and ctx.parent.index == 2
                and ctx.prev_atom == "flags"):
            return ["$!unordered", "$!noextra", "$!ignore=\\recent",
                    "$!ignore=$HasAttachment", "$!ignore=$HasNoAttachment"]
    return []


# ----------------------------------------------------------------------------
# Messages to append

_FROM_LINE = re.compile(
    r"From \S+\s+[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d\d)(?::(\d\d))?"
    r"\s+(\d{4})(?:\s+([+-]\d{4}))?\s*\Z"
)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass
class MboxMessage:
    data: str          # CRLF line endings, latin-1 text
    internaldate: str  # IMAP date-time of the From_ line


def read_mbox(path: Path) -> list[MboxMessage]:
    """Splits an mbox at its From_ lines; each message keeps every line up to
    the next From_ line (the blank separator included), with CRLF endings."""
    text = path.read_bytes().decode("latin-1")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    messages: list[MboxMessage] = []
    date = None
    body: list[str] = []
    for line in lines:
        m = _FROM_LINE.match(line.rstrip("\r"))
        if m:
            if date is not None and body:
                messages.append(_message(body, date))
            date, body = _imap_date(m), []
            continue
        if date is None:
            raise ValueError(f"{path}: not an mbox file")
        body.append(line.rstrip("\r"))
    if date is not None:
        messages.append(_message(body, date))
    if not messages:
        raise ValueError(f"{path}: empty mbox file")
    return messages


def _message(lines: list[str], date: str) -> MboxMessage:
    return MboxMessage(data="".join(line + "\r\n" for line in lines), internaldate=date)


def _imap_date(m: re.Match) -> str:
    month = _MONTHS.index(m.group(1).capitalize()) + 1
    zone = m.group(7) or "+0000"
    offset = (1 if zone[0] == "+" else -1) * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:]))
    when = datetime(int(m.group(6)), month, int(m.group(2)), int(m.group(3)),
                    int(m.group(4)), int(m.group(5) or 0), tzinfo=timezone(offset))
    return "%02d-%s-%04d %02d:%02d:%02d %s" % (
        when.day, _MONTHS[when.month - 1], when.year,
        when.hour, when.minute, when.second, zone)


class MboxSource:
    """Hands out a script's messages in order, wrapping at the end as the
    format specifies when a script asks for more than the file holds."""

    def __init__(self, path: Path):
        self.messages = read_mbox(path)
        self.next = 0

    def take(self) -> MboxMessage:
        message = self.messages[self.next % len(self.messages)]
        self.next += 1
        return message

    @property
    def at_end(self) -> bool:
        return self.next >= len(self.messages)
