"""The one text-prompt dialog: one line of input (a new name, a colour, a shortcut)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from trivselkode.i18n import N_, _
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.plain import PlainInput, line


class TextPromptDialog(Dialog[str | None]):
    """One line of input; Enter dismisses with it, Escape with ``None``.

    ``error`` says why the last attempt was refused; the screen reopens the
    dialog with what was typed and the reason, so nothing typed is lost.
    """

    BINDINGS = [Binding("escape", "cancel", N_("Luk"))]

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
        with Vertical(classes="dialog -fill"):
            yield Label(line(self.title_text), classes="dialog-title")
            yield Label(line(self.label_text))
            yield PlainInput(self.value, id="prompt-value", max_length=self.max_length, placeholder=self.placeholder)
            yield Static(line(self.error), classes="dialog-error", id="prompt-error")
            yield Static(
                line((self.hint + " · " if self.hint else "") + _("Enter: gem · Escape: fortryd")),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#prompt-value")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
