"""Small facts about stored text."""

from __future__ import annotations

import codecs
import hashlib

# What each character up to U+00FF is to :func:`marks`: whitespace (as ``str.isspace``
# has it) b" ", a decimal digit (``str.isdecimal``, what ``\d`` matches) b"1", else b"w".
_MARK_TABLE = bytes(ord(" ") if c.isspace() else ord("1") if c.isdecimal() else ord("w") for c in map(chr, range(256)))


def _mark_beyond_latin(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: each character Latin-1 cannot encode becomes the Latin-1 character of its kind."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    return "".join(" " if c.isspace() else "1" if c.isdecimal() else "w" for c in run), error.end


_MARKS = "trivselkode.text.marks"
codecs.register_error(_MARKS, _mark_beyond_latin)


def content_hash(text: str) -> str:
    """The identity of a source's normalised text (hex SHA-256 of its UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def marks(text: str) -> bytes:
    """``text`` one byte a character: b" " for whitespace, b"1" for a decimal digit, b"w" for anything else.

    Worked out in C (an encoding and a byte translation) rather than a
    character at a time: :func:`words_of_marks` counts the words of it, and
    ``b"111111" in marks(text)`` says whether ``text`` holds six digits in a row.
    """
    return text.encode("latin-1", _MARKS).translate(_MARK_TABLE)


def words_of_marks(marked: bytes) -> int:
    """The words of a text from its :func:`marks`: its runs of characters that are not whitespace."""
    return marked.count(b" w") + marked.count(b" 1") + (marked[:1] not in (b" ", b""))
