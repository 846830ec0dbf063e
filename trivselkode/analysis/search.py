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

The steps live beside this module: :mod:`~trivselkode.analysis.search_text`
(normalising, snippets), :mod:`~trivselkode.analysis.search_words` (the word
index), :mod:`~trivselkode.analysis.search_fuzzy` and
:mod:`~trivselkode.analysis.search_exact` (the two rankings).
"""

from __future__ import annotations

import threading
import time
import unicodedata
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlmodel import col, select

from trivselkode.analysis.search_exact import exact_ranking, exact_term
from trivselkode.analysis.search_fuzzy import fuzzy_ranking
from trivselkode.analysis.search_text import context_bounds, normalize, snippet
from trivselkode.analysis.search_words import WordIndex
from trivselkode.domain.annotations import mask
from trivselkode.storage.db import Project
from trivselkode.storage.models import INTERVIEWER, Participant, Passage, Source

__all__ = ["DEFAULT_CUTOFF", "SearchHit", "SearchIndex", "context_bounds", "normalize", "snippet"]

DEFAULT_CUTOFF = 70
_MAX_QUERY_WORDS = 8


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


_CACHE: weakref.WeakKeyDictionary[Project, SearchIndex] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


class SearchIndex:
    """A search index over every passage of a project.

    ``build()`` once (or let ``search`` do it); ``search`` rebuilds by itself
    when the passages changed since. Safe to share between threads.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._data: WordIndex | None = None
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
        self._data = WordIndex.build(fingerprint, ids, texts)
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
            terms = [t for t in (exact_term(w) for w in query.lower().split()) if t]
        if not terms:
            return []
        self.ensure_fresh()
        data = self._data
        assert data is not None
        if not data.texts:
            return []
        if exact:
            ranked, scores, spans = exact_ranking(data, terms, limit)
        else:
            ranked, scores, spans = fuzzy_ranking(data, " ".join(terms), terms[:_MAX_QUERY_WORDS], limit, cutoff)
        return self._hits(data, ranked, scores, spans)

    def _hits(
        self,
        data: WordIndex,
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
