"""The word index behind search: every passage's normalised text, the vocabulary and its postings.

Built once per index (re)build by :meth:`WordIndex.build` and then only
read, by the fuzzy ranking (:mod:`trivselkode.analysis.search_fuzzy`) and
the exact-word search (:mod:`trivselkode.analysis.search_exact`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Ranking", "WordIndex"]


@dataclass
class WordIndex:
    """The built index; replaced as a whole on a rebuild (never mutated)."""

    fingerprint: tuple
    passage_ids: np.ndarray  # int64, in source/passage order
    texts: list[str]  # normalised
    vocab: list[str]  # sorted
    postings: list[np.ndarray]  # per vocab word: sorted passage indices (int32)
    word_index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, fingerprint: tuple, ids: np.ndarray, texts: list[str]) -> WordIndex:
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
        return cls(
            fingerprint=fingerprint,
            passage_ids=ids,
            texts=texts,
            vocab=vocab,
            postings=postings,
            word_index={w: n for n, w in enumerate(vocab)},
        )

    def prefix_range(self, stem: str) -> tuple[int, int]:
        """The run ``lo:hi`` of the sorted vocabulary whose words start with ``stem``."""
        lo = bisect.bisect_left(self.vocab, stem)
        hi = bisect.bisect_left(self.vocab, stem + "\U0010ffff")
        return lo, hi


# What a ranking returns: passage indices best first, their scores, and where each matched.
Ranking = tuple[list[int], list[float], list[tuple[tuple[int, int], ...]]]
