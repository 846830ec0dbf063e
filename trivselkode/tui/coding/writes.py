"""What the coding screen's writes answer with: one :class:`Stored` per kind of change.

The screen asks :meth:`TrivselApp.run_write` to store a change and hands it
the message to post back once it is stored (the writer fills in ``result``)
or refused (``error``); the screen shows the change in its handler for that
message, so nothing is shown before it is in the database. A :class:`Stored`
stops at the screen (the app has nothing to do with it: no dispatch there);
a :class:`Refused` goes on to the app, which says what was not stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from trivselkode.domain.undo import CodingAction
from trivselkode.storage.coding_ops import PassageInfo
from trivselkode.tui.messages import Refused, Stored


@dataclass
class CodingStored(Stored, bubble=False):
    """Codings of passage ``passage_number`` changed (``result``: added, removed): undoable as ``label``."""

    label: str
    passage_number: int


@dataclass
class StarStored(Stored, bubble=False):
    """The star of a passage is stored (``result``: whether it is starred now)."""

    passage_id: int


@dataclass
class MemoStored(Stored, bubble=False):
    """The memo of a passage is stored (``result``: its text, empty if deleted)."""

    passage_id: int


@dataclass
class MemoRefused(Refused):
    """The memo was not stored: the dialog comes back with the typed ``draft``."""

    passage: PassageInfo
    stored_text: str
    draft: str


@dataclass
class DoneStored(Stored, bubble=False):
    """``coder`` marked the source done (``done``) or not done."""

    coder: str
    done: bool


@dataclass
class SpeakerStored(Stored, bubble=False):
    """The participant of ``passage`` is updated."""

    passage: PassageInfo


@dataclass
class SpeakerRefused(Refused):
    """The participant was not updated: the dialog comes back with the typed ``draft``."""

    passage: PassageInfo
    draft: dict[str, str]


@dataclass
class CodeStepStored(Stored, bubble=False):
    """Codes were made (or unmade) with a coding: ``result`` is a :class:`~trivselkode.storage.codes_while_coding.CodeStep`.

    ``step`` says which: ``"new"`` (made now: record it), ``"undo"`` or
    ``"redo"`` of ``action``.
    """

    step: str
    action: CodingAction


@dataclass
class CodeStepRefused(Refused):
    """An undo or redo of ``action`` that makes or unmakes codes was not stored: the history goes back."""

    redo: bool
    action: CodingAction
