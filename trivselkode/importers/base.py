"""What every format importer produces: a parsed source, before storage.

The format modules (``text``, ``docx``, ``subtitles``, ``tabular``, ``refi``)
turn a file into a :class:`ParsedSource`; ``pipeline`` segments sentences and
stores it. Nothing here touches the database or spaCy.

Invariant: ``source.text[turn.start:turn.end] == turn.text`` for every turn,
and ``text`` is normalised (Unicode NFC, ``\\n`` line ends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ParsedParticipant:
    label: str
    role: str = "participant"  # or "interviewer"
    gender: str | None = None
    age: int | None = None
    site: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedTurn:
    speaker: str  # a ParsedParticipant.label
    start: int
    end: int
    text: str
    cue_start: float | None = None  # seconds, subtitles only
    cue_end: float | None = None


@dataclass
class ParsedSource:
    name: str
    text: str
    file_name: str
    metadata: dict[str, Any] = field(default_factory=dict)  # SOURCE_KEYS and any others (e.g. names)
    participants: list[ParsedParticipant] = field(default_factory=list)
    turns: list[ParsedTurn] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
