"""The word index behind search: every passage's normalised text, the vocabulary and its postings.

Built once per index (re)build by :meth:`WordIndex.build` and then only
read, by the word matching (:mod:`trivselkode.analysis.search_match`), the
fuzzy ranking (:mod:`trivselkode.analysis.search_fuzzy`) and the exact-word
search (:mod:`trivselkode.analysis.search_exact`). Beside the vocabulary it
keeps the vocabulary reversed and sorted (so the words that *end* in
something are a run, as the words that start with something are), the
lemma of each word where the lemmatizer knows one, and which passages are
the participants' (they rank above the interviewer's at the same score).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from trivselkode.analysis.search_lemmas import Lemmatizer
from trivselkode.i18n import N_, _

__all__ = ["Ranking", "WordIndex", "WordMatch"]

_END = "\U0010ffff"


@dataclass
class WordIndex:
    """The built index; replaced as a whole on a rebuild (never mutated)."""

    fingerprint: tuple
    passage_ids: np.ndarray  # int64, in source/passage order
    texts: list[str]  # normalised
    vocab: list[str]  # sorted
    postings: list[np.ndarray]  # per vocab word: sorted passage indices (int32)
    word_index: dict[str, int] = field(default_factory=dict)
    participant: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per passage
    reversed_vocab: list[str] = field(default_factory=list)  # every word reversed, sorted
    reversed_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # → vocab id
    lemmas: dict[str, str] = field(default_factory=dict)  # word → lemma, where one is known
    by_lemma: dict[str, list[int]] = field(default_factory=dict)  # lemma → vocab ids
    lemmatize: Lemmatizer | None = None

    @classmethod
    def build(
        cls,
        fingerprint: tuple,
        ids: np.ndarray,
        texts: list[str],
        participant: np.ndarray | None = None,
        lemmatize: Lemmatizer | None = None,
    ) -> WordIndex:
        """The index of ``texts`` (normalised, one per passage id of ``ids``)."""
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
        backwards = sorted((w[::-1], n) for n, w in enumerate(vocab))
        lemmas: dict[str, str] = {}
        by_lemma: dict[str, list[int]] = {}
        if lemmatize is not None and vocab:
            for n, (word, lemma) in enumerate(zip(vocab, lemmatize(vocab))):
                if lemma:
                    lemmas[word] = lemma
                    by_lemma.setdefault(lemma, []).append(n)
        return cls(
            fingerprint=fingerprint,
            passage_ids=ids,
            texts=texts,
            vocab=vocab,
            postings=postings,
            word_index={w: n for n, w in enumerate(vocab)},
            participant=participant if participant is not None else np.ones(len(texts), dtype=bool),
            reversed_vocab=[b[0] for b in backwards],
            reversed_ids=np.asarray([b[1] for b in backwards], dtype=np.int64),
            lemmas=lemmas,
            by_lemma=by_lemma,
            lemmatize=lemmatize,
        )

    def prefix_range(self, stem: str) -> tuple[int, int]:
        """The run ``lo:hi`` of the sorted vocabulary whose words start with ``stem``."""
        lo = bisect.bisect_left(self.vocab, stem)
        hi = bisect.bisect_left(self.vocab, stem + _END)
        return lo, hi

    def ending_with(self, tail: str) -> np.ndarray:
        """The vocabulary ids of the words that end with ``tail``."""
        key = tail[::-1]
        lo = bisect.bisect_left(self.reversed_vocab, key)
        hi = bisect.bisect_left(self.reversed_vocab, key + _END)
        return self.reversed_ids[lo:hi]

    def lemma_of(self, words: list[str]) -> list[str | None]:
        """The lemma of each of ``words`` (from the index for its own words, else the lemmatizer)."""
        missing = [w for w in words if w not in self.word_index]
        asked = dict(zip(missing, self.lemmatize(missing))) if self.lemmatize is not None and missing else {}
        return [self.lemmas.get(w) if w in self.word_index else asked.get(w) for w in words]


@dataclass(frozen=True)
class WordMatch:
    """Where a passage matched and why: ``text[start:end]`` matched the query word ``term``.

    ``kind`` says how: ``exact`` (the word itself), ``inflection`` (another form
    of it: "trygheden" for "tryghed", "børn" for "barn"), ``derivation`` (the
    same stem with a derivational ending: "ensom" for "ensomheden"),
    ``compound`` (a part of a longer word: "strikkecaféen" for "café"),
    ``spelling`` (a misspelling: "tryghed" for "tryhed"), ``phrase`` (a quoted
    phrase, word for word) or ``prefix`` (``ord*`` in exact mode).
    """

    start: int
    end: int
    term: str
    kind: str

    def how(self) -> str:
        """How it matched, in Danish: "bøjning af 'tryghed'" ("" for the word or phrase itself)."""
        if self.kind in ("exact", "phrase"):
            return ""
        how = _HOW.get(self.kind)
        return f"{_(how) if how else self.kind} '{self.term.rstrip('*')}'"


_HOW = {
    "inflection": N_("bøjning af"),
    "derivation": N_("afledt af"),
    "compound": N_("sammensat med"),
    "spelling": N_("ligner"),
    "prefix": N_("begynder med"),
}


# What a ranking returns: passage indices best first, their scores, and where and why each matched.
Ranking = tuple[list[int], list[float], list[tuple[WordMatch, ...]]]
