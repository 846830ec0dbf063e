"""Which codes a typed query means, best first: the ranking of every code picker (no UI here).

A query is matched against a code's key, its shortcut and its name, in
tiers, so that what the user typed the start of beats what merely contains
it (``soc`` → ``B.social`` before ``T3 Stille social resonans``):

1. the whole key or the shortcut;
2. the start of the key, or of a part of it (``soc`` → ``B.social``, ``t4`` → ``T4``);
3. the start of the name;
4. the start of a word of the name (``reso`` → ``Stille social resonans``);
5. anywhere in "key name";
6. a fuzzy match (a typo), if it is close enough.

Within a tier the longer match comes first, then the codebook's order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from rapidfuzz import fuzz

from trivselkode.storage.coding_views import CodeInfo

FUZZY_MIN = 60  # WRatio below this is not shown
_PARTS_RE = re.compile(r"[.\-_/:]")
_WORD_RE = re.compile(r"\w+")


class Choice(NamedTuple):
    key: str
    label: str


def _score(q: str, key: str, label: str, shortcut: str | None) -> float:
    k = key.casefold()
    name = label.casefold()
    if q == k or (shortcut and q == shortcut.casefold()):
        return 600.0
    if k.startswith(q) or any(part.startswith(q) for part in _PARTS_RE.split(k) if part):
        return 500.0 + len(q) / (len(k) + 1)
    if name.startswith(q):
        return 400.0 + len(q) / (len(name) + 1)
    if any(word.startswith(q) for word in _WORD_RE.findall(name)):
        return 300.0 + len(q) / (len(name) + 1)
    if q in f"{k} {name}":
        return 200.0 + len(q) / (len(name) + 1)
    return float(fuzz.WRatio(q, f"{k} {name}"))


def rank_choices(
    query: str, choices: Sequence[tuple[str, str]], shortcuts: Mapping[str, str] | None = None
) -> list[Choice]:
    """``choices`` ((key, label) pairs) best matching ``query`` first; all of them for no query."""
    q = query.strip().casefold()
    if not q:
        return [Choice(*c) for c in choices]
    scored = []
    for pos, (key, label) in enumerate(choices):
        score = _score(q, key, label, (shortcuts or {}).get(key))
        if score >= FUZZY_MIN:
            scored.append((-score, pos, Choice(key, label)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [choice for _s, _p, choice in scored]


def rank_codes(query: str, codes: Sequence[CodeInfo]) -> list[CodeInfo]:
    """Codes best matching ``query`` (part of a name, a key or a shortcut), best first."""
    by_key = {c.key: c for c in codes}
    shortcuts = {c.key: c.shortcut for c in codes if c.shortcut}
    return [by_key[c.key] for c in rank_choices(query, [(c.key, c.name) for c in codes], shortcuts)]


def names_a_code(query: str, codes: Sequence[CodeInfo]) -> bool:
    """Whether ``query`` is already the key or the name of one of ``codes`` (nothing new to create)."""
    q = " ".join(query.split()).casefold()
    return any(q in (c.key.casefold(), " ".join(c.name.split()).casefold()) for c in codes)
