"""The base of every modal dialog: the kit's styles (``dialogs.tcss``) and Escape's ``cancel``."""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar, TypeVar

from textual.app import CSSPathType
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")

DIALOGS_TCSS = Path(__file__).with_name("dialogs.tcss")


def dialog_css(module_file: str) -> list[str | PurePath]:
    """The kit's styles and the ``dialogs.tcss`` beside ``module_file``: a feature's dialogs' ``CSS_PATH``."""
    return [DIALOGS_TCSS, Path(module_file).with_name("dialogs.tcss")]


class Dialog(ModalScreen[ResultT]):
    """A modal dialog, styled by ``dialogs.tcss`` whichever app hosts it; ``cancel`` dismisses with ``None``.

    A feature's dialogs with styles of their own add a ``dialogs.tcss`` beside
    their module: ``CSS_PATH = dialog_css(__file__)``.
    """

    CSS_PATH: ClassVar[CSSPathType | None] = [DIALOGS_TCSS]

    def action_cancel(self) -> None:
        self.dismiss(None)
