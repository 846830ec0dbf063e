"""The project as the ``.qdpx`` writer reads it: what is small at once, each source's text, passages and codings as it is written.

One read session (one snapshot on SQLite) serves the whole writing. What
grows with the words, a source's text, its passages and its codings, is read
for one source at a time (:class:`SourceReader`) and let go when the source
is written, so that the export's memory does not grow with the project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, text
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from trivselkode.domain.survey_definition import SurveyDefinition
from trivselkode.storage.db import Project, placeholder
from trivselkode.storage.models import Code, Coder, Memo, Meta, Participant, Source

#: A passage as the writer needs it: (id, number, participant id, start, end).
PassageRow = tuple[int, int, int, int, int]
#: A coding: (code id, coder id, span start, span end, memo, created at: as the driver gives it,
#: a datetime or SQLite's text form of one).
CodingRow = tuple[int, int, int | None, int | None, str | None, datetime | str | None]

_TEXT = text('SELECT "text" FROM source WHERE id = :sid')
_PASSAGES = text('SELECT id, number, participant_id, start, "end" FROM passage WHERE source_id = :sid ORDER BY number')
#: The passages of a source's participants (a case lists them), in the order of their source and number.
_CASE_PASSAGES = text(
    "SELECT p.participant_id, p.number FROM passage p JOIN participant q ON q.id = p.participant_id"
    " WHERE q.source_id = :sid ORDER BY p.source_id, p.number"
)
# Read through the driver itself: hundreds of thousands of codings, for which SQLAlchemy's
# row handling costs more than the query. ``{mark}``: the driver's placeholder.
_CODINGS = (
    'SELECT c.passage_id, c.code_id, c.coder_id, c.start, c."end", c.memo, c.created_at'
    " FROM coding c JOIN passage p ON p.id = c.passage_id WHERE p.source_id = {mark} ORDER BY c.passage_id, c.id"
)
_MEMO_PASSAGES = text(
    "SELECT id, source_id, number FROM passage WHERE id IN (SELECT passage_id FROM memo WHERE passage_id IS NOT NULL)"
)


class SourceReader:
    """A source's text, passages and codings, read when the source is written (in the export's session)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._codings_sql = _CODINGS.format(mark=placeholder(conn.dialect))

    def text(self, source_id: int) -> str:
        return cast(str, self.conn.execute(_TEXT, {"sid": source_id}).scalar_one())

    def passages(self, source_id: int) -> list[PassageRow]:
        """The source's passages, by number."""
        return [cast(PassageRow, tuple(row)) for row in self.conn.execute(_PASSAGES, {"sid": source_id})]

    def case_passages(self, source_id: int) -> dict[int, list[int]]:
        """The numbers of the passages of each of the source's participants (by participant id)."""
        numbers: dict[int, list[int]] = defaultdict(list)
        for participant_id, number in self.conn.execute(_CASE_PASSAGES, {"sid": source_id}):
            numbers[participant_id].append(number)
        return numbers

    def codings(self, source_id: int) -> dict[int, list[CodingRow]]:
        """The codings in the source's passages, by passage id, each passage's in the order they were made."""
        codings: dict[int, list[Any]] = defaultdict(list)
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # open while reading
        try:
            cursor.execute(self._codings_sql, (source_id,))
            for passage_id, code_id, coder_id, start, end, memo, created in cursor.fetchall():
                codings[passage_id].append((code_id, coder_id, start, end, memo, created))
        finally:
            cursor.close()
        return codings


@dataclass
class ProjectData:
    name: str
    codebook_name: str
    codebook_version: str
    codes: list[Code]
    coders: dict[int, str]
    sources: list[Source]  # without their text: ``read.text`` gives it
    participants: dict[int, list[Participant]]  # by source id
    memos: list[Memo]
    memo_passages: dict[int, tuple[int, int]]  # the passages memos are about: id -> (source id, number)
    read: SourceReader
    surveys: list[SurveyAnswers] = field(default_factory=list)  # by name


@dataclass(frozen=True)
class SurveyAnswers:
    """One questionnaire's raw answers by the participant of its open-answer source (a case).

    ``answers``: participant id -> item -> the answer as given (not reversed; a
    missing answer is left out); ``unlinked``: respondents with no participant
    (a survey without open answers has no source, so none of its respondents is a case).
    """

    name: str
    source_id: int | None
    definition: SurveyDefinition
    answers: dict[int, dict[str, float]]
    unlinked: int


def load_survey_answers(session: Session) -> list[SurveyAnswers]:
    """Every survey's answers (:class:`SurveyAnswers`), by name."""
    from trivselkode.storage.surveys import load_survey, survey_names

    out = []
    for name in survey_names(session):
        survey = load_survey(session, name)
        answers: dict[int, dict[str, float]] = {}
        unlinked = 0
        for r in survey.respondents:
            if r.participant_id is None:
                unlinked += 1
                continue
            answers[r.participant_id] = {item: float(v) for item, v in r.answers.items() if v is not None}
        out.append(SurveyAnswers(survey.name, survey.source_id, survey.definition, answers, unlinked))
    return out


@contextmanager
def open_data(project: Project) -> Iterator[ProjectData]:
    """What the ``.qdpx`` holds, in one read session kept open while it is written.

    The sources come without their text (reading ``Source.text`` raises);
    the writer reads a source's text, passages and codings through ``read``.
    """
    with project.read() as session:
        meta = {m.key: m.value for m in session.exec(select(Meta))}
        codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
        coders = cast(dict[int, str], dict(session.exec(select(Coder.id, Coder.name).order_by(Coder.name)).all()))
        sources = list(
            session.exec(select(Source).options(defer(cast(Any, Source.text), raiseload=True)).order_by(Source.name))
        )
        participants: dict[int, list[Participant]] = defaultdict(list)
        for p in session.exec(select(Participant).order_by(col(Participant.source_id), col(Participant.id))):
            participants[p.source_id].append(p)
        memos = list(session.exec(select(Memo).order_by(col(Memo.id))))
        conn = session.connection()
        memo_passages = {pid: (sid, number) for pid, sid, number in conn.execute(_MEMO_PASSAGES)}
        if project.is_sqlite:
            name = Path(project.display_name).stem or "trivselkode"
        else:
            name = project.engine.url.database or "trivselkode"
        yield ProjectData(
            name=name,
            codebook_name=meta.get("codebook_name", "Kodebog"),
            codebook_version=meta.get("codebook_version", "1"),
            codes=codes,
            coders=coders,
            sources=sources,
            participants=participants,
            memos=memos,
            memo_passages=memo_passages,
            read=SourceReader(conn),
            surveys=load_survey_answers(session),
        )
