"""The modal dialogs of the codebook and search screens.

Each dialog only collects input and dismisses with it (``None`` when closed
with Escape); the screen that opened it makes the change. When a change is
refused, the screen opens the dialog again with what was typed and the
reason, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from trivselkode.tui.common.plain import PlainInput, PlainTextArea, inert_line, line, para

KeySections = list[tuple[str, list[tuple[str, str]]]]

_DIALOG_CSS = """
{name} {{
    align: center middle;
    background: $background 60%;
}}
{name} > .cb-dialog {{
    width: 76;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: round $accent;
    background: $surface;
    padding: 0 1;
}}
{name} .cb-title {{
    text-style: bold;
    width: 100%;
    margin-bottom: 1;
}}
{name} .cb-label {{
    margin-top: 1;
    color: $text-muted;
}}
{name} .cb-error {{
    color: $error;
    height: auto;
}}
{name} .cb-hint {{
    color: $text-muted;
    margin-top: 1;
}}
{name} Input {{
    margin: 0;
}}
"""


def _css(name: str, extra: str = "") -> str:
    return _DIALOG_CSS.format(name=name) + extra


class KeysDialog(ModalScreen[None]):
    """Every key of the screen behind it, in sections."""

    DEFAULT_CSS = _css(
        "KeysDialog",
        """
        KeysDialog #keys-scroll { height: auto; max-height: 16; }
        """,
    )
    BINDINGS = [
        Binding("escape", "close", "Luk"),
        Binding("question_mark", "close", "Luk", show=False),
        Binding("q", "close", "Luk", show=False),
    ]

    def __init__(self, title: str, sections: KeySections) -> None:
        super().__init__()
        self.title_text = title
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="cb-dialog"):
            yield Label(line(f"Taster – {self.title_text}"), classes="cb-title")
            with VerticalScroll(id="keys-scroll"):
                for title, rows in self.sections:
                    grid = Table.grid(padding=(0, 2))
                    grid.add_column(style="bold", no_wrap=True, min_width=18)
                    grid.add_column()
                    for key, what in rows:
                        grid.add_row(line(key), line(what))
                    yield Static(line(title, style="bold underline"))
                    yield Static(grid)
            yield Static("Escape, q eller ? lukker.", classes="cb-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class TextPromptDialog(ModalScreen[str | None]):
    """One line of input: a new name, a colour, a shortcut."""

    DEFAULT_CSS = _css("TextPromptDialog")
    BINDINGS = [Binding("escape", "cancel", "Luk")]

    def __init__(
        self,
        title: str,
        label: str,
        value: str = "",
        *,
        hint: str = "",
        error: str | None = None,
        max_length: int = 0,
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.label_text = label
        self.value = value
        self.hint = hint
        self.error = error
        self.max_length = max_length
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="cb-dialog"):
            yield Label(line(self.title_text), classes="cb-title")
            yield Label(line(self.label_text))
            yield PlainInput(self.value, id="prompt-value", max_length=self.max_length, placeholder=self.placeholder)
            yield Static(line(self.error), classes="cb-error", id="prompt-error")
            yield Static(
                line((self.hint + " · " if self.hint else "") + "Enter: gem · Escape: fortryd"),
                classes="cb-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#prompt-value")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AddCodeDialog(ModalScreen[dict[str, str] | None]):
    """A new code: key, name, parent, kind, colour, shortcut and description."""

    DEFAULT_CSS = _css(
        "AddCodeDialog",
        """
        AddCodeDialog .cb-row { height: 1; margin-bottom: 1; }
        AddCodeDialog .cb-row > Label { width: 14; color: $text-muted; }
        AddCodeDialog .cb-row > Input { width: 1fr; }
        AddCodeDialog .cb-buttons { height: 1; margin-top: 1; }
        AddCodeDialog Button { margin-right: 2; }
        """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Luk"),
        Binding("ctrl+s", "save", "Gem"),
    ]
    FIELDS = (
        ("key", "Nøgle", "fx T8 eller B.leg", 0),
        ("name", "Navn", "kodens danske navn", 0),
        ("parent", "Overkode", "nøglen på overkoden; tom: øverste niveau", 0),
        ("kind", "Type", "tema, behov, livskvalitet, miljø …", 0),
        ("color", "Farve", "#2e7d32 eller #2e7; tom: ingen", 0),
        ("shortcut", "Genvej", "ét tegn; tom: ingen", 1),
        ("description", "Beskrivelse", "definitionen (kan skrives senere med e)", 0),
    )

    def __init__(self, values: dict[str, str] | None = None, error: str | None = None) -> None:
        super().__init__()
        self.values = {name: "" for name, *_ in self.FIELDS} | dict(values or {})
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="cb-dialog"):
            yield Label("Ny kode", classes="cb-title")
            for name, label, placeholder, max_length in self.FIELDS:
                with Horizontal(classes="cb-row"):
                    yield Label(label)
                    yield PlainInput(
                        self.values.get(name, ""),
                        id=f"add-{name}",
                        placeholder=placeholder,
                        max_length=max_length,
                        compact=True,
                    )
            yield Static(line(self.error), classes="cb-error", id="add-error")
            with Horizontal(classes="cb-buttons"):
                yield Button("Gem", variant="primary", id="add-save", compact=True)
                yield Button("Fortryd", id="add-cancel", compact=True)
            yield Static("Tab: næste felt · Enter/ctrl+s: gem · Escape: fortryd", classes="cb-hint")

    def on_mount(self) -> None:
        self.query_one("#add-key", Input).focus()

    def collect(self) -> dict[str, str]:
        return {name: self.query_one(f"#add-{name}", Input).value for name, *_ in self.FIELDS}

    @on(Input.Submitted)
    @on(Button.Pressed, "#add-save")
    def action_save(self) -> None:
        self.dismiss(self.collect())

    @on(Button.Pressed, "#add-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DetailsDialog(ModalScreen[dict[str, Any] | None]):
    """A code's type, definition, include/exclude, characteristics, examples and keywords."""

    DEFAULT_CSS = _css(
        "DetailsDialog",
        """
        DetailsDialog > .cb-dialog { width: 90; }
        DetailsDialog #details-fields { height: auto; max-height: 14; }
        DetailsDialog .cb-label { margin-top: 0; }
        DetailsDialog TextArea { height: 3; margin-bottom: 1; }
        DetailsDialog Input { margin-bottom: 1; }
        DetailsDialog .cb-buttons { height: 1; margin-top: 1; }
        DetailsDialog Button { margin-right: 2; }
        """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Luk"),
        Binding("ctrl+s", "save", "Gem"),
    ]
    TEXTS = (("description", "Beskrivelse"), ("include", "Medtag"), ("exclude", "Udelad"))
    LISTS = (("characteristics", "Kendetegn (én pr. linje)"), ("examples", "Eksempler (én pr. linje)"))

    def __init__(self, code: dict[str, Any], error: str | None = None) -> None:
        super().__init__()
        self.code = code
        self.error = error

    def compose(self) -> ComposeResult:
        code = self.code
        with Vertical(classes="cb-dialog"):
            yield Label(line(f"Beskriv {code['key']} · {code['name']}"), classes="cb-title")
            with VerticalScroll(id="details-fields"):
                yield Label("Type", classes="cb-label")
                yield PlainInput(code.get("kind") or "", id="details-kind", placeholder="tema, behov, …", compact=True)
                for name, label in self.TEXTS:
                    yield Label(label, classes="cb-label")
                    yield PlainTextArea(code.get(name) or "", id=f"details-{name}", soft_wrap=True, compact=True)
                for name, label in self.LISTS:
                    yield Label(label, classes="cb-label")
                    yield PlainTextArea(
                        "\n".join(code.get(name) or []), id=f"details-{name}", soft_wrap=True, compact=True
                    )
                yield Label("Nøgleord (adskilt af komma)", classes="cb-label")
                yield PlainInput(", ".join(code.get("keywords") or []), id="details-keywords", compact=True)
            yield Static(line(self.error), classes="cb-error")
            with Horizontal(classes="cb-buttons"):
                yield Button("Gem", variant="primary", id="details-save", compact=True)
                yield Button("Fortryd", id="details-cancel", compact=True)
            yield Static("Tab: næste felt · ctrl+s: gem · Escape: fortryd", classes="cb-hint")

    def on_mount(self) -> None:
        self.query_one("#details-kind", Input).focus()

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {"kind": self.query_one("#details-kind", Input).value}
        for name, _label in self.TEXTS:
            values[name] = self.query_one(f"#details-{name}", TextArea).text
        for name, _label in self.LISTS:
            values[name] = [
                line for line in self.query_one(f"#details-{name}", TextArea).text.splitlines() if line.strip()
            ]
        values["keywords"] = [w for w in self.query_one("#details-keywords", Input).value.split(",") if w.strip()]
        return values

    @on(Button.Pressed, "#details-save")
    def action_save(self) -> None:
        self.dismiss(self.collect())

    @on(Button.Pressed, "#details-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def rank_choices(query: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``choices`` ((key, label) pairs) best matching ``query`` first; all of them for no query."""
    q = query.strip().casefold()
    if not q:
        return list(choices)
    scored = []
    for pos, (key, label) in enumerate(choices):
        k = key.casefold()
        hay = f"{key} {label}".casefold()
        if q == k:
            score = 300.0
        elif k.startswith(q):
            score = 200.0 + len(q)
        elif q in hay:
            score = 150.0 + len(q)
        else:
            score = fuzz.WRatio(q, hay)
        if score >= 60:
            scored.append((-score, pos, (key, label)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [choice for _s, _p, choice in scored]


class CodeChoiceDialog(ModalScreen[str | None]):
    """A fuzzy picker: type part of a code's key or name, Enter picks the highlighted one.

    Dismisses with the chosen key, or ``None`` when closed. ``choices`` may
    hold an entry with the key ``""`` (e.g. "the top level").
    """

    DEFAULT_CSS = _css(
        "CodeChoiceDialog",
        """
        CodeChoiceDialog #choice-list { height: auto; max-height: 14; }
        """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Luk"),
        Binding("down", "move(1)", "Ned", show=False),
        Binding("up", "move(-1)", "Op", show=False),
    ]

    def __init__(self, title: str, choices: list[tuple[str, str]], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.hint = hint
        self.shown: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="cb-dialog"):
            yield Label(line(self.title_text), classes="cb-title")
            if self.hint:
                yield Static(line(self.hint))
            yield PlainInput(placeholder="skriv en del af nøglen eller navnet", id="choice-query")
            yield OptionList(id="choice-list")
            yield Static("↑/↓ vælg · Enter: vælg · Escape: fortryd", classes="cb-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        self.shown = rank_choices(query, self.choices)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(
                    Text.assemble((inert_line(key), "bold"), " ", inert_line(label))
                    if key
                    else line(label, style="italic")
                )
                for key, label in self.shown
            ]
        )
        if self.shown:
            options.highlighted = 0

    @on(Input.Changed, "#choice-query")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#choice-query")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown):
            self.dismiss(self.shown[index][0])
        else:
            self.app.bell()

    @on(OptionList.OptionSelected, "#choice-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index][0])

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmChangeDialog(ModalScreen[bool]):
    """Yes or no to a change that cannot simply be toggled back (a merge)."""

    DEFAULT_CSS = _css(
        "ConfirmChangeDialog",
        """
        ConfirmChangeDialog .cb-buttons { height: 1; margin-top: 1; }
        ConfirmChangeDialog Button { margin-right: 2; }
        """,
    )
    BINDINGS = [
        Binding("escape", "no", "Nej"),
        Binding("n", "no", "Nej", show=False),
        Binding("j", "yes", "Ja", show=False),
        Binding("y", "yes", "Ja", show=False),
    ]

    def __init__(self, title: str, text: str, yes: str = "Ja") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="cb-dialog"):
            yield Label(line(self.title_text), classes="cb-title")
            yield Static(para(self.text))
            with Horizontal(classes="cb-buttons"):
                yield Button(self.yes, variant="warning", id="confirm-yes", compact=True)
                yield Button("Fortryd", id="confirm-no", compact=True)
            yield Static("j: ja · n/Escape: nej", classes="cb-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_no(self) -> None:
        self.dismiss(False)
