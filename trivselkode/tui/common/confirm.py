"""The one yes/no dialog: j/y (or Enter on "yes") says yes; n or Escape says no."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from trivselkode.i18n import N_, _
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.plain import line, para


class ConfirmDialog(Dialog[bool]):
    """A yes/no question; dismisses with the answer.

    ``careful=True`` asks about a change that cannot simply be toggled back
    (a merge): the focus starts on ``no`` and the ``yes`` button warns.
    """

    BINDINGS = [
        Binding("escape", "answer(False)", N_("Nej")),
        Binding("n", "answer(False)", N_("Nej"), show=False),
        Binding("y,j", "answer(True)", N_("Ja"), show=False),
    ]

    def __init__(
        self,
        question: str,
        yes: str | None = None,
        no: str | None = None,
        *,
        title: str | None = None,
        careful: bool = False,
    ) -> None:
        """``yes``/``no``: the buttons' words (default "Ja"/"Nej", in the interface's language)."""
        super().__init__()
        self.question = question
        self.yes = _("Ja") if yes is None else yes
        self.no = _("Nej") if no is None else no
        self.title_text = title
        self.careful = careful

    def compose(self) -> ComposeResult:
        careful = self.careful
        with Vertical(id="confirm-box", classes="dialog -fill" if careful else "dialog"):
            if self.title_text is not None:
                yield Label(line(self.title_text), classes="dialog-title")
            yield Static(para(self.question), classes="dialog-question")
            with Horizontal(classes="compact-buttons" if careful else "dialog-buttons"):
                yield Button(self.yes, variant="warning" if careful else "primary", id="confirm-yes", compact=careful)
                yield Button(self.no, id="confirm-no", compact=careful)
            hint = _("j: ja · n/Escape: nej") if careful else _("j/y eller Enter: ja · n eller Escape: nej")
            yield Static(hint, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.careful else "#confirm-yes", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
