"""Searching every passage of every source: fuzzy by default, exact words on request.

Pure core: SQLModel and rapidfuzz, no Textual.

The index
    :meth:`SearchIndex.build` reads every passage once (in source-name and
    passage-number order) and keeps, in memory:

    * each passage text *normalised*: lower-cased and with every character
      that is not a letter or digit replaced by one space, and every
      transcription annotation (``(griner)``, ``[pause]``, see
      :mod:`trivselkode.domain.annotations`) blanked out, since it is not the
      speaker's words and must not rank a passage. The replacement is
      one character for one, so an offset into the normalised text is an
      offset into the stored passage text, and a match can be highlighted
      without mapping;
    * a vocabulary of every word and an inverted index (word → the passages
      that contain it, as NumPy arrays).

    An index is cached per project (:meth:`SearchIndex.for_project`) and
    rebuilt only when the passages change: a cheap fingerprint (the number
    of passages, the highest passage id and every source's content hash) is
    compared before each search.

Fuzzy search (the default)
    The query, composed to Unicode NFC as the stored texts are and then
    normalised the same way, is scored against every passage text
    with ``fuzz.partial_ratio`` (the best-matching window of the text, which
    finds inflected forms, compounds and misspellings: "bibloteket" finds
    "biblioteket" and "biblioteksbesøg") in one multi-threaded
    ``process.cdist`` call. A query of several words also gets a word-wise
    score, so that its words need not stand together: each query word is
    matched against the *vocabulary* (tens of thousands of short strings,
    a few milliseconds) and the score of its best-matching word is spread
    to the passages holding that word through the inverted index; the
    passage's word-wise score is the mean over the query words. A passage
    scores the better of the two. Passages scoring below ``cutoff`` (70) are
    left out; ties are broken in favour of whole-word matches, then by source
    and passage order.

Exact words (``exact=True``)
    Kept in Python on the same inverted index rather than in SQLite FTS5.
    Reasons: it works the same on every back end (SQLite and PostgreSQL, so
    no LIKE fall-back with different semantics is needed); it needs no
    change to the schema that :func:`~trivselkode.storage.db.open_project`
    checks and no TEMP table, whose lifetime would be tied to one pooled
    connection; and it costs nothing extra since the fuzzy search builds the
    word index anyway. Every query word must occur as a whole word (case
    does not matter); a word ending in ``*`` matches every word that starts
    with it (``tryg*``: tryg, trygt, tryghed).

Hit metadata (source, number, speaker and their attributes) is read from the
database for the hits only, at search time, so that an attribute changed
after the index was built shows at once.
"""

from __future__ import annotations

import bisect
import re
import threading
import time
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import func
from sqlmodel import col, select

from trivselkode.domain.annotations import mask
from trivselkode.storage.db import Project
from trivselkode.storage.models import INTERVIEWER, Participant, Passage, Source

__all__ = ["DEFAULT_CUTOFF", "SearchHit", "SearchIndex", "context_bounds", "normalize", "snippet"]

DEFAULT_CUTOFF = 70
_MAX_QUERY_WORDS = 8
_NON_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Lower-case ``text`` and turn every non-alphanumeric character into a space.

    The result has the same length as ``text``, so offsets carry over.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # e.g. "İ" lower-cases to two code points
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return _NON_WORD.sub(" ", lowered)


def _words(normalized: str) -> list[str]:
    return normalized.split()


@dataclass(frozen=True)
class SearchHit:
    """One passage that matched, with where it matched and how well."""

    passage_id: int
    source: str
    number: int
    speaker: str
    role: str
    gender: str | None
    age: int | None
    site: str | None
    text: str
    score: float
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def start(self) -> int | None:
        return self.spans[0][0] if self.spans else None

    @property
    def end(self) -> int | None:
        return self.spans[0][1] if self.spans else None

    @property
    def is_interviewer(self) -> bool:
        return self.role == INTERVIEWER

    @property
    def attribution(self) -> str:
        """The speaker's attributes as the report writes them: "kvinde, 67 år, Holstebro"."""
        parts: list[str] = []
        if self.is_interviewer:
            parts.append("interviewer")
        if self.gender:
            parts.append(self.gender)
        if self.age is not None:
            parts.append(f"{self.age} år")
        if self.site:
            parts.append(self.site)
        return ", ".join(parts)

    @property
    def speaker_line(self) -> str:
        """``P1 (kvinde, 67 år, Holstebro)``."""
        attribution = self.attribution
        return f"{self.speaker} ({attribution})" if attribution else self.speaker

    def snippet(self, context: int = 60) -> tuple[str, str, str]:
        """The text around the first match: (before, match, after)."""
        return snippet(self.text, self.start, self.end, context)


def context_bounds(text: str, start: int | None, end: int | None, context: int = 60) -> tuple[int, int]:
    """The part of ``text`` to show around ``start:end``: up to ``context`` characters
    either side, cut at spaces. Without a match, the first ``2 * context`` characters."""
    if start is None or end is None:
        if len(text) <= 2 * context:
            return 0, len(text)
        cut = text.rfind(" ", 0, 2 * context)
        return 0, cut if cut > context else 2 * context
    lo = max(0, start - context)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    hi = min(len(text), end + context)
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    return lo, hi


def snippet(text: str, start: int | None, end: int | None, context: int = 60) -> tuple[str, str, str]:
    """``text`` cut to ``context`` characters either side of ``start:end``, at word boundaries.

    Returns (before, match, after); "…" marks a cut. Without a match the
    beginning of the text is returned as ``before``.
    """
    flat = " ".join(text.split()) if "\n" in text or "\t" in text else text
    if flat is not text and start is not None and end is not None:
        # Whitespace collapsing shifts offsets; recompute them on the flat text.
        prefix = " ".join(text[:start].split())
        if text[:start] and text[:start][-1].isspace() and prefix:
            prefix += " "
        match = " ".join(text[start:end].split())
        start, end = len(prefix), len(prefix) + len(match)
    lo, hi = context_bounds(flat, start, end, context)
    if start is None or end is None:
        return flat[lo:hi].rstrip() + (" …" if hi < len(flat) else ""), "", ""
    before = ("… " if lo > 0 else "") + flat[lo:start]
    after = flat[end:hi] + (" …" if hi < len(flat) else "")
    return before, flat[start:end], after


@dataclass
class _Data:
    """The built index; replaced as a whole on a rebuild (never mutated)."""

    fingerprint: tuple
    passage_ids: np.ndarray  # int64, in source/passage order
    texts: list[str]  # normalised
    vocab: list[str]  # sorted
    postings: list[np.ndarray]  # per vocab word: sorted passage indices (int32)
    word_index: dict[str, int] = field(default_factory=dict)


_CACHE: weakref.WeakKeyDictionary[Project, SearchIndex] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


class SearchIndex:
    """A search index over every passage of a project.

    ``build()`` once (or let ``search`` do it); ``search`` rebuilds by itself
    when the passages changed since. Safe to share between threads.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._data: _Data | None = None
        self._lock = threading.Lock()
        self.build_seconds: float | None = None

    @classmethod
    def for_project(cls, project: Project) -> SearchIndex:
        """The project's cached index (created, not built, on first use)."""
        with _CACHE_LOCK:
            index = _CACHE.get(project)
            if index is None:
                index = cls(project)
                _CACHE[project] = index
            return index

    # ------------------------------------------------------------------ building

    @property
    def is_built(self) -> bool:
        return self._data is not None

    @property
    def passage_count(self) -> int:
        return len(self._data.texts) if self._data else 0

    def _fingerprint(self) -> tuple:
        with self.project.read() as session:
            count, max_id = session.exec(select(func.count(col(Passage.id)), func.max(Passage.id))).one()
            sources = tuple(session.exec(select(Source.id, Source.content_hash).order_by(col(Source.id))).all())
        return (count, max_id, sources)

    def build(self) -> SearchIndex:
        """Read every passage and build the index (replacing any earlier one)."""
        with self._lock:
            self._build()
        return self

    def ensure_fresh(self) -> bool:
        """Build the index if it is missing or the passages changed; True if it was (re)built."""
        with self._lock:
            if self._data is not None and self._data.fingerprint == self._fingerprint():
                return False
            self._build()
            return True

    def _build(self) -> None:
        began = time.perf_counter()
        fingerprint = self._fingerprint()
        with self.project.read() as session:
            rows = session.exec(
                select(Passage.id, Passage.text)
                .join(Source, col(Passage.source_id) == Source.id)
                .order_by(Source.name, col(Passage.number))
            ).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        texts = [normalize(mask(r[1])) for r in rows]
        word_ids: dict[str, int] = {}
        lists: list[list[int]] = []
        for i, text in enumerate(texts):
            for word in set(text.split()):
                wid = word_ids.get(word)
                if wid is None:
                    wid = word_ids[word] = len(lists)
                    lists.append([])
                lists[wid].append(i)
        vocab = sorted(word_ids)
        postings = [np.asarray(lists[word_ids[w]], dtype=np.int32) for w in vocab]
        self._data = _Data(
            fingerprint=fingerprint,
            passage_ids=ids,
            texts=texts,
            vocab=vocab,
            postings=postings,
            word_index={w: n for n, w in enumerate(vocab)},
        )
        self.build_seconds = time.perf_counter() - began

    # ----------------------------------------------------------------- searching

    def search(
        self,
        query: str,
        limit: int = 200,
        exact: bool = False,
        cutoff: float = DEFAULT_CUTOFF,
    ) -> list[SearchHit]:
        """The best ``limit`` passages for ``query``, best first.

        An empty query (or one of only punctuation) finds nothing.
        """
        if limit <= 0:
            return []
        # Passage texts are stored in NFC (importers.encoding); a query typed or pasted decomposed
        # ("å" as "a" + a combining ring, as macOS file names and some keyboards give it) is composed
        # the same way, or the ring would become a space and split the word.
        query = unicodedata.normalize("NFC", query)
        qnorm = normalize(query.strip())
        terms = qnorm.split()
        if exact:
            # Keep the "*" of prefix words, which normalising turned into spaces.
            terms = [t for t in (_exact_term(w) for w in query.lower().split()) if t]
        if not terms:
            return []
        self.ensure_fresh()
        data = self._data
        assert data is not None
        if not data.texts:
            return []
        if exact:
            ranked, scores, spans = _exact(data, terms, limit)
        else:
            ranked, scores, spans = _fuzzy(data, " ".join(terms), terms[:_MAX_QUERY_WORDS], limit, cutoff)
        return self._hits(data, ranked, scores, spans)

    def _hits(
        self,
        data: _Data,
        ranked: Sequence[int],
        scores: Sequence[float],
        spans: Sequence[tuple[tuple[int, int], ...]],
    ) -> list[SearchHit]:
        if not ranked:
            return []
        ids = [int(data.passage_ids[i]) for i in ranked]
        with self.project.read() as session:
            rows = session.exec(
                select(  # type: ignore[call-overload, misc]  # sqlmodel types select() for at most 4 columns
                    Passage.id,
                    Passage.number,
                    Passage.text,
                    Source.name,
                    Source.site,
                    Participant.label,
                    Participant.role,
                    Participant.gender,
                    Participant.age,
                    Participant.site,
                )
                .join(Source, col(Passage.source_id) == Source.id)
                .join(Participant, col(Passage.participant_id) == Participant.id)
                .where(col(Passage.id).in_(ids))
            ).all()
        by_id = {row[0]: row for row in rows}
        hits: list[SearchHit] = []
        for pid, score, span in zip(ids, scores, spans):
            row = by_id.get(pid)
            if row is None:  # removed since the index was built
                continue
            _pid, number, text, source, source_site, label, role, gender, age, site = row
            hits.append(
                SearchHit(
                    passage_id=pid,
                    source=source,
                    number=number,
                    speaker=label,
                    role=role,
                    gender=gender,
                    age=age,
                    site=site or source_site,
                    text=text,
                    score=round(float(score), 1),
                    spans=span,
                )
            )
        return hits


# --------------------------------------------------------------------- fuzzy


_SHORT_TERM = 2  # query words this short match whole words only (og, er, i, ro)
_PREFIX_FACTOR = 0.95  # an inflected form ranks just below the word itself


def _stem_length(term: str) -> int:
    return len(term) if len(term) <= 3 else max(3, len(term) - 3)


def _word_score(term: str, word: str) -> float:
    """How well query word ``term`` matches a word of a passage (0–100).

    ``ratio`` of the two (misspellings: "bibloteket" ~ "biblioteket"), or,
    when the word starts with the term's stem, ``ratio`` of the term and the
    word's first ``len(term)`` letters (inflections: "tryg" ~ "trygheden"),
    slightly discounted. Words of one or two letters must match exactly.
    """
    if len(term) <= _SHORT_TERM:
        return 100.0 if word == term else 0.0
    score = fuzz.ratio(term, word)
    if len(word) > len(term) and word.startswith(term[: _stem_length(term)]):
        score = max(score, _PREFIX_FACTOR * fuzz.ratio(term, word[: len(term)]))
    return score


def _vocab_scores(data: _Data, term: str, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_word_score` of ``term`` against the whole vocabulary: the ids and scores ≥ cutoff."""
    if len(term) <= _SHORT_TERM:
        wid = data.word_index.get(term)
        if wid is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.asarray([wid]), np.asarray([100.0], dtype=np.float32)
    scores = process.cdist([term], data.vocab, scorer=fuzz.ratio, dtype=np.float32, workers=-1, score_cutoff=cutoff)[0]
    # Words starting with the stem are a contiguous run of the sorted vocabulary.
    stem = term[: _stem_length(term)]
    lo = bisect.bisect_left(data.vocab, stem)
    hi = bisect.bisect_left(data.vocab, stem + "\U0010ffff")
    if hi > lo:
        heads = [w[: len(term)] for w in data.vocab[lo:hi]]
        inflected = _PREFIX_FACTOR * process.cdist([term], heads, scorer=fuzz.ratio, dtype=np.float32, workers=1)[0]
        scores[lo:hi] = np.maximum(scores[lo:hi], inflected)
    ids = np.nonzero(scores >= cutoff)[0]
    return ids, scores[ids]


def _term_weight(term: str) -> float:
    # Short words are mostly function words ("og", "er"); a passage without one still counts.
    return 0.5 if len(term) <= _SHORT_TERM else 1.0


def _wordwise(data: _Data, terms: list[str], cutoff: float) -> np.ndarray:
    """Per passage, the weighted mean over ``terms`` of the best score of any of its words."""
    total = np.zeros(len(data.texts), dtype=np.float32)
    for term in terms:
        ids, values = _vocab_scores(data, term, cutoff)
        if not len(ids):
            continue
        lists = [data.postings[i] for i in ids]
        best = np.zeros(len(data.texts), dtype=np.float32)
        np.maximum.at(best, np.concatenate(lists), np.repeat(values, [len(x) for x in lists]))
        total += _term_weight(term) * best
    return total / sum(_term_weight(t) for t in terms)


def _fuzzy(
    data: _Data, phrase: str, terms: list[str], limit: int, cutoff: float
) -> tuple[list[int], list[float], list[tuple[tuple[int, int], ...]]]:
    scores = process.cdist(
        [phrase], data.texts, scorer=fuzz.partial_ratio, dtype=np.float32, workers=-1, score_cutoff=cutoff
    )[0]
    if len(terms) > 1:
        scores = np.maximum(scores, _wordwise(data, terms, cutoff))
    candidates = np.nonzero(scores >= cutoff)[0]
    if not len(candidates):
        return [], [], []
    # Stable: equal scores keep source/passage order.
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    if len(order) > limit:
        boundary = scores[order[limit - 1]]
        order = order[scores[order] >= boundary]
    # Among the ones that made it, whole-word matches of the phrase rank first.
    bonus = _word_bonus(data, phrase, order)
    # lexsort: the last key is the primary one; ``order`` is already in source order within a score.
    ranking = np.lexsort((np.arange(len(order)), -bonus, -scores[order]))
    ranked = [int(i) for i in order[ranking[:limit]]]
    out_scores = [float(scores[i]) for i in ranked]
    spans = [_fuzzy_spans(data.texts[i], phrase, terms, cutoff) for i in ranked]
    return ranked, out_scores, spans


def _prefix_postings(data: _Data, stem: str) -> np.ndarray:
    """The passages holding a word that starts with ``stem``."""
    lo = bisect.bisect_left(data.vocab, stem)
    hi = bisect.bisect_left(data.vocab, stem + "\U0010ffff")
    if hi <= lo:
        return np.zeros(0, dtype=np.int32)
    return np.unique(np.concatenate(data.postings[lo:hi]))


def _word_bonus(data: _Data, phrase: str, order: np.ndarray) -> np.ndarray:
    """Per passage of ``order``: 2 if the phrase stands in it as whole words, 1 if at a word start, else 0.

    Worked out on the inverted index, so that tens of thousands of equally
    scored passages (a common word) cost no regular-expression search each.
    """
    words = phrase.split()
    bonus = np.zeros(len(order), dtype=np.int8)
    if not words:
        return bonus
    exact_ids = [data.word_index.get(w) for w in words]
    starts = _prefix_postings(data, words[-1])
    if len(words) == 1:
        bonus[np.isin(order, starts)] = 1
        if exact_ids[0] is not None:
            bonus[np.isin(order, data.postings[exact_ids[0]])] = 2
        return bonus
    # Several words: only passages holding all of them (the last as a prefix) can qualify.
    if any(wid is None for wid in exact_ids[:-1]):
        return bonus
    holding = starts
    for wid in exact_ids[:-1]:
        holding = np.intersect1d(holding, data.postings[cast(int, wid)], assume_unique=True)
    whole_word = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")
    word_start = re.compile(r"(?<!\w)" + re.escape(phrase))
    for n in np.nonzero(np.isin(order, holding))[0]:
        text = data.texts[int(order[n])]
        if whole_word.search(text):
            bonus[n] = 2
        elif word_start.search(text):
            bonus[n] = 1
    return bonus


def _fuzzy_spans(text: str, phrase: str, terms: list[str], cutoff: float) -> tuple[tuple[int, int], ...]:
    """Where the query matched in ``text``: the phrase, or each query word's best word.

    Whichever of the two scored better for this passage is shown.
    """
    alignment = fuzz.partial_ratio_alignment(phrase, text)
    phrase_score = alignment.score if alignment is not None else 0.0
    if len(terms) > 1:
        matches = list(_WORD.finditer(text))
        found: list[tuple[int, int]] = []
        total = 0.0
        for term in terms:
            best_score, best_span = 0.0, None
            for match in matches:
                score = _word_score(term, match.group())
                if score > best_score:
                    best_score, best_span = score, match.span()
            if best_span is not None and best_score >= cutoff:
                found.append(best_span)
                total += _term_weight(term) * best_score
        if found and total / sum(_term_weight(t) for t in terms) > phrase_score:
            return tuple(sorted(set(found)))
    if alignment is not None and phrase_score >= cutoff:
        # rapidfuzz reports ``dest_*`` in its second argument, the text.
        return (_snap_to_words(text, alignment.dest_start, alignment.dest_end),)
    return ()


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``start:end`` to whole words and trim surrounding spaces."""
    while start > 0 and text[start - 1] != " " and text[start] != " ":
        start -= 1
    while 0 < end < len(text) and text[end] != " " and text[end - 1] != " ":
        end += 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


# --------------------------------------------------------------------- exact


def _exact_term(word: str) -> str:
    prefix = word.endswith("*")
    core = normalize(word.rstrip("*")).strip()
    if not core or " " in core:
        # "e-mail" → "e mail": keep the parts as separate words.
        return " ".join(core.split()) + ("*" if prefix and core else "")
    return core + ("*" if prefix else "")


def _exact(
    data: _Data, terms: Iterable[str], limit: int
) -> tuple[list[int], list[float], list[tuple[tuple[int, int], ...]]]:
    words: list[str] = []
    for term in terms:
        parts = term.split()
        words.extend(parts)
    selected: np.ndarray | None = None
    patterns: list[re.Pattern[str]] = []
    for word in words:
        if word.endswith("*"):
            stem = word[:-1]
            lo = bisect.bisect_left(data.vocab, stem)
            hi = bisect.bisect_left(data.vocab, stem + "\U0010ffff")
            lists = data.postings[lo:hi]
            hits = np.unique(np.concatenate(lists)) if lists else np.zeros(0, dtype=np.int32)
            patterns.append(re.compile(r"(?<!\w)" + re.escape(stem) + r"\w*"))
        else:
            wid = data.word_index.get(word)
            hits = data.postings[wid] if wid is not None else np.zeros(0, dtype=np.int32)
            patterns.append(re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)"))
        selected = hits if selected is None else np.intersect1d(selected, hits, assume_unique=True)
        if not len(selected):
            return [], [], []
    assert selected is not None
    ranked = [int(i) for i in np.sort(selected)[:limit]]
    spans = []
    for i in ranked:
        text = data.texts[i]
        found = sorted({m.span() for p in patterns for m in p.finditer(text)})
        spans.append(tuple(found[:20]))
    return ranked, [100.0] * len(ranked), spans
