"""What the REFI-QDA writers share: the namespaces, the report, the pseudonymiser they take, the code tree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from trivselkode.i18n import _
from trivselkode.storage.models import Code

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: The ``format`` of the JSON in the ``trivselkode`` note.
NOTE_FORMAT = "trivselkode-refi"
NOTE_NAME = "trivselkode"
KIND_SET_PREFIX = "Kodetype: "


class Pseudonymizer(Protocol):
    """What ``--pseudonymize`` needs: the reports' replacements for text and labels.

    One that also has ``source(name)`` gives sources their neutral names
    (``Kilde 3``) everywhere a source is named: its file name, cases, notes,
    and the GUIDs derived from its name.
    """

    def text(self, s: str) -> str: ...

    def label(self, l: str) -> str: ...  # noqa: E741


@dataclass
class ExportReport:
    path: str
    sources: int = 0
    passages: int = 0
    codings: int = 0
    codes: int = 0
    coders: int = 0
    participants: int = 0
    notes: int = 0
    bytes: int = 0
    pseudonymized: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def summary(self) -> str:
        """What was written, for a person, ending with "." (or " (pseudonymiseret).")."""
        counts = _(
            "{sources} kilder, {passages} udsagn, {codings} kodninger, {codes} koder, {coders} kodere, {notes} notater"
        ).format(
            sources=self.sources,
            passages=self.passages,
            codings=self.codings,
            codes=self.codes,
            coders=self.coders,
            notes=self.notes,
        )
        return counts + (_(" (pseudonymiseret).") if self.pseudonymized else ".")


def codes_tree(codes: list[Code]) -> dict[int | None, list[Code]]:
    """The codes under each parent id (``None``: the top); a parent outside ``codes`` or itself counts as none."""
    ids = {c.id for c in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        parent = code.parent_id if code.parent_id in ids and code.parent_id != code.id else None
        children[parent].append(code)
    return children


def codes_by_kind(codes: list[Code]) -> dict[str, list[Code]]:
    """The codes of each kind (tema, behov, …), in the order given; codes without a kind are left out."""
    kinds: dict[str, list[Code]] = defaultdict(list)
    for c in codes:
        if c.kind:
            kinds[c.kind].append(c)
    return kinds
