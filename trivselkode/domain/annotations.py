"""Transcription annotations: ``(griner)``, ``[pause]``, ``(utydeligt)``.

A transcriber's notes stay in the stored text, where they were written, but
they are not the speaker's words: nothing that counts or ranks words
(suggestions, search, quote lengths) may count them. They are derived from
the text whenever needed (no column marks them): an annotation is a piece of
one line in round or square brackets, 1–100 characters inside, with no
bracket of either kind inside it.

:func:`mask` blanks annotations out with spaces, one for each character, so
offsets into the masked text are offsets into the text; word counts and word
searches run on the masked text.
"""

from __future__ import annotations

import re

__all__ = ["ANNOTATION", "annotation_spans", "has_annotation", "mask", "spoken_word_count"]

ANNOTATION = re.compile(r"\([^()\[\]\n]{1,100}\)|\[[^()\[\]\n]{1,100}\]")


def has_annotation(text: str) -> bool:
    """Whether ``text`` may hold an annotation (a cheap first look)."""
    return ("(" in text or "[" in text) and ANNOTATION.search(text) is not None


def annotation_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of every annotation in ``text``, in order."""
    if "(" not in text and "[" not in text:
        return []
    return [m.span() for m in ANNOTATION.finditer(text)]


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


def mask(text: str) -> str:
    """``text`` with every annotation replaced by as many spaces (same length)."""
    if "(" not in text and "[" not in text:
        return text
    return ANNOTATION.sub(_blank, text)


def spoken_word_count(text: str) -> int:
    """The number of whitespace-separated words in ``text``, annotations left out."""
    return len(mask(text).split())
