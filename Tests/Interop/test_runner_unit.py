"""Unit tests of the imaptest runner's reading and matching; no server needed.

Run: python3 -m pytest -q Tests/Interop/test_runner_unit.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from imaptest_args import ATOM, LIST, LITERAL, NIL, STRING, literal_heads, parse_args, render_args  # noqa: E402
from imaptest_match import FULL, GroupState, Matcher  # noqa: E402
from imaptest_runner import DEFAULT_SCRIPTS, decode_mutf7, has_message, mailbox_url, read_expected_skips  # noqa: E402
from imaptest_script import (  # noqa: E402
    MboxSource, ScriptError, Untagged, apply_default_directives, list_scripts, load_script, read_mbox)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("latin-1")
    path.write_bytes(text)
    return path


def script_from(tmp_path: Path, text: str, environ=None, mbox: str | None = None):
    write(tmp_path, "default.mbox", mbox or "From a@b  Fri Feb 22 17:06:23 2008\n\nbody\n")
    return load_script(write(tmp_path, "t", text), environ=environ or {})


def expected(line: str):
    """An expected untagged line with the format's default directives."""
    args = parse_args(line)
    name = args[1].text if args[0].text[:1].isdigit() or args[0].text[:1] == "$" else args[0].text
    apply_default_directives(args, name.lower())
    return args


# ----------------------------------------------------------------------------
# Tokenizer

class TestParseArgs:
    def test_atoms_strings_nil_and_lists(self):
        args = parse_args('1 FETCH (FLAGS (\\Seen) UID 4 X "a \\"q\\" \\\\b" NIL)')
        assert [a.kind for a in args] == [ATOM, ATOM, LIST]
        inner = args[2].items
        assert [a.kind for a in inner] == [ATOM, LIST, ATOM, ATOM, ATOM, STRING, NIL]
        assert inner[5].text == 'a "q" \\b'

    def test_section_with_field_list_splits_like_imaptest(self):
        args = parse_args("1 FETCH (BODY[HEADER.FIELDS (FROM TO)] {3}\r\nabc)")
        inner = args[2].items
        assert inner[0].text == "BODY[HEADER.FIELDS"
        assert inner[1].kind == LIST and [a.text for a in inner[1].items] == ["FROM", "TO"]
        assert inner[2].text == "]"
        assert inner[3].kind == LITERAL and inner[3].text == "abc"

    def test_literal_keeps_bytes_and_brackets_inside(self):
        args = parse_args("X ~{6}\r\n(a)\r\n\x00 Y")
        assert args[1].kind == LITERAL and args[1].text == "(a)\r\n\x00"
        assert args[2].text == "Y"

    def test_nonsync_literal_and_brace_atom(self):
        args = parse_args("A {2+}\r\nhi [}%*")
        assert args[1].text == "hi" and args[2].text == "[}%*"

    def test_malformed_input_never_raises(self):
        assert parse_args('OK [X] text ) "unterminated')[3].text == ")"
        assert parse_args("(a (b")[0].items[1].items[0].text == "b"

    def test_render_round_trip(self):
        line = '* 1 FETCH (FLAGS (\\Seen) BODY[] "a\\"b")'
        assert render_args(parse_args(line)) == line

    def test_literal_heads_skip_literal_data(self):
        text = "APPEND x {8}\r\n{1}\r\nab) {2}\r\nhi"
        heads = list(literal_heads(text))
        assert [m.group(2) for m in heads] == ["8", "2"]


# ----------------------------------------------------------------------------
# Script reader

class TestScriptReader:
    def test_header(self, tmp_path):
        s = script_from(tmp_path, "capabilities: SORT  THREAD=REFERENCES\nconnections: 2\n"
                                  "state: auth\nmessages: all\nuser 2: $user2\n"
                                  "ignore_extra_untagged: no\n\n1 ok noop\n")
        assert s.capabilities == ["SORT", "THREAD=REFERENCES"]
        assert (s.connections, s.state, s.messages) == (2, "auth", None)
        assert s.require_user2 and not s.ignore_extra_untagged
        assert s.mbox_path.name == "default.mbox"

    def test_defaults(self, tmp_path):
        s = script_from(tmp_path, "# comment in header\n\nok noop\n")
        assert (s.connections, s.state, s.messages, s.ignore_extra_untagged) == (1, "selected", 0, True)

    def test_script_specific_mbox(self, tmp_path):
        write(tmp_path, "t.mbox", "From a@b  Fri Feb 22 17:06:23 2008\n\nx\n")
        assert script_from(tmp_path, "\nok noop\n").mbox_path.name == "t.mbox"

    def test_method1_method2_method3(self, tmp_path):
        s = script_from(tmp_path, "\nok select $mailbox\n* 0 exists\n\n"
                                  "examine $mailbox\n* ok [uidvalidity $v]\nok [read-only]\n\n"
                                  "tag1 create a\ntag2 create b\n* x\ntag2 no\ntag1 ok\n")
        g1, g2, g3 = s.groups
        assert g1.commands[0].text == "select $mailbox"
        assert render_args(g1.commands[0].reply) == "ok"
        assert [u.existence for u in g1.untagged] == ["*"]
        assert render_args(g2.commands[0].reply) == "ok [read-only]"
        assert [(c.tag, c.text, render_args(c.reply)) for c in g3.commands] == [
            (1, "create a", "ok"), (2, "create b", "no")]
        assert len(g3.untagged) == 1

    def test_any_reply_and_must_not_and_may(self, tmp_path):
        s = script_from(tmp_path, '\n"" delete x\n! 1 expunge\n? 2 expunge\n')
        assert render_args(s.groups[0].commands[0].reply) == ""
        assert [u.existence for u in s.groups[0].untagged] == ["!", "?"]

    def test_connections_and_pipelining(self, tmp_path):
        s = script_from(tmp_path, "connections: 2\n\n1 ok noop\n2 tag1 status a (messages)\n"
                                  "2 tag2 status b (messages)\n2 tag1 ok\n2 tag2 ok\n")
        assert [g.connection for g in s.groups] == [0, 1]
        assert len(s.groups[1].commands) == 2

    def test_reply_for_the_wrong_connection_is_an_error(self, tmp_path):
        with pytest.raises(ScriptError):
            script_from(tmp_path, "connections: 2\n\n2 tag1 noop\n1 tag1 ok\n")

    def test_missing_reply_is_an_error(self, tmp_path):
        with pytest.raises(ScriptError):
            script_from(tmp_path, "\nnoop\n")

    def test_multiline_literal_uses_crlf(self, tmp_path):
        s = script_from(tmp_path, "\nok append $mailbox {{{\nA: b\n\nbody\n}}}\n")
        assert s.groups[0].commands[0].text == "append $mailbox {12}\r\nA: b\r\n\r\nbody"

    def test_binary_literal_keeps_bytes(self, tmp_path):
        s = script_from(tmp_path, b"\nok append x ~{{{\n\x00a\r\n\n}}}\n".decode("latin-1"))
        assert s.groups[0].commands[0].text == "append x ~{4}\r\n\x00a\r\n"

    def test_literals_chained_on_one_line(self, tmp_path):
        s = script_from(tmp_path, "\nok append x catenate (text {{{\nA\n}}} text {{{\nB\n}}})\n")
        assert s.groups[0].commands[0].text == "append x catenate (text {1}\r\nA text {1}\r\nB)"

    def test_ifenv_else_endif(self, tmp_path):
        text = "\n!ifenv HAVE_X\nok one\n!else\nok two\n!endif\n!ifnenv HAVE_X\nok three\n!endif\n"
        with_x = script_from(tmp_path, text, environ={"HAVE_X": "1"})
        without = script_from(tmp_path, text, environ={})
        assert [g.commands[0].text for g in with_x.groups] == ["one"]
        assert [g.commands[0].text for g in without.groups] == ["two", "three"]

    def test_group_directives(self, tmp_path):
        s = script_from(tmp_path, "\nok noop\n!ordered\n!sleep 5ms\n!output seen $x\n")
        g = s.groups[0]
        assert g.ordered and g.sleep_ms == 5 and g.outputs == ["seen $x"]

    def test_logout_detection(self, tmp_path):
        assert script_from(tmp_path, "\nok logout\n* bye\n").has_logout
        assert not script_from(tmp_path, "\nok noop\n").has_logout

    def test_default_directives(self):
        fetch = expected("1 fetch (uid 1 flags (\\seen))")
        assert fetch[2].items[0].text == "$!unordered=2"
        flags = fetch[2].items[-1].items
        assert [a.text for a in flags[:3]] == ["$!unordered", "$!noextra", "$!ignore=\\recent"]
        assert expected("list () / x")[1].items[0].text == "$!unordered"
        assert expected("status x (messages 1)")[2].items[0].text == "$!unordered=2"
        explicit = expected("1 fetch (flags ($!extra))")
        assert [a.text for a in explicit[2].items[2].items] == ["$!extra"]
        assert expected("search 1 2") == parse_args("search 1 2")

    def test_unknown_directive_is_an_error(self, tmp_path):
        with pytest.raises(ScriptError):
            script_from(tmp_path, "\nok noop\n* list ($!sorted) / x\n")

    @pytest.mark.skipif(not DEFAULT_SCRIPTS.is_dir(), reason="no imaptest corpus beside the repo")
    def test_whole_corpus_parses(self):
        paths = list_scripts(DEFAULT_SCRIPTS)
        assert len(paths) >= 70
        for path in paths:
            script = load_script(path, environ={})
            assert script.groups, path.name
            MboxSource(script.mbox_path)


# ----------------------------------------------------------------------------
# Messages

class TestMbox:
    def test_split_dates_and_crlf(self, tmp_path):
        path = write(tmp_path, "m.mbox",
                     "From a@b  Fri Feb 22 17:06:23 2008\nSubject: 1\n\nbody1\n\n"
                     "From a@b  Sat Mar 24 23:00:00 2007 +0200\n\nbody2\n")
        one, two = read_mbox(path)
        assert one.data == "Subject: 1\r\n\r\nbody1\r\n\r\n"
        assert one.internaldate == "22-Feb-2008 17:06:23 +0000"
        assert two.internaldate == "24-Mar-2007 23:00:00 +0200"
        assert two.data == "\r\nbody2\r\n"

    def test_source_wraps_around(self, tmp_path):
        path = write(tmp_path, "m.mbox", "From a@b  Fri Feb 22 17:06:23 2008\n\n1\n"
                                         "From a@b  Fri Feb 22 17:06:23 2008\n\n2\n")
        source = MboxSource(path)
        assert [source.take().data[2] for _ in range(3)] == ["1", "2", "1"]


# ----------------------------------------------------------------------------
# Matching

class TestMatcher:
    def test_binds_then_checks(self):
        m = Matcher()
        assert m.match_args(expected("1 fetch (uid $uid1)"), parse_args("1 FETCH (UID 7 FLAGS ())")) == FULL
        assert m.vars["uid1"] == "7"
        assert m.match_args(expected("2 fetch (uid $uid1)"), parse_args("2 FETCH (UID 8)")) != FULL

    def test_case_insensitive_text_but_exact_variables(self):
        m = Matcher({"box": "Foo"})
        assert m.match_args(parse_args("list () / $box"), parse_args("LIST () / Foo"), prefix=True) == FULL
        assert m.match_args(parse_args("x $box"), parse_args("X foo")) != FULL

    def test_case_sensitive_marker(self):
        m = Matcher()
        assert m.match_args(parse_args("list ${case:INBOX}"), parse_args("LIST INBOX")) == FULL
        assert m.match_args(parse_args("list ${case:INBOX}"), parse_args("LIST inbox")) != FULL

    def test_variable_inside_an_atom(self):
        m = Matcher()
        assert m.match_args(parse_args("ok [uidvalidity $v]"),
                            parse_args("OK [UIDVALIDITY 42] Ok"), prefix=True) == FULL
        assert m.vars["v"] == "42"
        m2 = Matcher({"a": "1", "b": "3"})
        assert m2.match_args(parse_args("all $a:$b,5"), parse_args("ALL 1:3,5")) == FULL

    def test_dollar_matches_anything_and_dollar_dollar_is_literal(self):
        m = Matcher()
        assert m.match_args(parse_args("fetch (envelope $ uid $)"),
                            parse_args("FETCH (ENVELOPE (a b) UID 3)")) == FULL
        assert "" not in m.vars
        assert m.match_args(parse_args("flags ($$hello)"), parse_args("FLAGS ($hello)")) == FULL

    def test_skip_to_bracket(self):
        m = Matcher()
        assert m.match_args(parse_args("ok [capability $] x"),
                            parse_args("OK [CAPABILITY IMAP4rev1 IDLE] x y"), prefix=True) == FULL

    def test_failed_match_unbinds(self):
        m = Matcher()
        state = GroupState([Untagged("*", expected("1 fetch (uid $u flags (\\seen))"), 1)], False, True)
        state.offer(m, parse_args("1 FETCH (UID 5 FLAGS ())"), None)
        assert "u" not in m.vars
        state.offer(m, parse_args("1 FETCH (UID 6 FLAGS (\\Seen \\Recent))"), None)
        assert m.vars["u"] == "6" and state.finish(m) is None

    def test_unordered_chains_extras_and_noextra(self):
        m = Matcher()
        want = expected("1 fetch (flags (\\seen) uid 3)")
        assert m.match_args(want, parse_args("1 FETCH (UID 3 MODSEQ (4) FLAGS (\\Recent \\Seen))")) == FULL
        assert m.match_args(want, parse_args("1 FETCH (UID 3 FLAGS (\\Seen \\Draft))")) != FULL
        assert m.match_args(parse_args("x ($!unordered $!ban=\\noselect a)"), parse_args("X (b a)")) == FULL
        assert m.match_args(parse_args("x ($!unordered $!ban=\\noselect a)"),
                            parse_args("X (a \\NoSelect)")) != FULL
        assert m.match_args(parse_args("x ($!unordered $!noextra $!ignore=b a)"),
                            parse_args("X (b a)")) == FULL

    def test_plain_lists_are_ordered_and_exact(self):
        m = Matcher()
        assert m.match_args(parse_args("thread (1 2)"), parse_args("THREAD (2 1)")) != FULL
        assert m.match_args(parse_args("search 1 2"), parse_args("SEARCH 1 2 3")) != FULL

    def test_prefix_only_for_status_replies(self):
        m = Matcher()
        assert m.match_args(parse_args("no [trycreate]"),
                            parse_args("NO [TRYCREATE] Mailbox doesn't exist"), prefix=True) == FULL
        assert m.match_args(parse_args("ok"), parse_args("OK done"), prefix=True) == FULL
        assert m.match_args(parse_args("ok"), parse_args("NO failed"), prefix=True) != FULL
        assert m.match_args(parse_args(""), parse_args("BAD whatever"), prefix=True) == FULL

    def test_relative_sequences_follow_expunges(self):
        m = Matcher()
        m.start_group(4)
        assert m.match_args(parse_args("$3 expunge"), parse_args("3 EXPUNGE")) == FULL
        m.expunged(3)
        assert m.relative(4) == "3" and m.relative(3) == "<expunged>"
        m.expunged(1)
        assert m.relative(2) == "1" and m.relative(4) == "2"

    def test_modseq_variables_must_grow_with_their_index(self):
        m = Matcher()
        assert m.match_args(parse_args("x $modseq2"), parse_args("X 10")) == FULL
        assert m.match_args(parse_args("x $modseq5"), parse_args("X 12")) != FULL
        m = Matcher()
        m.match_args(parse_args("x $modseq2"), parse_args("X 10"))
        assert m.match_args(parse_args("x $modseq5"), parse_args("X 13")) == FULL

    def test_values_end_at_nul_like_imaptest(self):
        m = Matcher()
        assert m.match_args(parse_args("x ~{3}\r\n\x00ab"), parse_args("X ~{4}\r\n\x00xyz")) == FULL

    def test_command_expansion(self):
        m = Matcher({"mailbox": "box", "sep": "/"})
        m.start_group(3)
        assert m.expand_command("select $mailbox${sep}x") == "select box/x"
        assert m.expand_command("store $2 +flags $$kw") == "store 2 +flags $kw"
        assert m.expand_command("append x {4}\r\n$abc") == "append x {4}\r\n$abc"
        with pytest.raises(Exception):
            m.expand_command("fetch $nothing")


class TestGroupState:
    def untagged(self, *lines):
        return [Untagged(line[0], expected(line[2:]), n) for n, line in enumerate(lines, 1)]

    def test_any_order_and_missing_report(self):
        m = Matcher()
        state = GroupState(self.untagged("* 1 expunge", "* 2 exists"), False, True)
        state.offer(m, parse_args("2 EXISTS"), None)
        problem = state.finish(m)
        assert problem and "1 expunge" in problem.expected and problem.line == 1
        state.offer(m, parse_args("1 EXPUNGE"), None)
        assert state.finish(m) is None

    def test_must_not_exist(self):
        m = Matcher()
        state = GroupState(self.untagged("! 1 expunge"), False, True)
        assert state.offer(m, parse_args("1 EXPUNGE"), None) is not None

    def test_ordered(self):
        m = Matcher()
        state = GroupState(self.untagged("* a", "* b"), True, True)
        state.offer(m, parse_args("B"), None)
        state.offer(m, parse_args("A"), None)
        assert state.finish(m) is not None

    def test_extra_untagged_when_not_ignored(self):
        m = Matcher()
        state = GroupState(self.untagged("* a"), False, False)
        state.offer(m, parse_args("A"), None)
        state.offer(m, parse_args("B"), None)
        assert "unexpected" in state.finish(m).message

    def test_tag_variable(self):
        m = Matcher()
        state = GroupState(self.untagged("* esearch (tag $tag) count 1"), False, True)
        state.offer(m, parse_args('ESEARCH (TAG "1.4") COUNT 1'), "1.3")
        assert state.finish(m) is not None
        state.offer(m, parse_args('ESEARCH (TAG "1.3") COUNT 1'), "1.3")
        assert state.finish(m) is None and "tag" not in m.vars


# ----------------------------------------------------------------------------
# Runner helpers

def test_append_has_message():
    assert not has_message("box", 0)
    assert not has_message("box (\\seen)", 0)
    assert not has_message('box (\\seen) "24-Mar-2007 23:00:00 +0200"', 0)
    assert has_message("box {3}\r\nabc", 0)
    assert has_message("box (\\seen) catenate (text {1}\r\na)", 0)


def test_mailbox_url():
    assert decode_mutf7("p&AOQA5A-") == "p\u00e4\u00e4"
    assert decode_mutf7("a&-b") == "a&b"
    assert mailbox_url("imaptest") == "imaptest"
    assert mailbox_url("a b;&AOQ-") == "a%20b%3B%C3%A4"


def test_expected_skips_file(tmp_path):
    path = write(tmp_path, "skips", "# header\nsort-partial  CONTEXT=SORT not advertised\nurlauth\n")
    assert read_expected_skips(path) == {"sort-partial": "CONTEXT=SORT not advertised", "urlauth": ""}
