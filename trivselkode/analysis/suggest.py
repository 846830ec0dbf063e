"""Code suggestions for a passage: codebook keywords matched on its words.

Keywords are Danish lemmas (``tryghed``, ``velkommen``) or phrases of lemmas
(``tro på``). A passage is analysed (:class:`Analyzed`): its words with
spaCy's lookup lemmas (:func:`trivselkode.domain.nlp.lemmas`) and the set of
its word forms that the lemma table knows. Each word is matched against every
keyword:

- exactly, on the lemma or the word form (weight 1.0);
- as the first part of a compound or an inflected form the lemmatizer does
  not know (``tryghed`` → ``tryghedsfølelse``, ``tryg`` → ``trygt``; keyword of at
  least 4 letters; weight 0.8);
- as the last part of a compound, maybe inflected (``arrangement`` →
  ``børnearrangementer``; keyword of at least 5 letters; weight 0.7);
- as a misspelling (``velkomen`` → ``velkommen``; weight 0.7): only of a
  keyword of at least 7 letters, one letter off (two from 11 letters), never
  when the two only differ in their endings (``biblioteket`` is not
  ``bibliotekar`` misspelt), see :mod:`trivselkode.analysis.keyword_rules`.

A word the lemma table knows (``fredag``, ``samme``, ``biblioteket``) is a word
of its own: never a misspelling of anything; a keyword it begins with only
matches when the rest is an inflection (``smil`` → ``smilede``, not ``fred`` →
``fredag``); a keyword it ends with only after a first part of 5 letters or
more and before an inflection (``pause`` → ``frokostpausen``, not
``kontakt`` → ``stikkontakt``). A word that is itself a keyword is not also
read as another, shorter one (``stolt`` is no ``stol``).

A keyword within three words after a negation (``ikke``, ``aldrig``, ``ingen``,
…) does not count: "behøver ikke være klog". A keyword written after a negation
(``ikke-krav``, ``ikke-dømme``; or ``ikke krav``) counts only there, after any negation within
three words: it is how a code about the absence of something ("uden krav",
"ingen der dømmer") is found. A word that occurs in most of the
project's passages weighs little (``share``: lemma → share of the passages
that contain it). A code's score is the sum of the best weight of each
distinct matching word; suggestions are ranked by score, then by codebook
order, and are *shown* (offered in the TUI, taken by ``+``) from
:data:`KEYWORD_SHOWN`. Each says why (the words that matched). They are only
suggestions: nothing here stores anything. Transcription annotations
(``(griner)``, ``[pause]``, see :mod:`trivselkode.domain.annotations`) are
not the speaker's words and never match.

Pure apart from the lazy spaCy call; :func:`simple_analyze` matches on the
word forms alone (no spaCy, no known words), :class:`LemmaProcess` has spaCy
run in a helper process (what the TUI does, so that loading it never
freezes the screen).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from trivselkode.analysis.helper_process import JsonLineProcess
from trivselkode.analysis.keyword_rules import (
    FUZZY_MIN,
    INFLECTIONS,
    NEGATIONS,
    common_factor,
    is_misspelling,
    negated,
    share_of,
)
from trivselkode.domain.annotations import mask
from trivselkode.i18n import _

Word = tuple[str, str, int, int]  # (lower-case form, lemma, start, end)
Lemmatizer = Callable[[str], list[Word]]

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
PREFIX_MIN = 4
SUFFIX_MIN = 5
MAX_ENDING = 4  # letters an inflection may add after a compound's last part
KNOWN_HEAD = 5
W_EXACT = 1.0
W_PREFIX = 0.8
W_SUFFIX = 0.7
W_FUZZY = 0.7
# A keyword suggestion is shown (offered in the TUI, taken by `+`) from this score.
KEYWORD_SHOWN = 0.75


class HasKeywords(Protocol):
    """A code as the keyword index reads it (a codebook code, a ``CodeInfo``; read-only, so lists fit)."""

    @property
    def key(self) -> str: ...

    @property
    def keywords(self) -> Sequence[str]: ...


class Analyzed(NamedTuple):
    """A passage's words, and which of their forms the lemma table knows."""

    words: list[Word]
    known: frozenset[str]  # the passage's word forms the lemma table knows (as an inflected form or as a lemma)


@dataclass(frozen=True)
class Suggestion:
    """A code the passage may carry, how strongly, and why."""

    code_key: str
    score: float  # keyword-only: the keyword score; from the Suggester: a probability in [0, 1]
    matched_words: tuple[str, ...]  # the passage words that matched keywords
    shown: bool = True  # passes the threshold: shown in the TUI, taken by `+`
    why: tuple[str, ...] = ()  # human-readable reasons, e.g. ("nøgleord: tryg",)


def simple_words(text: str) -> list[Word]:
    """The words of ``text`` with their lower-case form as lemma (no spaCy); annotations are no words."""
    return [(m.group().lower(), m.group().lower(), m.start(), m.end()) for m in _WORD_RE.finditer(mask(text))]


def simple_analyze(text: str) -> Analyzed:
    """:func:`simple_words`, knowing no words (no spaCy)."""
    return Analyzed(simple_words(text), frozenset())


def spacy_words(text: str) -> list[Word]:
    """The words of ``text`` with spaCy's lookup lemmas (loads spaCy on first use)."""
    from trivselkode.domain.nlp import lemmas

    return lemmas(text)


def spacy_analyze(text: str) -> Analyzed:
    """The words of ``text`` with spaCy's lookup lemmas and the forms the table knows (loads spaCy on first use)."""
    from trivselkode.domain.nlp import analyze

    words, known = analyze(text)
    return Analyzed(words, known)


def _as_words(raw: Iterable[Sequence[Any]]) -> list[Word]:
    return [(str(w[0]), str(w[1]), int(w[2]), int(w[3])) for w in raw]


class LemmaProcess(JsonLineProcess):
    """spaCy's lookup lemmas from a helper process (``python -m trivselkode.analysis.suggest``).

    Loading spaCy and its lemma tables holds Python's GIL for seconds at a
    time, which would freeze a UI running in the same process even when the
    loading happens in a thread. The helper process loads it instead; the
    caller's thread only waits on a pipe. Started on first use, one request
    at a time, stopped by :meth:`close` (or when this process exits).
    """

    def __init__(self) -> None:
        super().__init__("trivselkode.analysis.suggest", _("sprogmodellens hjælpeproces stoppede uventet"))

    def __call__(self, text: str) -> list[Word]:
        return _as_words(self.ask(text))

    def analyze(self, text: str) -> Analyzed:
        """The words of ``text`` and the forms the lemma table knows, from the helper."""
        got = self.ask({"analyze": text})
        return Analyzed(_as_words(got["words"]), frozenset(got["known"]))


def _serve() -> None:
    """The helper process: one JSON request per line in, one JSON answer per line out.

    A text gets its words as a list; ``{"analyze": text}`` gets
    ``{"words": [...], "known": [...]}``.
    """
    from trivselkode.domain.nlp import analyze, lemmas

    for line in sys.stdin:
        request = json.loads(line)
        if isinstance(request, dict):
            words, known = analyze(str(request.get("analyze", "")))
            answer: Any = {"words": words, "known": sorted(known)}
        else:
            answer = lemmas(str(request))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def _negated_keyword(keyword: str) -> str | None:
    """``krav`` for a keyword written after a negation (``ikke-krav``, ``ikke krav``), else None."""
    for sep in ("-", " "):
        first, _, rest = keyword.partition(sep)
        if first in NEGATIONS and rest and " " not in rest and "-" not in rest:
            return rest
    return None


def _ends_well(ending: str, known: bool) -> bool:
    """Whether what follows a keyword at a compound's end is an inflection (any short ending if unknown)."""
    return not ending or (ending in INFLECTIONS if known else len(ending) <= MAX_ENDING)


def _add(index: dict[str, list[str]], keyword: str, code_key: str) -> None:
    codes = index.setdefault(keyword, [])
    if code_key not in codes:
        codes.append(code_key)


def _field(code: Any, name: str) -> Any:
    return code[name] if isinstance(code, dict) else getattr(code, name)


class KeywordIndex:
    """The keywords of a codebook, indexed for matching many passages."""

    def __init__(self, codes: Iterable[HasKeywords | dict[str, Any]]) -> None:
        self.order: dict[str, int] = {}
        self.single: dict[str, list[str]] = {}  # keyword -> code keys
        self.after_negation: dict[str, list[str]] = {}  # keyword that counts after a negation -> code keys
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
                negation = _negated_keyword(kw)
                if negation:
                    _add(self.after_negation, negation, key)  # "ikke-krav": krav after a negation
                elif " " in kw:
                    self.phrases.append((tuple(kw.split(" ")), key))
                else:
                    _add(self.single, kw, key)
        self.keywords = list(self.single)
        every = list(dict.fromkeys([*self.single, *self.after_negation]))
        self.fuzzy_keywords = [kw for kw in every if len(kw) >= FUZZY_MIN]
        self._by_head: dict[str, list[str]] = {}
        for kw in every:
            if len(kw) >= PREFIX_MIN:
                self._by_head.setdefault(kw[:PREFIX_MIN], []).append(kw)

    def match_word(self, form: str, lemma: str, *, known: bool = False) -> dict[str, float]:
        """Keyword → weight for one word (the best way each keyword matches).

        ``known``: the lemma table knows ``form``, so it is no misspelling.
        """
        found: dict[str, float] = {}

        def put(kw: str, weight: float) -> None:
            if weight > found.get(kw, 0.0):
                found[kw] = weight

        for w in {form, lemma}:
            if w in self.single or w in self.after_negation:
                put(w, W_EXACT)
                continue  # a keyword itself is not also another keyword inflected (stolt is no stol)
            for kw in self._by_head.get(w[:PREFIX_MIN], ()):
                # a known word only as the keyword inflected (ansat|te), never another word (fred|ag, værts|hus)
                if w != kw and w.startswith(kw) and (not known or w[len(kw) :] in INFLECTIONS):
                    put(kw, W_PREFIX)
            # The last part of a compound, maybe inflected: børne|arrangement|er. In a compound the
            # table knows, only after a first part of KNOWN_HEAD letters or more (frokost|pausen), not
            # after a short particle that makes it a word of its own (stik|kontakt, fore|stille).
            for i in range(KNOWN_HEAD if known else 3, len(w) - SUFFIX_MIN + 1):
                for kw in self._by_head.get(w[i : i + PREFIX_MIN], ()):
                    if len(kw) >= SUFFIX_MIN and w.startswith(kw, i) and _ends_well(w[i + len(kw) :], known):
                        put(kw, W_SUFFIX)
        if not found and not known and len(form) >= FUZZY_MIN - 2:
            for kw in self.fuzzy_keywords:
                if is_misspelling(form, kw):
                    put(kw, W_FUZZY)
        return found

    def suggest(
        self,
        words: Sequence[Word],
        *,
        known: Container[str] = frozenset(),
        share: Mapping[str, float] | None = None,
    ) -> list[Suggestion]:
        """The codes whose keywords the passage's ``words`` hold, best first (see the module's rules).

        ``known``: the word forms the lemma table knows (no misspellings);
        ``share``: lemma → share of the project's passages that contain it.
        """
        scores: dict[str, dict[str, float]] = {}  # code key -> matched word -> weight
        seen: dict[tuple[str, str], dict[str, float]] = {}
        lemmas = [w[1] for w in words]
        starts = [w[2] for w in words]
        ends = [w[3] for w in words]
        for i, (form, lemma, _start, _end) in enumerate(words):
            key = (form, lemma)
            if key not in seen:
                seen[key] = self.match_word(form, lemma, known=form in known)
            if not seen[key]:
                continue
            by_keyword = self.after_negation if negated(lemmas, ends, starts, i) else self.single
            factor = common_factor(share_of(share, form, lemma))
            for kw, weight in seen[key].items():
                for code_key in by_keyword.get(kw, ()):
                    per_word = scores.setdefault(code_key, {})
                    if weight * factor > per_word.get(form, 0.0):
                        per_word[form] = weight * factor
        self._phrases(words, lemmas, starts, ends, scores)
        out = [
            Suggestion(
                code_key=key,
                score=round(sum(per_word.values()), 3),
                matched_words=tuple(per_word),
                shown=round(sum(per_word.values()), 3) >= KEYWORD_SHOWN,
                why=(_("nøgleord: ") + ", ".join(per_word),),
            )
            for key, per_word in scores.items()
            if per_word
        ]
        out.sort(key=lambda s: (-s.score, self.order.get(s.code_key, 0)))
        return out

    def _phrases(
        self,
        words: Sequence[Word],
        lemmas: list[str],
        starts: list[int],
        ends: list[int],
        scores: dict[str, dict[str, float]],
    ) -> None:
        """Phrase keywords: the same words in a row, not negated (weight 1.0, however common the words)."""
        forms = [w[0] for w in words]
        for parts, code_key in self.phrases:
            n = len(parts)
            for i in range(len(words) - n + 1):
                if all(lemmas[i + j] == parts[j] or forms[i + j] == parts[j] for j in range(n)):
                    if not negated(lemmas, ends, starts, i):
                        scores.setdefault(code_key, {})[" ".join(forms[i : i + n])] = W_EXACT
                        break


def suggest(
    text: str,
    codes: Iterable[HasKeywords | dict[str, Any]] | KeywordIndex,
    *,
    lemmatize: Lemmatizer | None = None,
    limit: int | None = None,
) -> list[Suggestion]:
    """The codes whose keywords occur in ``text``, best first (keywords only).

    ``codes``: objects or dicts with ``key`` and ``keywords`` (retired codes
    are skipped), or a prepared :class:`KeywordIndex`. ``lemmatize`` defaults
    to spaCy's lookup lemmas (loaded lazily); a :class:`LemmaProcess` (or
    anything with an ``analyze`` method) also tells which words are known.
    """
    index = codes if isinstance(codes, KeywordIndex) else KeywordIndex(codes)
    if not index.keywords and not index.phrases and not index.after_negation:
        return []
    # Annotations blanked out (offsets unchanged): whatever the lemmatizer, they are no words.
    text = mask(text)
    analyze = spacy_analyze if lemmatize is None else getattr(lemmatize, "analyze", None)
    if analyze is not None:
        words, known = analyze(text)
    else:
        words, known = (lemmatize or spacy_words)(text), frozenset()
    found = index.suggest(words, known=known)
    return found[:limit] if limit is not None else found


if __name__ == "__main__":
    _serve()
