"""Messages the screens and the app exchange.

Past tense for facts (``CodingsChanged``), imperative for requests
(``JumpToPassage``, ``OpenSource``). Widgets own their own nested messages;
the ones here cross screens and are handled by the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


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
