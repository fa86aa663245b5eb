"""IMAP argument trees, as both the imaptest scripts and the server produce them.

The script format compares the server's responses with the expected lines
argument by argument, so both sides go through this one tokenizer and are
compared as trees.  Text is handled as `str` decoded with latin-1, which maps
every byte to one character and back: literal contents (binary MIME parts,
8-bit headers) survive untouched and lengths stay byte lengths.

The tokenizer follows the lenient rules the format was written against:
atoms end at a space, a line break, or a ')' that closes an open list;
'[' and ']' are ordinary atom characters, so `BODY[HEADER.FIELDS (FROM)]`
reads as the atom `BODY[HEADER.FIELDS`, the list `(FROM)` and the atom `]`.
It never raises: a malformed line still yields a tree to show in a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ATOM = "atom"
STRING = "string"
LITERAL = "literal"
NIL = "nil"
LIST = "list"

_LITERAL_HEAD = re.compile(r"~?\{(\d+)\+?\}\r\n")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def ascii_upper(text: str) -> str:
    """Uppercases ASCII letters only, as IMAP's case-insensitive rules do."""
    return text.translate(_ASCII_UPPER)


@dataclass
class Arg:
    """One IMAP argument: an atom, a quoted string, a literal, NIL or a list."""

    kind: str
    text: str = ""
    items: list["Arg"] = field(default_factory=list)

    def astring(self) -> str | None:
        """The argument's text if it is an atom, string or literal."""
        if self.kind in (ATOM, STRING, LITERAL):
            return self.text
        return None

    def atom(self) -> str | None:
        return self.text if self.kind == ATOM else None

    def __str__(self) -> str:
        return render(self)


def render(arg: Arg) -> str:
    """Writes an argument back in IMAP syntax, literals shown as quoted text."""
    if arg.kind == ATOM:
        return arg.text
    if arg.kind == NIL:
        return "NIL"
    if arg.kind == LIST:
        return "(" + render_args(arg.items) + ")"
    if arg.kind == LITERAL and len(arg.text) > 200:
        return '{%d}"%s..."' % (len(arg.text), _escape(arg.text[:60]))
    return '"' + _escape(arg.text) + '"'


def render_args(args: list[Arg]) -> str:
    return " ".join(render(a) for a in args)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _escape(text: str) -> str:
    text = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\r", "\\r")
        .replace("\n", "\\n")
    )
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()), text)


def parse_args(data: str) -> list[Arg]:
    """Reads a response (or an expected line) into a list of arguments.

    Literals are `{N}\\r\\n` (or `~{N}` / `{N+}`) followed by N characters,
    exactly as read from the wire or built from a script's `{{{` block.
    """
    top: list[Arg] = []
    stack: list[list[Arg]] = [top]
    pos = 0
    end = len(data)
    while pos < end:
        c = data[pos]
        if c in " \r\n":
            pos += 1
            continue
        current = stack[-1]
        if c == "(":
            lst = Arg(LIST)
            current.append(lst)
            stack.append(lst.items)
            pos += 1
            continue
        if c == ")" and len(stack) > 1:
            stack.pop()
            pos += 1
            continue
        if c == '"':
            text, pos = _read_quoted(data, pos + 1)
            current.append(Arg(STRING, text))
            continue
        if c in "{~":
            m = _LITERAL_HEAD.match(data, pos)
            if m:
                size = int(m.group(1))
                start = m.end()
                current.append(Arg(LITERAL, data[start:start + size]))
                pos = start + size
                continue
        start = pos
        in_list = len(stack) > 1
        while pos < end:
            ch = data[pos]
            if ch in " \r\n" or (ch == ")" and in_list):
                break
            pos += 1
        word = data[start:pos]
        if ascii_upper(word) == "NIL":
            current.append(Arg(NIL))
        else:
            current.append(Arg(ATOM, word))
    return top


def _read_quoted(data: str, pos: int) -> tuple[str, int]:
    out = []
    end = len(data)
    while pos < end:
        c = data[pos]
        if c == "\\" and pos + 1 < end:
            out.append(data[pos + 1])
            pos += 2
            continue
        if c == '"':
            return "".join(out), pos + 1
        out.append(c)
        pos += 1
    return "".join(out), pos


_COMMAND_LITERAL = re.compile(r"(~?)\{(\d+)\}\r\n")


def literal_heads(text: str):
    """The `{N}\\r\\n` heads of a command's literals, in order, never
    looking inside a literal's data for another one."""
    pos = 0
    while True:
        m = _COMMAND_LITERAL.search(text, pos)
        if m is None:
            return
        yield m
        pos = m.end() + int(m.group(2))


def quote(text: str) -> str:
    """Quotes a mailbox name or other text as an IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
