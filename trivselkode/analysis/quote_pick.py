"""Picking a code's quotes from its candidates, tier by tier (see :mod:`trivselkode.analysis.quotes`).

A candidate is one passage carrying the code; its text and coded sub-spans are
fetched in batches only when the picking reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from sqlmodel import col, select

from trivselkode.analysis.attributes import ParticipantInfo, attribution
from trivselkode.analysis.basis import Selection
from trivselkode.analysis.frequencies import CodeInfo
from trivselkode.analysis.quote_trim import TARGET_WORDS, Trimmed, near_duplicate, quote_text, trim, word_count
from trivselkode.storage.db import Project
from trivselkode.storage.models import Coding, Passage

WINDOW = 12  # eligible candidates weighed against each other within a tier


@dataclass
class Quote:
    code: str
    text: str
    attribution: str
    source: str
    passage: int
    participant: str = ""
    pieces: list[tuple[int, int]] = field(default_factory=list)  # offsets into the passage text
    pinned: bool = False
    starred: bool = False
    consensus: bool = False
    open: bool = False  # an open disagreement counted in (consensus only)
    coders: int = 0
    passage_id: int = field(default=0, repr=False)
    quality: tuple = field(default=(), repr=False, compare=False)
    picked: bool = False  # the researcher picked it (``QuoteChoice``)
    reference: str = ""  # "Interview 3, Holstebro, udsagn 14" (set once the quotes are picked)

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "attribution": self.attribution,
            "reference": self.reference,
            "source": self.source,
            "passage": self.passage,
        }


@dataclass
class Candidate:
    passage_id: int
    participant: ParticipantInfo
    pinned: bool
    starred: bool
    consensus: bool
    open: bool
    coders: int
    bucket: tuple
    order: tuple  # (source name, passage number)
    picked: bool = False  # the researcher picked it: quoted whatever its length
    span: tuple[int, int] | None = None  # the researcher's own narrowing of a picked quote


class PassageTexts:
    """Passage texts, sentences, numbers and sub-spans, fetched in batches when needed."""

    def __init__(self, project: Project, selection: Selection, batch: int = 400) -> None:
        self.project = project
        self.selection = selection
        self.batch = batch
        self.text: dict[int, tuple[str, list, int]] = {}
        self.spans: dict[tuple[int, int], list[tuple[int, int, int]]] = {}

    def load(self, ids: Iterable[int]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.text]
        if not wanted:
            return
        coders = set(self.selection.coder_ids)
        if self.selection.mode != "coder" and self.selection.consensus_coder_id is not None:
            coders.add(self.selection.consensus_coder_id)  # a settled sub-span is preferred
        with self.project.read() as session:
            for k in range(0, len(wanted), self.batch):
                chunk = wanted[k : k + self.batch]
                for pid, text, sentences, number in session.exec(
                    select(Passage.id, Passage.text, col(Passage.sentences), Passage.number).where(
                        col(Passage.id).in_(chunk)
                    )
                ):
                    self.text[cast(int, pid)] = (text, sentences or [], number)
                for pid, code_id, coder_id, start, end in session.exec(
                    select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                        Coding.passage_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end
                    ).where(col(Coding.passage_id).in_(chunk), col(Coding.start).is_not(None))
                ):
                    if coder_id in coders and end is not None:
                        self.spans.setdefault((pid, code_id), []).append((coder_id, start, end))

    def span(self, passage_id: int, code_id: int, consensus_id: int | None) -> tuple[int, int] | None:
        spans = self.spans.get((passage_id, code_id))
        if not spans:
            return None
        for coder, s, e in spans:
            if coder == consensus_id:
                return (s, e)
        votes: dict[tuple[int, int], int] = {}
        for _coder, s, e in spans:
            votes[(s, e)] = votes.get((s, e), 0) + 1
        return max(votes, key=lambda se: (votes[se], -se[0], -se[1]))


def occurrence(values: np.ndarray) -> np.ndarray:
    """For each position, how many earlier positions hold the same value."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    s = np.argsort(values, kind="stable")
    ordered = values[s]
    starts = np.empty(values.size, dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    run_start = np.maximum.accumulate(np.where(starts, np.arange(values.size), 0))
    out = np.empty(values.size, dtype=np.int64)
    out[s] = np.arange(values.size) - run_start
    return out


def round_robin_order(order: np.ndarray, person: np.ndarray, bucket: np.ndarray, bucket_rank: np.ndarray) -> np.ndarray:
    """The positions of one tier's candidates in round-robin order: one per participant per round,
    interleaved over (library, gender).

    Per candidate: ``order`` its place in reading order (source name, passage number), ``person`` its
    participant, ``bucket`` its (library, gender) and ``bucket_rank`` that bucket's place among the
    buckets read as text. In reading order, a candidate's round is how many of its participant's came
    before it, and its turn how many of its bucket came before it in that round; the tier is sorted by
    (round, turn, bucket as text, reading order).
    """
    n = order.size
    first = np.lexsort((np.arange(n), order))
    level = occurrence(person[first])
    turn = occurrence(level * (int(bucket.max(initial=0)) + 1) + bucket[first])
    final = np.lexsort((np.arange(n), order[first], bucket_rank[first], turn, level))
    return first[final]


class LazyCandidates(Sequence[Candidate]):
    """A tier's candidates in their order, each made when first looked at."""

    def __init__(self, indices: np.ndarray, make) -> None:  # noqa: ANN001
        self.indices = indices
        self.make = make
        self.made: list[Candidate | None] = [None] * int(indices.size)

    def __len__(self) -> int:
        return len(self.made)

    def _one(self, i: int) -> Candidate:
        c = self.made[i]
        if c is None:
            c = self.made[i] = self.make(int(self.indices[i]))
        return c

    def __getitem__(self, i):  # noqa: ANN001, ANN204
        if isinstance(i, slice):
            return [self._one(k) for k in range(*i.indices(len(self.made)))]
        if i < 0:
            i += len(self.made)
        if not 0 <= i < len(self.made):
            raise IndexError(i)
        return self._one(i)

    def __iter__(self) -> Iterator[Candidate]:
        for i in range(len(self.made)):
            yield self._one(i)


@dataclass
class Elsewhere:
    """What earlier codes of the collection quoted: avoided, where possible, for the next."""

    passages: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


class Tier:
    """One tier's candidates in round-robin order (``arrange``), each made only when visited."""

    def __init__(self, indices: np.ndarray, make, arrange) -> None:  # noqa: ANN001
        self.indices = indices
        self.make = make
        self.arrange = arrange
        self._cands: LazyCandidates | None = None

    @property
    def cands(self) -> LazyCandidates:
        if self._cands is None:
            self._cands = LazyCandidates(self.indices[self.arrange(self.indices)], self.make)
        return self._cands


def tiers_of(indices: np.ndarray, keys: np.ndarray, make, arrange) -> list[Tier]:  # noqa: ANN001
    """Tiers from best to worst (pinned, starred, consensus, number of coders)."""
    out = []
    for key in sorted(set(keys.tolist()), reverse=True):
        out.append(Tier(indices[keys == key], make, arrange))
    return out


class Picker:
    """One code's quotes: candidates are evaluated (trimmed) once, then taken one by one."""

    def __init__(
        self,
        code: CodeInfo,
        texts: PassageTexts,
        pattern: re.Pattern[str] | None,
        selection: Selection,
        min_words: int,
        max_words: int,
        lang: str,
        elsewhere: Elsewhere | None = None,
    ) -> None:
        self.code, self.texts, self.pattern, self.selection = code, texts, pattern, selection
        self.min_words, self.max_words, self.lang = min_words, max_words, lang
        self.target = min(max(TARGET_WORDS, min_words), max_words)
        self.elsewhere = elsewhere or Elsewhere()
        self.evaluated: dict[int, Quote | None] = {}
        self.picked: list[Quote] = []
        self.picked_ids: set[int] = set()
        self.used: set[int] = set()
        self.sites: set = set()
        self.genders: set = set()

    def evaluate(self, c: Candidate, ahead: Sequence[Candidate]) -> Quote | None:
        """``c``'s quote, or ``None`` when it cannot be quoted (``ahead``: fetch their texts in the same batch)."""
        if c.passage_id in self.evaluated:
            return self.evaluated[c.passage_id]
        if c.passage_id not in self.texts.text:
            self.texts.load([c.passage_id] + [b.passage_id for b in ahead])
        quote = self.quote_of(c)
        self.evaluated[c.passage_id] = quote
        return quote

    def quote_of(self, c: Candidate) -> Quote | None:
        """``c``'s quote, its text loaded (uncached: :meth:`evaluate` keeps the automatic choice's)."""
        text, sentences, number = self.texts.text[c.passage_id]
        trimmed = self._trim(c, text, sentences)
        quote = None
        if trimmed is not None:
            quote = Quote(
                code=self.code.key,
                text=quote_text(text, trimmed.pieces),
                attribution=attribution(c.participant.attrs, self.lang),
                source=c.participant.source,
                passage=number,
                participant=c.participant.label,
                pieces=list(trimmed.pieces),
                pinned=c.pinned,
                starred=c.starred,
                picked=c.picked,
                consensus=c.consensus,
                open=c.open,
                coders=c.coders,
                passage_id=c.passage_id,
                quality=(trimmed.hits > 0, -abs(trimmed.words - self.target)),
            )
        return quote

    def _trim(self, c: Candidate, text: str, sentences: list) -> Trimmed | None:
        """The pieces of ``c``'s quote: the researcher's own span as it is, else trimmed (leniently when
        pinned, starred or picked)."""
        if c.span is not None:
            start, end = max(0, c.span[0]), min(len(text), c.span[1])
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                return Trimmed([(start, end)], word_count(text[start:end]), 0)
        span = self.texts.span(c.passage_id, self.code.id, self.selection.consensus_coder_id)
        lenient = c.pinned or c.starred or c.picked
        return trim(text, sentences, span, self.pattern, self.min_words, self.max_words, lenient=lenient)

    def take(self, c: Candidate, q: Quote) -> None:
        self.picked.append(q)
        self.picked_ids.add(c.passage_id)
        self.used.add(c.participant.id)
        self.sites.add(c.bucket[0])
        self.genders.add(c.bucket[1])

    def pick(self, tiers: list[Tier], pins: list[Candidate], n: int, picked: Sequence[Candidate] = ()) -> list[Quote]:
        # 1. Pins (this run's), then the researcher's picks (stored), in their order, whatever else holds.
        for c in [*pins, *picked]:
            if c.passage_id in self.picked_ids:
                continue
            q = self.evaluate(c, picked)
            if q is not None:
                self.take(c, q)
        # 2. The rest: the best eligible candidate of the highest tier, again and again.
        #    A passage another code already quotes waits until nothing else is left; a
        #    participant already quoted here waits until everyone quotable has had a turn.
        rejected: set[int] = set()
        reuse = False
        while len(self.picked) < n:
            choice, blocked, deferred = self._choose(tiers, rejected, reuse)
            if choice is None:
                if deferred and not reuse:
                    reuse = True  # only passages other codes quote are left
                    continue
                if blocked:
                    self.used.clear()  # every participant with a quotable passage has had a turn
                    reuse = False
                    continue
                break
            self.take(choice[0], choice[1])
        return self.picked

    def _choose(
        self, tiers: list[Tier], rejected: set[int], reuse: bool
    ) -> tuple[tuple[Candidate, Quote, int] | None, bool, bool]:
        """The best of the first eligible window of the highest tier that has one; and whether a
        candidate was passed over for its participant (blocked) or for another code's quote (deferred)."""
        blocked = deferred = False
        for tier in tiers:
            cands = tier.cands
            window: list[tuple[Candidate, Quote, int]] = []
            for pos, c in enumerate(cands):
                if c.passage_id in self.picked_ids or c.passage_id in rejected:
                    continue
                if c.participant.id in self.used:
                    blocked = True
                    continue
                if not reuse and c.passage_id in self.elsewhere.passages:
                    deferred = True
                    continue
                known = c.passage_id in self.evaluated or c.passage_id in self.texts.text
                q = self.evaluate(c, () if known else cands[pos + 1 : pos + 1 + 4 * WINDOW])
                if q is None or any(near_duplicate(q.text, p.text) for p in self.picked):
                    rejected.add(c.passage_id)
                    continue
                window.append((c, q, pos))
                if len(window) >= WINDOW:
                    break
            if window:
                choice = max(
                    window,
                    key=lambda cqp: (
                        (cqp[0].bucket[0] not in self.sites) + (cqp[0].bucket[1] not in self.genders),
                        cqp[0].participant.id not in self.elsewhere.people,
                        cqp[1].quality,
                        -cqp[2],
                    ),
                )
                return choice, blocked, deferred
        return None, blocked, deferred
