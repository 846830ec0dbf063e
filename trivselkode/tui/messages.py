"""Messages the screens and the app exchange.

Past tense for facts (``CodingsChanged``), imperative for requests
(``JumpToPassage``, ``OpenSource``). Widgets own their own nested messages;
the ones here cross screens and are handled by the app, and :class:`Stored`
and :class:`Refused` are what the app's writer answers a screen with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from trivselkode.domain.undo import CodingAction


@dataclass
class JumpToPassage(Message):
    """Open the coding screen on passage ``passage_number`` of ``source_name``.

    Posted by any screen (the search results, the codebook's examples, …);
    the app handles it by opening (or re-opening) the coding screen there.
    ``passage_number`` is the 1-based number of the turn in its source.
    """

    source_name: str
    passage_number: int


@dataclass
class OpenSource(Message):
    """Open the coding screen on a source, at the coder's last position."""

    source_name: str


@dataclass
class CodingsChanged(Message):
    """Codings, done-marks or stars changed in the database (refresh views)."""

    source_name: str | None = None


@dataclass
class CoderChosen(Message):
    """The coder name is known (from the command line or the start dialog)."""

    coder: str


@dataclass
class Stored(Message):
    """A write is in the database (posted by :meth:`TrivselApp.run_write`).

    A screen subclasses it with what it needs to show the change; the writer
    sets ``result``, what the core function returned, before posting it to
    the screen that asked.
    """

    result: Any = field(default=None, init=False)


@dataclass
class Refused(Message):
    """A write was refused or failed: nothing of it is stored.

    The writer sets ``error``; the message bubbles up to the app, which says
    it. A screen subclasses it to get back what the user typed.
    """

    error: str = field(default="", init=False)


@dataclass
class HistoryStepStored(Stored):
    """An undo (``redo`` false) or a redo of ``action`` is stored: coding screens show it."""

    action: CodingAction
    redo: bool


@dataclass
class HistoryStepRefused(Refused):
    """An undo or redo of ``action`` was not stored: the history takes the step back."""

    action: CodingAction
    redo: bool
