"""Matching one query word against the vocabulary: which words are it, its forms, its compounds, its misspellings.

Word against word, never a string across word boundaries: "ensom" is not
found in "sidste sommer". For a query word ``q`` (normalised) every word
``w`` of the vocabulary gets the best of these scores (0–100):

==============  =====  ==========================================================
kind            score  when
==============  =====  ==========================================================
exact             100  ``w == q``
inflection         95  ``w`` and ``q`` are one stem with inflectional endings
                       ("trygheden" ~ "tryghed", "ensomme" ~ "ensom"), or the
                       lemmatizer gives them one lemma ("børn" ~ "barn")
derivation         90  one stem, one of them with a derivational ending
                       ("ensomheden" ~ "ensom", "hyggelig" ~ "hygge")
compound           80  ``q``'s stem is the first part of ``w``
                       ("bibliotekaren", "kaffekoppen") or its last part,
                       before any ending ("strikkecaféen" for "café")
spelling        ≤ ~90  ``q`` is a misspelling of ``w`` (or of a word ``w`` is a
                       form of): 1 edit for 5–7 letters, 2 from 8, one
                       letter more or less for 4; the score is rapidfuzz's
                       ratio, at most 90, times the kind's factor (0.95,
                       0.9, 0.8). A query word that is in the transcripts,
                       or in the lemmatizer's dictionary with forms in the
                       transcripts, is taken as meant: "sommer" does not
                       find "kommer". A word that differs only by an accent
                       ("cafe" for "café") scores 95.
==============  =====  ==========================================================

A stem is the word less a known Danish ending (see :data:`INFLECTIONS` and
:data:`DERIVATIONS`) and at least four letters long, so that short words do
not run together ("sommer" is not "som" + "mer"). Query words of three
letters or fewer, and words with digits, match only themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from trivselkode.analysis.search_words import WordIndex

__all__ = ["SHORT_WORD", "TermMatches", "is_short", "match_term"]

SHORT_WORD = 3  # query words this short (or shorter) match whole words only: og, er, ro, gå
MIN_STEM = 4
INFLECTIONS = frozenset(
    [
        "",
        *"e en et er ere erne ene es s t n r ne ns rs ts ede ende endes te de ens ets ers ernes enes est este st ste".split(),
    ]
)
DERIVATIONS = frozenset(
    "hed heden heder hederne heds lig lige ligt ligere ligst ning ningen ninger ningerne else elsen elser".split()
)
ENDINGS = INFLECTIONS | DERIVATIONS
_NONEMPTY_ENDINGS = tuple(sorted((e for e in ENDINGS if e), key=len))
_TAIL_ENDINGS = tuple(sorted(INFLECTIONS, key=len))  # a compound's last part is inflected, not derived
_VOWELS = frozenset("aeiouyæøåéèáàäöü")
_SCORE = {"exact": 100.0, "inflection": 95.0, "derivation": 90.0, "compound": 80.0}
_SPELLING_MAX = 90.0
_MAX_CORRECTIONS = 5
# Accents a Danish keyboard makes easy to leave out (æ, ø and å are letters of their own, not folded).
_FOLD = str.maketrans("éèêëáàâäíìîïóòôöúùûüý", "eeeeaaaaiiiioooouuuuy")


@dataclass
class TermMatches:
    """The vocabulary words a query word matched: vocab id → (score, kind)."""

    term: str
    found: dict[int, tuple[float, str]]

    def words(self, vocab: list[str]) -> dict[str, tuple[float, str]]:
        """The matched words themselves → (score, kind)."""
        return {vocab[wid]: hit for wid, hit in self.found.items()}

    def put(self, wid: int, score: float, kind: str) -> None:
        if score > self.found.get(wid, (0.0, ""))[0]:
            self.found[wid] = (score, kind)


def is_short(term: str) -> bool:
    """Whether ``term`` matches only itself: three letters or fewer, or holding a digit."""
    return len(term) <= SHORT_WORD or any(ch.isdigit() for ch in term)


def stems(word: str) -> dict[str, str]:
    """The stems of ``word`` (≥ 4 letters), each with the ending it lost: ``ensomme`` → ensomme, ensomm, ensom."""
    out = {word: ""}
    for ending in _NONEMPTY_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            stem = word[: -len(ending)]
            out.setdefault(stem, ending)
            if len(stem) > MIN_STEM and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
                out.setdefault(stem[:-1], ending)  # a doubled consonant: trygge → tryg
    return out


def _rest_kind(stem: str, rest: str, ending: str) -> str | None:
    """What a word ``stem + rest`` is to a query word ``stem + ending``; None if unrelated."""
    if rest and rest[0] == stem[-1] and stem[-1] not in _VOWELS and rest[1:] in ENDINGS:
        rest = rest[1:]  # ensom + me
    if rest in ENDINGS:
        if rest in INFLECTIONS and ending in INFLECTIONS:
            return "inflection"
        return "derivation"
    return "compound" if len(rest) >= 3 else None


def _tail_stems(form: str, lemma: str | None) -> set[str]:
    """What ``form`` may stand as at the end of a compound: itself, its lemma, its longer stems.

    Cautious, since a compound's first part is not checked: "sommer" must not
    find "morsomme" through a stem "somme".
    """
    out = {form}
    if lemma and len(lemma) >= MIN_STEM:
        out.add(lemma)
    for stem, ending in stems(form).items():
        if len(ending) >= 2 and ending in INFLECTIONS and len(stem) > MIN_STEM:
            out.add(stem)
    return out


def _family(
    data: WordIndex,
    form: str,
    lemma: str | None,
    factor: float,
    kind: str | None,
    out: TermMatches,
    compounds: bool = True,
) -> None:
    """Every word of ``form``'s family into ``out``: its forms, derivations, compounds and lemma-mates.

    ``kind`` overrides the kinds found (``spelling`` for a misspelt query word's
    corrections); ``factor`` scales the scores.
    """
    for stem, ending in stems(form).items():
        if len(stem) < MIN_STEM:
            continue
        lo, hi = data.prefix_range(stem)
        for wid in range(lo, hi):
            found = _rest_kind(stem, data.vocab[wid][len(stem) :], ending)
            if found is not None and (compounds or found != "compound"):
                out.put(wid, factor * _SCORE[found], kind or found)
    for stem in _tail_stems(form, lemma) if compounds else ():
        for tail in _TAIL_ENDINGS:
            for wid in data.ending_with(stem + tail):
                if len(data.vocab[wid]) - len(stem) - len(tail) >= 3:
                    out.put(int(wid), factor * _SCORE["compound"], kind or "compound")
    for key in {lemma, form} - {None}:
        for wid in data.by_lemma.get(key or "", ()):
            out.put(wid, factor * _SCORE["inflection"], kind or "inflection")
    wid_exact = data.word_index.get(form)
    if wid_exact is not None:
        out.put(wid_exact, factor * _SCORE["exact"], kind or "exact")


def _allowed_edits(term: str) -> tuple[Callable[..., float], int]:
    """The edit distance a misspelling of ``term`` may be at, and how it is counted."""
    if len(term) == MIN_STEM:
        return Indel.distance, 1  # a letter missing or extra: "kafe" ~ "kaffe", not "tryk" ~ "tryg"
    return OSA.distance, 1 if len(term) <= 7 else 2


def _corrections(data: WordIndex, term: str, out: TermMatches) -> list[tuple[str, float]]:
    """What ``term`` may be a misspelling of, best first: words, and word beginnings that go on with an ending.

    "tryhed" is "tryghed" misspelt when only "trygheden" stands in the
    transcripts; a word that goes on with another word part goes straight
    into ``out`` as a compound. The first letter is taken as typed (as spelling
    checkers do), so only the run of the sorted vocabulary that starts with it
    is compared.
    """
    scorer, edits = _allowed_edits(term)
    lo, hi = data.prefix_range(term[0])
    words = data.vocab[lo:hi]
    best: dict[str, float] = {}
    distances = process.cdist([term], words, scorer=scorer, score_cutoff=edits, dtype=np.int32, workers=1)[0]
    for k in np.nonzero(distances <= edits)[0]:
        word = words[int(k)]
        if word != term and len(word) >= MIN_STEM:
            best[word] = min(_SPELLING_MAX, fuzz.ratio(term, word))
    folded = term.translate(_FOLD)
    for word in words:
        if word != term and word.translate(_FOLD) == folded:  # "cafe" for "café": the accent left out
            best[word] = _SCORE["inflection"]
    for n in (len(term), len(term) + 1):
        longer = [(lo + k, w) for k, w in enumerate(words) if len(w) > n]
        heads = [w[:n] for _, w in longer]
        near = process.cdist([term], heads, scorer=scorer, score_cutoff=edits, dtype=np.int32, workers=1)[0]
        for k in np.nonzero((near <= edits) & (near > 0))[0]:
            wid, word = longer[int(k)]
            head = heads[int(k)]
            found = _rest_kind(head, word[n:], "")
            typo = min(_SPELLING_MAX, fuzz.ratio(term, head))
            if found == "compound":
                out.put(wid, typo * _SCORE[found] / 100, "spelling")
            elif found is not None:
                best[head] = max(best.get(head, 0.0), typo)
    return sorted(best.items(), key=lambda c: -c[1])[:_MAX_CORRECTIONS]


def match_term(data: WordIndex, term: str, lemma: str | None, cutoff: float) -> TermMatches:
    """The vocabulary words ``term`` matches at ``cutoff`` or better, with score and kind."""
    out = TermMatches(term, {})
    if is_short(term):
        wid = data.word_index.get(term)
        if wid is not None:
            out.put(wid, 100.0, "exact")
        return out
    known = term in data.word_index or lemma is not None
    # Only a real word is a part of compounds: "esom" is not the end of "ligesom".
    _family(data, term, lemma, 1.0, None, out, compounds=known)
    if term in data.word_index or (lemma is not None and out.found):
        # A word of the transcripts, or of the dictionary with forms in them, is taken as meant:
        # "sommer" is not "kommer" misspelt.
        out.found = {wid: hit for wid, hit in out.found.items() if hit[0] >= cutoff}
        return out
    corrections = _corrections(data, term, out)
    if corrections:
        lemmas = data.lemma_of([c[0] for c in corrections])
        for (word, typo), word_lemma in zip(corrections, lemmas):
            _family(data, word, word_lemma, typo / 100, "spelling", out)
    out.found = {wid: hit for wid, hit in out.found.items() if hit[0] >= cutoff}
    return out
