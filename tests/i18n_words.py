"""Words that give a language away, for the tests that walk the interface in one language.

The English walk fails on a Danish word left behind, the Danish walk on an
English one. Both lists hold words of the interface (not of the study's data:
the walks use projects whose data is in the language walked) that cannot be
read as the other language.
"""

from __future__ import annotations

import re

# Danish interface words that are not English words (no "at", "for", "under", "over", "fine").
DANISH = frozenset(
    """
    og ikke eller med til fra af på er den det der som ingen alle vis gem afslut fejl brug hjælp
    kode koder kodning kodninger kodebog kodebogen kilde kilder kilden udsagn deltager deltagere deltageren
    færdig søg søgning tilbage næste forrige ny nyt slet fortryd vælg valgt valgte antal tema temaer
    behov projekt projektet fil filen mappe mappen skriv åbn luk ja nej kun hvor hvem hvad uden
    kodere koderen rapport rapporten citat citater hyppighed hyppigheder enighed uenighed konsensus
    indstillinger sprog standard tilvalg kommando kommandoer argumenter påkrævet mangler ukendt ugyldig
    gemt gemmer indlæs indlæst importér eksportér eksport udtræk oversigt samlet sammen
    kvinde mand år runde sted
    """.split()
)

# English interface words that are not Danish words (no "is", "under", "bog", "fine", "by", "dem").
ENGLISH = frozenset(
    """
    the and or with from not none all show save quit error usage help options option commands command
    arguments required missing unknown invalid code codes coding codings codebook source sources
    statement statements participant participants done search back next previous new delete undo
    choose chosen number theme themes need needs project file folder write open close yes no only
    where who what without coder coders report quote quotes frequency frequencies agreement
    disagreement consensus settings language default this message exit extra argument such got
    """.split()
)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def danish_leaks(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The Danish words in ``text`` (any word with æ, ø or å counts), ``allowed`` aside."""
    found = []
    for word in words(text):
        if word in allowed:
            continue
        if word in DANISH or any(ch in word for ch in "æøå"):
            found.append(word)
    return found


def english_leaks(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The English words in ``text``, ``allowed`` aside."""
    return [w for w in words(text) if w in ENGLISH and w not in allowed]
