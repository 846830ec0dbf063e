"""The REFI-QDA file as read: plain dataclasses, before anything is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NOTE_NAME = "trivselkode"
NOTE_FORMAT = "trivselkode-refi"
KIND_SET_PREFIX = "Kodetype: "
PARAGRAPH_SPEAKER = "Tekst"


@dataclass
class RUser:
    guid: str
    name: str


@dataclass
class RCode:
    guid: str
    name: str
    codable: bool
    color: str | None
    description: str
    parent: str | None
    note_refs: list[str] = field(default_factory=list)
    has_children: bool = False


@dataclass
class RCoding:
    guid: str
    code: str | None
    user: str | None
    created: datetime | None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RSelection:
    guid: str
    start: int
    end: int
    name: str
    description: str
    user: str | None
    created: datetime | None
    codings: list[RCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RSource:
    guid: str
    name: str
    plain_text_path: str | None
    rich_text_path: str | None
    content: str | None
    description: str
    user: str | None
    created: datetime | None
    selections: list[RSelection] = field(default_factory=list)
    codings: list[RCoding] = field(default_factory=list)  # on the whole source
    note_refs: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # variable GUID -> value


@dataclass
class RVariable:
    guid: str
    name: str
    type: str


@dataclass
class RCase:
    guid: str
    name: str
    description: str
    values: dict[str, Any] = field(default_factory=dict)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)


@dataclass
class RNote:
    guid: str
    name: str
    text: str | None
    plain_text_path: str | None
    user: str | None
    created: datetime | None


@dataclass
class RSet:
    guid: str
    name: str
    codes: list[str] = field(default_factory=list)
    sources: int = 0


@dataclass
class RefiDocument:
    """A ``Project`` or ``CodeBook`` as read, before anything is stored."""

    kind: str  # "project" or "codebook"
    name: str = ""
    origin: str = ""
    creating_user: str | None = None
    users: dict[str, RUser] = field(default_factory=dict)
    codes: list[RCode] = field(default_factory=list)  # parents before children
    variables: dict[str, RVariable] = field(default_factory=dict)
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    other_sources: list[tuple[str, str, int]] = field(default_factory=list)  # (element, name, codings)
    notes: dict[str, RNote] = field(default_factory=dict)
    sets: list[RSet] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    links: int = 0
    graphs: int = 0
    warnings: list[str] = field(default_factory=list)
    code_id_problems: list[str] = field(default_factory=list)

    @property
    def own(self) -> dict[str, Any] | None:
        """Our own note's JSON, when the file was written by trivselkode."""
        for note in self.notes.values():
            if note.name == NOTE_NAME and note.text:
                try:
                    data = json.loads(note.text)
                except ValueError:
                    return None
                if isinstance(data, dict) and data.get("format") == NOTE_FORMAT:
                    return data
        return None
