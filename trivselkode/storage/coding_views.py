"""What the coding screens read of the database, by ids (no UI here).

:func:`load_source_view` loads everything one coder needs to code one
source — passages with their speakers' attributes, the codebook, this
coder's codings and the other coders', stars, memos, the last position and
the done-marks — in a handful of queries (a 3,000-passage source loads in
well under a second). :func:`overview_rows` feeds the overview (its theme bars
come from :func:`trivselkode.analysis.overview_counts.theme_counts`).
The writing side is :mod:`trivselkode.storage.coding_ops`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, func, literal
from sqlmodel import Session, col, select

from trivselkode.domain.undo import CodingFact
from trivselkode.i18n import _
from trivselkode.storage.lookup import source_by_name
from trivselkode.storage.models import (
    INTERVIEWER,
    Code,
    Coder,
    Coding,
    Memo,
    Participant,
    Passage,
    Position,
    Source,
    SourceDone,
    Star,
)
from trivselkode.storage.status import done_marks

THEME_KIND = "tema"


@dataclass
class CodeInfo:
    """One code of the codebook, as the coding screen shows it."""

    id: int
    key: str
    name: str
    parent_id: int | None = None
    kind: str = ""
    color: str | None = None
    shortcut: str | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    characteristics: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    retired: bool = False
    depth: int = 0


@dataclass
class PassageInfo:
    """One passage with its speaker's attributes (site inherited from the source)."""

    id: int
    number: int
    participant_id: int
    label: str
    role: str
    gender: str | None
    age: int | None
    site: str | None
    attributes: dict[str, Any]
    text: str
    sentences: list[list[int]]

    @property
    def is_interviewer(self) -> bool:
        return self.role == INTERVIEWER

    def sentence_spans(self) -> list[tuple[int, int]]:
        """The sentences as (start, end); a passage without any is one sentence."""
        spans = [(int(s), int(e)) for s, e in self.sentences if 0 <= s < e <= len(self.text)]
        return spans or [(0, len(self.text))]

    def describe_speaker(self) -> str:
        """``Kvinde, 67 år, Holstebro`` (as the report attributes quotes)."""
        return describe_attributes(self.gender, self.age, self.site)


def describe_attributes(gender: str | None, age: int | None, site: str | None) -> str:
    parts = []
    if gender:
        parts.append(gender.capitalize())
    if age is not None:
        parts.append(_("{age} år").format(age=age))
    if site:
        parts.append(site)
    return ", ".join(parts)


@dataclass
class SourceView:
    """Everything the coding screen shows of one source for one coder."""

    source_id: int
    name: str
    title: str
    kind: str | None
    site: str | None
    context: str | None
    coder: str
    coder_id: int | None
    passages: list[PassageInfo]
    codes: list[CodeInfo]
    mine: dict[int, list[CodingFact]]
    others: dict[int, list[tuple[str, CodingFact]]]
    stars: set[int]
    memos: dict[int, str]
    position: int | None
    done_by: list[str]

    @property
    def codes_by_id(self) -> dict[int, CodeInfo]:
        return {c.id: c for c in self.codes}

    def index_of_number(self, number: int) -> int | None:
        for i, p in enumerate(self.passages):
            if p.number == number:
                return i
        return None

    def first_participant_index(self) -> int:
        for i, p in enumerate(self.passages):
            if not p.is_interviewer:
                return i
        return 0

    def start_index(self) -> int:
        """Where the coding screen opens: the last position, else the first participant turn."""
        if self.position is not None:
            i = self.index_of_number(self.position)
            if i is not None:
                return i
        return self.first_participant_index()

    def codes_of(self, passage_id: int, mine: bool = True) -> set[int]:
        """The codes passage ``passage_id`` counts for in :meth:`counts` (mine, or all coders')."""
        codes = {f.code_id for f in self.mine.get(passage_id, ())}
        if not mine:
            codes.update(f.code_id for _c, f in self.others.get(passage_id, ()))
        return codes

    def counts(self, mine: bool = True) -> dict[int, int]:
        """Per code id, the passages of this source coded with it (mine, or all coders')."""
        out: dict[int, int] = {}
        for pid in self.mine.keys() if mine else self.mine.keys() | self.others.keys():
            for code_id in self.codes_of(pid, mine):
                out[code_id] = out.get(code_id, 0) + 1
        return out

    def apply(self, added: Iterable[CodingFact], removed: Iterable[CodingFact]) -> None:
        """Bring the in-memory codings in line with a stored change."""
        for fact in removed:
            facts = self.mine.get(fact.passage_id, [])
            self.mine[fact.passage_id] = [f for f in facts if f != fact]
            if not self.mine[fact.passage_id]:
                del self.mine[fact.passage_id]
        for fact in added:
            facts = self.mine.setdefault(fact.passage_id, [])
            if fact not in facts:
                facts.append(fact)


def _code_infos(session: Session) -> list[CodeInfo]:
    codes = list(session.exec(select(Code).order_by(col(Code.position), col(Code.id))))
    ids = {c.id for c in codes}
    children: dict[int | None, list[Code]] = {}
    for c in codes:
        children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
    out: list[CodeInfo] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append(
                CodeInfo(
                    id=cast(int, c.id),
                    key=c.key,
                    name=c.name,
                    parent_id=c.parent_id,
                    kind=c.kind or "",
                    color=c.color,
                    shortcut=c.shortcut,
                    description=c.description or "",
                    include=c.include or "",
                    exclude=c.exclude or "",
                    characteristics=list(c.characteristics or []),
                    examples=list(c.examples or []),
                    keywords=list(c.keywords or []),
                    retired=bool(c.retired),
                    depth=depth,
                )
            )
            walk(c.id, depth + 1)

    walk(None, 0)
    return out


def load_codes(project) -> list[CodeInfo]:  # noqa: ANN001
    """The codebook, parents before children, with each code's depth."""
    with project.read() as session:
        return _code_infos(session)


def load_source_view(project, source_name: str, coder: str) -> SourceView:  # noqa: ANN001
    """Everything to code ``source_name`` as ``coder`` (who may not exist yet)."""
    with project.read() as session:
        source = source_by_name(session, source_name)
        source_id = cast(int, source.id)
        coder_id = session.exec(select(Coder.id).where(Coder.name == coder)).first()
        passages = _passage_infos(session, source)
        mine, others = _codings_of(session, source_id, coder_id)
        stars, memos, position = _marks_of(session, source_id, coder_id)
        finished = _done_by(session, source_id)
        codes = _code_infos(session)
    return SourceView(
        source_id=source_id,
        name=source.name,
        title=source.title,
        kind=source.kind,
        site=source.site,
        context=source.context,
        coder=coder,
        coder_id=coder_id,
        passages=passages,
        codes=codes,
        mine=mine,
        others=others,
        stars=stars,
        memos=memos,
        position=position,
        done_by=finished,
    )


def _passage_infos(session: Session, source: Source) -> list[PassageInfo]:
    """The source's passages in order, each with its speaker's attributes."""
    people = {p.id: p for p in session.exec(select(Participant).where(Participant.source_id == source.id))}
    passages: list[PassageInfo] = []
    for pid, number, part_id, text, sentences in session.exec(
        select(Passage.id, Passage.number, Passage.participant_id, Passage.text, Passage.sentences)  # type: ignore[call-overload]  # sqlmodel's select() overloads stop at 4 columns
        .where(Passage.source_id == source.id)
        .order_by(Passage.number)
    ):
        person = people[part_id]
        passages.append(
            PassageInfo(
                id=pid,
                number=number,
                participant_id=part_id,
                label=person.label,
                role=person.role,
                gender=person.gender,
                age=person.age,
                site=person.site or source.site,
                attributes=person.attributes,
                text=text,
                sentences=sentences or [],
            )
        )
    return passages


def _codings_of(
    session: Session, source_id: int, coder_id: int | None
) -> tuple[dict[int, list[CodingFact]], dict[int, list[tuple[str, CodingFact]]]]:
    """The source's codings by passage: the coder's own, and the other coders' with their names."""
    coder_names = dict(session.exec(select(Coder.id, Coder.name)).all())
    mine: dict[int, list[CodingFact]] = {}
    others: dict[int, list[tuple[str, CodingFact]]] = {}
    for pid, code_id, cid, start, end, memo in session.exec(
        select(Coding.passage_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end, Coding.memo)  # type: ignore[call-overload]  # sqlmodel's select() overloads stop at 4 columns
        .join(Passage, Coding.passage_id == Passage.id)
        .where(Passage.source_id == source_id)
        .order_by(Coding.id)
    ):
        fact = CodingFact(pid, code_id, start, end, memo)
        if cid == coder_id:
            mine.setdefault(pid, []).append(fact)
        else:
            others.setdefault(pid, []).append((coder_names.get(cid, "?"), fact))
    return mine, others


def _marks_of(session: Session, source_id: int, coder_id: int | None) -> tuple[set[int], dict[int, str], int | None]:
    """The coder's stars, memos and last position in the source (none for a coder who does not exist yet)."""
    if coder_id is None:
        return set(), {}, None
    stars = set(
        session.exec(
            select(Star.passage_id)
            .join(Passage, col(Star.passage_id) == Passage.id)
            .where(Passage.source_id == source_id, Star.coder_id == coder_id)
        )
    )
    memos = {
        cast(int, passage_id): text  # the join leaves only memos on passages
        for passage_id, text in session.exec(
            select(Memo.passage_id, Memo.text)
            .join(Passage, col(Memo.passage_id) == Passage.id)
            .where(Passage.source_id == source_id, Memo.coder_id == coder_id)
            .order_by(col(Memo.id))
        ).all()
    }
    position = session.exec(
        select(Position.passage_number).where(Position.source_id == source_id, Position.coder_id == coder_id)
    ).first()
    return stars, memos, position


def _done_by(session: Session, source_id: int) -> list[str]:
    return list(
        session.exec(
            select(Coder.name)
            .join(SourceDone, col(SourceDone.coder_id) == Coder.id)
            .where(SourceDone.source_id == source_id)
            .order_by(Coder.name)
        )
    )


def done_by(project, source_id: int) -> list[str]:  # noqa: ANN001
    """The coders who marked the source done."""
    with project.read() as session:
        return _done_by(session, source_id)


# --------------------------------------------------------------------------- overview


@dataclass
class OverviewRow:
    """One source in the overview, with one coder's progress."""

    source_id: int
    name: str
    title: str
    kind: str | None
    site: str | None
    context: str | None
    round: int | None
    passages: int
    participant_passages: int
    coded: int  # participant passages this coder has coded
    done_by: list[str]
    done_by_me: bool = False


def overview_rows(project, coder: str | None) -> list[OverviewRow]:  # noqa: ANN001
    """Every source with its passages, this coder's progress and who finished it."""
    with project.read() as session:
        coder_id = session.exec(select(Coder.id).where(Coder.name == coder)).first() if coder else None
        sources = session.exec(
            select(  # type: ignore[call-overload, misc]  # sqlmodel's select() overloads stop at 4 columns
                Source.id, Source.name, Source.title, Source.kind, Source.site, Source.context, Source.round
            ).order_by(Source.name)
        ).all()
        totals, spoken, coded = _passage_counts(session, coder_id)
        done = done_marks(session)
    rows = []
    for sid, name, title, kind, site, context, round_ in sources:
        row = OverviewRow(
            source_id=sid,
            name=name,
            title=title or "",
            kind=kind,
            site=site,
            context=context,
            round=round_,
            passages=totals.get(sid, 0),
            participant_passages=spoken.get(sid, 0),
            coded=coded.get(sid, 0),
            done_by=done.get(sid, []),
            done_by_me=bool(coder) and coder in done.get(sid, []),
        )
        rows.append(row)
    return rows


def _passage_counts(session: Session, coder_id: int | None) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per source id: its passages, its participants' passages (not the interviewers'), and those of
    them the coder has coded (any coding at all); one pass over the passages.

    Whether the coder coded a passage is looked up per passage in the (passage, code, coder) index
    (``EXISTS``), rather than by reading all of the coder's codings through the coder index: on a
    project of 2 million codings several times faster, and the same count.
    """
    spoken_one = case((col(Participant.role) != INTERVIEWER, 1), else_=0)
    coded_one: ColumnElement[int]
    if coder_id is not None:
        # ``coder_id + 0``: not by the coder index (SQLite would take it, with a bound id, for every passage).
        mine = select(col(Coding.id)).where(col(Coding.passage_id) == Passage.id, col(Coding.coder_id) + 0 == coder_id)
        coded_one = case((and_(col(Participant.role) != INTERVIEWER, mine.exists()), 1), else_=0)
    else:
        coded_one = literal(0)
    rows = session.exec(
        select(Passage.source_id, func.count(), func.sum(spoken_one), func.sum(coded_one))
        .join(Participant, col(Passage.participant_id) == Participant.id)
        .group_by(col(Passage.source_id))
    ).all()
    totals = {sid: int(n) for sid, n, _s, _c in rows}
    spoken = {sid: int(s) for sid, _n, s, _c in rows if s}
    coded = {sid: int(c) for sid, _n, _s, c in rows if c}
    return totals, spoken, coded


def coder_exists(project, name: str) -> bool:  # noqa: ANN001
    with project.read() as session:
        return session.exec(select(Coder.id).where(Coder.name == name)).first() is not None


__all__ = [
    "CodeInfo",
    "OverviewRow",
    "PassageInfo",
    "SourceView",
    "coder_exists",
    "describe_attributes",
    "done_by",
    "load_codes",
    "load_source_view",
    "overview_rows",
]
