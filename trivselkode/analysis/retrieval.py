"""Retrieval by code: every coded passage or span of one code, or of a combination, across all sources.

NVivo's node view, MAXQDA's retrieved segments, ATLAS.ti's quotation
manager. :func:`load_retrieval` reads, in a handful of queries, everything
about the passages that carry the chosen code (for any coder): their codings
of every code, speakers and attributes, memos, stars and the turns before
and after them. :func:`select_segments` then works out the rows in memory —
so the terminal UI re-filters as you type without touching the database:

- a *segment* is one stretch coded with the code: a whole passage, or a
  sub-span of it; the coders who coded that very stretch are its coders;
- ``all_of`` (``--and B``): the passage carries each of these codes too;
- ``none_of`` (``--not T1``): the passage carries none of these;
- ``coders`` (``--coder NAME``): only those coders' codings count, for the
  code and for the combination alike.

Codes are compared as they are (a parent does not stand for its children).
The filters typed in the screen and the orderings are in
:mod:`trivselkode.analysis.retrieval_filter`; the documents written from the
rows in :mod:`trivselkode.export.retrieval_docs`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from rapidfuzz import process
from sqlmodel import Session, col, select

from trivselkode.analysis.arrays import raw_rows
from trivselkode.analysis.attributes import AgeBands, load_participants
from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.coding_views import CodeInfo, load_codes
from trivselkode.storage.models import INTERVIEWER, Coder, Coding, Memo, Source, Star

DEFAULT_CONTEXT = 300  # characters of context on each side


@dataclass(frozen=True)
class RetrievalQuery:
    """Which segments: those of ``code`` on passages with every code of ``all_of`` and none of ``none_of``."""

    code: str
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()

    def describe(self) -> str:
        """``T3 og B.social, ikke T1`` (the keys, as the user gave them)."""
        text = _(" og ").join((self.code, *self.all_of))
        if self.none_of:
            text += _(", ikke ") + ", ".join(self.none_of)
        return text


@dataclass(frozen=True)
class Neighbour:
    """The turn before or after a passage: its speaker's label and its text."""

    label: str
    text: str


@dataclass(slots=True)
class CodingRow:
    passage_id: int
    code_id: int
    coder: str
    start: int | None
    end: int | None
    memo: str | None


@dataclass(slots=True)
class PassageRow:
    id: int
    source: str
    number: int
    speaker: str
    role: str
    text: str
    attrs: dict[str, Any]
    before: Neighbour | None = None
    after: Neighbour | None = None


@dataclass(slots=True)
class Segment:
    """One row of a retrieval: a coded stretch with everything a write-up needs about it."""

    passage_id: int
    source: str
    number: int
    speaker: str
    role: str
    attrs: dict[str, Any]
    code: str
    coders: tuple[str, ...]
    start: int | None
    end: int | None
    passage_text: str
    memos: tuple[tuple[str, str], ...] = ()  # (coder, text): the codings' memos, then the passage memos
    starred_by: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # every code on the passage (by the coders in scope), in codebook order
    before: Neighbour | None = None
    after: Neighbour | None = None

    @property
    def is_span(self) -> bool:
        return self.start is not None

    @property
    def text(self) -> str:
        """The coded text: the span, else the whole passage."""
        if self.start is None or self.end is None:
            return self.passage_text
        return self.passage_text[self.start : self.end]

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def is_interviewer(self) -> bool:
        return self.role == INTERVIEWER

    @property
    def key(self) -> tuple[int, int | None, int | None]:
        """What identifies the row across reloads: passage and span."""
        return (self.passage_id, self.start, self.end)


@dataclass
class RetrievalData:
    """What :func:`load_retrieval` read; :func:`select_segments` makes rows of it."""

    query: RetrievalQuery
    codes: list[CodeInfo]
    code_id: int
    all_of: tuple[int, ...]
    none_of: tuple[int, ...]
    passages: dict[int, PassageRow]
    codings: dict[int, list[CodingRow]]  # by passage id
    memos: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    stars: dict[int, set[str]] = field(default_factory=dict)
    coders: list[str] = field(default_factory=list)  # every coder of the project, by name

    @property
    def codes_by_id(self) -> dict[int, CodeInfo]:
        return {c.id: c for c in self.codes}

    def apply(self, coder: str, added: Iterable[CodingFact], removed: Iterable[CodingFact]) -> None:
        """Bring the codings in line with a change stored for ``coder`` (recode, uncode, undo)."""
        for fact in removed:
            rows = self.codings.get(fact.passage_id, [])
            self.codings[fact.passage_id] = [
                r
                for r in rows
                if not (r.coder == coder and r.code_id == fact.code_id and (r.start, r.end) == (fact.start, fact.end))
            ]
        for fact in added:
            rows = self.codings.setdefault(fact.passage_id, [])
            if not any(
                r.coder == coder and r.code_id == fact.code_id and (r.start, r.end) == (fact.start, fact.end)
                for r in rows
            ):
                rows.append(CodingRow(fact.passage_id, fact.code_id, coder, fact.start, fact.end, fact.memo))
        if coder not in self.coders:
            self.coders.append(coder)

    def set_star(self, passage_id: int, coder: str, starred: bool) -> None:
        stars = self.stars.setdefault(passage_id, set())
        (stars.add if starred else stars.discard)(coder)


# ---------------------------------------------------------------- codes


def resolve_code(codes: Sequence[CodeInfo], key: str) -> CodeInfo:
    """The code with ``key``; else one line naming the nearest keys and where to see them all."""
    key = key.strip()
    for code in codes:
        if code.key == key:
            return code
    for code in codes:  # t3 for T3, b.social for B.social
        if code.key.casefold() == key.casefold():
            return code
    hits = process.extract(key, [c.key for c in codes], limit=3, score_cutoff=60) if codes else []
    near = _("mente du {names}? ").format(names=_(" eller ").join(repr(h[0]) for h in hits)) if hits else ""
    raise TrivselError(
        _("koden '{key}' findes ikke i kodebogen").format(key=key),
        near + _("koderne angives med nøgle (fx T3, B.social); se dem med `trivselkode codebook show`"),
    )


# ---------------------------------------------------------------- loading


def load_retrieval(project: Any, query: RetrievalQuery, age_bands: AgeBands | None = None) -> RetrievalData:
    """Everything about the passages carrying ``query.code`` (any coder): a few queries, no per-row objects."""
    codes = load_codes(project)
    main = resolve_code(codes, query.code)
    with_ = list({c.id: c for c in (resolve_code(codes, k) for k in query.all_of)}.values())
    without = list({c.id: c for c in (resolve_code(codes, k) for k in query.none_of)}.values())
    query = RetrievalQuery(main.key, tuple(c.key for c in with_), tuple(c.key for c in without))
    carrying = select(Coding.passage_id).where(Coding.code_id == main.id).distinct()
    # The heavy reads go straight to the driver (SQLAlchemy's row processing costs more than the query):
    # fixed SQL, the only value in it the code's id, an integer.
    among = f"IN (SELECT passage_id FROM coding WHERE code_id = {int(main.id)})"
    with project.read() as session:
        coder_names = dict(session.exec(select(Coder.id, Coder.name)).all())
        people = load_participants(session, age_bands)
        passages = _passages(session, among, people)
        _neighbours(session, among, passages, people)
        codings: dict[int, list[CodingRow]] = {}
        for pid, code_id, coder_id, start, end, memo in raw_rows(
            session,
            f'SELECT passage_id, code_id, coder_id, start, "end", memo FROM coding WHERE passage_id {among} ORDER BY id',
        ):
            codings.setdefault(pid, []).append(
                CodingRow(pid, code_id, coder_names.get(coder_id, "?"), start, end, memo)
            )
        memos: dict[int, list[tuple[str, str]]] = {}
        for pid, coder_id, text in session.exec(
            select(Memo.passage_id, Memo.coder_id, Memo.text)
            .where(col(Memo.passage_id).in_(carrying))
            .order_by(col(Memo.id))
        ):
            if text and text.strip():
                memos.setdefault(cast(int, pid), []).append((coder_names.get(coder_id, "?"), text))
        stars: dict[int, set[str]] = {}
        for pid, coder_id in session.exec(
            select(Star.passage_id, Star.coder_id).where(col(Star.passage_id).in_(carrying))
        ):
            stars.setdefault(pid, set()).add(coder_names.get(coder_id, "?"))
    return RetrievalData(
        query=query,
        codes=codes,
        code_id=main.id,
        all_of=tuple(c.id for c in with_),
        none_of=tuple(c.id for c in without),
        passages=passages,
        codings=codings,
        memos=memos,
        stars=stars,
        coders=sorted(coder_names.values()),
    )


def _passages(session: Session, among: str, people: dict[int, Any]) -> dict[int, PassageRow]:
    sources = dict(session.exec(select(Source.id, Source.name)).all())
    out: dict[int, PassageRow] = {}
    for pid, sid, number, part_id, text in raw_rows(
        session, f"SELECT id, source_id, number, participant_id, text FROM passage WHERE id {among}"
    ):
        person = people.get(part_id)
        out[pid] = PassageRow(
            id=pid,
            source=sources.get(sid, "?"),
            number=number,
            speaker=person.label if person else "?",
            role=person.role if person else "",
            text=text,
            attrs={k: v for k, v in (person.attrs if person else {}).items() if k not in ("source", "role")},
        )
    return out


def _neighbours(session: Session, among: str, passages: dict[int, PassageRow], people: dict[int, Any]) -> None:
    """The turns before and after each passage (one self-join each way, on the source's numbering)."""
    for step, attr in ((-1, "before"), (1, "after")):
        rows = raw_rows(
            session,
            "SELECT p.id, o.participant_id, o.text FROM passage p JOIN passage o"
            f" ON o.source_id = p.source_id AND o.number = p.number + ({step}) WHERE p.id {among}",
        )
        for pid, part_id, text in rows:
            row = passages.get(pid)
            if row is not None:
                person = people.get(part_id)
                setattr(row, attr, Neighbour(person.label if person else "?", text))


# ---------------------------------------------------------------- rows


def select_segments(
    data: RetrievalData, coders: Iterable[str] | None = None, passages: Iterable[int] | None = None
) -> list[Segment]:
    """The segments of the query, counting only ``coders``' codings when given (else every coder's).

    An empty ``coders`` counts nobody's: no rows. ``passages`` limits the work
    to those passages (the screen redoes only the rows a change touched).

    In the order of the sources' names and the passages' numbers, a passage's
    whole-passage segment before its spans (see
    :func:`trivselkode.analysis.retrieval_filter.sort_segments` for others).
    """
    scope = {c.strip() for c in coders} if coders is not None else None
    if scope is not None and not scope:
        return []  # no coder in scope (a coder filter that names nobody)
    order = {c.id: n for n, c in enumerate(data.codes)}
    keys = {c.id: c.key for c in data.codes}
    main_key = keys.get(data.code_id, data.query.code)
    out: list[Segment] = []
    chip_sets: dict[frozenset[int], tuple[str, ...]] = {}
    chosen = data.codings.items() if passages is None else ((p, data.codings.get(p, [])) for p in set(passages))
    for pid, rows in chosen:
        passage = data.passages.get(pid)
        if passage is None:
            continue
        rows_in = rows if scope is None else [r for r in rows if r.coder in scope]
        here = frozenset(r.code_id for r in rows_in)
        if data.code_id not in here or any(c not in here for c in data.all_of) or any(c in here for c in data.none_of):
            continue
        spans: dict[tuple[int | None, int | None], list[CodingRow]] = {}
        for r in rows_in:
            if r.code_id == data.code_id:
                spans.setdefault((r.start, r.end), []).append(r)
        chips = chip_sets.get(here)
        if chips is None:  # passages share a handful of code sets
            chips = chip_sets[here] = tuple(keys[c] for c in sorted(here, key=lambda c: order.get(c, 0)) if c in keys)
        starred = data.stars.get(pid)
        stars = tuple(sorted(s for s in starred if scope is None or s in scope)) if starred else ()
        memos = data.memos.get(pid)
        passage_memos = [(c, t) for c, t in memos if scope is None or c in scope] if memos else []
        for (start, end), found in spans.items():
            coding_memos = [(r.coder, r.memo) for r in found if r.memo and r.memo.strip()]
            coders = (found[0].coder,) if len(found) == 1 else tuple(sorted({r.coder for r in found}))
            out.append(
                Segment(
                    passage_id=pid,
                    source=passage.source,
                    number=passage.number,
                    speaker=passage.speaker,
                    role=passage.role,
                    attrs=passage.attrs,
                    code=main_key,
                    coders=coders,
                    start=start,
                    end=end,
                    passage_text=passage.text,
                    memos=(*coding_memos, *passage_memos),
                    starred_by=stars,
                    codes=chips,
                    before=passage.before,
                    after=passage.after,
                )
            )
    out.sort(key=lambda s: (s.source.casefold(), s.source, s.number, s.start is not None, s.start or 0, s.end or 0))
    return out


def retrieve(
    project: Any,
    query: RetrievalQuery,
    coders: Iterable[str] | None = None,
    age_bands: AgeBands | None = None,
) -> list[Segment]:
    """The segments of ``query`` (see :func:`select_segments`), read from the project."""
    return select_segments(load_retrieval(project, query, age_bands), coders)


# ---------------------------------------------------------------- context


def context(segment: Segment, chars: int = DEFAULT_CONTEXT) -> tuple[str, str]:
    """The text before and after the coded text, at most ``chars`` characters each, cut at a word.

    For a span, the rest of its passage; for a whole passage, the turns
    before and after it (``"I: Hvad betyder …"``). Empty when there is none.
    """
    if chars <= 0:
        return "", ""
    if segment.start is not None and segment.end is not None:
        text = segment.passage_text
        return tail(text[: segment.start], chars), head(text[segment.end :], chars)
    after = f"{segment.after.label}: {segment.after.text.strip()}" if segment.after else ""
    return tail_turn(segment.before, chars), head(after, chars)


def tail_turn(turn: Neighbour | None, chars: int) -> str:
    """The end of a turn with its speaker: ``"I: … what was asked"``."""
    if turn is None:
        return ""
    text = turn.text.strip()
    if len(text) + len(turn.label) + 2 <= chars:
        return f"{turn.label}: {text}"
    return f"{turn.label}: {tail(text, max(1, chars - len(turn.label) - 2))}"


def head(text: str, chars: int) -> str:
    """The start of ``text``, at most ``chars`` characters, cut after a whole word (``…`` marks the cut)."""
    text = text.strip()
    if len(text) <= chars:
        return text
    cut = text[: chars + 1]  # a space just after the last word counts
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut[:chars]).rstrip() + " …"


def tail(text: str, chars: int) -> str:
    """The end of ``text``, at most ``chars`` characters, cut before a whole word."""
    text = text.strip()
    if len(text) <= chars:
        return text
    cut = text[-chars - 1 :]  # a space just before the first word counts
    space = cut.find(" ")
    return "… " + (cut[space + 1 :] if 0 <= space < len(cut) - 1 else cut[-chars:]).lstrip()
