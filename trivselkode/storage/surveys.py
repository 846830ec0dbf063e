"""Questionnaires in the project: the surveys, their respondents and answers (SPEC §7b).

A survey is stored by :func:`store_survey` (the importer,
:mod:`trivselkode.importers.survey`, parses and checks the file first) and
read whole by :func:`load_survey`, respondents in file order. A survey's
open answers are a source of kind ``survey`` whose participants are the
respondents; a source the import created carries ``extra["survey"]`` = the
survey's name and goes with it (:func:`remove_survey`), one it was only
linked to (``--source``) stays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Row, Table, Text, func, insert
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from trivselkode.domain.survey_definition import SurveyDefinition
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project, bulk_insert
from trivselkode.storage.lookup import _by_unique
from trivselkode.storage.models import Participant, Passage, Respondent, Source, Survey, utcnow

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "AnswerRow",
    "RespondentRow",
    "StoredRespondent",
    "StoredSurvey",
    "SurveyRecord",
    "SurveySummary",
    "load_survey",
    "removal_plan",
    "remove_survey",
    "store_survey",
    "survey_by_name",
    "survey_names",
    "survey_summaries",
]

#: The key in a source's ``extra`` that says which survey's import created it.
SURVEY_KEY = "survey"


class AnswerRow(Mapping[str, "float | None"]):
    """A respondent's raw answers by item (``None``: missing): a view of their row of the survey's answers."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: np.ndarray) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, item: str) -> float | None:
        value = float(self._values[self._index[item]])
        return None if value != value else value  # NaN: missing

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True)
class StoredRespondent:
    """One respondent as stored: answers raw (not reversed), ``None`` where missing."""

    id: int
    label: str
    round: str | None
    attributes: dict[str, Any]  # standard attributes: site, gender, age (int), context
    answers: Mapping[str, float | None]  # by item; for many respondents use StoredSurvey.matrix
    participant_id: int | None  # the participant in the survey's open-answer source


@dataclass(frozen=True)
class StoredSurvey:
    """A survey with its definition and every respondent, in file order."""

    id: int
    name: str
    title: str
    definition: SurveyDefinition
    source_id: int | None
    source_name: str | None
    respondents: tuple[StoredRespondent, ...]
    #: Respondents (file order) x the definition's items, raw, NaN where missing (read-only);
    #: None (a survey made by hand): :meth:`matrix` builds it from the answers.
    answer_matrix: np.ndarray | None = field(default=None, repr=False, compare=False)

    def matrix(self, items: Sequence[str] | None = None) -> np.ndarray:
        """Raw answers (not reversed), respondents in file order x ``items`` (default: every item), NaN missing.

        A new array; fast for 100,000 respondents (no per-answer Python).
        """
        import numpy as np

        wanted = list(self.definition.items if items is None else items)
        if self.answer_matrix is not None:
            index = {item: i for i, item in enumerate(self.definition.items)}
            return self.answer_matrix[:, [index[item] for item in wanted]].astype(float, copy=True)
        rows = [[r.answers.get(item) for item in wanted] for r in self.respondents]
        return np.array(rows, dtype=float).reshape(len(self.respondents), len(wanted))


@dataclass(frozen=True)
class SurveyRecord:
    """What :func:`store_survey` writes in the survey's own row."""

    name: str
    definition: SurveyDefinition
    file_name: str
    content_hash: str
    source_id: int | None


@dataclass(frozen=True)
class RespondentRow:
    """One respondent to store (see :class:`StoredRespondent`).

    ``answers``: in the order of the definition's items, or by item (a missing item is a missing answer).
    """

    label: str
    round: str | None
    attributes: dict[str, Any]
    answers: Sequence[float | None] | Mapping[str, float | None]
    participant_id: int | None


@dataclass(frozen=True)
class SurveySummary:
    """A line of ``survey list``."""

    name: str
    title: str
    respondents: int
    rounds: tuple[str, ...]
    source: str | None


_SURVEY: Table = Survey.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
_RESPONDENT: Table = Respondent.__table__  # type: ignore[attr-defined]  # as above
_PARTICIPANT: Table = Participant.__table__  # type: ignore[attr-defined]  # as above
_PASSAGE: Table = Passage.__table__  # type: ignore[attr-defined]  # as above
_RESPONDENT_COLUMNS = ["survey_id", "label", "round", "attributes", "answers", "participant_id"]


def survey_names(session: Session) -> list[str]:
    """The project's surveys' names, alphabetically."""
    return list(session.exec(select(Survey.name).order_by(col(Survey.name))))


def survey_by_name(session: Session, name: str) -> Survey:
    """The survey ``name``; :class:`~trivselkode.errors.NotFound` naming the nearest names otherwise."""
    return cast(
        Survey,
        _by_unique(
            session,
            Survey.name,
            name,
            _("spørgeskemaet '{name}' findes ikke i projektet").format(name=name),
            _("se `trivselkode survey list`"),
        ),
    )


def _only_survey(session: Session) -> Survey:
    names = survey_names(session)
    if not names:
        raise TrivselError(
            _("projektet har intet spørgeskema"),
            _("indlæs et med `trivselkode survey import SVAR.csv --definition SKEMA.yaml`"),
        )
    if len(names) > 1:
        raise TrivselError(
            _("projektet har flere spørgeskemaer: {names}").format(names=", ".join(names)),
            _("vælg et med --survey NAVN"),
        )
    return survey_by_name(session, names[0])


def load_survey(session: Session, name: str | None = None) -> StoredSurvey:
    """The survey ``name`` (``None``: the project's only one) with every respondent, in file order."""
    import numpy as np

    survey = survey_by_name(session, name) if name is not None else _only_survey(session)
    definition = SurveyDefinition.from_dict(survey.definition)
    source = session.get(Source, survey.source_id) if survey.source_id is not None else None
    rows = session.execute(
        core_select(
            _RESPONDENT.c.id,
            _RESPONDENT.c.label,
            _RESPONDENT.c.round,
            sql_cast(_RESPONDENT.c.attributes, Text),  # the JSON as text on every driver (parsed once each)
            _RESPONDENT.c.answers,
            _RESPONDENT.c.participant_id,
        )
        .where(_RESPONDENT.c.survey_id == survey.id)
        .order_by(_RESPONDENT.c.id)
    ).all()
    items = definition.items
    matrix = np.frombuffer(b"".join(bytes(row[4]) for row in rows), dtype="<f8").reshape(len(rows), len(items))
    index = {item: i for i, item in enumerate(items)}
    attributes: dict[str, dict[str, Any]] = {}  # the same attributes' JSON parsed once
    respondents = []
    new = object.__new__
    for (respondent_id, label, round_, attributes_json, _answers, participant_id), values in zip(rows, matrix):
        parsed = attributes.get(attributes_json)
        if parsed is None:
            parsed = attributes[attributes_json] = json.loads(attributes_json)
        # As StoredRespondent(...) makes it, without the frozen __init__'s six object.__setattr__ calls
        # (a third of the time 100,000 respondents take to load).
        respondent = new(StoredRespondent)
        respondent.__dict__.update(
            id=respondent_id,
            label=label,
            round=round_,
            attributes=dict(parsed),
            answers=AnswerRow(index, values),
            participant_id=participant_id,
        )
        respondents.append(respondent)
    return StoredSurvey(
        id=cast(int, survey.id),
        name=survey.name,
        title=survey.title,
        definition=definition,
        source_id=survey.source_id,
        source_name=source.name if source is not None else None,
        respondents=tuple(respondents),
        answer_matrix=matrix,
    )


def survey_summaries(session: Session) -> list[SurveySummary]:
    """Every survey with its number of respondents, its rounds and its open answers' source."""
    counts = dict(
        session.execute(select(_RESPONDENT.c.survey_id, func.count()).group_by(_RESPONDENT.c.survey_id)).all()
    )
    rounds: dict[int, list[str]] = {}
    for survey_id, round_ in session.execute(
        select(_RESPONDENT.c.survey_id, _RESPONDENT.c.round)
        .where(_RESPONDENT.c.round.is_not(None))
        .group_by(_RESPONDENT.c.survey_id, _RESPONDENT.c.round)
    ):
        rounds.setdefault(survey_id, []).append(round_)
    sources = dict(session.execute(select(Source.id, Source.name)).all())
    return [
        SurveySummary(
            name=s.name,
            title=s.title,
            respondents=int(counts.get(s.id, 0)),
            rounds=tuple(sorted(rounds.get(cast(int, s.id), []), key=_round_order)),
            source=sources.get(s.source_id) if s.source_id is not None else None,
        )
        for s in session.exec(select(Survey).order_by(col(Survey.name)))
    ]


def _round_order(value: str) -> tuple[int, float, str]:
    """Rounds as numbers where they are numbers ("2" before "10"), text after."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def same_survey(session: Session, name: str) -> tuple[int, str] | None:
    """``(id, content_hash)`` of the survey ``name``, if there is one."""
    row = session.execute(select(_SURVEY.c.id, _SURVEY.c.content_hash).where(_SURVEY.c.name == name)).first()
    return (row[0], row[1]) if row is not None else None


def store_survey(session: Session, record: SurveyRecord, respondents: Sequence[RespondentRow]) -> int:
    """A new survey and its respondents, in the session's transaction; the survey's id."""
    definition = record.definition
    result = cast(
        CursorResult[Any],
        session.execute(
            insert(_SURVEY),
            {
                "name": record.name,
                "title": definition.title,
                "definition": definition.to_dict(),
                "file_name": record.file_name,
                "content_hash": record.content_hash,
                "source_id": record.source_id,
                "imported_at": utcnow(),
            },
        ),
    )
    survey_id: int = cast(Row[Any], result.inserted_primary_key)[0]
    import numpy as np

    items = definition.items
    matrix = np.array(
        [[r.answers.get(i) for i in items] if isinstance(r.answers, Mapping) else r.answers for r in respondents],
        dtype="<f8",
    ).reshape(len(respondents), len(items))
    insert_respondents(
        session,
        [
            (survey_id, r.label, r.round, r.attributes, values.tobytes(), r.participant_id)
            for r, values in zip(respondents, matrix)
        ],
    )
    return survey_id


def insert_respondents(
    session: Session, rows: Sequence[tuple[int, str, str | None, dict[str, Any], bytes, int | None]]
) -> None:
    """Respondent rows ``(survey id, label, round, attributes, answers as stored, participant id)``, in one go."""
    dumps = json.dumps
    bulk_insert(
        session,
        _RESPONDENT,
        _RESPONDENT_COLUMNS,
        [
            (sid, label, rnd, dumps(attrs, ensure_ascii=False), answers, pid)
            for sid, label, rnd, attrs, answers, pid in rows
        ],
    )


def remove_survey(project: Project, name: str) -> None:
    """Delete the survey ``name``, its respondents and the open answers' source its import created.

    A source the survey was only linked to (``survey import --source``) is kept.
    """
    with project.write() as session:
        survey = survey_by_name(session, name)
        source = session.get(Source, survey.source_id) if survey.source_id is not None else None
        session.execute(_RESPONDENT.delete().where(_RESPONDENT.c.survey_id == survey.id))
        session.delete(survey)
        if source is not None and _created_by(source, name):
            session.delete(source)


def source_id_named(session: Session, name: str) -> int | None:
    """The id of the source ``name``, if there is one."""
    return session.exec(select(Source.id).where(Source.name == name)).first()


def participant_ids(session: Session, source_id: int) -> dict[str, int]:
    """The source's participants' ids by label."""
    return dict(
        session.execute(
            core_select(_PARTICIPANT.c.label, _PARTICIPANT.c.id).where(_PARTICIPANT.c.source_id == source_id)
        ).all()
    )


def passage_texts(session: Session, source_id: int) -> dict[int, list[str]]:
    """The texts of the source's passages by participant id, in passage order."""
    texts: dict[int, list[str]] = {}
    for participant_id, text in session.execute(
        core_select(_PASSAGE.c.participant_id, _PASSAGE.c.text)
        .where(_PASSAGE.c.source_id == source_id)
        .order_by(_PASSAGE.c.number)
    ):
        texts.setdefault(participant_id, []).append(text)
    return texts


def stored_source_name(session: Session, survey_id: int) -> str | None:
    """The name of the survey's open answers' source (``None`` without one)."""
    return session.exec(
        select(Source.name).join(Survey, col(Survey.source_id) == col(Source.id)).where(Survey.id == survey_id)
    ).first()


def removal_plan(project: Project, name: str) -> tuple[int, str | None]:
    """What :func:`remove_survey` would delete: the number of respondents and the source going with them."""
    with project.read() as session:
        survey = survey_by_name(session, name)
        respondents = session.execute(
            core_select(func.count()).select_from(_RESPONDENT).where(_RESPONDENT.c.survey_id == survey.id)
        ).scalar_one()
        source = session.get(Source, survey.source_id) if survey.source_id is not None else None
        return int(respondents), source.name if source is not None and _created_by(source, name) else None


def _created_by(source: Source, survey: str) -> bool:
    """Whether the survey's import created ``source`` (rather than linking an existing one)."""
    return (source.extra or {}).get(SURVEY_KEY) == survey
