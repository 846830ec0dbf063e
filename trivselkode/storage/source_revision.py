"""Revising a stored source: a new text (or new turns), every coding carried along.

The passages are swapped for the revision's turns; codings, stars, memos
and reading positions move to the new passage that matches the old one
(:func:`trivselkode.domain.revision.align_turns`, or by offsets when only
the turns differ). A coding that finds no place is kept in
``UnplacedCoding`` and returned.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from trivselkode.domain.revision import Turn, align_turns, move_span
from trivselkode.i18n import _
from trivselkode.storage.models import (
    Code,
    Coder,
    Coding,
    Memo,
    Participant,
    Passage,
    Position,
    Source,
    Star,
    SuggestionRejection,
    UnplacedCoding,
    utcnow,
)
from trivselkode.storage.source_store import SourceLike, insert_passages, source_fields, upsert_participants


def _overlap(a: int, b: int, c: int, d: int) -> int:
    return min(b, d) - max(a, c)


def _by_offsets(
    old: Passage, speaker: str, start: int | None, end: int | None, new: Sequence[Any], new_speakers: list[str]
) -> tuple[int | None, tuple[int, int] | None]:
    """Where a coding of ``old`` lies among ``new`` passages (or turns) of the same text: (index, span).

    A sub-span goes to the new passage holding most of it, clipped to that
    passage; a whole passage to the first new one inside it with the same
    speaker, else to the one overlapping it most.
    """
    a = old.start + (start or 0)
    b = old.start + (end if end is not None else len(old.text))
    starts = [p.start for p in new]
    lo = max(0, bisect_right(starts, a) - 1)
    hi = bisect_left(starts, b)
    overlapping = [j for j in range(lo, min(hi + 1, len(new))) if _overlap(a, b, new[j].start, new[j].end) > 0]
    if not overlapping:
        return None, None
    if start is None:
        same = [j for j in overlapping if new_speakers[j] == speaker]
        return (same[0] if same else max(overlapping, key=lambda j: _overlap(a, b, new[j].start, new[j].end))), None
    j = max(overlapping, key=lambda j: _overlap(a, b, new[j].start, new[j].end))
    return j, (max(a, new[j].start) - new[j].start, min(b, new[j].end) - new[j].start)


@dataclass
class _Revision:
    """The source before the revision, and how its passages map onto the new ones."""

    source: Source
    participants: dict[int | None, Participant]  # by id
    old_passages: list[Passage]
    old_speakers: list[str]
    same_text: bool
    mapping: list[int | None]  # old passage index -> new passage index
    new_speakers: list[str]
    new_passages: list[Passage]
    _index: dict[int | None, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {p.id: i for i, p in enumerate(self.old_passages)}

    def old(self, passage_id: int) -> tuple[int, Passage]:
        """The index and the old passage of ``passage_id``."""
        i = self._index[passage_id]
        return i, self.old_passages[i]


def _passages(session: Session, source: Source) -> list[Passage]:
    return list(session.exec(select(Passage).where(Passage.source_id == source.id).order_by(col(Passage.number))))


def _plan_revision(session: Session, source: Source, parsed: SourceLike) -> _Revision:
    """The old passages and where each goes among ``parsed``'s turns."""
    participants = {p.id: p for p in session.exec(select(Participant).where(Participant.source_id == source.id))}
    old_passages = _passages(session, source)
    old_turns = [Turn(participants[p.participant_id].label, p.text) for p in old_passages]
    new_speakers = [t.speaker for t in parsed.turns]
    same_text = source.text == parsed.text
    if same_text:
        mapping = [
            _by_offsets(p, old_turns[i].speaker, None, None, parsed.turns, new_speakers)[0]
            for i, p in enumerate(old_passages)
        ]
    else:
        mapping = align_turns(old_turns, [Turn(t.speaker, t.text) for t in parsed.turns])
    return _Revision(
        source=source,
        participants=participants,
        old_passages=old_passages,
        old_speakers=[t.speaker for t in old_turns],
        same_text=same_text,
        mapping=mapping,
        new_speakers=new_speakers,
        new_passages=[],
    )


def revise_source(
    session: Session,
    source: Source,
    parsed: SourceLike,
    digest: str,
    sentences: list[str],
    *,
    notes: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Replace the source's text by a revision, carrying every coding along; the codings left unplaced.

    When the text is the same and only its turns differ (labels read anew),
    codings move by their place in the text rather than by likeness; a note
    on the ones whose passage was split goes to ``notes``.
    """
    rev = _plan_revision(session, source, parsed)
    old_ids = [p.id for p in rev.old_passages]
    codings = list(session.exec(select(Coding).where(col(Coding.passage_id).in_(old_ids)))) if old_ids else []
    stars = list(session.exec(select(Star).where(col(Star.passage_id).in_(old_ids)))) if old_ids else []
    rejections = (
        list(session.exec(select(SuggestionRejection).where(col(SuggestionRejection.passage_id).in_(old_ids))))
        if old_ids
        else []
    )
    memos = list(session.exec(select(Memo).where(col(Memo.passage_id).in_(old_ids)))) if old_ids else []
    code_keys = dict(session.exec(select(Code.id, Code.key)).all())
    coder_names = dict(session.exec(select(Coder.id, Coder.name)).all())
    positions = list(session.exec(select(Position).where(Position.source_id == source.id)))
    coding_rows = [c.model_dump() for c in codings]
    star_rows = [s.model_dump() for s in stars]
    rejection_rows = [r.model_dump() for r in rejections]
    memo_rows = [m.model_dump() for m in memos]

    ids = _swap_passages(session, rev, parsed, digest, sentences)
    unplaced, split = _carry_codings(session, rev, coding_rows, code_keys, coder_names)
    _carry_marks(session, rev, star_rows, Star)
    _carry_marks(session, rev, rejection_rows, SuggestionRejection)
    _carry_memos(session, rev, memo_rows)
    if split and notes is not None:
        notes.append(
            _(
                "{split} kodning(er) af hele udsagn, der nu er delt i flere replikker, ligger på den første del med samme taler – tjek dem"
            ).format(split=split)
        )
    _carry_positions(session, rev, positions)
    # Participants without a passage in the new text (and without attributes worth keeping) go.
    used = {p.participant_id for p in rev.new_passages}
    for p in rev.participants.values():
        if p.id not in used and p.label not in ids:
            session.delete(p)
    session.flush()
    return unplaced


def _swap_passages(
    session: Session, rev: _Revision, parsed: SourceLike, digest: str, sentences: list[str]
) -> dict[str, int]:
    """Update the source and its participants, then swap the passages; the participants' ids by label."""
    source = rev.source
    for key, value in source_fields(parsed, digest).items():
        if key == "extra":
            value = {**source.extra, **value}
        setattr(source, key, value)
    session.add(source)
    by_label = {p.label: p for p in rev.participants.values()}
    ids = upsert_participants(session, source, parsed.participants, by_label)
    session.execute(delete(Passage).where(col(Passage.source_id) == source.id))
    session.flush()
    insert_passages(session, cast(int, source.id), parsed, sentences, ids)
    rev.new_passages = _passages(session, source)
    return ids


def _new_place(rev: _Revision, row: dict[str, Any]) -> tuple[int | None, tuple[int, int] | None, bool]:
    """Where a coding goes: (new passage index, span in it, whether its whole passage was split)."""
    i, old = rev.old(row["passage_id"])
    j = rev.mapping[i]
    span: tuple[int, int] | None = None
    split = False
    new_passages = rev.new_passages
    if rev.same_text:
        j, span = _by_offsets(old, rev.old_speakers[i], row["start"], row["end"], new_passages, rev.new_speakers)
        split = (
            j is not None
            and row["start"] is None
            and not (new_passages[j].start <= old.start and old.end <= new_passages[j].end)
        )
    elif j is not None and row["start"] is not None and row["end"] is not None:
        span = move_span(old.text, new_passages[j].text, row["start"], row["end"])
    return j, span, split


def _keep_unplaced(
    session: Session,
    rev: _Revision,
    row: dict[str, Any],
    code_keys: dict[int | None, str],
    coder_names: dict[int | None, str],
) -> dict[str, Any]:
    """Store a coding that found no place as an ``UnplacedCoding``; how it is listed."""
    i, old = rev.old(row["passage_id"])
    speaker = rev.old_speakers[i]
    session.add(
        UnplacedCoding(
            source_id=cast(int, rev.source.id),
            passage_number=old.number,
            speaker=speaker,
            passage_text=old.text,
            code_id=row["code_id"],
            coder_id=row["coder_id"],
            start=row["start"],
            end=row["end"],
            memo=row["memo"],
            created_at=row["created_at"],
        )
    )
    return {
        "passage": old.number,
        "speaker": speaker,
        "code": code_keys.get(row["code_id"]),
        "coder": coder_names.get(row["coder_id"]),
        "text": old.text if row["start"] is None else old.text[row["start"] : row["end"]],
    }


def _carry_codings(
    session: Session,
    rev: _Revision,
    coding_rows: list[dict[str, Any]],
    code_keys: dict[int | None, str],
    coder_names: dict[int | None, str],
) -> tuple[list[dict[str, Any]], int]:
    """Every coding on its new passage, or unplaced: (the unplaced, how many whole passages were split)."""
    unplaced: list[dict[str, Any]] = []
    seen: set[tuple[int, int, int, int, int]] = set()
    placed_rows = []
    split = 0
    for row in coding_rows:
        j, span, was_split = _new_place(rev, row)
        split += was_split
        if j is None or (row["start"] is not None and span is None):
            unplaced.append(_keep_unplaced(session, rev, row, code_keys, coder_names))
            continue
        new = rev.new_passages[j]
        start, end = span if span else (None, None)
        if span == (0, len(new.text)):
            start = end = None
        coding_key = (
            cast(int, new.id),
            row["code_id"],
            row["coder_id"],
            start if start is not None else -1,
            end if end is not None else -1,
        )
        if coding_key in seen:
            continue  # two old spans collapsed into one
        seen.add(coding_key)
        placed_rows.append(
            {
                "passage_id": new.id,
                "code_id": row["code_id"],
                "coder_id": row["coder_id"],
                "start": start,
                "end": end,
                "memo": row["memo"],
                "created_at": row["created_at"],
            }
        )
    if placed_rows:
        session.execute(insert(Coding), placed_rows)
    return unplaced, split


def _carry_marks(
    session: Session, rev: _Revision, rows: list[dict[str, Any]], model: type[Star] | type[SuggestionRejection]
) -> None:
    """A coder's marks on a passage (stars, rejected suggestions) follow it to its new place; a gone passage's go."""
    carried: set[tuple[Any, ...]] = set()
    for row in rows:
        i, _old = rev.old(row["passage_id"])
        new_index = rev.mapping[i]
        if new_index is None:
            continue
        moved = {**row, "passage_id": cast(int, rev.new_passages[new_index].id)}
        key = tuple(v for k, v in sorted(moved.items()) if k != "created_at")
        if key not in carried:  # two old passages merged into one keep one mark
            carried.add(key)
            session.add(model(**moved))


def _carry_memos(session: Session, rev: _Revision, memo_rows: list[dict[str, Any]]) -> None:
    for row in memo_rows:
        i, old = rev.old(row["passage_id"])
        new_index = rev.mapping[i]
        if new_index is not None:
            passage_id, source_id, text = rev.new_passages[new_index].id, None, row["text"]
        else:
            # Keep the note on the source, saying where it came from.
            passage_id, source_id = None, rev.source.id
            # Stored in the project (a memo's text), so not in the interface's language.
            text = f"[Notat til udsagn {old.number} før revisionen: «{old.text[:80]}»] {row['text']}"
        session.add(
            Memo(
                source_id=source_id,
                passage_id=passage_id,
                coder_id=row["coder_id"],
                text=text,
                created_at=row["created_at"],
                updated_at=utcnow(),
            )
        )


def _carry_positions(session: Session, rev: _Revision, positions: list[Position]) -> None:
    old, new = rev.old_passages, rev.new_passages
    number_map = {old[i].number: new[j].number for i, j in enumerate(rev.mapping) if j is not None}
    for pos in positions:
        pos.passage_number = number_map.get(pos.passage_number, 1)
        session.add(pos)
