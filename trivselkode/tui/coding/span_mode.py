"""The sub-span mode (``s``): narrowing a passage's coding to some of its sentences or words.

The widget is the mode line under the passages. It drives the span kept by
the screen's :class:`~trivselkode.tui.coding.cursor.PassageCursor` (a plain
class, tested without Pilot) and says what happened in its own messages:
:class:`SpanMode.Changed` when the span begins, moves or ends (the passage
list shows the selection), :class:`SpanMode.Confirmed` when Enter asks to
code it. The keys stay the coding screen's bindings, because the focus stays
on the passages and the help and the footer list them with the screen's.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from trivselkode.i18n import _
from trivselkode.storage.coding_ops import PassageInfo
from trivselkode.tui.coding.cursor import PassageCursor
from trivselkode.tui.coding.words import word_spans
from trivselkode.tui.common.plain import inert_line


class SpanMode(Static):
    """The line under the passages while a passage's coding is narrowed (what is selected, the keys)."""

    class Changed(Message):
        """The span began, moved or ended: ``selection`` in characters of the passage, or ``None``."""

        def __init__(self, selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.selection = selection

    class Confirmed(Message):
        """Enter in the mode: code ``selection`` (characters) of ``passage``; the span stays until :meth:`end`."""

        def __init__(self, passage: PassageInfo, selection: tuple[int, int]) -> None:
            super().__init__()
            self.passage = passage
            self.selection = selection

    def __init__(self, cursor: PassageCursor, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.cursor = cursor
        self.code_key: str | None = None  # the code Enter will apply; None asks for one
        self.display = False

    @property
    def active(self) -> bool:
        return self.cursor.span is not None

    def begin(self, code_key: str | None) -> None:
        """Start narrowing the cursor's passage, at its first sentence."""
        self.code_key = code_key
        self.cursor.start_span()
        self._changed()

    def grow(self, step: int) -> None:
        """Widen (1) or narrow (-1) the span at its end."""
        if self.active:
            self.cursor.span_end(step)
            self._changed()

    def shift(self, step: int) -> None:
        """Move the span's start on (1) or back (-1)."""
        if self.active:
            self.cursor.span_start(step)
            self._changed()

    def grow_word(self, step: int) -> None:
        """Grow (1) or shrink (-1) the selection by a word at its end."""
        if self.active:
            self.cursor.word_end(step)
            self._changed()

    def shift_word(self, step: int) -> None:
        """Move the selection's start a word on (1) or back (-1)."""
        if self.active:
            self.cursor.word_start(step)
            self._changed()

    def first_word(self) -> None:
        """Narrow the selection to its first word."""
        if self.active:
            self.cursor.first_word()
            self._changed()

    def confirm(self) -> None:
        """Ask to code the span (posts :class:`Confirmed`)."""
        passage, selection = self.cursor.passage, self.cursor.selection()
        if passage is not None and selection is not None:
            self.post_message(self.Confirmed(passage, selection))

    def end(self) -> bool:
        """Leave the mode (coded, cancelled or moved away); whether it was on."""
        if self.cursor.cancel_span():
            self._changed()
            return True
        return False

    def _changed(self) -> None:
        span = self.cursor.span
        if span is None:
            self.display = False
        else:
            a, b = span
            if a == b:
                where = _("sætning {n}").format(n=a + 1)
            else:
                where = _("sætning {first}–{last}").format(first=a + 1, last=b + 1)
            words = len(word_spans(self.cursor.selected_text()))
            code = self.code_key
            if code is not None:
                target = _("Enter: kodes med {key}").format(key=inert_line(code))
            else:
                target = _("Enter vælger koden")
            self.update(
                Text.assemble(
                    (_("Udsnit:") + " ", "bold"),
                    _("{where} af {sentences}, {words} ord").format(
                        where=where, sentences=self.cursor.sentence_count(), words=words
                    )
                    + f" · {target} · "
                    + _("s: ét ord · w/b: ord · →/←: sætning · W/B, shift+→/←: start · v: in vivo · Esc: annullér"),
                )
            )
            self.display = True
        self.post_message(self.Changed(self.cursor.selection()))
