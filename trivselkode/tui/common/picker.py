"""The one code picker: type part of a code's key or name, Enter picks the highlighted one.

It serves two uses. Coding (:meth:`CodePickerDialog.for_codes`): the codes
as coloured chips, a shortcut matches too, and it dismisses with the code's
id. The codebook (``CodePickerDialog(title, choices)``): ``(key, label)``
pairs, one may have the key ``""`` ("the top level"), and it dismisses with
the key. Either way it dismisses with ``None`` when closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from rapidfuzz import fuzz
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from trivselkode.storage.coding_ops import CodeInfo
from trivselkode.tui.common.help import HelpInput
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.plain import PlainInput, inert_line, line


class Choice(NamedTuple):
    key: str
    label: str


def rank_choices(
    query: str, choices: list[tuple[str, str]], shortcuts: Mapping[str, str] | None = None
) -> list[Choice]:
    """``choices`` ((key, label) pairs) best matching ``query`` first; all of them for no query.

    A whole key (or shortcut) beats the start of a key, which beats a part of
    "key label", which beats a fuzzy match (a typo).
    """
    q = query.strip().casefold()
    if not q:
        return [Choice(*c) for c in choices]
    scored = []
    for pos, (key, label) in enumerate(choices):
        k = key.casefold()
        hay = f"{key} {label}".casefold()
        shortcut = (shortcuts or {}).get(key)
        if q == k or shortcut and q == shortcut.casefold():
            score = 300.0
        elif k.startswith(q):
            score = 200.0 + len(q)
        elif q in hay:
            score = 150.0 + len(q)
        else:
            score = fuzz.WRatio(q, hay)
        if score >= 60:
            scored.append((-score, pos, Choice(key, label)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [choice for _s, _p, choice in scored]


def rank_codes(query: str, codes: list[CodeInfo]) -> list[CodeInfo]:
    """Codes best matching ``query`` (part of a name, a key or a shortcut), best first."""
    by_key = {c.key: c for c in codes}
    shortcuts = {c.key: c.shortcut for c in codes if c.shortcut}
    return [by_key[c.key] for c in rank_choices(query, [(c.key, c.name) for c in codes], shortcuts)]


def code_prompt(code: CodeInfo, number: int | None = None) -> Text:
    """A code as a list shows it: its key as a coloured chip, its name, its shortcut."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if number is not None:
        text.append(f"{number} ", style="bold")
    text.append(f" {inert_line(code.key)} ", style=Style(bgcolor=code.color or "#777777", color="#ffffff", bold=True))
    text.append(f" {inert_line(code.name)}")
    if code.shortcut:
        text.append(f"  [{inert_line(code.shortcut)}]", style="dim")
    return text


class CodePickerDialog(Dialog[Any]):
    """Find a code by typing part of its key or name; Enter (or a click) picks the highlighted one."""

    BINDINGS = [
        Binding("escape", "cancel", "Luk"),
        Binding("down", "move(1)", "Ned", show=False),
        Binding("up", "move(-1)", "Op", show=False),
    ]

    def __init__(
        self, title: str, choices: list[tuple[str, str]], hint: str = "", *, codes: list[CodeInfo] | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.hint = hint
        self.codes = {c.key: c for c in codes} if codes is not None else None
        self.shown: list[Choice] = []

    @classmethod
    def for_codes(cls, codes: list[CodeInfo], title: str = "Vælg kode") -> CodePickerDialog:
        """The picker of the coding screen: every code in use; dismisses with the chosen code's id."""
        active = [c for c in codes if not c.retired]
        return cls(title, [(c.key, c.name) for c in active], codes=active)

    def compose(self) -> ComposeResult:
        coding = self.codes is not None
        with Vertical(id="picker-box" if coding else None, classes="dialog" if coding else "dialog -fill"):
            yield Label(line(self.title_text), classes="dialog-title")
            if self.hint:
                yield Static(line(self.hint))
            if coding:
                yield HelpInput(placeholder="skriv en del af navnet, nøglen eller genvejen", id="picker-query")
                yield OptionList(id="picker-list")
                yield Static("↑/↓ vælg · Enter: brug koden · Escape: luk", classes="dialog-hint")
            else:
                yield PlainInput(placeholder="skriv en del af nøglen eller navnet", id="picker-query")
                yield OptionList(id="choice-list")
                yield Static("↑/↓ vælg · Enter: vælg · Escape: fortryd", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _prompt(self, choice: Choice) -> Text:
        if self.codes is not None:
            return code_prompt(self.codes[choice.key])
        if not choice.key:
            return line(choice.label, style="italic")
        return Text.assemble((inert_line(choice.key), "bold"), " ", inert_line(choice.label))

    def _fill(self, query: str) -> None:
        shortcuts = {k: c.shortcut for k, c in self.codes.items() if c.shortcut} if self.codes else None
        self.shown = rank_choices(query, self.choices, shortcuts)
        options = self.query_one(OptionList)
        options.set_options([Option(self._prompt(choice)) for choice in self.shown])
        if self.shown:
            options.highlighted = 0

    def _pick(self, index: int) -> None:
        key = self.shown[index].key
        self.dismiss(key if self.codes is None else self.codes[key].id)

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown):
            self._pick(index)
        elif self.codes is None:
            self.app.bell()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option_index)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))
