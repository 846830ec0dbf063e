"""Theme frequencies as horizontal bars drawn with block characters: capped in height and scrollable.

The first line (what the bars count) stays put; the bars below it scroll
(↑ ↓ PgUp PgDn Home End when focused, the mouse wheel). The widget draws
only the lines in view (Textual's Line API), so a codebook of 10,000 themes
costs what seven do, and its height is capped by the stylesheet
(``#themes`` in app.tcss), so the sources list above it always keeps rows.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from trivselkode.analysis.overview_counts import ThemeCount
from trivselkode.i18n import _
from trivselkode.tui.common.plain import inert_line

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: int, maximum: int, width: int) -> str:
    """A bar of ``width`` cells for ``value`` of ``maximum``, in eighths of a cell."""
    if maximum <= 0 or width <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


class ThemeBars(ScrollView, can_focus=True):
    """A heading line, then one line per theme: key, name, a bar and the count."""

    DEFAULT_CSS = """
    ThemeBars {
        height: auto;
        padding: 0 1;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.themes: list[ThemeCount] = []
        self.label = ""
        self.loaded = False  # nothing is said of the codebook until the counts have come
        self._top = 0
        self._key_w = self._num_w = 0

    def set_counts(self, themes: list[ThemeCount], label: str) -> None:
        self.themes = themes
        self.label = label
        self.loaded = True
        self._top = max((t.passages for t in themes), default=0)
        self._key_w = max((len(t.key) for t in themes), default=0)  # inert_line keeps lengths
        self._num_w = max((len(str(t.passages)) for t in themes), default=0)
        self.virtual_size = Size(0, 1 + max(1, len(themes)))
        self.refresh(layout=True)

    def lines_in_view(self) -> list[str]:
        """The lines shown now, as plain text (what a test or a screen reader reads)."""
        return [self.render_line(y).text.rstrip() for y in range(self.scrollable_content_region.height)]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + max(1, len(self.themes))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or 80
        if y == 0:
            text = self._heading(width)
        elif not self.themes:
            text = (
                Text(_("(ingen temaer i kodebogen)") if self.loaded else _("tæller …"), style="dim")
                if y == 1
                else Text()
            )
        else:
            index = round(self.scroll_offset.y) + y - 1
            text = self._theme_line(self.themes[index], width) if 0 <= index < len(self.themes) else Text()
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, self.rich_style).apply_style(self.rich_style)

    def _heading(self, width: int) -> Text:
        label = inert_line(self.label)
        label = label if len(label) <= width else label[: max(0, width - 1)] + "…"
        return Text(label, style="bold", no_wrap=True)

    def _theme_line(self, theme: ThemeCount, width: int) -> Text:
        name_w = max(10, min(34, width // 3))
        bar_w = max(5, width - self._key_w - name_w - self._num_w - 4)
        name = inert_line(theme.name)
        name = name if len(name) <= name_w else name[: name_w - 1] + "…"
        text = Text(no_wrap=True)
        text.append(f"{inert_line(theme.key):<{self._key_w}} ", style="bold")
        text.append(f"{name:<{name_w}} ", style="dim")
        drawn = bar(theme.passages, self._top, bar_w)
        text.append(drawn, style=Style(color=theme.color or "#6fa8dc"))
        text.append(" " * (bar_w - len(drawn)) + f" {theme.passages:>{self._num_w}}")
        return text
