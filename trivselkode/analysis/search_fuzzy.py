"""Fuzzy ranking for search: every query word matched against the vocabulary, word by word.

See :mod:`trivselkode.analysis.search` for the method and
:mod:`trivselkode.analysis.search_match` for how one query word matches a
word; this module combines the query's words and phrases into a ranking.
"""

from __future__ import annotations

import re

import numpy as np

from trivselkode.analysis.search_exact import phrase_passages, phrase_pattern
from trivselkode.analysis.search_match import TermMatches, match_term
from trivselkode.analysis.search_words import Ranking, WordIndex, WordMatch

__all__ = ["fuzzy_ranking"]

_TOKEN = re.compile(r"\S+")
_BONUS_LIMIT = 5000  # passages beyond this many equals are not checked for the words standing together
_MAX_SPANS = 20


def _best_per_passage(data: WordIndex, matches: TermMatches) -> np.ndarray:
    """Per passage, the best score of any word of it that ``matches`` holds (0 for none)."""
    best = np.zeros(len(data.texts), dtype=np.float32)
    if not matches.found:
        return best
    ids = list(matches.found)
    values = np.asarray([matches.found[i][0] for i in ids], dtype=np.float32)
    lists = [data.postings[i] for i in ids]
    np.maximum.at(best, np.concatenate(lists), np.repeat(values, [len(x) for x in lists]))
    return best


def fuzzy_ranking(
    data: WordIndex, words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...], limit: int, cutoff: float
) -> Ranking:
    """The passages holding a match of every word and every phrase, best first.

    A passage's score is the mean of its query words' best scores (a phrase
    scores 100). Equal scores: participants before interviewers, then the
    query's words standing together in order, then source order.
    """
    n = len(data.texts)
    lemmas = data.lemma_of(list(words))
    matched = [match_term(data, w, lemma, cutoff) for w, lemma in zip(words, lemmas)]
    total = np.zeros(n, dtype=np.float32)
    held = np.ones(n, dtype=bool)
    for term in matched:
        best = _best_per_passage(data, term)
        total += best
        held &= best > 0
    candidates = np.nonzero(held)[0].astype(np.int32) if words else None
    for phrase in phrases:
        candidates = phrase_passages(data, phrase, candidates)
        total[candidates] += 100.0
    if candidates is None or not len(candidates):
        return [], [], []
    scores = total / (len(words) + len(phrases))
    candidates = candidates[scores[candidates] >= cutoff]
    order = _ranked(data, candidates, scores, words, limit)
    ranked = [int(i) for i in order]
    by_word = [(term.term, term.words(data.vocab)) for term in matched]
    found = [tuple(_spans(data.texts[i], by_word, phrases)) for i in ranked]
    return ranked, [float(scores[i]) for i in ranked], found


def _ranked(
    data: WordIndex, candidates: np.ndarray, scores: np.ndarray, words: tuple[str, ...], limit: int
) -> np.ndarray:
    """``candidates`` best first, cut to ``limit``."""
    interviewer = ~data.participant[candidates]
    order = candidates[np.lexsort((candidates, interviewer, -scores[candidates]))]
    if len(order) > limit:
        last = order[limit - 1]
        key = (scores[last], data.participant[last])
        keep = (scores[order] > key[0]) | ((scores[order] == key[0]) & (data.participant[order] >= key[1]))
        order = order[keep]
    if len(words) > 1 and len(order) <= _BONUS_LIMIT:
        pattern = phrase_pattern(words)
        bonus = np.fromiter((pattern.search(data.texts[i]) is not None for i in order), dtype=bool, count=len(order))
        order = order[np.lexsort((order, ~bonus, ~data.participant[order], -scores[order]))]
    return order[:limit]


def _spans(
    text: str, matched: list[tuple[str, dict[str, tuple[float, str]]]], phrases: tuple[tuple[str, ...], ...]
) -> list[WordMatch]:
    """Where and why ``text`` matched: per query word, its best-scoring words here; every phrase."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    out: dict[tuple[int, int], WordMatch] = {}
    for term, by_word in matched:
        here = [(by_word[w], a, b) for a, b, w in tokens if w in by_word]
        if not here:
            continue
        top = max(hit[0][0] for hit in here)
        for (score, kind), a, b in here:
            if score == top:
                out.setdefault((a, b), WordMatch(a, b, term, kind))
    for phrase in phrases:
        for m in phrase_pattern(phrase).finditer(text):
            out.setdefault(m.span(), WordMatch(m.start(), m.end(), " ".join(phrase), "phrase"))
    return [out[k] for k in sorted(out)][:_MAX_SPANS]
