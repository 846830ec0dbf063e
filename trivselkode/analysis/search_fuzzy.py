"""Fuzzy ranking for search: the phrase scored against every passage, and each query word against the vocabulary.

See :mod:`trivselkode.analysis.search` for the method; this module holds its steps.
"""

from __future__ import annotations

import re
from typing import cast

import numpy as np
from rapidfuzz import fuzz, process

from trivselkode.analysis.search_words import Ranking, WordIndex

__all__ = ["fuzzy_ranking"]

_WORD = re.compile(r"\w+", re.UNICODE)
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


def _vocab_scores(data: WordIndex, term: str, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_word_score` of ``term`` against the whole vocabulary: the ids and scores ≥ cutoff."""
    if len(term) <= _SHORT_TERM:
        wid = data.word_index.get(term)
        if wid is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.asarray([wid]), np.asarray([100.0], dtype=np.float32)
    scores = process.cdist([term], data.vocab, scorer=fuzz.ratio, dtype=np.float32, workers=-1, score_cutoff=cutoff)[0]
    # Words starting with the stem are a contiguous run of the sorted vocabulary.
    stem = term[: _stem_length(term)]
    lo, hi = data.prefix_range(stem)
    if hi > lo:
        heads = [w[: len(term)] for w in data.vocab[lo:hi]]
        inflected = _PREFIX_FACTOR * process.cdist([term], heads, scorer=fuzz.ratio, dtype=np.float32, workers=1)[0]
        scores[lo:hi] = np.maximum(scores[lo:hi], inflected)
    ids = np.nonzero(scores >= cutoff)[0]
    return ids, scores[ids]


def _term_weight(term: str) -> float:
    # Short words are mostly function words ("og", "er"); a passage without one still counts.
    return 0.5 if len(term) <= _SHORT_TERM else 1.0


def _wordwise(data: WordIndex, terms: list[str], cutoff: float) -> np.ndarray:
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


def fuzzy_ranking(data: WordIndex, phrase: str, terms: list[str], limit: int, cutoff: float) -> Ranking:
    """The passages matching ``phrase`` (or its ``terms`` word-wise) at ``cutoff`` or better, best first."""
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


def _prefix_postings(data: WordIndex, stem: str) -> np.ndarray:
    """The passages holding a word that starts with ``stem``."""
    lo, hi = data.prefix_range(stem)
    if hi <= lo:
        return np.zeros(0, dtype=np.int32)
    return np.unique(np.concatenate(data.postings[lo:hi]))


def _word_bonus(data: WordIndex, phrase: str, order: np.ndarray) -> np.ndarray:
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
