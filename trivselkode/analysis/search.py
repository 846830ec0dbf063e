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
    Word by word, never a string across word boundaries ("ensom" is not
    found in "sidste sommer"). Each query word is matched against the
    *vocabulary* (:mod:`~trivselkode.analysis.search_match`): the word
    itself (100), its inflected forms and the words the lemmatizer gives
    the same lemma (95: "trygheden" for "tryghed", "børn" for "barn"), its
    derivations (90: "ensom" for "ensomheden"), compounds it begins or ends
    (80: "strikkecaféen" for "café") and misspellings ("tryhed" finds
    "tryghed", "bibloteket" "biblioteket"). Query words of three letters or
    fewer match only themselves. A passage must hold a match of *every*
    query word; its score is the mean of each word's best match in it.
    A phrase in quotes (``"personalet er søde"``) must stand in the passage
    word for word (case, spaces, line breaks and punctuation between the
    words do not matter) and scores 100. Passages scoring below ``cutoff``
    (70) are left out. At equal scores the participants' passages come
    before the interviewer's questions, then passages where the query's
    words stand together in order, then source and passage order. Each hit
    carries the words that matched, where, and how (:class:`WordMatch`).

Exact words (``exact=True``)
    Kept in Python on the same inverted index rather than in SQLite FTS5.
    Reasons: it works the same on every back end (SQLite and PostgreSQL, so
    no LIKE fall-back with different semantics is needed); it needs no
    change to the schema that :func:`~trivselkode.storage.db.open_project`
    checks and no TEMP table, whose lifetime would be tied to one pooled
    connection; and it costs nothing extra since the fuzzy search builds the
    word index anyway. Every query word must occur as a whole word (case
    does not matter); a word ending in ``*`` matches every word that starts
    with it (``tryg*``: tryg, trygt, tryghed); phrases in quotes as above.
    The hits are listed in source and passage order.

Hit metadata (source, number, speaker and their attributes) is read from the
database for the hits only, at search time, so that an attribute changed
after the index was built shows at once.

The steps live beside this module: :mod:`~trivselkode.analysis.search_text`
(normalising, snippets), :mod:`~trivselkode.analysis.search_query` (words
and phrases of a query), :mod:`~trivselkode.analysis.search_words` (the word
index), :mod:`~trivselkode.analysis.search_lemmas` (the lemma table),
:mod:`~trivselkode.analysis.search_match` (one word against the vocabulary),
:mod:`~trivselkode.analysis.search_fuzzy` and
:mod:`~trivselkode.analysis.search_exact` (the two rankings).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy import func
from sqlmodel import col, select

from trivselkode.analysis.search_exact import exact_ranking
from trivselkode.analysis.search_fuzzy import fuzzy_ranking
from trivselkode.analysis.search_lemmas import Lemmatizer, table_lemmas
from trivselkode.analysis.search_query import parse_query
from trivselkode.analysis.search_text import context_bounds, normalize, snippet
from trivselkode.analysis.search_words import WordIndex, WordMatch
from trivselkode.domain.annotations import mask
from trivselkode.i18n import _
from trivselkode.storage.db import Project
from trivselkode.storage.models import INTERVIEWER, Participant, Passage, Source

__all__ = ["DEFAULT_CUTOFF", "SearchHit", "SearchIndex", "WordMatch", "context_bounds", "normalize", "snippet"]

DEFAULT_CUTOFF = 70
IN_PROCESS: Literal["in-process"] = "in-process"  # the lemma table loaded into this process


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
    matches: tuple[WordMatch, ...] = ()

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
            parts.append(_("{age} år").format(age=self.age))
        if self.site:
            parts.append(self.site)
        return ", ".join(parts)

    @property
    def speaker_line(self) -> str:
        """``P1 (kvinde, 67 år, Holstebro)``."""
        attribution = self.attribution
        return f"{self.speaker} ({attribution})" if attribution else self.speaker

    def found(self) -> list[tuple[str, str]]:
        """The words that matched, each once, with how (:meth:`WordMatch.how`): [("trygheden", "bøjning af 'tryghed'")]."""
        out: dict[tuple[str, str], None] = {}
        for match in self.matches:
            word = " ".join(self.text[match.start : match.end].split())
            out.setdefault((word, match.how()), None)
        return list(out)

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

    def __init__(self, project: Project, lemmas: Lemmatizer | Literal["in-process"] | None = IN_PROCESS) -> None:
        """``lemmas``: the lemmatizer (default: the lemma table in this process; None: no lemmas)."""
        self.project = project
        self.lemmas = table_lemmas() if lemmas == IN_PROCESS else lemmas
        self._data: WordIndex | None = None
        self._lock = threading.Lock()
        self.build_seconds: float | None = None
        # Why the lemmas are missing, if the lemmatizer failed: search goes on without them (say it).
        self.lemma_problem: str | None = None

    @classmethod
    def for_project(
        cls, project: Project, lemmas: Lemmatizer | Literal["in-process"] | None = IN_PROCESS
    ) -> SearchIndex:
        """The project's cached index (created, not built, on first use, with ``lemmas``)."""
        with _CACHE_LOCK:
            index = _CACHE.get(project)
            if index is None:
                index = cls(project, lemmas)
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
            asking = tuple(
                session.exec(
                    select(Participant.id).where(Participant.role == INTERVIEWER).order_by(col(Participant.id))
                ).all()
            )
        return (count, max_id, sources, asking)

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
                select(Passage.id, Passage.text, Participant.role)
                .join(Source, col(Passage.source_id) == Source.id)
                .join(Participant, col(Passage.participant_id) == Participant.id, isouter=True)
                .order_by(Source.name, col(Passage.number))
            ).all()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        texts = [normalize(mask(r[1])) for r in rows]
        participant = np.fromiter((r[2] != INTERVIEWER for r in rows), dtype=bool, count=len(rows))
        lemmatize = self._guarded(self.lemmas) if self.lemmas is not None else None
        self._data = WordIndex.build(fingerprint, ids, texts, participant, lemmatize)
        self.build_seconds = time.perf_counter() - began

    def _guarded(self, lemmatize: Lemmatizer) -> Lemmatizer:
        """``lemmatize``, but on failure no lemmas and the reason in :attr:`lemma_problem`.

        The lemmas only widen what a word finds (irregular forms); a missing
        lemma table or a helper process that died must not stop search.
        """

        def call(words: Sequence[str]) -> list[str | None]:
            try:
                return lemmatize(words)
            except Exception as exc:  # said by the caller through lemma_problem, never swallowed silently
                self.lemma_problem = _("ordbogen til bøjninger kunne ikke bruges ({exc}); der søges uden den").format(
                    exc=exc
                )
                return [None] * len(words)

        return call

    # ----------------------------------------------------------------- searching

    def search(
        self,
        query: str,
        limit: int = 200,
        exact: bool = False,
        cutoff: float = DEFAULT_CUTOFF,
    ) -> list[SearchHit]:
        """The best ``limit`` passages for ``query``, best first (exact: in source order).

        An empty query (or one of only punctuation) finds nothing. A query
        typed or pasted decomposed ("å" as "a" + a combining ring) is composed
        to NFC as the stored texts are (:func:`~trivselkode.analysis.search_query.parse_query`).
        """
        if limit <= 0:
            return []
        parsed = parse_query(query, exact)
        if not parsed:
            return []
        self.ensure_fresh()
        data = self._data
        assert data is not None
        if not data.texts:
            return []
        if exact:
            ranked, scores, found = exact_ranking(data, parsed.words, parsed.phrases, limit)
        else:
            ranked, scores, found = fuzzy_ranking(data, parsed.words, parsed.phrases, limit, cutoff)
        return self._hits(data, ranked, scores, found)

    def _hits(
        self,
        data: WordIndex,
        ranked: Sequence[int],
        scores: Sequence[float],
        found: Sequence[tuple[WordMatch, ...]],
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
        for pid, score, matches in zip(ids, scores, found):
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
                    spans=tuple((m.start, m.end) for m in matches),
                    matches=matches,
                )
            )
        return hits
