"""The finer rules of keyword matching: misspellings, negation, common words.

Pure functions used by :class:`trivselkode.analysis.suggest.KeywordIndex`;
nothing here loads spaCy. What a word "is" (its lemma, whether the lemma
table knows it) is decided where spaCy runs (the helper process or
:func:`trivselkode.analysis.suggest.spacy_analyze`) and handed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from rapidfuzz.distance import OSA

# Fuzzy matching is for misspellings of long keywords only: two short words
# a letter apart are usually two different words (fredag/foredrag, samme/sammen).
FUZZY_MIN = 7
# Endings that make two words inflections or derivations of one stem rather than
# one word misspelt (bibliotek|et / bibliotek|ar, hjælp|er / hjælp|som).
_ENDINGS = frozenset(
    "e en er et ene erne ets ens es s t te de ede ar ars ere est ig ige igt ing inger som".split() + [""]
)

# Endings of Danish inflection: a word the lemma table knows matches a keyword it
# begins with only through one of these (ansat|te, smil|ede, tanke|rne), never
# as another word (fred|ag, værts|hus, hjemme|side).
INFLECTIONS = frozenset(
    "e r n s t en er et es ne re te de ens ers ets ede ene ere est ete rne nes erne ende edes enes ernes "
    "eren erens".split()
)

# A keyword within NEGATION_SCOPE words after one of these does not count
# ("behøver ikke være klog", "aldrig bange", "ingen fremtid"); a keyword written
# after one (``ikke-krav``) counts only there. "heller ikke" is caught by "ikke".
NEGATIONS = frozenset(
    {"ikke", "ik", "aldrig", "ingen", "intet", "ingenting", "hverken", "uden", "næppe", "ej", "ingensteds"}
)
NEGATION_SCOPE = 3

# A word found in COMMON_FROM of the project's passages or more starts to weigh
# less; one found in every passage weighs nothing.
COMMON_FROM = 0.05


def max_edits(keyword: str) -> int:
    """The edits a misspelling of ``keyword`` may hold: none below FUZZY_MIN letters, 1, or 2 from 11 letters."""
    if len(keyword) < FUZZY_MIN:
        return 0
    return 1 if len(keyword) < 11 else 2


def is_misspelling(word: str, keyword: str) -> bool:
    """Whether ``word`` reads as ``keyword`` misspelt (transposed, doubled, dropped or wrong letters).

    Never for a keyword shorter than FUZZY_MIN letters, never when the two
    only differ in their endings (``biblioteket`` is not ``bibliotekar``
    misspelt). Whether ``word`` is a known word is the caller's check.
    """
    edits = max_edits(keyword)
    if not edits or word == keyword or abs(len(word) - len(keyword)) > edits:
        return False
    if OSA.distance(word, keyword, score_cutoff=edits) > edits:
        return False
    p = 0
    while p < min(len(word), len(keyword)) and word[p] == keyword[p]:
        p += 1
    return not (word[p:] in _ENDINGS and keyword[p:] in _ENDINGS)


def negated(lemmas: Sequence[str], ends: Sequence[int], starts: Sequence[int], i: int) -> bool:
    """Whether word ``i`` follows a negation within NEGATION_SCOPE words of the same clause.

    A clause ends where two words are more than a space apart (a comma, a
    full stop, a line of annotation in between).
    """
    for j in range(i - 1, max(-1, i - NEGATION_SCOPE - 1), -1):
        if starts[j + 1] - ends[j] > 1:
            return False
        if lemmas[j] in NEGATIONS:
            return True
    return False


def common_factor(share: float | None) -> float:
    """How much a word found in ``share`` of the project's passages still weighs (1.0 down to 0.0, smoothly).

    1.0 up to COMMON_FROM, then falling with the log of the share: a word in
    a fifth of the passages weighs about half, in half of them a quarter.
    """
    if share is None or share <= COMMON_FROM:
        return 1.0
    if share >= 1.0:
        return 0.0
    return math.log(share) / math.log(COMMON_FROM)


def share_of(share: Mapping[str, float] | None, form: str, lemma: str) -> float | None:
    """The project share of a word, looked up by lemma, else by form; None if unknown."""
    if not share:
        return None
    got = share.get(lemma)
    return share.get(form) if got is None else got
