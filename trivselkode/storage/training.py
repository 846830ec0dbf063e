"""What the learned suggestions learn from: the coded (or rejected) participant passages.

Only participants' passages count: an interviewer's turn is never a unit
(SPEC §7), whatever a coder put on it. Codes are named by key; retired codes
are left out (they are suggested no more).

- ``coder`` given: that coder's codings, and the codes they rejected on a
  passage (:mod:`trivselkode.storage.rejections`) as negatives. The review
  queue in blind coding learns so.
- ``coder`` None: every coder's work. Where the consensus settled a code on
  a passage (a decision, see :mod:`trivselkode.storage.consensus`), the
  reserved ``konsensus`` coder's codings say what it carries there: on if
  the consensus carries it, else off, and then a negative like a rejection
  (the settlement said "not this code"). Where ``konsensus`` carries a code
  without a decision (a manual settlement, or one from before decisions were
  kept) it is on. Elsewhere a passage carries the union of the coders'
  codes. Every coder's rejections are negatives, except of a code the
  passage carries.

A participant passage with no coding in a source its coder marked done
(``coder`` None: that any coder marked done, and nobody coded it) was read
and found to carry nothing: it comes with no codes and no rejections, a
negative for every code ("Hvornår lukker I?").

Read in three queries (codings, rejections, the passages' texts), and the
decisions where every coder counts; 10,000 coded passages take well under
a second.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from sqlmodel import Session, col, select

from trivselkode.config import CONSENSUS_CODER
from trivselkode.storage.consensus import decisions_by_passage
from trivselkode.storage.db import Project
from trivselkode.storage.models import (
    INTERVIEWER,
    Code,
    Coder,
    Coding,
    Participant,
    Passage,
    SourceDone,
    SuggestionRejection,
)


@dataclass(frozen=True)
class TrainingPassage:
    """One participant passage and what it carries (``codes``) or was said not to carry (``rejected``)."""

    passage_id: int
    source_id: int
    text: str
    codes: frozenset[str]
    rejected: frozenset[str]


def _marks(
    session: Session,
    table: type[Coding] | type[SuggestionRejection],
    exclude: list[int],
    coder_id: int | None,
    live: dict[int, str],
) -> list[tuple[int, int, int, str]]:
    """(passage id, coder id, code id, code key) of the table's rows on participant passages, of ``live`` codes."""
    query = (
        select(col(table.passage_id), col(table.coder_id), col(table.code_id))
        .join(Passage, col(Passage.id) == table.passage_id)
        .join(Participant, col(Participant.id) == Passage.participant_id)
        .where(col(Participant.role) != INTERVIEWER)
    )
    if exclude:
        query = query.where(col(Passage.source_id).not_in(exclude))
    if coder_id is not None:
        query = query.where(col(table.coder_id) == coder_id)
    # Rows straight from the driver (a coding with several sub-spans comes more than once: harmless).
    rows = session.connection().execute(query).all()
    return [(p, c, k, live[k]) for p, c, k in rows if k in live]


def _consensus_view(
    session: Session, codings: list[tuple[int, int, int, str]], consensus_id: int | None
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Per passage id: the codes it carries, and the codes a settlement took off it (see the module doc).

    A decision only settles what one coder coded and the other did not, and the coders' own codings
    stay, so every settled place is among ``codings`` (already limited to participants and live codes).
    """
    settled = set(decisions_by_passage(session)) if consensus_id is not None else set()
    carried = {(p, k) for p, c, k, _ in codings if c == consensus_id}
    on: dict[int, set[str]] = {}
    off: dict[int, set[str]] = {}
    for p, c, k, key in codings:
        if c == consensus_id or (p, k) not in settled:
            on.setdefault(p, set()).add(key)
        elif (p, k) not in carried:
            off.setdefault(p, set()).add(key)
    return on, off


def training_passages(
    project: Project, *, coder: str | None = None, exclude_source_ids: Collection[int] = ()
) -> list[TrainingPassage]:
    """The participant passages that carry a coding or a rejection, or were read and left uncoded, in id order.

    A coder who does not exist (has done nothing yet) has nothing to learn from: ``[]``.
    """
    exclude = sorted({int(i) for i in exclude_source_ids})
    with project.read() as s:
        coder_id = None
        if coder is not None:
            coder_id = s.exec(select(Coder.id).where(Coder.name == coder)).first()
            if coder_id is None:
                return []
        live = {
            int(cast(int, i)): str(k) for i, k in s.exec(select(Code.id, Code.key).where(col(Code.retired).is_(False)))
        }
        codings = _marks(s, Coding, exclude, coder_id, live)
        rejections = _marks(s, SuggestionRejection, exclude, coder_id, live)
        if coder is None:
            consensus_id = s.exec(select(Coder.id).where(Coder.name == CONSENSUS_CODER)).first()
            codes, off = _consensus_view(s, codings, consensus_id)
        else:
            codes, off = {}, {}
            for p, _, _, key in codings:
                codes.setdefault(p, set()).add(key)
        rejected = off
        for p, _, _, key in rejections:
            rejected.setdefault(p, set()).add(key)
        coded_anywhere = {p for p, *_ in codings} if coder is None else set(codes)
        empty = set(_read_in_done_sources(s, exclude, coder_id)) - coded_anywhere - set(rejected)
        texts = _texts(s, sorted(set(codes) | set(rejected) | empty))
    out = []
    for pid, (source_id, text) in sorted(texts.items()):
        carried = frozenset(codes.get(pid, ()))
        said_no = frozenset(rejected.get(pid, ())) - carried
        if carried or said_no or pid in empty:
            out.append(TrainingPassage(pid, source_id, text, carried, said_no))
    return out


def _read_in_done_sources(session: Session, exclude: list[int], coder_id: int | None) -> list[int]:
    """The participant passages of the sources ``coder_id`` (None: any coder) marked done."""
    done = select(SourceDone.source_id)
    if coder_id is not None:
        done = done.where(col(SourceDone.coder_id) == coder_id)
    query = (
        select(col(Passage.id))
        .join(Participant, col(Participant.id) == Passage.participant_id)
        .where(col(Participant.role) != INTERVIEWER, col(Passage.source_id).in_(done))
    )
    if exclude:
        query = query.where(col(Passage.source_id).not_in(exclude))
    return [int(cast(int, p)) for p in session.connection().execute(query).scalars()]


def _texts(session: Session, ids: list[int]) -> dict[int, tuple[int, str]]:
    """Passage id → (source id, text); in one query up to 20,000 passages (SQLite's limit of parameters is 32,766)."""
    out: dict[int, tuple[int, str]] = {}
    for i in range(0, len(ids), 20000):
        chunk = ids[i : i + 20000]
        query = select(col(Passage.id), col(Passage.source_id), col(Passage.text)).where(col(Passage.id).in_(chunk))
        out.update({int(cast(int, p)): (int(src), str(text)) for p, src, text in session.exec(query)})
    return out


def participant_passages(
    project: Project, *, source_ids: Collection[int] | None = None
) -> list[tuple[int, int, int, str]]:
    """(passage id, source id, number, text) of the participants' passages, in source (id) and number order."""
    query = (
        select(col(Passage.id), col(Passage.source_id), col(Passage.number), col(Passage.text))
        .join(Participant, col(Participant.id) == Passage.participant_id)
        .where(col(Participant.role) != INTERVIEWER)
        .order_by(col(Passage.source_id), col(Passage.number))
    )
    if source_ids is not None:
        query = query.where(col(Passage.source_id).in_(sorted({int(i) for i in source_ids})))
    with project.read() as s:
        return [(int(cast(int, p)), int(src), int(n), str(text)) for p, src, n, text in s.exec(query)]


def live_code_keys(project: Project) -> list[str]:
    """The keys of the codes not retired, in codebook order (what a model may learn)."""
    query = select(Code.key).where(col(Code.retired).is_(False)).order_by(col(Code.position), col(Code.id))
    with project.read() as s:
        return [str(k) for k in s.exec(query)]


def coded_passages(project: Project, coder: str, code_key: str) -> set[int]:
    """The ids of the passages ``coder`` coded with ``code_key`` (whole or a part)."""
    query = (
        select(Coding.passage_id)
        .join(Code, col(Code.id) == Coding.code_id)
        .join(Coder, col(Coder.id) == Coding.coder_id)
        .where(Code.key == code_key, Coder.name == coder)
    )
    with project.read() as s:
        return {int(p) for p in s.exec(query)}


def decided_passages(project: Project, coder: str, code_key: str) -> set[int]:
    """The ids of the passages ``coder`` coded with ``code_key`` or rejected it on: nothing left to ask them."""
    from trivselkode.storage.rejections import rejected_passages

    return coded_passages(project, coder, code_key) | rejected_passages(project, coder, code_key)


def keyword_codes(project: Project) -> list[dict[str, Any]]:
    """The live codes' keys and keywords in codebook order (for a ``KeywordIndex``)."""
    query = (
        select(col(Code.key), col(Code.keywords))
        .where(col(Code.retired).is_(False))
        .order_by(col(Code.position), col(Code.id))
    )
    with project.read() as s:
        return [{"key": str(key), "keywords": list(keywords or [])} for key, keywords in s.exec(query)]


def codebook_texts(project: Project) -> list[dict[str, Any]]:
    """The live codes' own words: key, parent key, description, include, characteristics and examples."""
    query = select(Code).where(col(Code.retired).is_(False)).order_by(col(Code.position), col(Code.id))
    with project.read() as s:
        codes = list(s.exec(query))
        key_of = {c.id: c.key for c in s.exec(select(Code))}
        return [
            {
                "key": c.key,
                "parent": key_of.get(c.parent_id) if c.parent_id is not None else None,
                "description": c.description,
                "include": c.include,
                "characteristics": list(c.characteristics or []),
                "examples": list(c.examples or []),
            }
            for c in codes
        ]
