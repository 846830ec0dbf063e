"""The display rule: control and bidi characters are shown as symbols, one for one; JSON escapes them."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from trivselkode.domain.display import escape_json, has_unsafe, inert, inert_line

HOSTILE = "\x1b]0;pwned\x07 \x1b[2J \x1b[5m \x9b31m \u202eevil\u202c \u2066iso\u2069 \x7f \x00 \r"
BIDI = [*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
UNSAFE = {chr(c) for c in range(0x20) if c not in (9, 10)} | {chr(c) for c in range(0x7F, 0xA0)} | set(BIDI)

texts = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(sorted(UNSAFE | {"\n", "\t", "æ", "[", "/", "]", "\u200d", "\u00ad"})),
    )
)


def test_the_hostile_strings_are_shown_as_symbols() -> None:
    shown = inert(HOSTILE)
    assert shown == "␛]0;pwned␇ ␛[2J ␛[5m \ufffd31m \ufffdevil\ufffd \ufffdiso\ufffd ␡ ␀ ␍"
    assert not UNSAFE & set(shown)


def test_layout_is_kept_in_text_and_shown_in_a_line() -> None:
    assert inert("a\nb\tc") == "a\nb\tc"
    assert inert_line("a\nb\tc\rd") == "a␊b␉c␍d"


def test_ordinary_text_is_returned_as_it_is() -> None:
    text = "Jeg føler mig tryg her. Bøger [fysiske] · interview [udkast] · 👩\u200d👩\u200d👧 · bibliotek\u00adet · \u200fשלום"
    assert inert(text) is text
    assert inert_line(text) is text
    assert not has_unsafe(text)


@given(texts)
def test_one_symbol_for_one_character(text: str) -> None:
    for shown in (inert(text), inert_line(text)):
        assert len(shown) == len(text)  # offsets into the text hold on the shown text
        assert not UNSAFE & set(shown)
        for before, after in zip(text, shown):
            if before not in UNSAFE and before not in "\n\t":
                assert after == before
            elif before in UNSAFE:
                assert unicodedata.category(after) == "So" or after == "\ufffd"
    assert inert(inert(text)) == inert(text)
    assert {c for c in inert_line(text)} & {"\n", "\t", "\r"} == set()


@given(st.recursive(st.none() | texts | st.integers(), lambda inner: st.lists(inner) | st.dictionaries(texts, inner)))
def test_json_escapes_what_json_dumps_leaves_raw_and_reads_back_the_same(document: object) -> None:
    dumped = escape_json(json.dumps(document, ensure_ascii=False, indent=2))
    assert not UNSAFE & set(dumped)
    assert json.loads(dumped) == document


def test_json_shows_the_escapes() -> None:
    dumped = escape_json(json.dumps({"navn": "\x1b[2J\x9b31m\u202e"}, ensure_ascii=False))
    assert dumped == '{"navn": "\\u001b[2J\\u009b31m\\u202e"}'


# ------------------------------------------------------------------ guards
#
# Where a string from data could be read as markup or printed raw. The rules are
# syntactic, so they flag only what is certainly built in place from data: an
# f-string, a concatenation or a field (``row["name"]``, ``self.title``) handed
# to a widget or a table that parses strings. Data must go through
# ``trivselkode.tui.common.plain.line``/``para`` (TUI) or the CLI's ``note``/``say``/
# ``emit_data``/``plain_console`` instead.

import ast  # noqa: E402
from pathlib import Path  # noqa: E402

PACKAGE = Path(__file__).resolve().parents[2] / "trivselkode"
# Widgets and calls that parse a string argument as markup.
MARKUP_SINKS = {"Static", "Label", "Option", "update", "Button"}


def _dynamic(node: ast.AST, fields: bool) -> bool:
    """A string built in place (f-string, +, %), or with ``fields`` an attribute or item of something."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    if isinstance(node, ast.IfExp):
        return _dynamic(node.body, fields) or _dynamic(node.orelse, fields)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
        return True
    return fields and isinstance(node, (ast.Attribute, ast.Subscript))


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _markup_off(call: ast.Call) -> bool:
    return any(
        k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
    )


def _calls(folder: str):  # noqa: ANN202
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                yield path.relative_to(PACKAGE.parent), node


def test_the_tui_hands_no_string_built_from_data_to_a_markup_parser() -> None:
    found = []
    for path, call in _calls("tui"):
        name = _name(call)
        if name == "from_markup":
            found.append(f"{path}:{call.lineno}: from_markup")
        elif name in MARKUP_SINKS and call.args and not _markup_off(call) and _dynamic(call.args[0], fields=False):
            found.append(f"{path}:{call.lineno}: {name}(<string built from data>)")
        elif name == "add_row" and any(_dynamic(a, fields=True) for a in call.args):
            found.append(f"{path}:{call.lineno}: add_row(<string cell>) – pass line(...) or Text")
    assert not found, "pass line(...)/para(...) (trivselkode.tui.common.plain) instead:\n" + "\n".join(found)


def test_the_cli_prints_only_through_the_inert_helpers() -> None:
    allowed = {("trivselkode/cli/main.py", "echo")}  # the version
    found = []
    for path, call in _calls("cli"):
        name = _name(call)
        if path.name == "common.py" or (str(path), name) in allowed:
            continue
        if name in ("echo", "secho", "print") and not (isinstance(call.func, ast.Attribute) and _is_console(call.func)):
            found.append(f"{path}:{call.lineno}: {name}(…)")
        elif name == "Console":
            found.append(f"{path}:{call.lineno}: Console(…) – use plain_console()")
    assert not found, "print with note/say/emit_data/emit_json/plain_console (cli/common.py):\n" + "\n".join(found)


def _is_console(func: ast.Attribute) -> bool:
    """``console.print``/``plain_console().print``: a console from plain_console() (checked above)."""
    value = func.value
    return (isinstance(value, ast.Name) and value.id == "console") or (
        isinstance(value, ast.Call) and _name(value) == "plain_console"
    )
