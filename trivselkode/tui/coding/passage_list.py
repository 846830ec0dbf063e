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
from trivselkode.i18n import _
from trivselkode.storage.coding_views import CodeInfo, PassageInfo, SourceView
from trivselkode.tui.coding.passage_text import chip_label, chip_style, wrap_offsets
from trivselkode.tui.common.plain import inert, inert_line
from trivselkode.tui.common.wrapping import wrap_pieces

__all__ = ["INDENT", "PassageList", "chip_label", "wrap_offsets"]

INDENT = 6  # the gutter marker, a 4-column number and a space
SCROLL_MARGIN = 3  # lines kept in view above and below the cursor's passage


@dataclass
class _Layout:
    header_chips: bool  # chips fit on the header line
    wraps: list[tuple[int, int]]
    others: int  # lines of the other coders' codings (0: not shown)
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
        self._follow: int | None = None  # the offset of the selection kept in view (the end that moved)
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
        self._chip_styles = {c.id: chip_style(c.color) for c in view.codes}
        self.cursor = cursor
        self.selection = None
        self._relayout()
        self.call_after_refresh(self.scroll_to_cursor, True)

    def set_codes(self, codes: list[CodeInfo]) -> None:
        """The codebook changed (a code was made while coding): redraw the chips."""
        self._codes = {c.id: c for c in codes}
        self._chip_styles = {c.id: chip_style(c.color) for c in codes}
        self._strips.clear()
        self.refresh()

    def set_cursor(self, index: int, *, center: bool = False, at_end: bool = False) -> None:
        old = self.cursor
        self.cursor = index
        self.selection = None
        self._follow = None
        self.invalidate(old)
        self.invalidate(index)
        self.scroll_to_cursor(center, at_end=at_end)

    def set_show_others(self, show: bool) -> None:
        self.show_others = show
        self._relayout()

    def set_selection(self, selection: tuple[int, int] | None) -> None:
        """Show the span being narrowed; the end that moved (the start, else the end) stays in view."""
        old, self.selection = self.selection, selection
        if selection is None:
            self._follow = None
        elif old is not None and selection[0] != old[0]:
            self._follow = selection[0]
        else:
            self._follow = max(selection[0], selection[1] - 1)
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
        others = len(self._others_lines(index, width)) if self.show_others and self.view.others.get(p.id) else 0
        height = 1 + (0 if header_chips else 1) + len(wraps) + others + 1
        return _Layout(header_chips, wraps, others, height)

    def _others_lines(self, index: int, width: int) -> list[Text]:
        """The other coders' codings of a passage: a coder and their chips stay together, the line wraps between coders."""
        p = self.view.passages[index]
        by_coder: dict[str, list[CodingFact]] = {}
        for coder, fact in self.view.others.get(p.id, ()):
            by_coder.setdefault(coder, []).append(fact)
        # A coder's name travels with their first chip; further chips may go to the next line.
        pieces: list[Text] = []
        for n, (coder, facts) in enumerate(sorted(by_coder.items())):
            if n:
                pieces[-1].append(" ·", style=self._style("others"))
            for i, fact in enumerate(facts):
                piece = Text(inert_line(coder) + " ", style=self._style("others")) if i == 0 else Text()
                code = self._codes.get(fact.code_id)
                piece.append(chip_label(code, fact, p), style=self._chip_styles.get(fact.code_id, Style()))
                pieces.append(piece)
        return wrap_pieces(
            pieces, max(10, width - INDENT - 1), first=Text(_("andre:") + " ", style=self._style("others"))
        )

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

    def scroll_to_cursor(self, center: bool = False, *, at_end: bool = False) -> None:
        """Bring the cursor's passage into view; of a passage taller than the view, the part being read.

        A tall passage keeps the place the reader paged to (:meth:`page_within`),
        and the moving end of a selection in it stays in view; ``at_end`` shows
        its last lines (arriving from below).
        """
        if not self._layouts:
            return
        region = self.block_region(self.cursor)
        view_h = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        if region.height > view_h:
            target = self._tall_target(region, view_h, top, center=center, at_end=at_end)
            if target is None:
                return
        else:
            # Keep a little of the neighbours in view (like vim's scrolloff), when there is room.
            margin = min(SCROLL_MARGIN, max(0, (view_h - region.height) // 2))
            if center:
                target = max(0, region.y - view_h // 3)
            elif region.y - margin < top:
                target = max(0, region.y - margin)
            elif region.bottom + margin > top + view_h:
                target = region.bottom + margin - view_h
            else:
                return
        self.scroll_to(y=target, animate=False, immediate=True)

    def _tall_bounds(self, region: Region, view_h: int) -> tuple[int, int]:
        """The scroll offsets showing a tall passage's first lines and its last lines."""
        return max(0, region.y - 1), region.bottom + 1 - view_h

    def _tall_target(self, region: Region, view_h: int, top: int, *, center: bool, at_end: bool) -> int | None:
        first, last = self._tall_bounds(region, view_h)
        if self.selection is not None and self._follow is not None:
            line = region.y + self.row_of(self.cursor, self._follow)
            if line < top + 1:
                return max(first, line - 1)
            if line > top + view_h - 2:
                return min(last, line - view_h + 2)
            return None
        if at_end:
            return last
        if center or not (first <= top <= last):
            return first
        return None  # the view is on the passage: the reader's place is kept

    def page_within(self, direction: int) -> bool:
        """Page the cursor's passage down (1) or up (-1) if it is taller than the view and not at its end."""
        if not self._layouts:
            return False
        region = self.block_region(self.cursor)
        view_h = max(1, self.scrollable_content_region.height)
        if region.height <= view_h:
            return False
        first, last = self._tall_bounds(region, view_h)
        top = int(self.scroll_offset.y)
        page = max(1, view_h - 2)
        if direction > 0 and top < last:
            target = min(last, top + page)
        elif direction < 0 and top > first:
            target = max(first, top - page)
        else:
            return False
        self.scroll_to(y=target, animate=False, immediate=True)
        return True

    def row_of(self, index: int, offset: int) -> int:
        """The line of passage ``index``'s block that shows character ``offset`` of its text."""
        layout = self._layouts[index]
        head = 1 if layout.header_chips else 2
        starts = [s for s, _e in layout.wraps]
        return head + max(0, bisect_right(starts, offset) - 1)

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
            for piece_line in self._others_lines(index, width):
                row = Text(no_wrap=True, overflow="ellipsis")
                row.append_text(marker)
                row.append(" " * (INDENT - 1))
                row.append_text(piece_line)
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
            text.append(chip_label(code, fact, p), style=self._chip_styles.get(fact.code_id, chip_style(None)))
        return text
