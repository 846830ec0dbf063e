"""The project as the ``.qdpx`` writer reads it: one read of everything, in the order it is written."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlmodel import col, select

from trivselkode.storage.db import Project
from trivselkode.storage.models import Code, Coder, Memo, Meta, Participant, Passage, Source

#: A passage as the writer needs it: (id, number, participant id, start, end).
PassageRow = tuple[int, int, int, int, int]
#: A coding: (code id, coder id, span start, span end, memo, created at).
CodingRow = tuple[int, int, int | None, int | None, str | None, datetime | None]


@dataclass
class ProjectData:
    name: str
    codebook_name: str
    codebook_version: str
    codes: list[Code]
    coders: dict[int, str]
    sources: list[Source]
    participants: dict[int, list[Participant]]  # by source id
    passages: dict[int, list[PassageRow]]  # by source id
    codings: dict[int, list[CodingRow]]  # by passage id
    memos: list[Memo]


def load_data(project: Project) -> ProjectData:
    """Everything the ``.qdpx`` holds, read in one session."""
    with project.read() as session:
        meta = {m.key: m.value for m in session.exec(select(Meta))}
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
        coders = cast(dict[int, str], dict(session.exec(select(Coder.id, Coder.name).order_by(Coder.name)).all()))
        sources = list(session.exec(select(Source).order_by(Source.name)))
        participants: dict[int, list[Participant]] = defaultdict(list)
        for p in session.exec(select(Participant).order_by(col(Participant.source_id), col(Participant.id))):
            participants[p.source_id].append(p)
        passages: dict[int, list[PassageRow]] = defaultdict(list)
        rows = session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
                Passage.id, Passage.source_id, Passage.number, Passage.participant_id, Passage.start, Passage.end
            ).order_by(col(Passage.source_id), col(Passage.number))
        )
        for pid, sid, number, part, start, end in rows:
            passages[sid].append((pid, number, part, start, end))
        codings: dict[int, list[tuple[int, int, int | None, int | None, str | None, Any]]] = defaultdict(list)
        # Plain driver rows: hundreds of thousands of codings, and their times are
        # converted once per distinct value (see ``Context.when``), not once per row.
        driver_rows = session.connection().exec_driver_sql(
            'SELECT passage_id, code_id, coder_id, start, "end", memo, created_at FROM coding ORDER BY passage_id, id'
        )
        for passage_id, code_id, coder_id, start, end, memo, created in driver_rows:
            codings[passage_id].append((code_id, coder_id, start, end, memo, created))
        memos = list(session.exec(select(Memo).order_by(col(Memo.id))))
    if project.is_sqlite:
        name = Path(project.display_name).stem or "trivselkode"
    else:
        name = project.engine.url.database or "trivselkode"
    return ProjectData(
        name=name,
        codebook_name=meta.get("codebook_name", "Kodebog"),
        codebook_version=meta.get("codebook_version", "1"),
        codes=codes,
        coders=coders,
        sources=sources,
        participants=participants,
        passages=passages,
        codings=codings,
        memos=memos,
    )
