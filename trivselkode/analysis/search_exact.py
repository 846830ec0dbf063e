"""Exact-word search: every query word as a whole word (or, ending in ``*``, a word start).

Kept in Python on the word index rather than in SQLite FTS5; see
:mod:`trivselkode.analysis.search` for why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from trivselkode.analysis.search_text import normalize
from trivselkode.analysis.search_words import Ranking, WordIndex

__all__ = ["exact_ranking", "exact_term"]


def exact_term(word: str) -> str:
    """A query word as the exact search takes it: normalised, keeping a trailing ``*``."""
    prefix = word.endswith("*")
    core = normalize(word.rstrip("*")).strip()
    if not core or " " in core:
        # "e-mail" → "e mail": keep the parts as separate words.
        return " ".join(core.split()) + ("*" if prefix and core else "")
    return core + ("*" if prefix else "")


def exact_ranking(data: WordIndex, terms: Iterable[str], limit: int) -> Ranking:
    """The passages holding every word of ``terms`` (a ``*`` word as a prefix), in source order."""
    words: list[str] = []
    for term in terms:
        parts = term.split()
        words.extend(parts)
    selected: np.ndarray | None = None
    patterns: list[re.Pattern[str]] = []
    for word in words:
        if word.endswith("*"):
            stem = word[:-1]
            lo, hi = data.prefix_range(stem)
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
