"""Trimming a passage to a quote: keywords, sentences, and the verbatim pieces.

The rules are in :mod:`trivselkode.analysis.quotes`' module doc; every piece is
``passage.text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from trivselkode.domain.annotations import mask as mask_annotations
from trivselkode.domain.annotations import spoken_word_count

ELLIPSIS = " […] "
FRAGMENT = 4  # a sentence of fewer words without a keyword is a fragment at a quote's edge
FOCUS_WORDS = 40  # a passage longer than this is narrowed to its keyword sentences
TARGET_WORDS = 25  # the length a quote is widened towards, and preferred at
NEAR_DUPLICATE = 85  # rapidfuzz ratio (and 95 for partial_ratio) that makes two quotes one


@lru_cache(maxsize=4096)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern matching any of the lemma keywords by the prefix rule (see :mod:`trivselkode.analysis.quotes`)."""
    parts = []
    for kw in sorted({k.strip().lower() for k in keywords if k and k.strip()}):
        stem = kw[:-1] if len(kw) >= 5 and kw.endswith("e") else kw
        words = [re.escape(w) for w in stem.split()]
        body = r"\s+".join(words)
        if len(stem) >= 4:
            parts.append(rf"{body}\w*")
        else:
            parts.append(rf"{body}(?:e|en|et|er|ere|erne|ene|ens|ets|s|t|r|ne)?\b")
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def word_count(text: str) -> int:
    """The speaker's words in ``text``: transcription annotations (``(griner)``) are not counted."""
    return spoken_word_count(text)


def _sentences(text: str, sentences: Sequence[Sequence[int]] | None) -> list[tuple[int, int]]:
    spans = []
    for pair in sentences or ():
        s, e = int(pair[0]), int(pair[1])
        if 0 <= s < e <= len(text) and text[s:e].strip():
            spans.append((s, e))
    if not spans:
        stripped = text.strip()
        if not stripped:
            return []
        start = text.index(stripped[0])
        spans = [(start, start + len(stripped))]
    spans.sort()
    # An opening bracket left at the end of a sentence ("… sige. (")
    # belongs to the next one ("(pause) Jeg …").
    for k in range(len(spans) - 1):
        s, e = spans[k]
        cut = e
        while cut > s and (text[cut - 1] in _OPENERS or (text[cut - 1].isspace() and cut < e)):
            cut -= 1
        if cut < e and text[s:cut].strip():
            cut = _strip(text, s, cut)[1]
            spans[k] = (s, cut)
            nxt_s, nxt_e = spans[k + 1]
            opener = next(i for i in range(cut, e) if text[i] in _OPENERS)
            spans[k + 1] = (min(opener, nxt_s), nxt_e)
    return spans


_OPENERS = "([{"  # quotation marks open or close depending on the language: left alone
# Transcription notes at a quote's edge: "(pause)", "[griner]".
_LEADING_NOTE = re.compile(r"\s*[\(\[][^\)\]\n]{1,40}[\)\]]\s*")
_TRAILING_NOTE = re.compile(r"\s*[\(\[][^\)\]\n]{1,40}[\)\]]\s*$")


def _tidy(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Leave transcription notes off the edges of a quote."""
    if not pieces:
        return pieces
    s, e = pieces[0]
    m = _LEADING_NOTE.match(text, s, e)
    if m and m.end() < e and text[m.end() : e].strip():
        pieces = [(m.end(), e), *pieces[1:]]
    s, e = pieces[-1]
    m = _TRAILING_NOTE.search(text, s, e)
    if m and m.start() > s and text[s : m.start()].strip():
        pieces = [*pieces[:-1], (s, m.start())]
    return [_strip(text, a, b) for a, b in pieces]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


@dataclass
class Trimmed:
    pieces: list[tuple[int, int]]
    words: int
    hits: int


def trim(
    text: str,
    sentences: Sequence[Sequence[int]] | None,
    span: tuple[int, int] | None,
    pattern: re.Pattern[str] | None,
    min_words: int,
    max_words: int,
    lenient: bool = False,
) -> Trimmed | None:
    """The quotable pieces of a passage, or ``None`` when it cannot be quoted."""
    region = _region(text, sentences, span)
    if not region:
        return None
    out = _fit(text, region, span is None, pattern, min_words, max_words, lenient)
    if out is None:
        return None
    pieces = _tidy(text, out.pieces)
    if pieces != out.pieces:
        words = sum(word_count(text[a:b]) for a, b in pieces)
        if words < min_words and not lenient:
            return out
        return Trimmed(pieces, words, out.hits)
    return out


def _region(
    text: str, sentences: Sequence[Sequence[int]] | None, span: tuple[int, int] | None
) -> list[tuple[int, int]]:
    """The sentences a quote is made of: those the coded sub-span touches, else all."""
    sents = _sentences(text, sentences)
    if span is None:
        return sents
    a, b = span
    region = [(s, e) for s, e in sents if s < b and e > a]
    if not region:
        s, e = _strip(text, max(0, a), min(len(text), b))
        region = [(s, e)] if s < e else []
    return region


def _fit(
    text: str,
    region: list[tuple[int, int]],
    whole: bool,
    pattern: re.Pattern[str] | None,
    min_words: int,
    max_words: int,
    lenient: bool,
) -> Trimmed | None:
    """``region`` within ``min_words``–``max_words``: focused, whole, or shortened."""
    words = [word_count(text[s:e]) for s, e in region]
    hits = [len(pattern.findall(mask_annotations(text[s:e]))) if pattern else 0 for s, e in region]
    # Short answers to the interviewer's question ("Lyset.", "Ja, altså.") at either
    # end say little without the question: drop them when enough remains.
    while len(region) > 1 and words[0] < FRAGMENT and not hits[0] and sum(words[1:]) >= min_words:
        region, words, hits = region[1:], words[1:], hits[1:]
    while len(region) > 1 and words[-1] < FRAGMENT and not hits[-1] and sum(words[:-1]) >= min_words:
        region, words, hits = region[:-1], words[:-1], hits[:-1]
    total = sum(words)
    if whole and total > min(FOCUS_WORDS, max_words) and any(hits):
        focused = _focus(region, words, hits, min_words, max_words, lenient)
        if focused is not None:
            return focused
    if total <= max_words:
        if total < min_words and not lenient:
            return None
        return Trimmed([(region[0][0], region[-1][1])], total, sum(hits))
    return _shorten(region, words, hits, min_words, max_words, lenient)


def _focus(
    region: list[tuple[int, int]], words: list[int], hits: list[int], min_words: int, max_words: int, lenient: bool
) -> Trimmed | None:
    """A long passage: the sentences from the first to the last keyword, widened towards the target."""
    target = min(max(TARGET_WORDS, min_words), max_words)
    i = next(k for k, h in enumerate(hits) if h)
    j = max(k for k, h in enumerate(hits) if h)
    count = sum(words[i : j + 1])
    if count > max_words:
        return None
    while count < target:
        if j + 1 < len(region) and count + words[j + 1] <= max_words:
            j += 1
            count += words[j]
        elif i > 0 and count + words[i - 1] <= max_words:
            i -= 1
            count += words[i]
        else:
            break
    if count >= min_words or lenient:
        return Trimmed([(region[i][0], region[j][1])], count, sum(hits[i : j + 1]))
    return None


def _shorten(
    region: list[tuple[int, int]], words: list[int], hits: list[int], min_words: int, max_words: int, lenient: bool
) -> Trimmed | None:
    """Too long: the best contiguous run of sentences within ``max_words`` ... or the keyword
    sentences themselves, joined by an ellipsis, when they hold more keywords."""
    best: tuple | None = None
    for i in range(len(region)):
        count = hit = 0
        for j in range(i, len(region)):
            count += words[j]
            if count > max_words:
                break
            hit += hits[j]
            score = (hit, count >= min_words, count, -i)
            if best is None or score > best[0]:
                best = (score, i, j, count, hit)
    chosen: list[int] = []
    count = 0
    for idx in sorted((k for k in range(len(region)) if hits[k]), key=lambda k: (-hits[k], k)):
        if count + words[idx] <= max_words:
            chosen.append(idx)
            count += words[idx]
    chosen.sort()
    if chosen and (best is None or sum(hits[k] for k in chosen) > best[4]) and count >= min_words:
        pieces: list[tuple[int, int]] = []
        prev = None
        for k in chosen:
            if prev is not None and k == prev + 1:
                pieces[-1] = (pieces[-1][0], region[k][1])
            else:
                pieces.append(region[k])
            prev = k
        return Trimmed(pieces, count, sum(hits[k] for k in chosen))
    if best is not None and (best[3] >= min_words or lenient):
        _, i, j, count, hit = best
        return Trimmed([(region[i][0], region[j][1])], count, hit)
    if lenient:
        return Trimmed([(region[0][0], region[-1][1])], sum(words), sum(hits))
    return None


def quote_text(text: str, pieces: Sequence[tuple[int, int]]) -> str:
    return ELLIPSIS.join(text[s:e] for s, e in pieces)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def near_duplicate(a: str, b: str) -> bool:
    """Two quotes that say the same: similar as a whole, or one (nearly) inside the other."""
    from rapidfuzz import fuzz

    a, b = _norm(a), _norm(b)
    if fuzz.ratio(a, b, score_cutoff=NEAR_DUPLICATE):
        return True
    return bool(fuzz.partial_ratio(a, b, score_cutoff=95))
