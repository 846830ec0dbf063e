"""The project at a glance: counts and who finished which source."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import func
from sqlmodel import Session, col, select

from trivselkode.storage.db import Project
from trivselkode.storage.models import (
    Code,
    Coder,
    Coding,
    Meta,
    Participant,
    Passage,
    Source,
    SourceDone,
    UnplacedCoding,
)


def _count(session, model) -> int:  # noqa: ANN001
    return int(session.exec(select(func.count()).select_from(model)).one())


def project_status(project: Project) -> dict[str, Any]:
    """Counts of everything in the project and, per coder, the sources marked done."""
    with project.read() as session:
        done: dict[str, list[str]] = {name: [] for name in session.exec(select(Coder.name).order_by(Coder.name))}
        for coder, source in session.exec(
            select(Coder.name, Source.name)
            .join(SourceDone, col(SourceDone.coder_id) == Coder.id)
            .join(Source, col(SourceDone.source_id) == Source.id)
            .order_by(Coder.name, Source.name)
        ):
            done[coder].append(source)
        meta = {m.key: m.value for m in session.exec(select(Meta))}
        return {
            "sources": _count(session, Source),
            "passages": _count(session, Passage),
            "participants": _count(session, Participant),
            "codes": int(session.exec(select(func.count()).select_from(Code).where(Code.retired == False)).one()),  # noqa: E712
            "coders": _count(session, Coder),
            "codings": _count(session, Coding),
            "unplaced": _count(session, UnplacedCoding),
            "done": done,
            "codebook": {"name": meta.get("codebook_name"), "version": meta.get("codebook_version")},
            "schema_version": int(meta.get("schema_version", 0)),
        }


def passages_per_source(session: Session) -> dict[int, int]:
    return dict(session.exec(select(Passage.source_id, func.count()).group_by(col(Passage.source_id))).all())


def done_marks(session: Session) -> dict[int, list[str]]:
    """Per source id, the coders who marked it done (by name)."""
    done: dict[int, list[str]] = {}
    for source_id, coder in session.exec(
        select(SourceDone.source_id, Coder.name).join(Coder, col(SourceDone.coder_id) == Coder.id).order_by(Coder.name)
    ):
        done.setdefault(source_id, []).append(coder)
    return done


def source_rows(project: Project) -> list[dict[str, Any]]:
    """One row per source: metadata, passages, participants, codings and done-marks."""
    with project.read() as session:
        sources = list(session.exec(select(Source).order_by(Source.name)))
        passages = passages_per_source(session)
        people = dict(
            session.exec(
                select(Participant.source_id, func.count())
                .where(Participant.role != "interviewer")
                .group_by(col(Participant.source_id))
            ).all()
        )
        codings = dict(
            session.exec(
                select(Passage.source_id, func.count())
                .join(Coding, col(Coding.passage_id) == Passage.id)
                .group_by(col(Passage.source_id))
            ).all()
        )
        done = done_marks(session)
    return [
        {
            "name": s.name,
            "title": s.title,
            "kind": s.kind,
            "site": s.site,
            "context": s.context,
            "round": s.round,
            "passages": passages.get(cast(int, s.id), 0),
            "participants": people.get(cast(int, s.id), 0),
            "codings": codings.get(cast(int, s.id), 0),
            "done": done.get(cast(int, s.id), []),
        }
        for s in sources
    ]
