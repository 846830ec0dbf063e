"""Small facts about stored text."""

from __future__ import annotations

import hashlib


def content_hash(text: str) -> str:
    """The identity of a source's normalised text (hex SHA-256 of its UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())
