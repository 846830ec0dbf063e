"""The import report: what became of each source, what was added, skipped and warned of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trivselkode.i18n import _
from trivselkode.importers.refi.model import KIND_SET_PREFIX, RCase, RefiDocument, RNote


@dataclass
class SourceResult:
    name: str
    status: str  # imported | unchanged | revised | skipped
    passages: int = 0
    codings: int = 0
    selections: int = 0
    placed: int = 0
    split: str = ""  # how the text became passages: trivselkode | turns | paragraphs
    reading: str | None = None
    reading_scores: dict[str, int] = field(default_factory=dict)
    on_word_boundary: int = 0
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class PlacedSelection:
    """Where one selection landed (for checks and ``--format json``)."""

    source: str
    guid: str
    start: int  # in the stored text
    end: int
    passages: list[int]


@dataclass
class RefiImportReport:
    file: str
    kind: str
    origin: str = ""
    own: bool = False
    codes_added: list[str] = field(default_factory=list)
    codes_updated: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    participants: int = 0
    codings: int = 0
    memos: int = 0
    sources: list[SourceResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    placements: list[PlacedSelection] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "origin": self.origin,
            "trivselkode": self.own,
            "codes_added": list(self.codes_added),
            "codes_updated": list(self.codes_updated),
            "coders": list(self.coders),
            "participants": self.participants,
            "codings": self.codings,
            "memos": self.memos,
            "sources": [s.as_dict() for s in self.sources],
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
        }


def skip_orphan_cases(orphan_cases: list[RCase], report: RefiImportReport) -> None:
    """Cases that belong to no text source."""
    if orphan_cases:
        report.skipped.append(
            _("{n} case(s) hører ikke til nogen tekstkilde og er sprunget over: ").format(n=len(orphan_cases))
            + ", ".join(c.name for c in orphan_cases[:5])
        )


def skip_other_parts(doc: RefiDocument, report: RefiImportReport) -> None:
    """What trivselkode has no place for: sources that are not text, links, graphs and sets."""
    for kind, sname, codings in doc.other_sources:
        what = {"PictureSource": "billede", "PDFSource": "PDF", "AudioSource": "lyd", "VideoSource": "video"}.get(
            kind, kind
        )
        report.skipped.append(
            _("kilden '{sname}' ({what}): trivselkode koder kun tekst; {codings} kodning(er) er sprunget over").format(
                sname=sname, what=what, codings=codings
            )
        )
    if doc.links:
        report.skipped.append(_("{links} forbindelse(r) (Links) er sprunget over").format(links=doc.links))
    if doc.graphs:
        report.skipped.append(_("{graphs} netværk (Graphs) er sprunget over").format(graphs=doc.graphs))
    foreign_sets = [s for s in doc.sets if not s.name.startswith(KIND_SET_PREFIX)]
    if foreign_sets:
        report.skipped.append(
            _("{n} sæt (Sets) er sprunget over: ").format(n=len(foreign_sets))
            + ", ".join(s.name for s in foreign_sets[:6])
            + (" …" if len(foreign_sets) > 6 else "")
        )


def skip_unused_notes(left: list[RNote], report: RefiImportReport) -> None:
    """Notes nobody refers to (or on the project as a whole)."""
    if left:
        report.skipped.append(
            _("{n} notat(er) hører ikke til en kilde, et udsagn eller en kode og er sprunget over: ").format(
                n=len(left)
            )
            + ", ".join(f"'{n.name}'" for n in left[:4])
            + (" …" if len(left) > 4 else "")
        )
