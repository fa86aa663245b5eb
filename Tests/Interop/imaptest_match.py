"""Matching of server responses against a script's expected replies.

The rules are the format's (FORMAT.md):
- text compares case-insensitively; `${case:Text}` compares case-sensitively;
- `$name` / `${name}` is bound from the server's text the first time it is
  matched and must then repeat exactly; a failed match unbinds what it bound;
- `$` alone matches any one argument (a list too), `$]` skips up to an atom
  holding `]`, `$$` is a literal `$`;
- `$N` is the current sequence number of the message that was N when the
  group started, following EXPUNGEs seen since;
- `$modseqN` binds a mod-sequence that must grow at least as fast as N;
- a list obeys `$!` directives at its start: `$!unordered[=n]` (chains of n
  elements in any order, extras allowed unless `$!noextra`), `$!ordered`,
  `$!extra`, `$!noextra`, `$!ignore=e`, `$!ban=e`; without directives a list
  must match element for element;
- a reply starting OK/NO/BAD/BYE, and every tagged reply, match as a prefix:
  the human-readable text after the expected arguments is ignored;
- values compare as imaptest compares them, as C strings: a NUL byte ends
  the value on both sides (the append-binary script relies on this).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from imaptest_args import ATOM, LIST, LITERAL, NIL, STRING, Arg, ascii_upper, literal_heads, render_args

FULL = 1 << 62   # "matched completely"; any smaller count is a partial match

_VAR_CHAR = re.compile(r"[A-Za-z0-9_]")
_MODSEQ = re.compile(r"modseq(\d+)\Z")


class UnboundVariable(Exception):
    pass


def _same(a: str, b: str, icase: bool) -> bool:
    return ascii_upper(a) == ascii_upper(b) if icase else a == b


class Matcher:
    """Variables of one script run and the matching that binds them."""

    def __init__(self, variables: dict[str, str] | None = None):
        self.vars: dict[str, str] = dict(variables or {})
        self.added: list[str] = []
        self.seqmap: list[int] = []
        self.modseq_index = 0
        self.modseq_value = 0

    # -- relative sequences ------------------------------------------------

    def start_group(self, exists: int):
        """Maps every sequence the connection knows to itself."""
        self.seqmap = list(range(1, exists + 1))

    def expunged(self, seq: int):
        """Follows an EXPUNGE: that message is gone, later ones move down."""
        for i in range(seq - 1, len(self.seqmap)):
            if self.seqmap[i] == seq:
                self.seqmap[i] = 0
            elif self.seqmap[i] > seq:
                self.seqmap[i] -= 1

    def relative(self, seq: int) -> str:
        if seq == 0:
            return "<zero seq>"
        if seq > len(self.seqmap):
            return "<out of range>"
        return str(self.seqmap[seq - 1]) if self.seqmap[seq - 1] else "<expunged>"

    # -- commands ----------------------------------------------------------

    def expand_command(self, text: str) -> str:
        """Substitutes variables in a command, leaving literal data alone."""
        out = []
        pos = 0
        for m in literal_heads(text):
            out.append(self.expand(text[pos:m.start()], strict=True))
            end = m.end() + int(m.group(2))
            out.append(text[m.start():end])
            pos = end
        out.append(self.expand(text[pos:], strict=True))
        return "".join(out)

    def expand(self, text: str, strict: bool) -> str:
        """Substitutes `$vars`; unbound ones raise when strict, else stay."""
        out = []
        i = 0
        n = len(text)
        while i < n:
            c = text[i]
            if c != "$" or i + 1 == n:
                out.append(c)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "!":
                end = text.find(" ", i)
                if not strict:
                    out.append(text[i:n if end < 0 else end])
                i = n if end < 0 else end
                continue
            name, j = _var_name(text, i + 1)
            if name.isdigit():
                value = self.relative(int(name))
            else:
                value = self.vars.get(name)
                if value is None:
                    if strict:
                        raise UnboundVariable(name)
                    value = text[i:j]
            out.append(value)
            i = j
        return "".join(out)

    # -- matching ----------------------------------------------------------

    def expand_input(self, pattern: str, text: str) -> tuple[str, bool] | None:
        """Walks a pattern along received text, binding unbound variables.

        Returns the pattern with variables substituted and whether the final
        comparison is case-insensitive, or None on an early mismatch."""
        out = []
        icase = True
        i = j = 0
        n = len(pattern)
        while i < n:
            c = pattern[i]
            if c != "$" or pattern[i + 1:i + 2] == "$":
                if c == "$":
                    i += 1
                    c = pattern[i]
                if j >= len(text) or ascii_upper(c) != ascii_upper(text[j]):
                    return None
                out.append(c)
                i += 1
                j += 1
                continue
            name, i = _var_name(pattern, i + 1)
            if name is None:
                return "", True
            if name.isdigit():
                value = self.relative(int(name))
            elif name.startswith("case:"):
                value = name[5:]
                icase = False
            else:
                value = self.vars.get(name) if name else None
                if value is None:
                    value = self._bind(name, text[j:self._capture_end(pattern[i:], text, j)])
            out.append(value)
            if text[j:j + len(value)] != value:
                return None
            j += len(value)
        return "".join(out), icase

    def _capture_end(self, rest: str, text: str, j: int) -> int:
        """An unbound variable takes the text up to the first character that
        the rest of the pattern starts with (all of it if nothing follows)."""
        stop = None
        if rest.startswith("$$"):
            stop = "$"
        elif rest.startswith("$"):
            name, _ = _var_name(rest, 1)
            value = self.vars.get(name) if name else None
            stop = value[:1] if value else None
        elif rest:
            stop = rest[0]
        if not stop:
            return len(text)
        k = j
        while k < len(text) and ascii_upper(text[k]) != ascii_upper(stop):
            k += 1
        return k

    def _bind(self, name: str, captured: str) -> str:
        if name == "":
            return captured
        m = _MODSEQ.match(name)
        if m:
            value = self._modseq(int(m.group(1)), captured)
            self.vars[name] = value    # kept on mismatch: the report shows it
            return value
        self.vars[name] = captured
        self.added.append(name)
        return captured

    def _modseq(self, index: int, captured: str) -> str:
        if not captured.isdigit():
            return "$modseq-not-number"
        if self.modseq_index > index:
            return "$modseq-order-mismatch"
        value = int(captured)
        at_least = self.modseq_value + (index - self.modseq_index)
        result = captured
        if value < at_least:
            result = f"$modseq-at-least-{at_least}"
            value = at_least
        self.modseq_index = index
        self.modseq_value = value
        return result

    def revert_added(self):
        for name in self.added:
            self.vars.pop(name, None)
        self.added = []

    def match_args(self, expected: list[Arg], received: list[Arg],
                   limit: int = FULL, prefix: bool = False) -> int:
        """How many leading arguments match; FULL when all of them do."""
        count = 0
        ri = 0
        for ei, want in enumerate(expected):
            if limit <= 0:
                break
            got = received[ri] if ri < len(received) else None
            if want.kind == NIL:
                if got is None or got.kind != NIL:
                    return count
            elif want.kind in (ATOM, STRING, LITERAL):
                if want.text == "$" and got is not None and got.kind == LIST:
                    pass
                elif want.text == "$]":
                    while got is not None and got.kind == ATOM and "]" not in got.text:
                        ri += 1
                        got = received[ri] if ri < len(received) else None
                else:
                    text = got.astring() if got is not None else None
                    if text is None:
                        return count
                    # imaptest compares C strings: both sides end at a NUL.
                    text = text.partition("\0")[0]
                    result = self.expand_input(want.text.partition("\0")[0], text)
                    if result is None:
                        return count
                    wanted, icase = result
                    if prefix and ei == len(expected) - 1:
                        text = text[:len(wanted)]
                    if not _same(text, wanted, icase):
                        return count
            elif want.kind == LIST:
                if got is None or got.kind != LIST:
                    return count
                sub = self.match_list(want.items, got.items)
                if sub != FULL:
                    return count + sub
            ri += 1
            limit -= 1
            count += 1
        if prefix or ri >= len(received) or limit <= 0:
            return FULL
        return count

    def match_list(self, expected: list[Arg], received: list[Arg]) -> int:
        unordered = False
        chain = 1
        noextra = None
        ignores: list[str] = []
        bans: list[str] = []
        k = 0
        while k < len(expected) and expected[k].kind == ATOM and expected[k].text.startswith("$!"):
            word = expected[k].text[2:]
            if word.startswith("unordered"):
                unordered = True
                if noextra is None:
                    noextra = False
                if word[9:10] == "=":
                    chain = max(1, int(word[10:]))
            elif word == "ordered":
                unordered = False
            elif word == "extra":
                noextra = False
            elif word == "noextra":
                noextra = True
            elif word.startswith("ignore="):
                ignores.append(ascii_upper(word[7:]))
            elif word.startswith("ban="):
                bans.append(ascii_upper(word[4:]))
            k += 1
        expected = expected[k:]
        if noextra is None:
            noextra = True
        if not unordered:
            return self.match_args(expected, received)
        if len(received) % chain:
            return 0
        matched = [False] * len(received)
        count = 0
        for e in range(0, len(expected), chain):
            for i in range(0, len(received), chain):
                if self.match_args(expected[e:], received[i:], chain) == FULL:
                    matched[i] = True
                    break
            else:
                return count
            count += 1
        for i in range(0, len(received), chain):
            if matched[i]:
                continue
            text = received[i].astring()
            if text is None:
                continue
            if noextra and ascii_upper(text) not in ignores:
                return count
            if not noextra and ascii_upper(text) in bans:
                return count
        return FULL


def _var_name(text: str, i: int) -> tuple[str | None, int]:
    """Reads `{name}` or a run of name characters starting at i."""
    if text[i:i + 1] == "{":
        close = text.find("}", i + 1)
        if close < 0:
            return None, len(text)
        return text[i + 1:close], close + 1
    j = i
    while j < len(text) and _VAR_CHAR.match(text[j]):
        j += 1
    return text[i:j], j


def _reply_name(args: list[Arg]) -> str:
    """FETCH of `1 FETCH (...)`, SEARCH of `SEARCH 1 2`: for choosing which
    received reply to show next to a missing one."""
    words = [a.text for a in args[:2] if a.kind == ATOM]
    if words and (words[0][:1].isdigit() or words[0][:1] == "$"):
        words = words[1:]
    return ascii_upper(words[0]) if words else ""


def without_directives(args: list[Arg]) -> list[Arg]:
    """The arguments as the script wrote them, minus `$!` directives."""
    out = []
    for arg in args:
        if arg.kind == ATOM and arg.text.startswith("$!"):
            continue
        if arg.kind == LIST:
            arg = Arg(LIST, items=without_directives(arg.items))
        out.append(arg)
    return out


def is_status_reply(args: list[Arg]) -> bool:
    """OK/NO/BAD/BYE replies carry free text after their arguments."""
    return bool(args) and args[0].kind == ATOM and ascii_upper(args[0].text) in (
        "OK", "NO", "BAD", "BYE")


@dataclass
class Mismatch:
    """The first difference found in a group: what and where."""

    message: str
    expected: str = ""
    received: str = ""
    line: int = 0


@dataclass
class GroupState:
    """Untagged replies of one group: which expectations were met so far."""

    untagged: list                    # imaptest_script.Untagged
    ordered: bool
    ignore_extra: bool
    found: list[bool] = field(default_factory=list)
    best: list[tuple[int, str]] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    extras: int = 0
    first_extra: str | None = None

    def __post_init__(self):
        self.found = [False] * len(self.untagged)
        self.best = [(-1.0, "")] * len(self.untagged)

    def offer(self, matcher: Matcher, args: list[Arg], tag: str | None) -> Mismatch | None:
        """Matches one received untagged reply against what is still open."""
        shown = render_args(args)
        self.received.append(shown)
        prefix = is_status_reply(args)
        matched_any = False
        for i, want in enumerate(self.untagged):
            if self.found[i]:
                continue
            matcher.added = []
            if tag is not None:
                matcher.vars["tag"] = tag
            count = matcher.match_args(want.args, args, FULL, prefix)
            matcher.vars.pop("tag", None)
            if count == FULL:
                if want.existence == "!":
                    return Mismatch("unexpected untagged reply",
                                    expected="no reply like: " + render_args(want.args),
                                    received=shown, line=want.line)
                self.found[i] = True
                matched_any = True
                matcher.added = []
                if self.ordered:
                    break
                continue
            score = count + (0.5 if _reply_name(want.args) == _reply_name(args) else 0)
            if score > self.best[i][0]:
                self.best[i] = (score, shown)
            matcher.revert_added()
            if self.ordered and want.existence == "*":
                break
        if not matched_any:
            self.extras += 1
            if not self.ignore_extra and self.first_extra is None:
                self.first_extra = shown
        return None

    def finish(self, matcher: Matcher) -> Mismatch | None:
        """The first required reply that never came, or the first extra."""
        missing = [i for i, u in enumerate(self.untagged)
                   if u.existence == "*" and not self.found[i]]
        if missing:
            want = self.untagged[missing[0]]
            best = self.best[missing[0]][1]
            if not best:
                best = "; ".join(self.received[-5:]) or "(no untagged replies)"
            return Mismatch(
                f"missing {len(missing)} untagged replies ({self.extras} unmatched received)",
                expected="* " + matcher.expand(render_args(without_directives(want.args)),
                                               strict=False),
                received="* " + best if self.best[missing[0]][1] else best,
                line=want.line)
        if self.first_extra is not None:
            return Mismatch(f"{self.extras} unexpected untagged replies",
                            expected="(no other untagged replies)",
                            received="* " + self.first_extra)
        return None
