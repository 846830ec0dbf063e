"""Code suggestions for a passage: codebook keywords matched on its words.

Keywords are Danish lemmas (``tryghed``, ``velkommen``). A passage's words
are lemmatised with spaCy's lookup lemmatizer (:func:`trivselkode.domain.nlp.lemmas`,
loaded lazily on first use) and each word is matched against every keyword:

- exactly, on the lemma or the word form (weight 1.0);
- as the first part of a compound or an inflected form the lemmatizer does
  not know (``tryghed`` → ``tryghedsfølelse``, ``tryg`` → ``trygt``; keyword of at
  least 4 letters; weight 0.8);
- as the last part of a compound, maybe inflected (``arrangement`` →
  ``børnearrangementer``; keyword of at least 5 letters; weight 0.7);
- fuzzily with rapidfuzz (``fuzz.ratio`` ≥ 85 on the lemma, both at least 5
  letters), for spellings
  and inflections none of the above catches (weight 0.8 × ratio).

A keyword of several words (``mental ro``) matches the same words in a row.
A code's score is the sum of the best weight of each distinct matching word;
suggestions are ranked by score, then by codebook order. They are only
suggestions: nothing here stores anything. Transcription annotations
(``(griner)``, ``[pause]``, see :mod:`trivselkode.domain.annotations`) are
not the speaker's words and never match.

Pure apart from the lazy spaCy call; pass ``lemmatize=simple_words`` to
match on the word forms alone (no spaCy), or ``lemmatize=LemmaProcess()`` to
have spaCy run in a helper process (what the TUI does, so that loading it
never freezes the screen).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rapidfuzz import fuzz, process

from trivselkode.analysis.helper_process import JsonLineProcess
from trivselkode.domain.annotations import mask

Word = tuple[str, str, int, int]  # (lower-case form, lemma, start, end)
Lemmatizer = Callable[[str], list[Word]]

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
PREFIX_MIN = 4
SUFFIX_MIN = 5
MAX_ENDING = 4  # letters an inflection may add after a compound's last part
FUZZY_CUTOFF = 85.0
FUZZY_MIN = 5  # shorter words are too alike to match fuzzily (mad ~ mand)
W_EXACT = 1.0
W_PREFIX = 0.8
W_SUFFIX = 0.7
W_FUZZY = 0.8


class HasKeywords(Protocol):
    key: str
    keywords: Sequence[str]


@dataclass(frozen=True)
class Suggestion:
    """A code the passage may carry, why, and how strongly."""

    code_key: str
    score: float
    matched_words: tuple[str, ...]


def simple_words(text: str) -> list[Word]:
    """The words of ``text`` with their lower-case form as lemma (no spaCy); annotations are no words."""
    return [(m.group().lower(), m.group().lower(), m.start(), m.end()) for m in _WORD_RE.finditer(mask(text))]


def spacy_words(text: str) -> list[Word]:
    """The words of ``text`` with spaCy's lookup lemmas (loads spaCy on first use)."""
    from trivselkode.domain.nlp import lemmas

    return lemmas(text)


class LemmaProcess(JsonLineProcess):
    """spaCy's lookup lemmas from a helper process (``python -m trivselkode.analysis.suggest``).

    Loading spaCy and its lemma tables holds Python's GIL for seconds at a
    time, which would freeze a UI running in the same process even when the
    loading happens in a thread. The helper process loads it instead; the
    caller's thread only waits on a pipe. Started on first use, one request
    at a time, stopped by :meth:`close` (or when this process exits).
    """

    def __init__(self) -> None:
        super().__init__("trivselkode.analysis.suggest", "sprogmodellens hjælpeproces stoppede uventet")

    def __call__(self, text: str) -> list[Word]:
        return [(w[0], w[1], int(w[2]), int(w[3])) for w in self.ask(text)]


def _serve() -> None:
    """The helper process: one JSON text per line in, its words as one JSON list per line out."""
    from trivselkode.domain.nlp import lemmas

    for line in sys.stdin:
        words = lemmas(json.loads(line))
        sys.stdout.write(json.dumps(words) + "\n")
        sys.stdout.flush()


def _field(code: Any, name: str) -> Any:
    return code[name] if isinstance(code, dict) else getattr(code, name)


class KeywordIndex:
    """The keywords of a codebook, indexed for matching many passages."""

    def __init__(self, codes: Iterable[HasKeywords | dict[str, Any]]) -> None:
        self.order: dict[str, int] = {}
        self.single: dict[str, list[str]] = {}  # keyword -> code keys
        self.phrases: list[tuple[tuple[str, ...], str]] = []
        for code in codes:
            retired = code.get("retired") if isinstance(code, dict) else getattr(code, "retired", False)
            if retired:
                continue
            key = _field(code, "key")
            self.order.setdefault(key, len(self.order))
            for raw in _field(code, "keywords") or ():
                kw = " ".join(str(raw).lower().split())
                if not kw:
                    continue
                if " " in kw:
                    self.phrases.append((tuple(kw.split(" ")), key))
                else:
                    self.single.setdefault(kw, [])
                    if key not in self.single[kw]:
                        self.single[kw].append(key)
        self.keywords = list(self.single)
        self.fuzzy_keywords = [kw for kw in self.keywords if len(kw) >= FUZZY_MIN]
        self._by_head: dict[str, list[str]] = {}
        for kw in self.keywords:
            if len(kw) >= PREFIX_MIN:
                self._by_head.setdefault(kw[:PREFIX_MIN], []).append(kw)

    def match_word(self, form: str, lemma: str) -> dict[str, float]:
        """Keyword → weight for one word (the best way each keyword matches)."""
        found: dict[str, float] = {}

        def put(kw: str, weight: float) -> None:
            if weight > found.get(kw, 0.0):
                found[kw] = weight

        for w in {form, lemma}:
            if w in self.single:
                put(w, W_EXACT)
            for kw in self._by_head.get(w[:PREFIX_MIN], ()):
                if w != kw and w.startswith(kw):
                    put(kw, W_PREFIX)
            # The last part of a compound, maybe inflected: børne|arrangement|er.
            for i in range(3, len(w) - SUFFIX_MIN + 1):
                for kw in self._by_head.get(w[i : i + PREFIX_MIN], ()):
                    if len(kw) >= SUFFIX_MIN and w.startswith(kw, i) and len(w) - i - len(kw) <= MAX_ENDING:
                        put(kw, W_SUFFIX)
        if len(lemma) >= FUZZY_MIN and self.fuzzy_keywords:
            for kw, ratio, _ in process.extract(
                lemma, self.fuzzy_keywords, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
            ):
                put(kw, W_FUZZY * ratio / 100.0)
        return found

    def suggest(self, words: Sequence[Word]) -> list[Suggestion]:
        scores: dict[str, dict[str, float]] = {}  # code key -> matched word -> weight
        seen: dict[tuple[str, str], dict[str, float]] = {}
        for form, lemma, _start, _end in words:
            key = (form, lemma)
            if key not in seen:
                seen[key] = self.match_word(form, lemma)
            for kw, weight in seen[key].items():
                for code_key in self.single[kw]:
                    per_word = scores.setdefault(code_key, {})
                    if weight > per_word.get(form, 0.0):
                        per_word[form] = weight
        if self.phrases:
            lemmas = [lemma for _f, lemma, _s, _e in words]
            forms = [form for form, _l, _s, _e in words]
            for parts, code_key in self.phrases:
                n = len(parts)
                for i in range(len(words) - n + 1):
                    if all(lemmas[i + j] == parts[j] or forms[i + j] == parts[j] for j in range(n)):
                        scores.setdefault(code_key, {})[" ".join(forms[i : i + n])] = W_EXACT
                        break
        out = [
            Suggestion(code_key=key, score=round(sum(per_word.values()), 3), matched_words=tuple(per_word))
            for key, per_word in scores.items()
        ]
        out.sort(key=lambda s: (-s.score, self.order.get(s.code_key, 0)))
        return out


def suggest(
    text: str,
    codes: Iterable[HasKeywords | dict[str, Any]] | KeywordIndex,
    *,
    lemmatize: Lemmatizer | None = None,
    limit: int | None = None,
) -> list[Suggestion]:
    """The codes whose keywords occur in ``text``, best first.

    ``codes``: objects or dicts with ``key`` and ``keywords`` (retired codes
    are skipped), or a prepared :class:`KeywordIndex`. ``lemmatize`` defaults
    to spaCy's lookup lemmas (loaded lazily).
    """
    index = codes if isinstance(codes, KeywordIndex) else KeywordIndex(codes)
    if not index.keywords and not index.phrases:
        return []
    # Annotations blanked out (offsets unchanged): whatever the lemmatizer, they are no words.
    words = (lemmatize or spacy_words)(mask(text))
    found = index.suggest(words)
    return found[:limit] if limit is not None else found


if __name__ == "__main__":
    _serve()
