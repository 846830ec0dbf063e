"""What the coding screens and ``trivselkode codings`` write to the database, by ids (no UI here).

:func:`write_codings` is the one way codings are written: the terminal UI
(:func:`apply_change`, :func:`toggle_code`, :func:`narrow_to_span`, undo and
redo) and the command line (:func:`trivselkode.storage.codings.add_coding`
and ``remove_coding``, which look names up first) all go through it. It
refuses the reserved ``konsensus`` coder, whose codings follow settled
disagreements only, and creates any other coder on their first write.

Every function is one transaction (``project.write()``, i.e. ``BEGIN
IMMEDIATE`` on SQLite) and returns what it actually stored, so the screen
shows a change only once it is in the database.

The reading side (:class:`SourceView`, :func:`load_source_view`,
:func:`overview_rows` …) is :mod:`trivselkode.storage.coding_views`; its
names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, bindparam, delete, insert, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from trivselkode.config import CONSENSUS_CODER
from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.coding_views import (
    CodeInfo,
    OverviewRow,
    PassageInfo,
    SourceView,
    coder_exists,
    describe_attributes,
    done_by,
    load_codes,
    load_source_view,
    overview_rows,
)
from trivselkode.storage.lookup import check_coder_name, get_or_create_coder
from trivselkode.storage.models import Code, Coder, Coding, Memo, Passage, Position, Star, utcnow


def check_span(passage: Passage, start: int | None, end: int | None) -> tuple[int | None, int | None]:
    """Validate a sub-span of a passage; a span covering all of it is no span."""
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise TrivselError(_("angiv både --start og --end, eller ingen af dem"))
    if not (0 <= start < end <= len(passage.text)):
        raise TrivselError(
            _("spændet {start}–{end} ligger ikke inden for udsagnet (0–{n})").format(
                start=start, end=end, n=len(passage.text)
            ),
            _("start skal være mindre end slut, og slut højst udsagnets længde"),
        )
    if start == 0 and end == len(passage.text):
        return None, None
    return start, end


def refuse_consensus(coder: str) -> None:
    """The reserved coder's codings follow decisions only (a hand-made one would be a silent settlement)."""
    if coder.strip() == CONSENSUS_CODER:
        raise TrivselError(
            _("'{CONSENSUS_CODER}' er den fælles kodning og kodes ikke direkte").format(
                CONSENSUS_CODER=CONSENSUS_CODER
            ),
            _("afgør uenigheder med `trivselkode consensus settle` eller under Enighed; kod under dit eget navn"),
        )


# --------------------------------------------------------------------------- the one writer


@dataclass
class CodingChange:
    """What :func:`write_codings` stored."""

    added: list[CodingFact] = field(default_factory=list)
    removed: list[CodingFact] = field(default_factory=list)
    updated: list[CodingFact] = field(default_factory=list)  # codings there already whose memo was changed


#: ``plan(session) -> (added, removed)``: the change, worked out inside the transaction that makes it.
Plan = Callable[[Session], tuple[Sequence[CodingFact], Sequence[CodingFact]]]


def write_codings(project, coder: str, plan: Plan, *, memos: bool = False) -> CodingChange:  # noqa: ANN001
    """Remove and add codings of ``coder`` in one transaction: the one way codings are written.

    ``plan`` looks up what to change (its errors come before the coder is
    created). Codings to remove that are gone are skipped; codings to add
    that exist are not added twice — with ``memos`` (the command line's
    ``codings add``), their memo is set to the one given instead (``None``:
    left as it is, ``""``: none), and a new coding's empty memo is none.

    The codings are read and written with prepared statements on the
    session's connection (a keystroke's toggle is a few indexed statements,
    no rows loaded as objects).
    """
    refuse_consensus(coder)
    with project.write() as session:
        added, removed = plan(session)
        coder_id = _coder_id(session, coder)
        conn = session.connection()
        change = CodingChange()
        for fact in removed:
            for row in _matching(conn, coder_id, fact):
                conn.execute(_DELETE_CODING, {"coding_id": row.id})
                change.removed.append(_row_fact(fact, row))
        for fact in added:
            _add(session, conn, coder_id, fact, memos, change)
    return change


def _coder_id(session: Session, name: str) -> int:
    """The coder's id, the coder created on first use (as :func:`get_or_create_coder`)."""
    found = session.connection().execute(_CODER_ID, {"name": check_coder_name(name)}).scalar()
    if found is not None:
        return int(found)
    return cast(int, get_or_create_coder(session, name).id)


def _add(
    session: Session, conn: Connection, coder_id: int, fact: CodingFact, memos: bool, change: CodingChange
) -> None:
    if fact.start is None and fact.end is None:  # the whole passage: no span to check against its text
        if conn.execute(_PASSAGE_THERE, {"passage_id": fact.passage_id}).first() is None:
            live_passage(session, fact.passage_id)  # says it is gone
        start, end = None, None
        _check_code(conn, session, fact.code_id)
    else:
        passage = live_passage(session, fact.passage_id)
        _check_code(conn, session, fact.code_id)
        start, end = check_span(passage, fact.start, fact.end)
    given = fact.memo
    fact = CodingFact(fact.passage_id, fact.code_id, start, end, (given or None) if memos else given)
    there = _matching(conn, coder_id, fact)
    if there:
        row = there[0]
        if memos and given is not None and given != row.memo:
            conn.execute(_SET_MEMO, {"coding_id": row.id, "memo": given or None})
            change.updated.append(CodingFact(fact.passage_id, fact.code_id, row.start, row.end, given or None))
        return
    conn.execute(
        _INSERT_CODING,
        {
            "passage_id": fact.passage_id,
            "code_id": fact.code_id,
            "coder_id": coder_id,
            "start": start,
            "end": end,
            "memo": fact.memo,
            "created_at": utcnow(),
        },
    )
    change.added.append(fact)


def _check_code(conn: Connection, session: Session, code_id: int) -> None:
    """Refuse a code that is gone or retired, with :func:`usable_code`'s words (without loading the code)."""
    row = conn.execute(_CODE_STATE, {"code_id": code_id}).first()
    if row is None or row.retired:
        usable_code(session, code_id)


def _matching(conn: Connection, coder_id: int, fact: CodingFact) -> list[Any]:
    """The coder's codings of the fact's passage, code and span (rows of id, start, end, memo)."""
    query = _MATCHING[(fact.start is None, fact.end is None)]
    params = {"passage_id": fact.passage_id, "code_id": fact.code_id, "coder_id": coder_id}
    if fact.start is not None:
        params["start"] = fact.start
    if fact.end is not None:
        params["end"] = fact.end
    return list(conn.execute(query, params))


def _row_fact(fact: CodingFact, row: Any) -> CodingFact:
    return CodingFact(fact.passage_id, fact.code_id, row.start, row.end, row.memo)


# The statements of the write path, built once (SQLAlchemy caches their compiled form).
_CODER_ID = core_select(col(Coder.id)).where(col(Coder.name) == bindparam("name"))
_PASSAGE_THERE = core_select(col(Passage.id)).where(col(Passage.id) == bindparam("passage_id"))
_CODE_STATE = core_select(col(Code.retired)).where(col(Code.id) == bindparam("code_id"))
_INSERT_CODING = insert(Coding)
_DELETE_CODING = delete(Coding).where(col(Coding.id) == bindparam("coding_id"))
_SET_MEMO = update(Coding).where(col(Coding.id) == bindparam("coding_id")).values(memo=bindparam("memo"))


def _matching_query(start_none: bool, end_none: bool) -> Any:
    return core_select(col(Coding.id), col(Coding.start), col(Coding.end), col(Coding.memo)).where(
        col(Coding.passage_id) == bindparam("passage_id"),
        col(Coding.code_id) == bindparam("code_id"),
        col(Coding.coder_id) == bindparam("coder_id"),
        col(Coding.start).is_(None) if start_none else col(Coding.start) == bindparam("start"),
        col(Coding.end).is_(None) if end_none else col(Coding.end) == bindparam("end"),
    )


_MATCHING = {(s, e): _matching_query(s, e) for s in (True, False) for e in (True, False)}
#: A coder's codings of one code on one passage, spans included (what a toggle removes).
_CODINGS_OF = (
    core_select(col(Coding.start), col(Coding.end), col(Coding.memo))
    .join(Coder, col(Coding.coder_id) == col(Coder.id))
    .where(
        col(Coding.passage_id) == bindparam("passage_id"),
        col(Coding.code_id) == bindparam("code_id"),
        col(Coder.name) == bindparam("name"),
    )
)


def usable_code(session: Session, code_id: int) -> Code:
    """The code, refused when it is gone or retired (no new codings of a retired code)."""
    code = session.get(Code, code_id)
    if code is None:
        raise TrivselError(_("koden findes ikke længere i kodebogen"), _("tryk r for at genindlæse"))
    if code.retired:
        raise TrivselError(
            _("koden '{key}' er udgået og kan ikke bruges til nye kodninger").format(key=code.key),
            _("vælg en anden kode"),
        )
    return code


def live_passage(session: Session, passage_id: int) -> Passage:
    """The passage, refused when it is gone (its source revised since the screen loaded it)."""
    passage = session.get(Passage, passage_id)
    if passage is None:
        raise TrivselError(_("udsagnet findes ikke længere (kilden er måske revideret)"), _("tryk r for at genindlæse"))
    return passage


# --------------------------------------------------------------------------- the coding screen's changes


def apply_change(
    project,  # noqa: ANN001
    coder: str,
    added: Sequence[CodingFact] = (),
    removed: Sequence[CodingFact] = (),
) -> tuple[list[CodingFact], list[CodingFact]]:
    """Remove and add codings of ``coder`` in one transaction.

    Returns what was actually added and removed (a coding that already
    exists is not added twice; one that is gone is not removed). Undo and
    redo apply :class:`~trivselkode.domain.undo.CodingAction` s with this.
    """
    change = write_codings(project, coder, lambda _session: (added, removed))
    return change.added, change.removed


def toggle_code(project, coder: str, passage_id: int, code_id: int) -> tuple[list[CodingFact], list[CodingFact]]:  # noqa: ANN001
    """Toggle a code on a passage: remove every coding of it by ``coder`` there, or add it whole.

    Returns ``(added, removed)``.
    """

    def plan(session: Session) -> tuple[list[CodingFact], list[CodingFact]]:
        params = {"passage_id": passage_id, "code_id": code_id, "name": coder.strip()}
        rows = list(session.connection().execute(_CODINGS_OF, params))
        if rows:
            return [], [CodingFact(passage_id, code_id, r.start, r.end, r.memo) for r in rows]
        return [CodingFact(passage_id, code_id)], []

    change = write_codings(project, coder, plan)
    return change.added, change.removed


def narrow_to_span(
    project,  # noqa: ANN001
    coder: str,
    passage_id: int,
    code_id: int,
    start: int,
    end: int,
) -> tuple[list[CodingFact], list[CodingFact]]:
    """Code ``start``–``end`` of a passage; a whole-passage coding of the same code becomes the span."""
    whole = CodingFact(passage_id, code_id)

    def plan(session: Session) -> tuple[list[CodingFact], list[CodingFact]]:
        start_, end_ = check_span(live_passage(session, passage_id), start, end)
        if start_ is None:  # the span is the whole passage
            return [whole], []
        return [CodingFact(passage_id, code_id, start_, end_)], [whole]

    change = write_codings(project, coder, plan)
    return change.added, change.removed


# --------------------------------------------------------------------------- stars, memos, positions


def set_star(project, coder: str, passage_id: int, starred: bool) -> bool:  # noqa: ANN001
    """Star (or unstar) a passage as a quote candidate. Returns the stored state."""
    with project.write() as session:
        coder_id = cast(int, get_or_create_coder(session, coder).id)
        live_passage(session, passage_id)
        row = session.get(Star, (passage_id, coder_id))
        if starred and row is None:
            session.add(Star(passage_id=passage_id, coder_id=coder_id))
        elif not starred and row is not None:
            session.delete(row)
    return starred


def get_memo(project, coder: str, passage_id: int) -> str:  # noqa: ANN001
    """The coder's memo on a passage ('' when there is none)."""
    with project.read() as session:
        text = session.exec(
            select(Memo.text)
            .join(Coder, col(Memo.coder_id) == Coder.id)
            .where(Memo.passage_id == passage_id, Coder.name == coder)
            .order_by(col(Memo.id))
        ).first()
    return text or ""


def set_memo(project, coder: str, passage_id: int, text: str) -> str:  # noqa: ANN001
    """Store the coder's memo on a passage; an empty (or blank) text removes it. Returns what is stored."""
    text = text.rstrip()
    with project.write() as session:
        coder_id = cast(int, get_or_create_coder(session, coder).id)
        live_passage(session, passage_id)
        rows = list(
            session.exec(
                select(Memo).where(Memo.passage_id == passage_id, Memo.coder_id == coder_id).order_by(col(Memo.id))
            )
        )
        if not text.strip():
            for row in rows:
                session.delete(row)
            return ""
        if rows:
            row = rows[0]
            row.text = text
            row.updated_at = utcnow()
            session.add(row)
        else:
            session.add(Memo(passage_id=passage_id, coder_id=coder_id, text=text))
    return text


def save_position(project, coder: str, source_id: int, passage_number: int, *, create_coder: bool = True) -> bool:  # noqa: ANN001
    """Remember where the coder is in a source (one small transaction). Returns whether it was stored.

    With ``create_coder=False`` a coder who does not exist yet (has never
    coded) gets no position: browsing alone leaves nothing in the project.
    """
    with project.write() as session:
        if not create_coder:
            coder_id = session.exec(select(Coder.id).where(Coder.name == coder)).first()
            if coder_id is None:
                return False
        else:
            coder_id = cast(int, get_or_create_coder(session, coder).id)
        row = session.get(Position, (source_id, coder_id))
        if row is None:
            session.add(Position(source_id=source_id, coder_id=coder_id, passage_number=passage_number))
        elif row.passage_number != passage_number:
            row.passage_number = passage_number
            row.updated_at = utcnow()
            session.add(row)
    return True


__all__ = [
    "CodeInfo",
    "CodingChange",
    "OverviewRow",
    "PassageInfo",
    "SourceView",
    "apply_change",
    "check_span",
    "coder_exists",
    "describe_attributes",
    "done_by",
    "get_memo",
    "live_passage",
    "load_codes",
    "load_source_view",
    "narrow_to_span",
    "overview_rows",
    "refuse_consensus",
    "save_position",
    "set_memo",
    "set_star",
    "toggle_code",
    "usable_code",
    "write_codings",
]
