"""The text side of search: normalising passages and queries, and cutting a snippet around a match.

See :mod:`trivselkode.analysis.search` for how the index uses them.
"""

from __future__ import annotations

import re

__all__ = ["context_bounds", "normalize", "snippet"]

_NON_WORD = re.compile(r"[^\w]|_", re.UNICODE)


def normalize(text: str) -> str:
    """Lower-case ``text`` and turn every non-alphanumeric character into a space.

    The result has the same length as ``text``, so offsets carry over.
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # e.g. "İ" lower-cases to two code points
        lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return _NON_WORD.sub(" ", lowered)


def context_bounds(text: str, start: int | None, end: int | None, context: int = 60) -> tuple[int, int]:
    """The part of ``text`` to show around ``start:end``: up to ``context`` characters
    either side, cut at spaces. Without a match, the first ``2 * context`` characters."""
    if start is None or end is None:
        if len(text) <= 2 * context:
            return 0, len(text)
        cut = text.rfind(" ", 0, 2 * context)
        return 0, cut if cut > context else 2 * context
    lo = max(0, start - context)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    hi = min(len(text), end + context)
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    return lo, hi


def snippet(text: str, start: int | None, end: int | None, context: int = 60) -> tuple[str, str, str]:
    """``text`` cut to ``context`` characters either side of ``start:end``, at word boundaries.

    Returns (before, match, after); "…" marks a cut. Without a match the
    beginning of the text is returned as ``before``.
    """
    flat = " ".join(text.split()) if "\n" in text or "\t" in text else text
    if flat is not text and start is not None and end is not None:
        # Whitespace collapsing shifts offsets; recompute them on the flat text.
        prefix = " ".join(text[:start].split())
        if text[:start] and text[:start][-1].isspace() and prefix:
            prefix += " "
        match = " ".join(text[start:end].split())
        start, end = len(prefix), len(prefix) + len(match)
    lo, hi = context_bounds(flat, start, end, context)
    if start is None or end is None:
        return flat[lo:hi].rstrip() + (" …" if hi < len(flat) else ""), "", ""
    before = ("… " if lo > 0 else "") + flat[lo:start]
    after = flat[end:hi] + (" …" if hi < len(flat) else "")
    return before, flat[start:end], after
