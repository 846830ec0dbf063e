"""Where the coding screen is: the passage cursor, the sub-span (``s`` mode) and their moves.

A plain class, no Textual: the screen asks it where a key leads and shows the
answer (and tests ask it without Pilot). The cursor is an index into the
source's passages; the span is the (first, last) sentence of the cursor's
passage being narrowed to, or ``None`` outside the ``s`` mode.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trivselkode.storage.coding_ops import PassageInfo


class PassageCursor:
    """The cursor over one source's passages, and the span of sentences while narrowing."""

    def __init__(self, passages: Sequence[PassageInfo] = (), index: int = 0) -> None:
        self.passages = passages
        self.index = index
        self.span: tuple[int, int] | None = None  # sentence indexes while narrowing

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

    def start_span(self) -> None:
        self.span = (0, 0)

    def cancel_span(self) -> bool:
        """Leave the ``s`` mode; whether it was on."""
        was_on = self.span is not None
        self.span = None
        return was_on

    def sentence_count(self) -> int:
        passage = self.passage
        return len(passage.sentence_spans()) if passage else 0

    def span_end(self, step: int) -> None:
        """Widen (1) or narrow (-1) the span by a sentence at its end."""
        if self.span is None:
            return
        n = self.sentence_count()
        a, b = self.span
        self.span = (a, max(a, min(n - 1, b + step)))

    def span_start(self, step: int) -> None:
        """Move the span's start a sentence on (1) or back (-1); the end follows if passed."""
        if self.span is None:
            return
        n = self.sentence_count()
        a, b = self.span
        a = max(0, min(n - 1, a + step))
        self.span = (a, max(a, b))

    def selection(self) -> tuple[int, int] | None:
        """The span as character offsets into the cursor's passage."""
        passage = self.passage
        if passage is None or self.span is None:
            return None
        sents = passage.sentence_spans()
        a, b = self.span
        return sents[a][0], sents[b][1]
