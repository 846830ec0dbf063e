"""Text from files is shown, never obeyed: control characters made visible.

Transcripts, file names, code names, memos and attributes come from files
that anyone may have written. Shown as they are, some of their characters
are commands to the terminal: ESC starts a sequence that sets the window
title, clears the screen or makes text blink; the 8-bit CSI (U+009B) does
the same on terminals that read C1 controls; bidi overrides and isolates
reorder what follows them ("Trojan source"). Rich and Textual strip only
BEL, BS, VT, FF and CR (and so shift offsets), so the rule is ours:

* C0 controls (U+0000–U+001F) become the matching Control Picture
  (ESC → ␛, BEL → ␇), DEL (U+007F) becomes ␡;
* C1 controls (U+0080–U+009F) and the bidi embeddings, overrides and
  isolates (U+202A–U+202E, U+2066–U+2069) become U+FFFD (�).

Every character is replaced by exactly one, so lengths and offsets into a
text stay valid: the terminal UI highlights a passage's spans and search
matches at the same offsets on the shown text as on the stored one, and a
padded column stays aligned. :func:`inert` keeps newline and tab, which are
layout in a transcript, a memo or a document; :func:`inert_line` shows them
too (␊, ␉), for a name or a label that must stay on its line.

Zero-width characters (ZWJ in emoji, ZWNJ, soft hyphens from Word
documents) and the implicit direction marks (LRM, RLM) are ordinary text
and are left alone: they command no terminal and reorder nothing beyond
their neighbours.

Storage keeps the text as it was: this is applied only where text is shown.
"""

from __future__ import annotations

import re

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_C1 = range(0x80, 0xA0)
REPLACEMENT = "\ufffd"

_LINE_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}
_LINE_TABLE[0x7F] = "\u2421"  # ␡
_LINE_TABLE.update({c: REPLACEMENT for c in (*_C1, *_BIDI)})
_TABLE = {c: s for c, s in _LINE_TABLE.items() if c not in (0x0A, 0x09)}

_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What json.dumps(ensure_ascii=False) leaves raw: it escapes C0 itself (ESC as \u001b).
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """``text`` with every control and bidi character shown as one visible symbol; newline and tab kept."""
    if not _UNSAFE.search(text):
        return text
    return text.translate(_TABLE)


def inert_line(text: str) -> str:
    """As :func:`inert`, and newline, tab and CR shown too (␊ ␉ ␍): a name or label stays one line."""
    if not _UNSAFE_LINE.search(text):
        return text
    return text.translate(_LINE_TABLE)


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character :func:`inert` would replace."""
    return _UNSAFE.search(text) is not None


def escape_json(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with DEL, C1 and bidi characters escaped.

    ``json.dumps`` writes ESC and the other C0 controls as ``\\u001b``, but DEL,
    the C1 controls (the 8-bit CSI U+009B among them) and the bidi overrides
    raw. Outside string literals JSON has only ASCII, so escaping them wherever
    they stand keeps the document valid and its data exact: a parser reads the
    same strings.
    """
    if not _JSON_RAW.search(dumped):
        return dumped
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
