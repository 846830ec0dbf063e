"""The audit trail of settlements: every settle, change and undo, who did it, when, and why.

Each time a disagreement is settled, its settlement changed (another choice,
or another reason) or undone, :func:`record_event` adds one
:class:`~trivselkode.storage.models.DecisionEvent` row in the same
transaction; rows are only ever added. :func:`audit` reads them back with the
passage they concern, oldest first, for ``trivselkode consensus audit`` and
the review screen's audit view.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from trivselkode.storage.db import Project
from trivselkode.storage.models import Code, DecisionEvent, Participant, Passage, Source, utcnow

UNDONE = "undone"


def clean_reason(reason: str | None) -> str | None:
    """A reason as stored: stripped, and none when empty."""
    if reason is None:
        return None
    text = reason.strip()
    return text or None


def record_event(
    session: Session,
    *,
    passage_id: int,
    code_id: int,
    choice: str,
    previous: str | None,
    coders: str,
    reason: str | None,
    by: str,
) -> DecisionEvent:
    """Add one audit row (inside the caller's transaction)."""
    event = DecisionEvent(
        passage_id=passage_id,
        code_id=code_id,
        choice=choice,
        previous=previous,
        coders=coders,
        reason=clean_reason(reason),
        by=by,
        at=utcnow(),
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditRow:
    """One settle, change or undo, with the passage it concerns."""

    at: datetime
    by: str
    source: str
    passage: int
    speaker: str
    code: str
    choice: str  # a | b | both | neither | manual | undone
    previous: str | None
    coders: list[str]
    reason: str | None
    text: str

    @property
    def action(self) -> str:
        """``afgjort``, ``ændret`` or ``ophævet``: what the row did, in Danish."""
        if self.choice == UNDONE:
            return "ophævet"
        return "afgjort" if self.previous is None else "ændret"

    def as_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["at"] = self.at.isoformat()
        doc["action"] = {"afgjort": "settled", "ændret": "changed", "ophævet": "undone"}[self.action]
        return doc


def audit(project: Project, *, code: str | None = None, source: str | None = None) -> list[AuditRow]:
    """Every audit row, oldest first (of one code or one source, when given)."""
    with project.read() as s:
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                DecisionEvent, Source.name, Passage.number, Passage.text, Code.key, Participant.label
            )
            .join(Passage, col(DecisionEvent.passage_id) == Passage.id)
            .join(Source, col(Passage.source_id) == Source.id)
            .join(Participant, col(Passage.participant_id) == Participant.id)
            .join(Code, col(DecisionEvent.code_id) == Code.id)
            .order_by(col(DecisionEvent.at), col(DecisionEvent.id))
        )
        if code is not None:
            query = query.where(Code.key == code)
        if source is not None:
            query = query.where(Source.name == source)
        rows = s.exec(query).all()
    return [
        AuditRow(
            at=event.at,
            by=event.by,
            source=source_name,
            passage=number,
            speaker=speaker,
            code=key,
            choice=event.choice,
            previous=event.previous,
            coders=[n for n in event.coders.split(",") if n],
            reason=event.reason,
            text=text,
        )
        for event, source_name, number, text, key, speaker in rows
    ]


__all__ = ["UNDONE", "AuditRow", "audit", "clean_reason", "record_event"]
