"""The search field under the passages (``/``): it says what to look for and where to go.

The bar never moves the cursor itself: it posts :class:`SearchBar.QueryChanged`
as the text is typed, :class:`SearchBar.Find` for Enter, ↓ and ↑, and
:class:`SearchBar.Closed` once Escape has hidden it; the coding screen
handles them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Key
from textual.message import Message
from textual.widgets import Input, Label

from trivselkode.i18n import _
from trivselkode.tui.common.help import HelpInput


class SearchBar(Horizontal):
    """``Søg:`` and a one-line field; hidden until :meth:`open`."""

    @dataclass
    class QueryChanged(Message):
        """The text to look for changed (composed, NFC, as the stored text is)."""

        query: str

    @dataclass
    class Find(Message):
        """Go to the next match (``step`` 1) or the previous one (-1)."""

        step: int

    class Closed(Message):
        """Escape hid the bar: the passages take the focus back."""

    def compose(self) -> ComposeResult:
        yield Label(_("Søg:"), id="search-label")
        yield HelpInput(
            placeholder=_("tekst i kilden · Enter: næste træf · Escape: luk"), id="search", select_on_focus=False
        )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.display = False

    def open(self) -> None:
        self.display = True
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(unicodedata.normalize("NFC", event.value)))

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Find(1))

    @on(Key)
    def _keys(self, event: Key) -> None:
        if event.key == "escape":
            event.stop()
            event.prevent_default()
            self.display = False
            self.post_message(self.Closed())
        elif event.key == "down":
            event.stop()
            self.post_message(self.Find(1))
        elif event.key == "up":
            event.stop()
            self.post_message(self.Find(-1))
