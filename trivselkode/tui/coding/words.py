"""The words of a passage, for moving a selection by words (pure: no Textual, no database).

A word is a run of word characters (any letter, so æ, ø, å and the rest,
and digits), hyphenated and apostrophed words held together (``IT-kursus``,
``rock'n'roll``), with the punctuation touching it on either side kept with
it (``„tryg"``, ``her.``, ``(ofte),``). A dash between spaces is no word:
a selection runs over it.
"""

from __future__ import annotations

import re

WORD_RE = re.compile(r"[^\w\s]*\w+(?:[-'’]\w+)*[^\w\s]*")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Every word of ``text`` as (start, end) offsets, in order."""
    return [m.span() for m in WORD_RE.finditer(text)]


def next_end(words: list[tuple[int, int]], start: int, end: int, step: int) -> int:
    """The selection's end one word on (``step`` 1) or back (-1), never before its first word."""
    if step > 0:
        return next((e for _s, e in words if e > end), end)
    return next((e for _s, e in reversed(words) if start < e < end), end)


def next_start(words: list[tuple[int, int]], start: int, step: int) -> int:
    """The selection's start one word on (1) or back (-1)."""
    if step > 0:
        return next((s for s, _e in words if s > start), start)
    return next((s for s, _e in reversed(words) if s < start), start)


def end_of_word_at(words: list[tuple[int, int]], offset: int, fallback: int) -> int:
    """The end of the word starting at or covering ``offset`` (``fallback`` if there is none)."""
    return next((e for _s, e in words if e > offset), fallback)
