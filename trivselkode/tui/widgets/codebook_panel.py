"""The codebook beside the transcript: codes, counts, suggestions and the highlighted code's definition."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from trivselkode.analysis.suggest import Suggestion
from trivselkode.storage.coding_ops import CodeInfo


def code_detail(code: CodeInfo, shortcut_active: bool = True) -> Text:
    """The definition, include/exclude and examples of a code, for reading while coding."""
    text = Text()
    text.append(code.key, style=Style(bold=True, color=code.color) if code.color else "bold")
    facts = [code.kind] if code.kind else []
    if code.shortcut:
        facts.append(f"genvej {code.shortcut}" + ("" if shortcut_active else " (optaget af skærmen)"))
    if facts:
        text.append(" · " + " · ".join(facts), style="dim")
    text.append("\n")
    text.append(code.name + "\n", style="bold")
    if code.description:
        text.append("\n" + code.description.strip() + "\n")
    if code.characteristics:
        text.append("\n")
        for item in code.characteristics:
            text.append(f"• {item}\n")
    if code.include:
        text.append("\nMedtag: ", style="bold")
        text.append(code.include.strip() + "\n")
    if code.exclude:
        text.append("\nUdelad: ", style="bold")
        text.append(code.exclude.strip() + "\n")
    if code.examples:
        text.append("\nEksempler:\n", style="bold")
        for ex in code.examples:
            text.append(f"“{ex.strip().strip(chr(34))}”\n", style="italic")
    return text


class CodebookPanel(Vertical):
    """Codes with their shortcut and count in this source; Enter toggles the highlighted code."""

    @dataclass
    class CodeChosen(Message):
        """Enter on a code in the list: toggle it on the current passage."""

        code_id: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.codes: list[CodeInfo] = []
        self.inactive_shortcuts: set[int] = set()
        self.counts: dict[int, int] = {}

    def compose(self) -> ComposeResult:
        yield Static("Kodebog", classes="panel-title", id="codebook-title")
        yield OptionList(id="code-list")
        yield Static("", id="suggestions")
        with VerticalScroll(id="code-detail-scroll"):
            yield Static("", id="code-detail")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#code-list", OptionList)

    def set_codes(self, codes: list[CodeInfo], counts: dict[int, int], inactive_shortcuts: set[int]) -> None:
        self.codes = [c for c in codes if not c.retired]
        self.counts = dict(counts)
        self.inactive_shortcuts = set(inactive_shortcuts)
        ol = self.option_list
        highlighted = ol.highlighted
        ol.set_options([Option(self._prompt(c), id=str(c.id)) for c in self.codes])
        if self.codes:
            ol.highlighted = highlighted if highlighted is not None and highlighted < len(self.codes) else 0

    def update_counts(self, counts: dict[int, int]) -> None:
        ol = self.option_list
        for i, code in enumerate(self.codes):
            if counts.get(code.id, 0) != self.counts.get(code.id, 0):
                ol.replace_option_prompt_at_index(i, self._prompt(code, counts))
        self.counts = dict(counts)

    def _prompt(self, code: CodeInfo, counts: dict[int, int] | None = None) -> Text:
        count = (counts if counts is not None else self.counts).get(code.id, 0)
        shortcut = code.shortcut if code.shortcut and code.id not in self.inactive_shortcuts else ""
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f"{shortcut:>2} ", style="bold")
        text.append("█ ", style=Style(color=code.color or "#777777"))
        text.append(f"{count:>3} " if count else "    ", style="bold")
        text.append("  " * code.depth + code.name, style="dim" if not code.shortcut else "")
        return text

    def highlight_code(self, code_id: int) -> None:
        for i, code in enumerate(self.codes):
            if code.id == code_id:
                self.option_list.highlighted = i
                return

    @property
    def highlighted_code(self) -> CodeInfo | None:
        index = self.option_list.highlighted
        if index is None or not (0 <= index < len(self.codes)):
            return None
        return self.codes[index]

    def show_suggestions(self, suggestions: list[tuple[Suggestion, CodeInfo]] | None, *, loading: bool = False) -> None:
        widget = self.query_one("#suggestions", Static)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("Forslag", style="bold")
        if loading:
            text.append("  (indlæser sprogmodel…)", style="dim")
        elif not suggestions:
            text.append("  (ingen)", style="dim")
        else:
            text.append("  a: tag 1 · A: vælg", style="dim")
            for n, (sug, code) in enumerate(suggestions[:5], start=1):
                text.append(f"\n{n} ", style="bold")
                text.append(f" {code.key} ", style=Style(bgcolor=code.color or "#777777", color="#ffffff", bold=True))
                text.append(" " + ", ".join(sug.matched_words), style="italic")
        widget.update(text)

    @on(OptionList.OptionHighlighted, "#code-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        code = self.highlighted_code
        detail = self.query_one("#code-detail", Static)
        detail.update(code_detail(code, code.id not in self.inactive_shortcuts) if code else "")

    @on(OptionList.OptionSelected, "#code-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.CodeChosen(int(event.option.id)))
