"""The passages of one source as a virtualised list (Textual's Line API).

One widget draws every passage: it keeps the wrapped layout of each
passage (line offsets into its text) and the start line of each block, and
:meth:`render_line` draws only the lines on screen, from a cache of strips
per passage. A 3,000-passage source scrolls like a 30-passage one; a change
re-renders one passage.

A passage block::

    ▌  12 P1 · Kvinde, 67 år, Holstebro ★ ✎   T1  B.social
    ▌     Wrapped text of the passage, indented under the number, with
    ▌     search matches and the span being narrowed highlighted.
    ▌     andre: bo T1 T3                        (only when shown)
                                                 (a blank line between blocks)

The screen owns the state (cursor, codings, modes) and tells the list what
to draw; the list posts :class:`PassageList.Clicked` and never changes data.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trivselkode.domain.undo import CodingFact
from trivselkode.storage.coding_views import CodeInfo, PassageInfo, SourceView
from trivselkode.tui.common.plain import inert, inert_line

INDENT = 6  # the gutter marker, a 4-column number and a space
SCROLL_MARGIN = 3  # lines kept in view above and below the cursor's passage
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


def _chip_style(color: str | None) -> Style:
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


@dataclass
class _Layout:
    header_chips: bool  # chips fit on the header line
    wraps: list[tuple[int, int]]
    others: bool
    height: int


class PassageList(ScrollView, can_focus=True, inherit_bindings=False):
    """All passages of a source, drawn line by line."""

    COMPONENT_CLASSES = {
        "passage-list--cursor",
        "passage-list--marker",
        "passage-list--number",
        "passage-list--speaker",
        "passage-list--meta",
        "passage-list--interviewer",
        "passage-list--selection",
        "passage-list--match",
        "passage-list--span",
        "passage-list--others",
        "passage-list--star",
    }

    DEFAULT_CSS = """
    PassageList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;  /* always there, so the wrap width never changes under it */
    }
    PassageList > .passage-list--cursor { background: $boost; }
    PassageList:focus > .passage-list--cursor { background: $accent 15%; }
    PassageList > .passage-list--marker { color: $accent; }
    PassageList > .passage-list--number { color: $text-muted; }
    PassageList > .passage-list--speaker { text-style: bold; }
    PassageList > .passage-list--meta { color: $text-muted; }
    PassageList > .passage-list--interviewer { color: $text-disabled; }
    PassageList > .passage-list--selection { background: $warning 45%; text-style: bold; }
    PassageList > .passage-list--match { background: $success 40%; }
    PassageList > .passage-list--span { text-style: underline; }
    PassageList > .passage-list--others { color: $text-muted; text-style: italic; }
    PassageList > .passage-list--star { color: $warning; }
    """

    @dataclass
    class Clicked(Message):
        """The user clicked a passage (by index)."""

        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.view: SourceView | None = None
        self.cursor = 0
        self.show_others = False
        self.selection: tuple[int, int] | None = None  # char offsets in the cursor passage
        self.needle = ""
        self._codes: dict[int, CodeInfo] = {}
        self._layouts: list[_Layout] = []
        self._tops: list[int] = []  # first line of each block
        self._total = 0
        self._width = 0
        self._strips: dict[int, list[Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._chip_styles: dict[int, Style] = {}

    # ------------------------------------------------------------------ data

    def set_view(self, view: SourceView, cursor: int) -> None:
        """Show a (re)loaded source with the cursor on passage ``cursor``."""
        self.view = view
        self._codes = view.codes_by_id
        self._chip_styles = {c.id: _chip_style(c.color) for c in view.codes}
        self.cursor = cursor
        self.selection = None
        self._relayout()
        self.call_after_refresh(self.scroll_to_cursor, True)

    def set_cursor(self, index: int, *, center: bool = False) -> None:
        old = self.cursor
        self.cursor = index
        self.selection = None
        self.invalidate(old)
        self.invalidate(index)
        self.scroll_to_cursor(center)

    def set_show_others(self, show: bool) -> None:
        self.show_others = show
        self._relayout()

    def set_selection(self, selection: tuple[int, int] | None) -> None:
        self.selection = selection
        self.invalidate(self.cursor)
        self.scroll_to_cursor()

    def set_query(self, query: str) -> None:
        if query != self.needle:
            self.needle = query
            self._strips.clear()
            self.refresh()

    def invalidate(self, index: int) -> None:
        """Passage ``index`` changed (codings, star, memo): re-layout and redraw it."""
        if not self.view or not (0 <= index < len(self._layouts)):
            return
        self._strips.pop(index, None)
        layout = self._layout(index, self._width)
        if layout.height != self._layouts[index].height:
            self._layouts[index] = layout
            self._retop()
            self.refresh()  # everything below moved
        else:
            self._layouts[index] = layout
            self._refresh_block(index)

    def _refresh_block(self, index: int) -> None:
        """Redraw only the lines of one passage, if any of them is on screen."""
        top = self._tops[index] - int(self.scroll_offset.y)
        height = self._layouts[index].height
        if top + height <= 0 or top >= self.size.height:
            return
        self.refresh(Region(0, max(0, top), self.size.width, height + min(0, top)))

    # ---------------------------------------------------------------- layout

    def _content_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def _relayout(self) -> None:
        self._width = self._content_width()
        self._strips.clear()
        if self.view is None:
            self._layouts = []
        else:
            self._layouts = [self._layout(i, self._width) for i in range(len(self.view.passages))]
        self._retop()
        self.refresh()

    def _retop(self) -> None:
        heights = [layout.height for layout in self._layouts]
        self._tops = [0, *accumulate(heights)][:-1] if heights else []
        self._total = sum(heights)
        self.virtual_size = Size(self._width, self._total)

    def _header_width(self, index: int) -> int:
        p = self.view.passages[index]
        width = INDENT + len(p.label)
        attrs = p.describe_speaker()
        if attrs:
            width += 3 + len(attrs)
        if p.id in self.view.stars:
            width += 2
        if p.id in self.view.memos:
            width += 2
        return width

    def _chips_width(self, index: int) -> int:
        p = self.view.passages[index]
        facts = self.view.mine.get(p.id, ())
        return sum(len(chip_label(self._codes.get(f.code_id), f, p)) + 1 for f in facts)

    def _layout(self, index: int, width: int) -> _Layout:
        p = self.view.passages[index]
        wraps = wrap_offsets(p.text, max(10, width - INDENT - 1))
        chips = self._chips_width(index)
        header_chips = not chips or self._header_width(index) + 2 + chips <= width
        others = self.show_others and bool(self.view.others.get(p.id))
        height = 1 + (0 if header_chips else 1) + len(wraps) + (1 if others else 0) + 1
        return _Layout(header_chips, wraps, others, height)

    def on_resize(self) -> None:
        if self.view is not None and self._content_width() != self._width:
            self._relayout()
            self.call_after_refresh(self.scroll_to_cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    # -------------------------------------------------------------- geometry

    def block_region(self, index: int) -> Region:
        """The lines of passage ``index`` (virtual coordinates, without the blank line)."""
        if not (0 <= index < len(self._layouts)):
            return Region(0, 0, self._width, 1)
        return Region(0, self._tops[index], self._width, max(1, self._layouts[index].height - 1))

    def scroll_to_cursor(self, center: bool = False) -> None:
        if not self._layouts:
            return
        region = self.block_region(self.cursor)
        view_h = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        # Keep a little of the neighbours in view (like vim's scrolloff), when there is room.
        margin = min(SCROLL_MARGIN, max(0, (view_h - region.height) // 2))
        if center:
            target = max(0, region.y - view_h // 3)
        elif region.height > view_h or region.y - margin < top:
            target = max(0, region.y - margin)
        elif region.bottom + margin > top + view_h:
            target = region.bottom + margin - view_h
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def index_at_line(self, y: int) -> int | None:
        if not self._tops or y < 0 or y >= self._total:
            return None
        return bisect_right(self._tops, y) - 1

    def on_click(self, event) -> None:  # noqa: ANN001
        index = self.index_at_line(int(self.scroll_offset.y) + event.y)
        if index is not None:
            self.post_message(self.Clicked(index))

    # ------------------------------------------------------------- rendering

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"passage-list--{name}", partial=True)
        return style

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        width = self._width or self._content_width()
        index = self.index_at_line(line)
        if index is None or self.view is None:
            return Strip.blank(width)
        strips = self._strips.get(index)
        if strips is None:
            strips = self._strips[index] = self._render_block(index, width)
        row = line - self._tops[index]
        return strips[row] if row < len(strips) else Strip.blank(width)

    def _render_block(self, index: int, width: int) -> list[Strip]:
        view = self.view
        p = view.passages[index]
        layout = self._layouts[index]
        is_cursor = index == self.cursor
        interviewer = p.is_interviewer
        dim = self._style("interviewer") if interviewer else Style()
        marker = Text("▌" if is_cursor else " ", style=self._style("marker"))
        lines: list[Text] = []

        header = Text(no_wrap=True, overflow="ellipsis")
        header.append_text(marker)
        header.append(f"{p.number:>4} ", style=self._style("number") + dim)
        header.append(inert_line(p.label), style=self._style("speaker") + dim)
        attrs = p.describe_speaker()
        if attrs:
            header.append(" · " + inert_line(attrs), style=self._style("meta") + dim)
        if p.id in view.stars:
            header.append(" ★", style=self._style("star"))
        if p.id in view.memos:
            header.append(" ✎", style=self._style("meta"))
        chips = self._chips(p)
        if chips and layout.header_chips:
            header.append("  ")
            header.append_text(chips)
        lines.append(header)
        if chips and not layout.header_chips:
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append_text(marker)
            row.append(" " * (INDENT - 1))
            row.append_text(chips)
            lines.append(row)

        # Shown inert, one character for one, so the offsets of spans, matches and the selection hold;
        # a tab is a space here (the lines are drawn as they are, and a tab would move the terminal's cursor).
        body = Text(inert(p.text).replace("\t", " "), style=dim)
        for fact in view.mine.get(p.id, ()):
            if fact.start is not None and is_cursor:
                body.stylize(self._style("span"), fact.start, fact.end)
        if self.needle:
            needle = self.needle.casefold()
            hay = p.text.casefold()
            if len(hay) == len(p.text):  # offsets are safe to reuse
                start = hay.find(needle)
                while start != -1 and needle:
                    body.stylize(self._style("match"), start, start + len(needle))
                    start = hay.find(needle, start + len(needle))
        if is_cursor and self.selection is not None:
            body.stylize(self._style("selection"), *self.selection)
        for s, e in layout.wraps:
            row = Text(no_wrap=True, overflow="crop")
            row.append_text(marker)
            row.append(" " * (INDENT - 1))
            row.append_text(body[s:e])
            lines.append(row)

        if layout.others:
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append_text(marker)
            row.append(" " * (INDENT - 1))
            row.append("andre: ", style=self._style("others"))
            by_coder: dict[str, list[CodingFact]] = {}
            for coder, fact in view.others.get(p.id, ()):
                by_coder.setdefault(coder, []).append(fact)
            for n, (coder, facts) in enumerate(sorted(by_coder.items())):
                if n:
                    row.append(" · ", style=self._style("others"))
                row.append(inert_line(coder) + " ", style=self._style("others"))
                for fact in facts:
                    code = self._codes.get(fact.code_id)
                    row.append(chip_label(code, fact, p), style=self._chip_styles.get(fact.code_id, Style()))
                    row.append(" ")
            lines.append(row)

        console = self.app.console
        base = self._style("cursor") if is_cursor else Style()
        strips = []
        for text in lines:
            segments = list(text.render(console))
            strip = Strip(segments).crop_extend(0, width, None)
            if is_cursor:
                strip = strip.apply_style(base)
            strips.append(strip)
        strips.append(Strip([Segment(" " * width)], width))
        return strips

    def _chips(self, p: PassageInfo) -> Text | None:
        facts = self.view.mine.get(p.id, ())
        if not facts:
            return None
        text = Text(no_wrap=True)
        for n, fact in enumerate(facts):
            if n:
                text.append(" ")
            code = self._codes.get(fact.code_id)
            text.append(chip_label(code, fact, p), style=self._chip_styles.get(fact.code_id, _chip_style(None)))
        return text
