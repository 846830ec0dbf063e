"""How the screens show text from data: as plain Rich ``Text``, never markup, control characters inert.

Names, labels, transcripts, memos and messages that quote them come from
files anyone may have written. A screen never hands them to Textual or Rich
as a string that would be read as markup (``Static("...")``, ``Label``,
``notify``, ``Option``, ``DataTable`` cells, ``Table`` cells, ``Select`` and
``SelectionList`` prompts all parse strings): it passes :func:`line` or
:func:`para`, which are ``Text`` objects with the control and bidi characters
replaced one for one (:mod:`trivselkode.domain.display`), so offsets into a
passage still point at the same characters. Editable fields show their value
inert the same way (:class:`PlainInput`, :class:`PlainTextArea`) and keep what
is stored unless the person changes it.
"""

from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.style import StyleType
from rich.text import Text
from textual.widgets import Input, TextArea

from trivselkode.domain.display import inert, inert_line

__all__ = ["PlainInput", "PlainTextArea", "inert", "inert_line", "line", "para"]


def line(value: Any, style: StyleType = "", **kwargs: Any) -> Text:
    """One line of data (a name, a key, a label, a message) as ``Text``; a line break in it is shown (␊)."""
    return Text(inert_line("" if value is None else str(value)), style=style, **kwargs)


def para(value: Any, style: StyleType = "", **kwargs: Any) -> Text:
    """Data with lines of its own (a passage, a description, a memo) as ``Text``."""
    return Text(inert("" if value is None else str(value)), style=style, **kwargs)


class _InertHighlighter(Highlighter):
    """Shows an input's value with its control characters inert (one for one: the cursor stays put)."""

    def highlight(self, text: Text) -> None:
        shown = inert_line(text.plain)
        if shown != text.plain:
            text.plain = shown


class PlainInput(Input):
    """An input whose value, from data or typed, is shown inert; the value itself is left as it is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", _InertHighlighter())
        super().__init__(*args, **kwargs)


class PlainTextArea(TextArea):
    """A text area whose lines are shown inert; the document is left as it is."""

    def get_line(self, line_index: int) -> Text:
        return Text(inert(self.document.get_line(line_index)), end="", no_wrap=True)
