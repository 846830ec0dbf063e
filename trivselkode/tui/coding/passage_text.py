"""How a passage's text and codings are laid out in the list: word wrap by offsets, code chips.

Pure text work (Rich styles and strings, no widget), shared by the passage
list (:mod:`trivselkode.tui.coding.passage_list`) and its tests.
"""

from __future__ import annotations

import re

from rich.style import Style

from trivselkode.domain.undo import CodingFact
from trivselkode.storage.coding_views import CodeInfo, PassageInfo
from trivselkode.tui.common.plain import inert_line

_WORD_RE = re.compile(r"\S+")


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text`` into ``width`` columns, as (start, end) offsets.

    Lines end at explicit newlines; trailing spaces are not part of a line; a
    word longer than the width is cut. Every character of every word lies in
    exactly one line, so styles on offsets carry over to the lines.
    """
    width = max(1, width)
    out: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        end = pos + len(para)
        if len(para) <= width:
            out.append((pos, len(para.rstrip()) + pos))
        else:
            line_start = pos
            line_end = pos
            for m in _WORD_RE.finditer(text, pos, end):
                ws, we = m.start(), m.end()
                if we - line_start <= width:
                    line_end = we
                    continue
                if line_end > line_start:
                    out.append((line_start, line_end))
                line_start = ws
                while we - line_start > width:  # a word longer than a line
                    out.append((line_start, line_start + width))
                    line_start += width
                line_end = we
            out.append((line_start, line_end))
        pos = end + 1
    return out or [(0, 0)]


def chip_style(color: str | None) -> Style:
    bg = color or "#777777"
    try:
        r, g, b = (int(bg[i : i + 2], 16) for i in (1, 3, 5))
        light = (0.299 * r + 0.587 * g + 0.114 * b) > 150
    except ValueError:
        light = False
    return Style(color="#000000" if light else "#ffffff", bgcolor=bg, bold=True)


def chip_label(code: CodeInfo | None, fact: CodingFact, passage: PassageInfo) -> str:
    """`` T1 `` for a whole passage, `` T1 [2–3] `` for sentences 2–3 of it."""
    key = inert_line(code.key) if code else "?"
    if fact.start is None:
        return f" {key} "
    sents = passage.sentence_spans()
    first = next((i for i, (s, e) in enumerate(sents) if e > fact.start), 0) + 1
    last = next((i for i, (s, e) in reversed(list(enumerate(sents))) if s < (fact.end or 0)), len(sents) - 1) + 1
    where = f"{first}" if first == last else f"{first}–{last}"
    return f" {key} [{where}] "
