"""The interface's language in the TUI: texts translated when shown, and the choice of language.

Texts declared before they are shown (``BINDINGS``, ``HELP_TEXT``, help
sections, titles) are Danish message ids marked with ``N_()``;
:func:`translated` turns one into the interface's language at the moment it is
shown. :class:`LanguageDialog` is the small "Sprog / Language" choice (``L`` or
F9 on the overview); :meth:`TrivselApp.switch_language` does the switch.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from trivselkode.i18n import CONTEXT_MARK, LANGS, N_, _, language
from trivselkode.tui.common.modal import Dialog
from trivselkode.tui.common.plain import line

# Each language's name in itself: the choice reads the same whichever language is spoken now.
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}
LANGUAGE_TITLE = N_("Sprog")


def translated(text: object) -> str:
    """``text`` (a Danish message id, or text already translated) in the interface's language.

    An empty text stays empty (gettext would answer ``""`` with the catalogue's header); a
    context before :data:`CONTEXT_MARK` is dropped.
    """
    text = "" if text is None else str(text)
    if not text:
        return text
    shown = _(text)
    return shown.split(CONTEXT_MARK, 1)[1] if CONTEXT_MARK in shown else shown


class LanguageDialog(Dialog[str | None]):
    """Dansk or English: dismisses with the language chosen (``"da"``/``"en"``), or None."""

    BINDINGS = [Binding("escape", "cancel", N_("Luk"))]

    def compose(self) -> ComposeResult:
        with Vertical(id="language-box", classes="dialog"):
            yield Label(line(_(LANGUAGE_TITLE) + " · Dansk / English"), classes="dialog-title")
            options = [Option(LANGUAGE_NAMES[lang], id=lang) for lang in LANGS]
            yield OptionList(*options, id="language-choice")
            yield Static(_("Enter: vælg · Escape: luk"), classes="dialog-hint")

    def on_mount(self) -> None:
        choice = self.query_one("#language-choice", OptionList)
        choice.highlighted = LANGS.index(language())
        choice.focus()

    @on(OptionList.OptionSelected, "#language-choice")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
