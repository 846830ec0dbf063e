"""Where the coding screen is: the passage cursor, the sub-span (``s`` mode) and their moves.

A plain class, no Textual: the screen asks it where a key leads and shows the
answer (and tests ask it without Pilot). The cursor is an index into the
source's passages; the selection is the characters of the cursor's passage
being narrowed to (``None`` outside the ``s`` mode), moved by sentences or
by words (:mod:`trivselkode.tui.coding.words`); ``span`` is the first and
last sentence it touches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trivselkode.storage.coding_ops import PassageInfo
from trivselkode.tui.coding.words import end_of_word_at, next_end, next_start, word_spans


class PassageCursor:
    """The cursor over one source's passages, and the span of sentences while narrowing."""

    def __init__(self, passages: Sequence[PassageInfo] = (), index: int = 0) -> None:
        self.passages = passages
        self.index = index
        self._sel: tuple[int, int] | None = None  # the selection (characters) while narrowing

    def load(self, passages: Sequence[PassageInfo], index: int) -> None:
        """A (re)loaded source, the cursor on ``index``; a span being narrowed is kept."""
        self.passages = passages
        self.index = index

    @property
    def passage(self) -> PassageInfo | None:
        if not self.passages:
            return None
        return self.passages[self.index]

    # ------------------------------------------------------------------ moves

    def clamp(self, index: int) -> int:
        return max(0, min(len(self.passages) - 1, index))

    def step(self, step: int, predicate: Callable[[PassageInfo], bool] | None = None) -> int | None:
        """The next participant passage ``step`` away (and matching ``predicate``), if any."""
        i = self.index + step
        while 0 <= i < len(self.passages):
            p = self.passages[i]
            if not p.is_interviewer and (predicate is None or predicate(p)):
                return i
            i += step
        return None

    def participant_from(self, index: int, step: int) -> int | None:
        """The first participant passage from ``index`` on, going ``step``."""
        while 0 <= index < len(self.passages) and self.passages[index].is_interviewer:
            index += step
        return index if 0 <= index < len(self.passages) else None

    def first(self) -> int:
        """The first participant passage (the first passage if there is none)."""
        found = self.participant_from(0, 1)
        return found if found is not None else 0

    def last(self) -> int:
        """The last participant passage (the last passage if there is none)."""
        found = self.participant_from(len(self.passages) - 1, -1)
        return found if found is not None else len(self.passages) - 1

    def find(self, text: str, step: int) -> tuple[int, bool] | None:
        """The next passage (``step`` 1) or previous one (-1) containing ``text``, any case.

        Returns the index and whether the search went round the end (or the
        start); ``None`` if no passage contains it.
        """
        needle = text.casefold()
        n = len(self.passages)
        for k in range(1, n + 1):
            i = (self.index + step * k) % n
            if needle in self.passages[i].text.casefold():
                wrapped = (step > 0 and i <= self.index) or (step < 0 and i >= self.index)
                return i, wrapped
        return None

    # ------------------------------------------------------------------- span

    @property
    def span(self) -> tuple[int, int] | None:
        """The first and last sentence the selection touches, or ``None`` outside the ``s`` mode."""
        sel = self.selection()
        if sel is None:
            return None
        sents = self._sentences()
        start, end = sel
        first = next((i for i, (_s, e) in enumerate(sents) if e > start), len(sents) - 1)
        last = next((i for i, (_s, e) in enumerate(sents) if e >= end), len(sents) - 1)
        return first, max(first, last)

    def _sentences(self) -> list[tuple[int, int]]:
        passage = self.passage
        return passage.sentence_spans() if passage else [(0, 0)]

    def _words(self) -> list[tuple[int, int]]:
        passage = self.passage
        return word_spans(passage.text) if passage else []

    def start_span(self) -> None:
        """Begin the ``s`` mode: the passage's first sentence is selected."""
        self._sel = self._sentences()[0]

    def cancel_span(self) -> bool:
        """Leave the ``s`` mode; whether it was on."""
        was_on = self._sel is not None
        self._sel = None
        return was_on

    def sentence_count(self) -> int:
        passage = self.passage
        return len(passage.sentence_spans()) if passage else 0

    def span_end(self, step: int) -> None:
        """Move the selection's end to the end of the next (1) or the previous (-1) sentence."""
        sel = self.selection()
        if sel is None:
            return
        start, end = sel
        ends = [e for _s, e in self._sentences()]
        for _ in range(abs(step)):
            if step > 0:
                end = next((e for e in ends if e > end), end)
            else:
                end = next((e for e in reversed(ends) if start < e < end), end)
        self._sel = (start, end)

    def span_start(self, step: int) -> None:
        """Move the selection's start to the start of the next (1) or this/previous (-1) sentence.

        The end follows when the start passes it (to the end of the start's sentence).
        """
        sel = self.selection()
        if sel is None:
            return
        start, end = sel
        sents = self._sentences()
        for _ in range(abs(step)):
            if step > 0:
                start = next((s for s, _e in sents if s > start), start)
            else:
                start = next((s for s, _e in reversed(sents) if s < start), start)
        if end <= start:
            end = next((e for _s, e in sents if e > start), end)
        self._sel = (start, end)

    def word_end(self, step: int) -> None:
        """Grow (1) or shrink (-1) the selection by a word at its end (it keeps at least one word)."""
        sel = self.selection()
        if sel is None:
            return
        start, end = sel
        self._sel = (start, next_end(self._words(), start, end, step))

    def word_start(self, step: int) -> None:
        """Move the selection's start a word on (1) or back (-1); the end follows if passed."""
        sel = self.selection()
        if sel is None:
            return
        start, end = sel
        words = self._words()
        start = next_start(words, start, step)
        if end <= start:
            end = end_of_word_at(words, start, end)
        self._sel = (start, end)

    def first_word(self) -> None:
        """Narrow the selection to its first word (``s`` again in the mode)."""
        sel = self.selection()
        if sel is None:
            return
        start, end = sel
        self._sel = (start, min(end, end_of_word_at(self._words(), start, end)))

    def selection(self) -> tuple[int, int] | None:
        """The selection as character offsets into the cursor's passage (``None`` outside the mode)."""
        passage = self.passage
        if passage is None or self._sel is None:
            return None
        n = len(passage.text)
        start, end = (min(max(0, x), n) for x in self._sel)  # a reload may have shortened the text
        return (start, end) if end > start else (0, n)

    def selected_text(self) -> str:
        """The selected characters of the cursor's passage ("" outside the mode)."""
        sel, passage = self.selection(), self.passage
        return passage.text[sel[0] : sel[1]] if sel and passage else ""
