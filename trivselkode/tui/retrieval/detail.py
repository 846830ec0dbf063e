"""The highlighted row of Udtræk in full: where it is from, who coded it, its context and memos."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.strip import Strip
from textual.widget import Widget

from trivselkode.analysis.attributes import setting_line
from trivselkode.analysis.retrieval import Segment, context
from trivselkode.i18n import N_, _, ngettext
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.tui.common.plain import inert, inert_line
from trivselkode.tui.retrieval.segment_list import chip_style, speaker_line

CONTEXT_CHARS = 400
_CODED = Style(bold=True, underline=True)


def detail(segment: Segment | None, mine: Sequence[CodeInfo], coder: str) -> Group | Text:
    """The row in full, or a hint when there is none."""
    if segment is None:
        return Text(_("Ingen række valgt."), style="dim")
    s = segment
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(
        inert_line(
            _("{source} · udsagn {number} · {speaker}").format(
                source=s.source, number=s.number, speaker=speaker_line(s)
            )
        ),
        style="bold",
    )
    where = setting_line(s.attrs)
    if where:
        head.append(" · " + inert_line(where), style="dim")

    facts = Text(no_wrap=True, overflow="ellipsis")
    facts.append(
        inert_line(_("{code} kodet af {coders}").format(code=s.code, coders=", ".join(s.coders))), style="italic"
    )
    if s.start is not None:
        facts.append(_(" · udsnit, tegn {start}–{end}").format(start=s.start, end=s.end), style="italic")
    if s.starred_by:
        facts.append(" · ★ " + inert_line(", ".join(s.starred_by)), style=Style(color="yellow"))
    facts.append(_(" · dine koder ({coder}): ").format(coder=inert_line(coder)), style="dim")
    if mine:
        for code in mine:
            facts.append(f" {inert_line(code.key)} ", style=chip_style(code.color))
            facts.append(" ")
    else:
        facts.append(_("ingen koder"), style="dim")

    before, after = context(s, CONTEXT_CHARS)
    body = Text()
    if before:
        body.append(inert(before), style="dim italic")
        body.append("\n" if s.start is None else " ")
    body.append(inert(s.text.strip()), style=_CODED)
    if after:
        body.append("\n" if s.start is None else " ")
        body.append(inert(after), style="dim italic")
    parts: list[Text] = [head, facts, body]
    for who, text in s.memos:
        memo = Text()
        memo.append(f"✎ {inert_line(who)}: ", style="bold")
        memo.append(inert(text))
        parts.append(memo)
    return Group(*parts)


class DetailView(Widget, can_focus=True):
    """The row in full, in the lines it fits; ↑ ↓ PgUp PgDn Home End scroll it when it has focus.

    A line widget with its own offset rather than a scroll box: showing another
    row changes no layout, so moving down the rows redraws this box alone.
    """

    BINDINGS = [
        Binding("down", "scroll_by(1)", N_("Ned"), show=False),
        Binding("up", "scroll_by(-1)", N_("Op"), show=False),
        Binding("pagedown", "scroll_by(0, 1)", N_("Side ned"), show=False),
        Binding("pageup", "scroll_by(0, -1)", N_("Side op"), show=False),
        Binding("home", "scroll_by(-1000000)", N_("Først"), show=False),
        Binding("end", "scroll_by(1000000)", N_("Sidst"), show=False),
    ]

    DEFAULT_CSS = """
    DetailView { padding: 0 1; }
    DetailView:focus { background: $boost; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._content: RenderableType = Text("")
        self._lines: list[Strip] | None = None
        self._width = 0
        self.offset_y = 0

    def show(self, content: RenderableType) -> None:
        self._content = content
        self._lines = None
        self.offset_y = 0
        self.refresh()

    @property
    def line_count(self) -> int:
        return len(self._strips())

    def _strips(self) -> list[Strip]:
        width = max(1, self.content_region.width)
        if self._lines is None or width != self._width:
            console = self.app.console
            rendered = console.render_lines(self._content, console.options.update_width(width), pad=False)
            self._lines = [Strip(line).crop_extend(0, width, None) for line in rendered]
            self._width = width
        return self._lines

    def action_scroll_by(self, lines: int, pages: int = 0) -> None:
        height = max(1, self.content_region.height)
        step = lines + pages * max(1, height - 1)
        top = max(0, min(self.offset_y + step, self.line_count - height))
        if top != self.offset_y:
            self.offset_y = top
            self.refresh()

    def render_line(self, y: int) -> Strip:
        lines = self._strips()
        height = self.content_region.height
        index = self.offset_y + y
        if y == height - 1 and index < len(lines) - 1:  # more below: say so on the last line
            more = ngettext(
                " ▼ {n} linje mere (Tab, så ↓)", " ▼ {n} linjer mere (Tab, så ↓)", len(lines) - index
            ).format(n=len(lines) - index)
            return Strip(list(Text(more, style="dim italic").render(self.app.console))).crop_extend(
                0, self._width, None
            )
        return lines[index] if index < len(lines) else Strip.blank(self._width)
