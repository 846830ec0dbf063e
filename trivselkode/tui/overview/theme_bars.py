"""Theme frequencies as horizontal bars drawn with block characters."""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from trivselkode.analysis.frequencies import ThemeCount
from trivselkode.tui.common.plain import inert_line

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: int, maximum: int, width: int) -> str:
    """A bar of ``width`` cells for ``value`` of ``maximum``, in eighths of a cell."""
    if maximum <= 0 or width <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


class ThemeBars(Widget):
    """One line per theme: key, name, a bar and the count."""

    DEFAULT_CSS = """
    ThemeBars {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.themes: list[ThemeCount] = []
        self.label = ""
        self.loaded = False  # nothing is said of the codebook until the counts have come

    def set_counts(self, themes: list[ThemeCount], label: str) -> None:
        self.themes = themes
        self.label = label
        self.loaded = True
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:  # noqa: ANN001
        return 1 + max(1, len(self.themes))

    def render(self) -> RenderableType:
        width = self.content_region.width or 80
        text = Text(no_wrap=True, overflow="ellipsis")
        label = inert_line(self.label)
        label = label if len(label) <= width else label[: max(0, width - 1)] + "…"
        text.append(label + "\n", style="bold")
        if not self.themes:
            text.append("(ingen temaer i kodebogen)" if self.loaded else "tæller …", style="dim")
            return text
        key_w = max(len(t.key) for t in self.themes)  # the shown key and name have the same lengths (inert_line)
        name_w = max(10, min(34, width // 3))
        num_w = max(len(str(t.passages)) for t in self.themes)
        bar_w = max(5, width - key_w - name_w - num_w - 4)
        top = max(t.passages for t in self.themes)
        for i, theme in enumerate(self.themes):
            name = inert_line(theme.name)
            name = name if len(name) <= name_w else name[: name_w - 1] + "…"
            text.append(f"{inert_line(theme.key):<{key_w}} ", style="bold")
            text.append(f"{name:<{name_w}} ", style="dim")
            drawn = bar(theme.passages, top, bar_w)
            text.append(drawn, style=Style(color=theme.color or "#6fa8dc"))
            text.append(" " * (bar_w - len(drawn)) + f" {theme.passages:>{num_w}}")
            if i < len(self.themes) - 1:
                text.append("\n")
        return text
