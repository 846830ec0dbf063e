"""Exact-word search: every query word as a whole word (or, ending in ``*``, a word start), and phrases.

Kept in Python on the word index rather than in SQLite FTS5; see
:mod:`trivselkode.analysis.search` for why. A phrase (quoted in the query)
is matched word for word, in both modes: its words in that order, as whole
words, with only spaces, line breaks or punctuation between them; case does
not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from trivselkode.analysis.search_text import normalize
from trivselkode.analysis.search_words import Ranking, WordIndex, WordMatch

__all__ = ["exact_ranking", "exact_term", "phrase_passages", "phrase_pattern"]

_NONE = np.zeros(0, dtype=np.int32)


def exact_term(word: str) -> str:
    """A query word as the exact search takes it: normalised, keeping a trailing ``*``."""
    prefix = word.endswith("*")
    core = normalize(word.rstrip("*")).strip()
    if not core or " " in core:
        # "e-mail" → "e mail": keep the parts as separate words.
        return " ".join(core.split()) + ("*" if prefix and core else "")
    return core + ("*" if prefix else "")


def phrase_pattern(phrase: Iterable[str]) -> re.Pattern[str]:
    """The phrase's words in order as whole words, on a normalised text (where punctuation is space)."""
    return re.compile(r"(?<!\w)" + r" +".join(re.escape(w) for w in phrase) + r"(?!\w)")


def phrase_passages(data: WordIndex, phrase: tuple[str, ...], among: np.ndarray | None = None) -> np.ndarray:
    """The passages (sorted indices) in which ``phrase`` stands word for word."""
    held: np.ndarray | None = among
    for word in dict.fromkeys(phrase):
        wid = data.word_index.get(word)
        hits = data.postings[wid] if wid is not None else _NONE
        held = hits if held is None else np.intersect1d(held, hits, assume_unique=True)
        if not len(held):
            return _NONE
    if held is None:
        return _NONE
    if len(phrase) == 1:
        return held
    pattern = phrase_pattern(phrase)
    keep = [i for i in held.tolist() if pattern.search(data.texts[i])]
    return np.asarray(keep, dtype=np.int32)


def exact_ranking(data: WordIndex, words: Iterable[str], phrases: Iterable[tuple[str, ...]], limit: int) -> Ranking:
    """The passages holding every word (a ``*`` word as a prefix) and phrase, in source order."""
    selected: np.ndarray | None = None
    patterns: list[tuple[str, str, re.Pattern[str]]] = []
    for word in words:
        if word.endswith("*"):
            stem = word[:-1]
            lo, hi = data.prefix_range(stem)
            lists = data.postings[lo:hi]
            hits = np.unique(np.concatenate(lists)) if lists else _NONE
            patterns.append((word, "prefix", re.compile(r"(?<!\w)" + re.escape(stem) + r"\w*")))
        else:
            wid = data.word_index.get(word)
            hits = data.postings[wid] if wid is not None else _NONE
            patterns.append((word, "exact", re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)")))
        selected = hits if selected is None else np.intersect1d(selected, hits, assume_unique=True)
        if not len(selected):
            return [], [], []
    for phrase in phrases:
        selected = phrase_passages(data, phrase, selected)
        patterns.append((" ".join(phrase), "phrase", phrase_pattern(phrase)))
        if not len(selected):
            return [], [], []
    if selected is None:
        return [], [], []
    ranked = [int(i) for i in np.sort(selected)[:limit]]
    found = [tuple(_matches(data.texts[i], patterns)) for i in ranked]
    return ranked, [100.0] * len(ranked), found


def _matches(text: str, patterns: list[tuple[str, str, re.Pattern[str]]]) -> list[WordMatch]:
    """Every match of every pattern in ``text``, in text order (at most 20)."""
    spans: dict[tuple[int, int], WordMatch] = {}
    for term, kind, pattern in patterns:
        for m in pattern.finditer(text):
            spans.setdefault(m.span(), WordMatch(m.start(), m.end(), term, kind))
    return [spans[k] for k in sorted(spans)][:20]
