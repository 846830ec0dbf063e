"""The small modal dialogs of the TUI. Escape closes every one of them."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from trivselkode.analysis.suggest import Suggestion
from trivselkode.errors import TrivselError
from trivselkode.storage.coding_ops import CodeInfo
from trivselkode.tui.common.plain import PlainInput, PlainTextArea, inert_line, line, para

HelpSections = list[tuple[str, list[tuple[str, str]]]]


class HelpInput(PlainInput):
    """An input that leaves ``?`` to the app, so help opens from a filter or search field too."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if character == "?":
            return False
        return super().check_consume_key(key, character)


def keys_table(rows: list[tuple[str, str]], key_width: int) -> Table:
    """Keys and what they do, as a grid; every cell plain text (help rows name codes and coders)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=key_width)
    table.add_column()
    for key, what in rows:
        table.add_row(line(key), line(what))
    return table


class HelpDialog(ModalScreen[None]):
    """Every key of the screen behind it."""

    BINDINGS = [
        Binding("escape", "close", "Luk"),
        Binding("q", "close", "Luk", show=False),
    ]

    def __init__(self, title: str, sections: HelpSections) -> None:
        super().__init__()
        self.title_text = title
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Label(line(f"Taster – {self.title_text}"), classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                for title, rows in self.sections:
                    yield Static(Text(title, style="bold underline"), classes="help-section-title")
                    yield Static(keys_table(rows, 12), classes="help-section")
            yield Static("Escape, q eller ? lukker.", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class CoderDialog(ModalScreen[str | None]):
    """Asked once at start when neither --coder nor TRIVSELKODE_CODER says who codes."""

    BINDINGS = [Binding("escape", "cancel", "Afslut")]

    def compose(self) -> ComposeResult:
        with Vertical(id="coder-box", classes="dialog"):
            yield Label("Hvem koder?", classes="dialog-title")
            yield Static("Dit navn eller dine initialer. Dine kodninger gemmes under det navn.")
            yield PlainInput(placeholder="fx ann eller AHJ", id="coder-name")
            yield Static("", id="coder-error", classes="dialog-error")
            yield Static("Enter: fortsæt · Escape: afslut", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#coder-name")
    def _submitted(self, event: Input.Submitted) -> None:
        from trivselkode.config import CONSENSUS_CODER
        from trivselkode.storage.lookup import check_coder_name

        try:
            name = check_coder_name(event.value)
        except TrivselError as exc:
            self.query_one("#coder-error", Static).update(line(exc))
            return
        if name == CONSENSUS_CODER:
            self.query_one("#coder-error", Static).update(
                line(f"'{CONSENSUS_CODER}' er den fælles kodning; den afgøres under Enighed – vælg dit eget navn")
            )
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


def rank_codes(query: str, codes: list[CodeInfo]) -> list[CodeInfo]:
    """Codes best matching ``query`` (part of a name, a key or a shortcut), best first."""
    query = query.strip()
    if not query:
        return list(codes)
    q = query.casefold()
    scored = []
    for pos, code in enumerate(codes):
        if code.shortcut and q == code.shortcut.casefold() or q == code.key.casefold():
            score = 200.0
        elif code.key.casefold().startswith(q):
            score = 150.0 + len(q)
        else:
            hay = f"{code.key} {code.name}".casefold()
            score = 100.0 + len(q) if q in hay else fuzz.WRatio(q, hay)
        if score >= 60:
            scored.append((-score, pos, code))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [code for _s, _p, code in scored]


def _code_prompt(code: CodeInfo, number: int | None = None) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if number is not None:
        text.append(f"{number} ", style="bold")
    text.append(f" {inert_line(code.key)} ", style=Style(bgcolor=code.color or "#777777", color="#ffffff", bold=True))
    text.append(f" {inert_line(code.name)}")
    if code.shortcut:
        text.append(f"  [{inert_line(code.shortcut)}]", style="dim")
    return text


class CodePickerDialog(ModalScreen[int | None]):
    """Find any code by typing part of its name, key or shortcut; Enter applies it."""

    BINDINGS = [
        Binding("escape", "cancel", "Luk"),
        Binding("down", "move(1)", "Ned", show=False),
        Binding("up", "move(-1)", "Op", show=False),
    ]

    def __init__(self, codes: list[CodeInfo], title: str = "Vælg kode") -> None:
        super().__init__()
        self.codes = [c for c in codes if not c.retired]
        self.title_text = title
        self.shown: list[CodeInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box", classes="dialog"):
            yield Label(line(self.title_text), classes="dialog-title")
            yield HelpInput(placeholder="skriv en del af navnet, nøglen eller genvejen", id="picker-query")
            yield OptionList(id="picker-list")
            yield Static("↑/↓ vælg · Enter: brug koden · Escape: luk", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        self.shown = rank_codes(query, self.codes)
        ol = self.query_one(OptionList)
        ol.set_options([Option(_code_prompt(c), id=str(c.id)) for c in self.shown])
        if self.shown:
            ol.highlighted = 0

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        ol = self.query_one(OptionList)
        if self.shown:
            ol.highlighted = max(0, min(len(self.shown) - 1, (ol.highlighted or 0) + step))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and self.shown:
            self.dismiss(self.shown[index].id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class SuggestionDialog(ModalScreen[int | None]):
    """The suggestions for the passage, numbered: a digit or Enter accepts one."""

    BINDINGS = [Binding("escape", "cancel", "Luk")] + [
        Binding(str(n), f"pick({n})", f"Forslag {n}", show=False) for n in range(1, 10)
    ]

    def __init__(self, suggestions: list[tuple[Suggestion, CodeInfo]]) -> None:
        super().__init__()
        self.suggestions = suggestions[:9]

    def compose(self) -> ComposeResult:
        with Vertical(id="suggestion-box", classes="dialog"):
            yield Label("Forslag til udsagnet", classes="dialog-title")
            options = []
            for n, (sug, code) in enumerate(self.suggestions, start=1):
                prompt = _code_prompt(code, n)
                prompt.append("  (" + inert_line(", ".join(sug.matched_words)) + ")", style="italic dim")
                options.append(Option(prompt, id=str(code.id)))
            yield OptionList(*options, id="suggestion-list")
            yield Static("1–9 eller Enter: tag forslaget · Escape: luk", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.suggestions):
            self.dismiss(self.suggestions[number - 1][1].id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class MemoDialog(ModalScreen[str | None]):
    """A memo on a passage. Escape and ctrl+s save and close; Kassér closes without saving."""

    BINDINGS = [
        Binding("escape", "save", "Gem og luk"),
        Binding("ctrl+s", "save", "Gem og luk"),
    ]

    def __init__(self, title: str, text: str, draft: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.original = text  # what is stored
        self.draft = text if draft is None else draft  # what the text area starts with

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-box", classes="dialog"):
            yield Label(line(self.title_text), classes="dialog-title")
            yield PlainTextArea(self.draft, id="memo-text", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Gem", variant="primary", id="memo-save")
                yield Button("Kassér ændringer", id="memo-discard")
            yield Static("Escape eller ctrl+s: gem og luk · tomt notat: slet", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        self.dismiss(None if text == self.original else text)

    @on(Button.Pressed, "#memo-save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#memo-discard")
    def _discard(self) -> None:
        self.dismiss(None)


SPEAKER_FIELDS = (("gender", "Køn"), ("age", "Alder"), ("site", "Bibliotek"))


def parse_other_attributes(text: str) -> dict[str, str]:
    """``"uddannelse=lærer; by=Skive"`` → ``{"uddannelse": "lærer", "by": "Skive"}``."""
    out: dict[str, str] = {}
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise TrivselError(f"'{part.strip()}' er ikke på formen nøgle=værdi")
        out[key.strip()] = value.strip()
    return out


class SpeakerDialog(ModalScreen[dict[str, str] | None]):
    """Edit a speaker's gender, age, site and any other attributes."""

    BINDINGS = [Binding("escape", "cancel", "Luk")]

    def __init__(
        self, label: str, values: dict[str, Any], others: dict[str, Any], draft: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.label = label
        self.values = {k: "" if v is None else str(v) for k, v in values.items()}
        self.others = {str(k): "" if v is None else str(v) for k, v in others.items()}
        # What the fields start with: the stored values, or a refused attempt to change them.
        draft = draft or {}
        std = {key for key, _title in SPEAKER_FIELDS}
        self.shown = {key: draft.get(key, self.values.get(key, "")) for key in std}
        shown_others = {k: v for k, v in self.others.items() if draft.get(k, v) != ""}
        shown_others.update({k: v for k, v in draft.items() if k not in std and v != ""})
        self.shown_others = shown_others

    def compose(self) -> ComposeResult:
        with Vertical(id="speaker-box", classes="dialog"):
            yield Label(line(f"Deltager {self.label}"), classes="dialog-title")
            for key, title in SPEAKER_FIELDS:
                with Horizontal(classes="field"):
                    yield Label(title, classes="field-label")
                    yield PlainInput(self.shown.get(key, ""), id=f"speaker-{key}")
            with Horizontal(classes="field"):
                yield Label("Andre", classes="field-label")
                yield PlainInput(
                    "; ".join(f"{k}={v}" for k, v in self.shown_others.items()),
                    placeholder="nøgle=værdi; nøgle=værdi",
                    id="speaker-others",
                )
            yield Static("", id="speaker-error", classes="dialog-error")
            yield Static("Enter: gem · Escape: luk uden at gemme · tomt felt: fjern", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#speaker-gender", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        changes: dict[str, str] = {}
        error = self.query_one("#speaker-error", Static)
        for key, _title in SPEAKER_FIELDS:
            value = self.query_one(f"#speaker-{key}", Input).value.strip()
            if key == "age" and value and not value.isdigit():
                error.update("Alder skal være et helt tal (eller tom)")
                return
            if value != self.values.get(key, ""):
                changes[key] = value
        try:
            others = parse_other_attributes(self.query_one("#speaker-others", Input).value)
        except TrivselError as exc:
            error.update(line(exc))
            return
        for key, value in others.items():
            if self.others.get(key) != value:
                changes[key] = value
        for key in self.others:
            if key not in others:
                changes[key] = ""
        self.dismiss(changes)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: y or Enter says yes; n or Escape says no."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Nej"),
        Binding("n", "answer(False)", "Nej", show=False),
        Binding("y,j", "answer(True)", "Ja", show=False),
    ]

    def __init__(self, question: str, yes: str = "Ja", no: str = "Nej") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog"):
            yield Static(para(self.question), classes="dialog-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="primary", id="confirm-yes")
                yield Button(self.no, id="confirm-no")
            yield Static("j/y eller Enter: ja · n eller Escape: nej", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
