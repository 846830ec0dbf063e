"""The base of every modal dialog: the kit's styles (``dialogs.tcss``) and the same two keys in each.

- **Escape cancels**: the dialog closes and nothing is changed (``cancel``
  dismisses with ``None``; a yes/no question answers no). A dialog that would
  lose what was typed (:meth:`Dialog.has_changes`) asks first.
- **Enter saves**: in a one-line field or on a choice, Enter does what the
  dialog is for. **ctrl+s saves** in every dialog too: it is the key in a
  multi-line field, where Enter starts a new line. By default ``save`` does
  what Enter does where the focus is; a dialog with a form of its own
  overrides :meth:`Dialog.action_save`.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar, TypeVar

from textual.app import CSSPathType
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList

from trivselkode.i18n import N_, _

ResultT = TypeVar("ResultT")

DIALOGS_TCSS = Path(__file__).with_name("dialogs.tcss")
DISCARD_QUESTION = N_("Luk uden at gemme det, du har skrevet?")


def dialog_css(module_file: str) -> list[str | PurePath]:
    """The kit's styles and the ``dialogs.tcss`` beside ``module_file``: a feature's dialogs' ``CSS_PATH``."""
    return [DIALOGS_TCSS, Path(module_file).with_name("dialogs.tcss")]


class Dialog(ModalScreen[ResultT]):
    """A modal dialog, styled by ``dialogs.tcss`` whichever app hosts it: Escape cancels, Enter or ctrl+s saves.

    A feature's dialogs with styles of their own add a ``dialogs.tcss`` beside
    their module: ``CSS_PATH = dialog_css(__file__)``. A subclass's
    ``BINDINGS`` add to these two keys (Textual merges them).
    """

    CSS_PATH: ClassVar[CSSPathType | None] = [DIALOGS_TCSS]
    BINDINGS = [
        Binding("escape", "cancel", N_("Fortryd"), show=False),
        Binding("ctrl+s", "save", N_("Gem"), show=False),
    ]

    def has_changes(self) -> bool:
        """Whether Escape would throw away something typed (then it asks first). None by default."""
        return False

    def action_cancel(self) -> None:
        if not self.has_changes():
            self.dismiss(None)
            return
        from trivselkode.tui.common.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(_(DISCARD_QUESTION), _("Luk uden at gemme"), _("Bliv"), careful=True), answered
        )

    def action_save(self) -> None:
        """Do what Enter does where the focus is: submit the field, take the highlighted choice, press the button."""
        focused = self.focused
        if isinstance(focused, Input):
            focused.post_message(Input.Submitted(focused, focused.value))
        elif isinstance(focused, OptionList) and focused.highlighted is not None:
            focused.action_select()
        elif isinstance(focused, Button):
            focused.press()
        else:
            self.app.bell()
