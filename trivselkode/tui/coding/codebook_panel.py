"""The codebook beside the transcript: codes, counts, suggestions and the highlighted code's definition.

The code list draws its lines itself (Line API), so a toggle redraws the one
line whose count changed rather than the whole list.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from trivselkode.analysis.suggest import Suggestion
from trivselkode.domain.codebook_lang import kind_label
from trivselkode.i18n import N_, _
from trivselkode.storage.coding_views import CodeInfo
from trivselkode.tui.common.dialogs import suggestion_reason, suggestion_score
from trivselkode.tui.common.plain import inert, inert_line

SHOWN_IN_PANEL = 3  # the box is five lines high: the status, three suggestions, the keys


def code_detail(code: CodeInfo, shortcut_active: bool = True) -> Text:
    """The definition, include/exclude and examples of a code, for reading while coding."""
    text = Text()
    text.append(inert_line(code.key), style=Style(bold=True, color=code.color) if code.color else "bold")
    facts = [kind_label(code.kind)] if code.kind else []
    if code.shortcut:
        if shortcut_active:
            facts.append(_("genvej {shortcut}").format(shortcut=code.shortcut))
        else:
            facts.append(_("genvej {shortcut} (optaget af skærmen)").format(shortcut=code.shortcut))
    if facts:
        text.append(" · " + inert_line(" · ".join(facts)), style="dim")
    text.append("\n")
    text.append(inert_line(code.name) + "\n", style="bold")
    if code.description:
        text.append("\n" + inert(code.description.strip()) + "\n")
    if code.characteristics:
        text.append("\n")
        for item in code.characteristics:
            text.append(f"• {inert(item)}\n")
    if code.include:
        text.append("\n" + _("Medtag:") + " ", style="bold")
        text.append(inert(code.include.strip()) + "\n")
    if code.exclude:
        text.append("\n" + _("Udelad:") + " ", style="bold")
        text.append(inert(code.exclude.strip()) + "\n")
    if code.examples:
        text.append("\n" + _("Eksempler:") + "\n", style="bold")
        for ex in code.examples:
            text.append(f"“{inert(ex.strip().strip(chr(34)))}”\n", style="italic")
    return text


def suggestions_text(status: str, suggestions: list[tuple[Suggestion, CodeInfo]] | None, loading: bool) -> Text:
    """The suggestion box: what they are made from, the shown ones (score, why), and the keys.

    Five lines: the status, at most :data:`SHOWN_IN_PANEL` shown suggestions (or
    "Ingen sikre forslag"), and what ``+`` and ``A`` do.
    """
    text = Text(no_wrap=True, overflow="ellipsis")
    head, colon, rest = status.partition(":")
    text.append(head + colon, style="bold")
    text.append(rest)
    if loading:
        text.append("\n" + _("indlæser sprogmodel …"), style="dim")
        return text
    if suggestions is None:
        text.append("\n…", style="dim")
        return text
    shown = [pair for pair in suggestions if pair[0].shown]
    for n, (sug, code) in enumerate(shown[:SHOWN_IN_PANEL], start=1):
        text.append(f"\n{n} ", style="bold")
        text.append(
            f" {inert_line(code.key)} ", style=Style(bgcolor=code.color or "#777777", color="#ffffff", bold=True)
        )
        text.append(f" {suggestion_score(sug)} ")
        text.append(suggestion_reason(sug), style="italic")
    others = len(suggestions) - len(shown)
    if not shown:
        text.append("\n" + _("Ingen sikre forslag"), style="dim")
    keys = [_("+: tag 1")] if shown else []
    if others:
        if shown:
            keys.append(_("A: alle {n}").format(n=len(suggestions)))
        else:
            keys.append(_("A: se {n} usikre").format(n=len(suggestions)))
    elif len(shown) > 1:
        keys.append(_("A: vælg"))
    if keys:
        text.append("\n" + " · ".join(keys), style="dim")
    return text


class CodeList(ScrollView, can_focus=True, inherit_bindings=False):
    """One line per code: shortcut, colour, count here, name (indented by depth)."""

    BINDINGS = [
        Binding("up", "cursor(-1)", N_("Op"), show=False),
        Binding("down", "cursor(1)", N_("Ned"), show=False),
        Binding("pageup", "page(-1)", N_("Side op"), show=False),
        Binding("pagedown", "page(1)", N_("Side ned"), show=False),
        Binding("home", "jump(0)", N_("Første"), show=False),
        Binding("end", "jump(-1)", N_("Sidste"), show=False),
        Binding("enter", "choose", N_("Sæt/fjern koden"), show=False),
    ]

    COMPONENT_CLASSES = {"code-list--cursor", "code-list--plain"}

    DEFAULT_CSS = """
    CodeList {
        overflow-x: hidden;
        overflow-y: auto;
    }
    CodeList > .code-list--cursor { background: $boost; }
    CodeList:focus > .code-list--cursor { background: $accent 35%; }
    CodeList > .code-list--plain { color: $text-muted; }
    """

    @dataclass
    class Highlighted(Message):
        code_id: int

    @dataclass
    class Chosen(Message):
        code_id: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.codes: list[CodeInfo] = []
        self.counts: dict[int, int] = {}
        self.inactive: set[int] = set()
        self.highlighted: int | None = None
        self._strips: dict[int, Strip] = {}
        self._width = 0
        self._styles: dict[str, Style] = {}  # the component styles, until the CSS changes

    def set_codes(self, codes: list[CodeInfo], counts: dict[int, int], inactive: set[int]) -> None:
        self.codes = codes
        self.counts = dict(counts)
        self.inactive = set(inactive)
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(codes))
        if codes and (self.highlighted is None or self.highlighted >= len(codes)):
            self.highlighted = 0
            self.post_message(self.Highlighted(codes[0].id))
        self.refresh()

    def set_counts(self, counts: dict[int, int]) -> None:
        for i, code in enumerate(self.codes):
            if counts.get(code.id, 0) != self.counts.get(code.id, 0):
                self._strips.pop(i, None)
                self.refresh_line(i)
        self.counts = dict(counts)

    def highlight(self, index: int) -> None:
        if not self.codes:
            return
        index = max(0, min(len(self.codes) - 1, index))
        old, self.highlighted = self.highlighted, index
        if old == index:
            return
        for i in (old, index):
            if i is not None:
                self._strips.pop(i, None)
                self.refresh_line(i)
        self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.post_message(self.Highlighted(self.codes[index].id))

    def action_cursor(self, step: int) -> None:
        self.highlight((self.highlighted or 0) + step)

    def action_page(self, direction: int) -> None:
        self.highlight((self.highlighted or 0) + direction * max(1, self.size.height - 1))

    def action_jump(self, index: int) -> None:
        self.highlight(index if index >= 0 else len(self.codes) - 1)

    def action_choose(self) -> None:
        if self.highlighted is not None and self.codes:
            self.post_message(self.Chosen(self.codes[self.highlighted].id))

    def on_click(self, event) -> None:  # noqa: ANN001
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self.codes):
            self.highlight(index)

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self.codes))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"code-list--{name}", partial=True)
        return style

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width or self.size.width
        if width != self._width:
            self._width = width
            self._strips.clear()
        if not (0 <= index < len(self.codes)):
            return Strip.blank(width)
        strip = self._strips.get(index)
        if strip is None:
            strip = self._strips[index] = self._render(index, width)
        return strip

    def _render(self, index: int, width: int) -> Strip:
        code = self.codes[index]
        count = self.counts.get(code.id, 0)
        shortcut = inert_line(code.shortcut) if code.shortcut and code.id not in self.inactive else ""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f"{shortcut:>2} ", style="bold")
        text.append("█ ", style=Style(color=code.color or "#777777"))
        text.append(f"{count:>3} " if count else "    ", style="bold")
        plain = self._style("plain")
        text.append("  " * code.depth + inert_line(code.name), style=plain if not code.shortcut else "")
        text.truncate(width, overflow="ellipsis")
        strip = Strip(list(text.render(self.app.console)), text.cell_len).extend_cell_length(width)
        if index == self.highlighted:
            strip = strip.apply_style(self._style("cursor"))
        return strip.crop(0, width) if strip.cell_length > width else strip


class CodebookPanel(Vertical):
    """Codes with their shortcut and count in this source; Enter toggles the highlighted code."""

    DEFAULT_CSS = """
    CodebookPanel #suggestions {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    @dataclass
    class CodeChosen(Message):
        """Enter on a code in the list: toggle it on the current passage."""

        code_id: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.codes: list[CodeInfo] = []
        self.inactive_shortcuts: set[int] = set()
        self._suggestion_text: Text | None = None
        self._status = _("Forslag")
        self._suggestions: tuple[list[tuple[Suggestion, CodeInfo]] | None, bool] = ([], False)
        self._detail_code: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(_("Kodebog"), classes="panel-title", id="codebook-title")
        yield CodeList(id="code-list")
        yield Static("", id="suggestions")
        with VerticalScroll(id="code-detail-scroll", can_focus=False):
            yield Static("", id="code-detail")

    @property
    def code_list(self) -> CodeList:
        return self.query_one("#code-list", CodeList)

    @property
    def counts(self) -> dict[int, int]:
        return self.code_list.counts

    def set_codes(self, codes: list[CodeInfo], counts: dict[int, int], inactive_shortcuts: set[int]) -> None:
        self.codes = [c for c in codes if not c.retired]
        self.inactive_shortcuts = set(inactive_shortcuts)
        self.code_list.set_codes(self.codes, counts, self.inactive_shortcuts)
        self._show_detail()

    def update_counts(self, counts: dict[int, int]) -> None:
        self.code_list.set_counts(counts)

    def highlight_code(self, code_id: int) -> None:
        for i, code in enumerate(self.codes):
            if code.id == code_id:
                self.code_list.highlight(i)
                return

    @property
    def highlighted_code(self) -> CodeInfo | None:
        index = self.code_list.highlighted
        if index is None or not (0 <= index < len(self.codes)):
            return None
        return self.codes[index]

    def show_status(self, status: str) -> None:
        """What the suggestions are made from (``Forslag: lært af 817 kodede udsagn``), their first line."""
        if status != self._status:
            self._status = status
            self._draw_suggestions()

    def show_suggestions(self, suggestions: list[tuple[Suggestion, CodeInfo]] | None, *, loading: bool = False) -> None:
        """The passage's suggestions, shown ones first (``None``: not known yet)."""
        self._suggestions = (suggestions, loading)
        self._draw_suggestions()

    def _draw_suggestions(self) -> None:
        text = suggestions_text(self._status, *self._suggestions)
        if text != self._suggestion_text:  # the box has a fixed height: no layout needed
            self._suggestion_text = text
            self.query_one("#suggestions", Static).update(text, layout=False)

    def _show_detail(self) -> None:
        code = self.highlighted_code
        if code is None or code.id == self._detail_code:
            return
        self._detail_code = code.id
        self.query_one("#code-detail", Static).update(code_detail(code, code.id not in self.inactive_shortcuts))
        self.query_one("#code-detail-scroll", VerticalScroll).scroll_home(animate=False)

    @on(CodeList.Highlighted)
    def _highlighted(self, event: CodeList.Highlighted) -> None:
        event.stop()
        self._show_detail()

    @on(CodeList.Chosen)
    def _chosen(self, event: CodeList.Chosen) -> None:
        event.stop()
        self.post_message(self.CodeChosen(event.code_id))
