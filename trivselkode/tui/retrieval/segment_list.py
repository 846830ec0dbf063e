"""The rows of a retrieval as a virtualised list (Textual's Line API), three lines a row.

One widget draws every row: rows have a fixed height, so the row under a
line is a division, and :meth:`render_line` draws only the lines on screen
from a small cache of strips per row. 10,000 rows open and scroll like 10::

    ▌ holstebro-1 #14  P1 · Kvinde, 67 år, Holstebro · anne, bo ★ ✎   T3  B.social
    ▌   Det coded text, flattened to one paragraph and wrapped over two lines,
    ▌   cut with an ellipsis where it does not fit …

The screen owns the rows and the cursor and tells the list what to draw;
the list posts :class:`SegmentList.Clicked` and never changes data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment as RichSegment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trivselkode.analysis import attributes
from trivselkode.analysis.retrieval import Segment
from trivselkode.i18n import _
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.tui.common.plain import inert_line

ROW_HEIGHT = 3
INDENT = 4
_CACHE_ROWS = 400  # rows of strips kept (a few screens' worth)


def chip_style(color: str | None) -> Style:
    """A code's chip: its colour as background, black or white text (whichever reads)."""
    bg = color or "#777777"
    try:
        r, g, b = (int(bg[i : i + 2], 16) for i in (1, 3, 5))
        light = (0.299 * r + 0.587 * g + 0.114 * b) > 150
    except ValueError:
        light = False
    return Style(color="#000000" if light else "#ffffff", bgcolor=bg, bold=True)


def speaker_line(segment: Segment) -> str:
    """``P1 · Kvinde, 67 år, Holstebro``."""
    return attributes.speaker_line(segment.speaker, segment.attrs)


def two_lines(text: str, width: int) -> list[str]:
    """``text`` flattened and wrapped into at most two lines of ``width``, the second cut with ``…``."""
    flat = " ".join(text.split())
    width = max(4, width)
    if len(flat) <= width:
        return [flat]
    cut = flat.rfind(" ", 0, width + 1)
    first = flat[: cut if cut > width // 2 else width].rstrip()
    rest = flat[len(first) :].lstrip()
    if len(rest) > width:
        rest = rest[: width - 1].rstrip() + "…"
    return [first, rest]


class SegmentList(ScrollView, can_focus=True, inherit_bindings=False):
    """Every row of a retrieval, drawn line by line."""

    COMPONENT_CLASSES = {
        "segment-list--cursor",
        "segment-list--marker",
        "segment-list--source",
        "segment-list--meta",
        "segment-list--coders",
        "segment-list--interviewer",
        "segment-list--star",
        "segment-list--span",
    }

    DEFAULT_CSS = """
    SegmentList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;  /* always there, so the width never changes under it */
    }
    SegmentList > .segment-list--cursor { background: $boost; }
    SegmentList:focus > .segment-list--cursor { background: $accent 15%; }
    SegmentList > .segment-list--marker { color: $accent; }
    SegmentList > .segment-list--source { text-style: bold; }
    SegmentList > .segment-list--meta { color: $text-muted; }
    SegmentList > .segment-list--coders { color: $text-muted; text-style: italic; }
    SegmentList > .segment-list--interviewer { color: $text-disabled; }
    SegmentList > .segment-list--star { color: $warning; }
    SegmentList > .segment-list--span { color: $text-muted; text-style: italic; }
    """

    @dataclass
    class Clicked(Message):
        """The user clicked a row (by index)."""

        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: Sequence[Segment] = ()
        self.cursor = 0
        self._mine: Callable[[int], Sequence[CodeInfo]] = lambda _pid: ()
        self._strips: dict[int, list[Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._width = 0

    # ------------------------------------------------------------------ data

    def set_rows(self, rows: Sequence[Segment], cursor: int, mine: Callable[[int], Sequence[CodeInfo]]) -> None:
        """Show these rows, the cursor on row ``cursor``; ``mine(passage_id)``: the coder's codes there."""
        old_rows, old_cursor = self.rows, self.cursor
        self.rows = rows
        self._mine = mine
        self.cursor = max(0, min(cursor, len(rows) - 1))
        width = self._content_width()
        if width != self._width:
            self._strips.clear()
            self._width = width
        # Keep the strips of rows that are the same row at the same place (a recoding redraws its own row).
        for index in list(self._strips):
            if index >= len(rows) or index >= len(old_rows) or rows[index] is not old_rows[index]:
                del self._strips[index]
        self._strips.pop(old_cursor, None)
        self._strips.pop(self.cursor, None)
        self.virtual_size = Size(self._width, len(rows) * ROW_HEIGHT)  # a layout only when the count changed
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor)

    def set_cursor(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        old, self.cursor = self.cursor, index
        self._strips.pop(old, None)
        self._strips.pop(index, None)
        self.scroll_to_cursor()  # a scroll redraws what it shows
        self._refresh_row(old)
        self._refresh_row(index)

    def _refresh_row(self, index: int) -> None:
        """Redraw only the lines of one row, if it is on screen."""
        top = index * ROW_HEIGHT - int(self.scroll_offset.y)
        if -ROW_HEIGHT < top < self.size.height:
            self.refresh(Region(0, max(0, top), self.size.width, ROW_HEIGHT + min(0, top)))

    def _content_width(self) -> int:
        return max(20, self.scrollable_content_region.width or self.size.width or 80)

    def on_resize(self) -> None:
        width = self._content_width()
        if width != self._width:
            self._width = width
            self._strips.clear()
            self.virtual_size = Size(width, len(self.rows) * ROW_HEIGHT)
            self.refresh()
        self.call_after_refresh(self.scroll_to_cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    # -------------------------------------------------------------- geometry

    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_HEIGHT)

    def scroll_to_cursor(self) -> None:
        if not self.rows:
            return
        top = self.cursor * ROW_HEIGHT
        view_h = max(ROW_HEIGHT, self.scrollable_content_region.height)
        y = int(self.scroll_offset.y)
        if top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + ROW_HEIGHT > y + view_h:
            self.scroll_to(y=top + ROW_HEIGHT - view_h, animate=False, immediate=True)

    def on_click(self, event) -> None:  # noqa: ANN001
        index = (int(self.scroll_offset.y) + event.y) // ROW_HEIGHT
        if 0 <= index < len(self.rows):
            self.post_message(self.Clicked(index))

    # ------------------------------------------------------------- rendering

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"segment-list--{name}", partial=True)
        return style

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        width = self._width or self._content_width()
        index, row = divmod(line, ROW_HEIGHT)
        if not (0 <= index < len(self.rows)):
            return Strip.blank(width)
        strips = self._strips.get(index)
        if strips is None:
            if len(self._strips) > _CACHE_ROWS:
                self._strips.clear()
            strips = self._strips[index] = self._render_row(index, width)
        return strips[row]

    def _render_row(self, index: int, width: int) -> list[Strip]:
        s = self.rows[index]
        is_cursor = index == self.cursor
        dim = self._style("interviewer") if s.is_interviewer else Style()
        marker = Text("▌ " if is_cursor else "  ", style=self._style("marker"))
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append_text(marker)
        header.append(inert_line(s.source), style=self._style("source") + dim)
        header.append(f" #{s.number}  ", style=self._style("source") + dim)
        header.append(inert_line(speaker_line(s)), style=self._style("meta") + dim)
        if s.coders:
            header.append(" · " + inert_line(", ".join(s.coders)), style=self._style("coders"))
        if s.is_span:
            header.append(_(" · udsnit"), style=self._style("span"))
        if s.starred_by:
            header.append(" ★", style=self._style("star"))
        if s.memos:
            header.append(" ✎", style=self._style("meta"))
        mine = self._mine(s.passage_id)
        if mine:
            header.append("  ")
            for code in mine:
                header.append(f" {inert_line(code.key)} ", style=chip_style(code.color))
                header.append(" ")
        lines = [header]
        for part in two_lines(s.text, width - INDENT - 1):
            body = Text(no_wrap=True, overflow="ellipsis")
            body.append_text(marker)
            body.append(" " * (INDENT - 2))
            body.append(inert_line(part), style=dim)
            lines.append(body)
        console = self.app.console
        base = self._style("cursor") if is_cursor else None
        strips = []
        for text in lines:
            strip = Strip(list(text.render(console))).crop_extend(0, width, None)
            strips.append(strip.apply_style(base) if base is not None else strip)
        while len(strips) < ROW_HEIGHT:
            strip = Strip([RichSegment(" " * width)], width)
            strips.append(strip.apply_style(base) if base is not None else strip)
        return strips
