"""The researcher's choice among a code's candidate quotes (table ``QuoteChoice``), kept for the next export.

A choice is one code and one passage:

- ``picked``: the passage is quoted for the code, before any automatic
  choice, in the order of ``position`` (1, 2, … with no gaps);
- ``dropped``: the passage is never quoted for the code;
- no row: the automatic choice decides (:mod:`trivselkode.analysis.quotes`).

Only a participant's passage that carries the code (by any coder) can be
picked or dropped. Every public function is one transaction, so each choice
is saved at once; :func:`edit_choices` runs several in one (the command line's
``--pick … --drop …``)::

    pick(project, "T3", "holstebro-interview-03", 14, by="anne")   # 1st
    move(project, "T3", "holstebro-interview-03", 14, +1, by="anne")
    drop(project, "T3", "viborg-interview-02", 7, by="anne")
    release(project, "T3", "viborg-interview-02", 7)               # back to automatic
    load_choices(session)[code_id].picked                          # passage ids, in order
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlmodel import Session, col, select

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.coding_ops import check_span
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import code_by_key, passage_by_number, source_by_name
from trivselkode.storage.models import INTERVIEWER, Code, Coding, Participant, Passage, QuoteChoice, Source, utcnow

PICKED = "picked"
DROPPED = "dropped"
STATES = (PICKED, DROPPED)

__all__ = [
    "DROPPED",
    "PICKED",
    "STATES",
    "ChoiceRow",
    "ChoiceWriter",
    "CodeChoices",
    "drop",
    "edit_choices",
    "list_choices",
    "load_choices",
    "move",
    "order",
    "pick",
    "release",
    "reset",
]


@dataclass
class CodeChoices:
    """One code's choices, by passage id: what the quote picker reads."""

    picked: list[int] = field(default_factory=list)  # in order
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # a picked quote narrowed by hand
    dropped: set[int] = field(default_factory=set)

    def state(self, passage_id: int) -> str | None:
        if passage_id in self.dropped:
            return DROPPED
        return PICKED if passage_id in self.picked else None


@dataclass(frozen=True)
class ChoiceRow:
    """One stored choice, by name: for listings and tests."""

    code: str
    source: str
    passage: int
    state: str
    position: int
    start: int | None
    end: int | None
    chosen_by: str
    chosen_at: datetime


def load_choices(session: Session, code_ids: Iterable[int] | None = None) -> dict[int, CodeChoices]:
    """Every code's choices (or those of ``code_ids``), keyed by code id."""
    query = select(QuoteChoice).order_by(col(QuoteChoice.code_id), col(QuoteChoice.position), col(QuoteChoice.id))
    if code_ids is not None:
        query = query.where(col(QuoteChoice.code_id).in_(list(code_ids)))
    out: dict[int, CodeChoices] = {}
    for row in session.exec(query):
        choices = out.setdefault(row.code_id, CodeChoices())
        if row.state == DROPPED:
            choices.dropped.add(row.passage_id)
        else:
            choices.picked.append(row.passage_id)
            if row.start is not None and row.end is not None:
                choices.spans[row.passage_id] = (row.start, row.end)
    return out


def list_choices(project: Project, code: str | None = None) -> list[ChoiceRow]:
    """The stored choices by name: per code, the picked in order, then the dropped."""
    with project.read() as session:
        query = (
            select(QuoteChoice, Code.key, Source.name, Passage.number)
            .join(Code, col(QuoteChoice.code_id) == Code.id)
            .join(Passage, col(QuoteChoice.passage_id) == Passage.id)
            .join(Source, col(Passage.source_id) == Source.id)
        )
        if code is not None:
            query = query.where(Code.key == code)
        rows = [
            ChoiceRow(key, name, number, c.state, c.position, c.start, c.end, c.chosen_by, c.chosen_at)
            for c, key, name, number in session.exec(query)
        ]
    return sorted(rows, key=lambda r: (r.code, r.state != PICKED, r.position, r.source, r.passage))


class ChoiceWriter:
    """One code's choices inside one transaction: each method checks, writes and keeps positions 1..k."""

    def __init__(self, session: Session, code: str, by: str = "") -> None:
        self.session = session
        self.code = code_by_key(session, code)
        self.code_id = cast(int, self.code.id)
        self.by = by

    # ------------------------------------------------------------ reading

    def _row(self, passage_id: int) -> QuoteChoice | None:
        return self.session.exec(
            select(QuoteChoice).where(QuoteChoice.code_id == self.code_id, QuoteChoice.passage_id == passage_id)
        ).first()

    def _picked(self) -> list[QuoteChoice]:
        return list(
            self.session.exec(
                select(QuoteChoice)
                .where(QuoteChoice.code_id == self.code_id, QuoteChoice.state == PICKED)
                .order_by(col(QuoteChoice.position), col(QuoteChoice.id))
            )
        )

    def passage(self, source: str, number: int) -> Passage:
        """The passage ``source#number``, refused unless a participant said it and it carries the code."""
        passage = passage_by_number(self.session, source_by_name(self.session, source), number)
        role = self.session.exec(select(Participant.role).where(Participant.id == passage.participant_id)).one()
        if role == INTERVIEWER:
            raise TrivselError(
                _("{source}#{number} er intervieweren, ikke en deltager").format(source=source, number=number),
                _("vælg et udsagn, en deltager siger"),
            )
        coded = self.session.exec(
            select(Coding.id).where(Coding.passage_id == passage.id, Coding.code_id == self.code_id).limit(1)
        ).first()
        if coded is None:
            raise TrivselError(
                _("{source}#{number} er ikke kodet med {key}").format(source=source, number=number, key=self.code.key),
                _("se kandidaterne med `trivselkode report quotes --codes {key} --candidates`").format(
                    key=self.code.key
                ),
            )
        return passage

    # ------------------------------------------------------------ writing

    def _renumber(self, rows: Sequence[QuoteChoice]) -> None:
        for position, row in enumerate(rows, start=1):
            if row.position != position:
                row.position = position
                self.session.add(row)
        self.session.flush()

    def _stamp(self, row: QuoteChoice, state: str) -> None:
        row.state = state
        row.chosen_by = self.by
        row.chosen_at = utcnow()
        self.session.add(row)

    def pick(
        self, source: str, number: int, at: int | None = None, start: int | None = None, end: int | None = None
    ) -> int:
        """Pick ``source#number`` (at place ``at``, 1-based, else last, or where it already is); its place."""
        passage = self.passage(source, number)
        start, end = check_span(passage, start, end)
        pid = cast(int, passage.id)
        row = self._row(pid)
        rows = [r for r in self._picked() if r.passage_id != pid]
        if row is None:
            row = QuoteChoice(code_id=self.code_id, passage_id=pid, state=PICKED)
        elif row.state == PICKED and at is None:
            at = row.position  # picking again keeps the place
        self._stamp(row, PICKED)
        row.start, row.end = start, end
        self.session.flush()
        place = len(rows) if at is None else max(0, min(at - 1, len(rows)))
        rows.insert(place, row)
        self._renumber(rows)
        return place + 1

    def drop(self, source: str, number: int) -> None:
        """Drop ``source#number``: never quoted for this code."""
        pid = cast(int, self.passage(source, number).id)
        row = self._row(pid) or QuoteChoice(code_id=self.code_id, passage_id=pid, state=DROPPED)
        self._stamp(row, DROPPED)
        row.position, row.start, row.end = 0, None, None
        self.session.flush()
        self._renumber(self._picked())

    def release(self, source: str, number: int) -> bool:
        """Forget the choice of ``source#number`` (back to the automatic choice); whether there was one."""
        passage = passage_by_number(self.session, source_by_name(self.session, source), number)
        row = self._row(cast(int, passage.id))
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        self._renumber(self._picked())
        return True

    def move(self, source: str, number: int, offset: int) -> int:
        """Move a picked quote ``offset`` places (negative: earlier); its new place."""
        passage = passage_by_number(self.session, source_by_name(self.session, source), number)
        rows = self._picked()
        ids = [r.passage_id for r in rows]
        if passage.id not in ids:
            raise TrivselError(
                _("{source}#{number} er ikke valgt til {key}").format(source=source, number=number, key=self.code.key),
                _("vælg det først"),
            )
        i = ids.index(passage.id)
        j = max(0, min(i + offset, len(rows) - 1))
        row = rows.pop(i)
        rows.insert(j, row)
        if i != j:
            row.chosen_by, row.chosen_at = self.by, utcnow()
        self._renumber(rows)
        return j + 1

    def order(self, refs: Sequence[tuple[str, int]]) -> list[int]:
        """Put ``refs`` first, in this order (picking any not yet picked); the other picked follow as they were."""
        wanted: list[int] = []
        for source, number in refs:
            pid = cast(int, self.passage(source, number).id)
            if pid not in wanted:
                wanted.append(pid)
        for pid in wanted:
            row = self._row(pid) or QuoteChoice(code_id=self.code_id, passage_id=pid, state=PICKED)
            if row.state != PICKED:
                row.start = row.end = None
            self._stamp(row, PICKED)
        self.session.flush()
        rows = self._picked()
        by_id = {r.passage_id: r for r in rows}
        ordered = [by_id[pid] for pid in wanted] + [r for r in rows if r.passage_id not in wanted]
        self._renumber(ordered)
        return [r.passage_id for r in ordered]

    def reset(self) -> int:
        """Forget every choice of the code; how many there were."""
        rows = list(self.session.exec(select(QuoteChoice).where(QuoteChoice.code_id == self.code_id)))
        for row in rows:
            self.session.delete(row)
        self.session.flush()
        return len(rows)


@contextmanager
def edit_choices(project: Project, code: str, by: str = "") -> Iterator[ChoiceWriter]:
    """A :class:`ChoiceWriter` for ``code`` in one transaction: all its changes are kept, or none."""
    with project.write() as session:
        yield ChoiceWriter(session, code, by)


def pick(
    project: Project,
    code: str,
    source: str,
    number: int,
    by: str = "",
    at: int | None = None,
    start: int | None = None,
    end: int | None = None,
) -> int:
    """Pick ``source#number`` as a quote of ``code`` (see :meth:`ChoiceWriter.pick`); its place."""
    with edit_choices(project, code, by) as writer:
        return writer.pick(source, number, at, start, end)


def drop(project: Project, code: str, source: str, number: int, by: str = "") -> None:
    """Never quote ``source#number`` for ``code``."""
    with edit_choices(project, code, by) as writer:
        writer.drop(source, number)


def release(project: Project, code: str, source: str, number: int) -> bool:
    """Leave ``source#number`` to the automatic choice again; whether it had been picked or dropped."""
    with edit_choices(project, code) as writer:
        return writer.release(source, number)


def move(project: Project, code: str, source: str, number: int, offset: int, by: str = "") -> int:
    """Move a picked quote of ``code`` ``offset`` places; its new place."""
    with edit_choices(project, code, by) as writer:
        return writer.move(source, number, offset)


def order(project: Project, code: str, refs: Sequence[tuple[str, int]], by: str = "") -> list[int]:
    """Put ``refs`` first among ``code``'s picked quotes, in this order; the passage ids in their new order."""
    with edit_choices(project, code, by) as writer:
        return writer.order(refs)


def reset(project: Project, code: str) -> int:
    """Forget every choice of ``code``; how many there were."""
    with edit_choices(project, code) as writer:
        return writer.reset()
