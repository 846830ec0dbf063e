"""The small dialogs of Enighed: which coders, which pair side by side, the span overlap.

Each loads its styles itself (the kit's and ``dialogs.tcss`` beside this
module), so it looks the same in any host app. Escape closes every one of
them without changing anything. The keys are the kit's :class:`HelpDialog`.
"""

from __future__ import annotations

from itertools import combinations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from trivselkode.i18n import N_, _
from trivselkode.tui.common.modal import Dialog, dialog_css
from trivselkode.tui.common.plain import PlainInput, line

AGREEMENT_DIALOGS_TCSS = dialog_css(__file__)


class CodersDialog(Dialog[list[str] | None]):
    """Tick the coders to compare; the first two ticked are compared side by side."""

    CSS_PATH = AGREEMENT_DIALOGS_TCSS

    BINDINGS = [
        Binding("escape", "cancel", N_("Fortryd")),
        Binding("enter,ctrl+s", "confirm", N_("Brug valget"), priority=True),
    ]

    def __init__(self, available: list[str], chosen: list[str]) -> None:
        super().__init__()
        self.available = available
        self.chosen = [c for c in chosen if c in available]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Hvilke kodere skal sammenlignes?"), classes="dialog-title")
            # Chosen first, in their order, so that "the first two" stays the pair.
            order = self.chosen + [c for c in self.available if c not in self.chosen]
            yield SelectionList[str](*[(line(name), name, name in self.chosen) for name in order], id="coders-list")
            yield Static("", id="coders-error", classes="dialog-error")
            yield Static(
                _(
                    "Mellemrum: vælg/fravælg · Enter: brug valget · Escape: fortryd\nDe to første valgte vises side om side, når du gennemgår uenighederne."
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_confirm(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if len(chosen) < 2:
            self.query_one("#coders-error", Static).update(_("Vælg mindst to kodere."))
            return
        self.dismiss(chosen)


class PairDialog(Dialog[tuple[str, str] | None]):
    """Which two of the compared coders to review side by side."""

    CSS_PATH = AGREEMENT_DIALOGS_TCSS

    BINDINGS = [Binding("escape", "cancel", N_("Fortryd"))]

    def __init__(self, coders: list[str], current: tuple[str, str] | None) -> None:
        super().__init__()
        self.pairs = list(combinations(coders, 2))
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Hvilke to kodere side om side?"), classes="dialog-title")
            yield OptionList(
                *[Option(line(f"A: {a}  ↔  B: {b}"), id=f"{i}") for i, (a, b) in enumerate(self.pairs)], id="pair-list"
            )
            yield Static(_("↑/↓ vælg · Enter: brug parret · Escape: fortryd"), classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.pairs.index(self.current) if self.current in self.pairs else 0
        options.focus()

    @on(OptionList.OptionSelected, "#pair-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.pairs[event.option_index])


def parse_overlap(value: str) -> float:
    """``"90"``, ``"90 %"`` or ``"0.9"`` → 0.9; raises ValueError outside (0, 100] %."""
    text = value.strip().rstrip("%").strip().replace(",", ".")
    number = float(text)
    share = number / 100 if number > 1 else number
    if not 0 < share <= 1:
        raise ValueError(value)
    return share


class OverlapDialog(Dialog[float | None]):
    """The least overlap (share of the longer segment) for two span codings to agree."""

    CSS_PATH = AGREEMENT_DIALOGS_TCSS

    BINDINGS = [Binding("escape", "cancel", N_("Fortryd"))]

    def __init__(self, overlap: float) -> None:
        super().__init__()
        self.overlap = overlap

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Mindste overlap for spænd"), classes="dialog-title")
            yield Static(
                _("To kodninger af samme kode er enige, når de overlapper mindst så stor en del af det længste spænd.")
            )
            yield PlainInput(f"{self.overlap * 100:g}", placeholder=_("fx 90"), id="overlap-value")
            yield Static("", id="overlap-error", classes="dialog-error")
            yield Static(_("Procent (1–100) · Enter: brug · Escape: fortryd"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#overlap-value")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            share = parse_overlap(event.value)
        except ValueError:
            self.query_one("#overlap-error", Static).update(_("Skriv en procent mellem 1 og 100, fx 90."))
            return
        self.dismiss(share)


class ReasonDialog(Dialog[tuple[str, str] | None]):
    """Settle (or change a settlement) with a reason: the reason typed, the choice picked with ↑/↓.

    Enter saves both (in the field or on a choice), Escape changes nothing.
    Dismisses with ``(choice, reason)``; an empty reason removes one given before.
    """

    CSS_PATH = AGREEMENT_DIALOGS_TCSS

    BINDINGS = [
        Binding("escape", "cancel", N_("Fortryd")),
        Binding("up", "move(-1)", N_("Forrige afgørelse"), show=False),
        Binding("down", "move(1)", N_("Næste afgørelse"), show=False),
    ]

    def __init__(self, heading: str, choices: list[tuple[str, str]], current: str | None, reason: str) -> None:
        super().__init__()
        self.heading = heading
        self.choices = choices  # (choice, label): a, b, both, neither
        self.current = current
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Afgør med begrundelse"), classes="dialog-title")
            yield Static(line(self.heading))
            yield Label(_("Begrundelse (valgfri):"))
            yield PlainInput(self.reason, placeholder=_("fx 'udsagnet handler om ro, ikke tryghed'"), id="reason-value")
            yield Label(_("Afgørelse:"))
            yield OptionList(*[Option(line(label), id=choice) for choice, label in self.choices], id="reason-choice")
            yield Static(
                _("Skriv begrundelsen · ↑/↓: vælg afgørelse · Enter: gem · Escape: fortryd"), classes="dialog-hint"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [c for c, _label in self.choices]
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        self.query_one(Input).focus()

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        current = options.highlighted or 0
        options.highlighted = (current + delta) % len(self.choices)

    def _save(self) -> None:
        index = self.query_one(OptionList).highlighted or 0
        self.dismiss((self.choices[index][0], self.query_one(Input).value))

    @on(Input.Submitted, "#reason-value")
    def _submitted(self) -> None:
        self._save()

    @on(OptionList.OptionSelected, "#reason-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one(OptionList).highlighted = event.option_index
        self._save()
