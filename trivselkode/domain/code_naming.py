"""Names and keys for codes made while coding (pure: no database, no UI).

An in-vivo code is named by the participant's own words: the selected text
with the whitespace folded and the punctuation at its ends trimmed, cut at a
word boundary when it is long (with "…"). A new code's key is made from its
parent's key and its name (``B`` + "Ensomhed" → ``B.ensomhed``), in the
characters a key may hold, and made unique against the keys there are.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Protocol

#: The kind given to codes named by the participants' words (NVivo and ATLAS.ti mark them too).
IN_VIVO_KIND = "in vivo"
#: The top-level group in-vivo codes go under until the coder puts one elsewhere.
IN_VIVO_GROUP_NAME = "In vivo"
IN_VIVO_GROUP_KEY = "IV"

NAME_MAX = 48  # characters of an in-vivo name before it is cut
KEY_PART_MAX = 24  # characters of the key made from a name
#: The parent choice "make the In vivo group" (no code's key can be "+").
NEW_IN_VIVO_GROUP = "+"
_EDGE_RE = re.compile(r"^[\W_]+|[\W_]+$")
_KEY_DROP_RE = re.compile(r"[^\w\-]+")


def in_vivo_name(text: str, limit: int = NAME_MAX) -> str:
    """The name of an in-vivo code for the selected ``text`` ("" if it holds no word)."""
    words = " ".join(text.split())
    words = _EDGE_RE.sub("", words)
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return _EDGE_RE.sub("", cut) + "…"


def unique_name(name: str, taken: Collection[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … if a sibling has it already (any case)."""
    folded = {t.casefold() for t in taken}
    if name.casefold() not in folded:
        return name
    n = 2
    while f"{name} ({n})".casefold() in folded:
        n += 1
    return f"{name} ({n})"


def key_for(name: str, parent_key: str | None, taken: Collection[str]) -> str:
    """A key for a new code ``name`` under ``parent_key``, not in ``taken`` (compared in any case)."""
    slug = _KEY_DROP_RE.sub("", "-".join(name.casefold().split())).strip("-_")
    if len(slug) > KEY_PART_MAX:
        slug = slug[:KEY_PART_MAX].rsplit("-", 1)[0] if "-" in slug[:KEY_PART_MAX] else slug[:KEY_PART_MAX]
    slug = slug.strip("-_") or "kode"
    base = f"{parent_key}.{slug}" if parent_key else slug
    folded = {t.casefold() for t in taken}
    key, n = base, 2
    while key.casefold() in folded:
        key = f"{base}-{n}"
        n += 1
    return key


class _Code(Protocol):
    id: int
    key: str
    name: str
    kind: str
    parent_id: int | None
    retired: bool


def in_vivo_group(codes: Sequence[_Code]) -> _Code | None:
    """The top-level "In vivo" group, if the codebook has one."""
    folded = IN_VIVO_GROUP_NAME.casefold()
    return next((c for c in codes if not c.retired and c.parent_id is None and c.name.casefold() == folded), None)


def in_vivo_parent(codes: Sequence[_Code]) -> str:
    """Where a new in-vivo code goes unless the coder says otherwise: a parent's key, ``""`` (the top level)
    or :data:`NEW_IN_VIVO_GROUP`.

    Beside the newest in-vivo code (where the last one was put, so a choice
    made once holds for the next, in every session); else in the "In vivo"
    group; else in a new "In vivo" group, made with the code.
    """
    live = {c.id: c for c in codes if not c.retired}
    group = in_vivo_group(codes)
    newest = max(
        (c for c in live.values() if c.kind == IN_VIVO_KIND and c is not group), key=lambda c: c.id, default=None
    )
    if newest is not None:
        if newest.parent_id is None:
            return ""
        parent = live.get(newest.parent_id)
        if parent is not None:
            return parent.key
    return group.key if group is not None else NEW_IN_VIVO_GROUP
