"""The small dialogs of Enighed: which coders, which pair side by side, the span overlap, the keys.

Each carries its own DEFAULT_CSS, so it looks the same in any host app.
Escape closes every one of them without changing anything.
"""

from __future__ import annotations

from itertools import combinations

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from trivselkode.tui.common.plain import PlainInput, line

KeySections = list[tuple[str, list[tuple[str, str]]]]

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; max-width: 96%; height: auto; max-height: 92%;
    padding: 0 1; border: round $accent; background: $surface;
}}
{name} .agreement-dialog-title {{ text-style: bold; width: 100%; padding: 0 0 1 0; }}
{name} .agreement-dialog-hint {{ color: $text-muted; padding: 1 0 0 0; }}
{name} .agreement-dialog-error {{ color: $error; height: auto; }}
"""


class CodersDialog(ModalScreen[list[str] | None]):
    """Tick the coders to compare; the first two ticked are compared side by side."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="CodersDialog")
        + """
    CodersDialog SelectionList { height: auto; max-height: 14; }
    """
    )

    BINDINGS = [
        Binding("escape", "cancel", "Fortryd"),
        Binding("enter", "confirm", "Brug valget", priority=True),
    ]

    def __init__(self, available: list[str], chosen: list[str]) -> None:
        super().__init__()
        self.available = available
        self.chosen = [c for c in chosen if c in available]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Hvilke kodere skal sammenlignes?", classes="agreement-dialog-title")
            # Chosen first, in their order, so that "the first two" stays the pair.
            order = self.chosen + [c for c in self.available if c not in self.chosen]
            yield SelectionList[str](*[(line(name), name, name in self.chosen) for name in order], id="coders-list")
            yield Static("", id="coders-error", classes="agreement-dialog-error")
            yield Static(
                "Mellemrum: vælg/fravælg · Enter: brug valget · Escape: fortryd\n"
                "De to første valgte vises side om side, når du gennemgår uenighederne.",
                classes="agreement-dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_confirm(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if len(chosen) < 2:
            self.query_one("#coders-error", Static).update("Vælg mindst to kodere.")
            return
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PairDialog(ModalScreen[tuple[str, str] | None]):
    """Which two of the compared coders to review side by side."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="PairDialog")
        + """
    PairDialog OptionList { height: auto; max-height: 14; }
    """
    )

    BINDINGS = [Binding("escape", "cancel", "Fortryd")]

    def __init__(self, coders: list[str], current: tuple[str, str] | None) -> None:
        super().__init__()
        self.pairs = list(combinations(coders, 2))
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Hvilke to kodere side om side?", classes="agreement-dialog-title")
            yield OptionList(
                *[Option(line(f"A: {a}  ↔  B: {b}"), id=f"{i}") for i, (a, b) in enumerate(self.pairs)], id="pair-list"
            )
            yield Static("↑/↓ vælg · Enter: brug parret · Escape: fortryd", classes="agreement-dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.pairs.index(self.current) if self.current in self.pairs else 0
        options.focus()

    @on(OptionList.OptionSelected, "#pair-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.pairs[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def parse_overlap(value: str) -> float:
    """``"90"``, ``"90 %"`` or ``"0.9"`` → 0.9; raises ValueError outside (0, 100] %."""
    text = value.strip().rstrip("%").strip().replace(",", ".")
    number = float(text)
    share = number / 100 if number > 1 else number
    if not 0 < share <= 1:
        raise ValueError(value)
    return share


class OverlapDialog(ModalScreen[float | None]):
    """The least overlap (share of the longer segment) for two span codings to agree."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="OverlapDialog")
        + """
    OverlapDialog Input { width: 16; }
    """
    )

    BINDINGS = [Binding("escape", "cancel", "Fortryd")]

    def __init__(self, overlap: float) -> None:
        super().__init__()
        self.overlap = overlap

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Mindste overlap for spænd", classes="agreement-dialog-title")
            yield Static(
                "To kodninger af samme kode er enige, når de overlapper mindst så stor en del af det længste spænd."
            )
            yield PlainInput(f"{self.overlap * 100:g}", placeholder="fx 90", id="overlap-value")
            yield Static("", id="overlap-error", classes="agreement-dialog-error")
            yield Static("Procent (1–100) · Enter: brug · Escape: fortryd", classes="agreement-dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#overlap-value")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            share = parse_overlap(event.value)
        except ValueError:
            self.query_one("#overlap-error", Static).update("Skriv en procent mellem 1 og 100, fx 90.")
            return
        self.dismiss(share)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AgreementKeysDialog(ModalScreen[None]):
    """Every key of the screen behind it."""

    DEFAULT_CSS = (
        _DIALOG_CSS.format(name="AgreementKeysDialog")
        + """
    AgreementKeysDialog > Vertical { width: 84; }
    AgreementKeysDialog VerticalScroll { height: auto; max-height: 30; }
    AgreementKeysDialog .keys-section-title { padding: 1 0 0 0; }
    """
    )

    BINDINGS = [
        Binding("escape", "close", "Luk"),
        Binding("q", "close", "Luk", show=False),
        Binding("question_mark", "close", "Luk", show=False),
    ]

    def __init__(self, title: str, sections: KeySections) -> None:
        super().__init__()
        self.title_text = title
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(line(f"Taster – {self.title_text}"), classes="agreement-dialog-title")
            with VerticalScroll():
                for title, rows in self.sections:
                    table = Table.grid(padding=(0, 2))
                    table.add_column(style="bold", no_wrap=True, min_width=12)
                    table.add_column()
                    for key, what in rows:
                        table.add_row(line(key), line(what))
                    yield Static(line(title, style="bold underline"), classes="keys-section-title")
                    yield Static(table)
            yield Static("Escape, q eller ? lukker.", classes="agreement-dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
