"""What a search query asks for: single words, and phrases in quotes.

``personalet "er søde" kaffe`` is the words ``personalet`` and ``kaffe`` and
the phrase ``er søde``. Quotes may be straight (``"``) or typographic
(``“ ” „ « »``); an unclosed quote runs to the end (so a phrase is searched
while it is typed). The query is composed to Unicode NFC (as the stored texts
are) and normalised like them (lower case; punctuation as spaces).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from trivselkode.analysis.search_exact import exact_term
from trivselkode.analysis.search_text import normalize

__all__ = ["MAX_QUERY_WORDS", "Query", "parse_query"]

MAX_QUERY_WORDS = 8
_QUOTES = re.compile('["“”„«»]')


@dataclass(frozen=True)
class Query:
    """The words (each matched on its own) and phrases (word for word) of a query."""

    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def parse_query(query: str, exact: bool = False) -> Query:
    """The words and phrases of ``query``; in ``exact`` mode a word may end in ``*`` (a prefix)."""
    query = unicodedata.normalize("NFC", query)
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for n, piece in enumerate(_QUOTES.split(query)):
        if n % 2:
            phrase = tuple(normalize(piece).split())
            if phrase and phrase not in phrases:
                phrases.append(phrase)
        elif exact:
            # Keep the "*" of prefix words, which normalising turns into a space.
            words.extend(w for t in (exact_term(w) for w in piece.lower().split()) if t for w in t.split())
        else:
            words.extend(normalize(piece).split())
    unique = list(dict.fromkeys(words))[:MAX_QUERY_WORDS]
    return Query(tuple(unique), tuple(phrases[:MAX_QUERY_WORDS]))
