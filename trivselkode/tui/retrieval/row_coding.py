"""Coding from Udtræk's rows: code keys recode and uncode a row's passage, ``*`` stars it, ``u`` undoes.

A mixin of :class:`~trivselkode.tui.retrieval.screen.RetrievalScreen`. The
codebook's shortcuts (the digits for the themes) are bound as the screen's
own keys, as Kodning binds them; each change goes through the app's writer
(:meth:`TrivselApp.run_write`) to the same core calls as Kodning
(:func:`~trivselkode.storage.coding_ops.toggle_code`,
:func:`~trivselkode.storage.coding_ops.set_star`), is recorded in the app's
undo history, and is shown once it is stored. Handlers are named
``on_<message>`` (Textual finds those on a mixin; ``@on`` needs the class).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.keys import key_to_character

from trivselkode.domain.codebook import RESERVED_SHORTCUTS
from trivselkode.domain.undo import CodingAction, CodingFact
from trivselkode.i18n import _
from trivselkode.storage import coding_ops as ops
from trivselkode.tui.common.picker import CodePickerDialog
from trivselkode.tui.common.textual_internals import own_bindings
from trivselkode.tui.messages import CodingsChanged, Stored

if TYPE_CHECKING:
    from trivselkode.analysis.retrieval import RetrievalData
    from trivselkode.tui.app import TrivselApp


@dataclass
class RowCodingStored(Stored):
    """A code was toggled on a row's passage (``result``: added, removed)."""

    label: str
    code_key: str
    source_name: str
    passage_number: int


@dataclass
class RowStarStored(Stored):
    """A row's passage was starred or unstarred (``result``: whether it is starred now)."""

    passage_id: int
    source_name: str
    passage_number: int


class RowCoding:
    """Recode, uncode and star the highlighted row's passage (mixed into the screen)."""

    BINDINGS: Any
    app: Any
    tapp: TrivselApp
    coder: str
    codes: list[ops.CodeInfo]
    data: RetrievalData | None
    shortcuts: dict[str, int]
    _shortcut_keys: list[str]
    # and from the screen: current(), load(), _refresh(), post_message()

    def _setup_shortcuts(self) -> None:
        """Bind each code's shortcut (as Kodning does), unless the screen uses that key itself."""
        bound: set[str] = set()
        for binding in self.BINDINGS:
            for key in binding.key.split(","):
                bound.add(key.strip())
                char = key_to_character(key.strip())
                if char:
                    bound.add(char)
        reserved = bound | set(RESERVED_SHORTCUTS)
        self.shortcuts = {}
        for code in self.codes:
            if code.shortcut and not code.retired and code.shortcut not in reserved:
                self.shortcuts.setdefault(code.shortcut, code.id)
        keymap = own_bindings(self)
        for key in self._shortcut_keys:
            keymap.pop(key, None)
        self._shortcut_keys = []
        for shortcut, code_id in self.shortcuts.items():
            for binding in Binding.make_bindings([Binding(shortcut, f"toggle_code({code_id})", "", show=False)]):
                if binding.key not in keymap:
                    keymap[binding.key] = [binding]
                    self._shortcut_keys.append(binding.key)

    def action_toggle_code(self, code_id: int) -> None:
        segment = self.current()
        code = next((c for c in self.codes if c.id == code_id), None)
        if segment is None or code is None:
            return
        if segment.is_interviewer:
            self.app.notify(_("Interviewerens udsagn kodes ikke."), severity="warning", timeout=3)
            return
        if code.retired:
            self.app.notify(_("Koden {key} er udgået.").format(key=code.key), severity="error")
            return
        label = _("{key} på udsagn {number}").format(key=code.key, number=segment.number)
        stored = RowCodingStored(label, code.key, segment.source, segment.number)
        self.tapp.run_write(ops.toggle_code, self.coder, segment.passage_id, code_id, reply_to=self, stored=stored)

    def action_pick_code(self) -> None:
        if self.current() is None:
            return

        def chosen(code_id: int | None) -> None:
            if code_id is not None:
                self.action_toggle_code(code_id)

        self.app.push_screen(CodePickerDialog.for_codes(self.codes, title=_("Sæt/fjern kode på udsagnet")), chosen)

    def on_row_coding_stored(self, message: RowCodingStored) -> None:
        added, removed = message.result
        action = self.tapp.history.record_change(
            added,
            removed,
            label=message.label,
            source_name=message.source_name,
            passage_number=message.passage_number,
        )
        self.show_history_step(action, added, removed)
        # Shown by the row's chips (and, when its last coding of the code went, by the row leaving), as in Kodning.
        self.post_message(CodingsChanged(message.source_name))

    def show_history_step(self, action: CodingAction, added: list[CodingFact], removed: list[CodingFact]) -> None:
        """A change of the coder's codings is stored (here, or an undo/redo): the rows follow it."""
        if self.data is None:
            return
        if any(f.code_id == self.data.code_id and f.passage_id not in self.data.passages for f in added):
            self.load()  # the code came back on a passage not read yet (an undo of a change made elsewhere)
            return
        self.data.apply(self.coder, added, removed)
        self._refresh(changed={f.passage_id for f in (*added, *removed)})

    def action_toggle_star(self) -> None:
        segment = self.current()
        if segment is None:
            return
        starred = self.coder not in segment.starred_by
        stored = RowStarStored(segment.passage_id, segment.source, segment.number)
        self.tapp.run_write(ops.set_star, self.coder, segment.passage_id, starred, reply_to=self, stored=stored)

    def on_row_star_stored(self, message: RowStarStored) -> None:
        starred: bool = message.result
        if self.data is not None:
            self.data.set_star(message.passage_id, self.coder, starred)
            self._refresh(changed={message.passage_id})
        where = f"{message.source_name} #{message.passage_number}"
        self.app.notify(
            _("{where} er citatkandidat ★").format(where=where)
            if starred
            else _("Stjernen på {where} er fjernet").format(where=where),
            timeout=2,
        )
        self.post_message(CodingsChanged(message.source_name))

    def action_undo(self) -> None:
        self.tapp.undo()

    def action_redo(self) -> None:
        self.tapp.redo()
