"""Merging another project's sources: a new one is copied whole, a known one gets the
other project's passages placed on its own (by offsets for the same text, else by
aligning the turns), and its participants' attributes filled in where ours have none.

The steps of :mod:`trivselkode.storage.merge`; the maps they fill say where the
other project's rows went here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlmodel import Session, col, select

from trivselkode.domain.revision import Turn, align_turns
from trivselkode.i18n import _
from trivselkode.storage.models import Participant, Passage, Source

if TYPE_CHECKING:
    from trivselkode.storage.merge import MergeReport


@dataclass
class Placed:
    """One of the other project's passages in a source this project already has."""

    source_id: int
    theirs: Passage
    speaker: str
    ours: Passage | None  # None: its text has no place in ours


@dataclass
class MergeMaps:
    """Where the other project's rows went here: their ids -> ours."""

    codes: dict[int, int] = field(default_factory=dict)
    coders: dict[int, int] = field(default_factory=dict)
    sources: dict[int, int] = field(default_factory=dict)
    passages: dict[int, int | None] = field(default_factory=dict)  # None: could not place
    # their passage id -> where it went in a source we already had (for spans and the unplaceable)
    placed: dict[int, Placed] = field(default_factory=dict)


def copied(row: Any, *names: str) -> dict[str, Any]:
    """``row``'s fields ``names``, lists and dicts copied, for a new row of the same kind here."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name)
        out[name] = list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
    return out


def merge_sources(s: Session, d: dict[str, list[Any]], maps: MergeMaps, report: MergeReport) -> None:
    """Sources: content hash, then name; a new one is copied, a known one gets their passages placed."""
    by_hash = {src.content_hash: src for src in s.exec(select(Source))}
    by_name = {src.name: src for src in by_hash.values()}
    their_participants: dict[int, list[Participant]] = {}
    for p in d["participants"]:
        their_participants.setdefault(p.source_id, []).append(p)
    their_passages: dict[int, list[Passage]] = {}
    for p in d["passages"]:
        their_passages.setdefault(p.source_id, []).append(p)
    for src in d["sources"]:
        passages = sorted(their_passages.get(src.id, []), key=lambda p: p.number)
        people = {cast(int, p.id): p for p in their_participants.get(src.id, [])}
        our_source = by_hash.get(src.content_hash)
        if our_source is None and src.name in by_name:
            our_source = by_name[src.name]
            report.conflicts.append(
                _(
                    "kilden '{name}' har en anden tekst i den anden fil; dens kodninger er genplaceret i teksten herfra"
                ).format(name=src.name)
            )
        if our_source is None:
            our_source = copy_source(s, src, people, passages, maps.passages)
            by_hash[our_source.content_hash] = our_source
            by_name[our_source.name] = our_source
            maps.sources[src.id] = cast(int, our_source.id)
            report.bump("sources")
            continue
        maps.sources[src.id] = cast(int, our_source.id)
        _place_passages(s, our_source, src, people, passages, maps, report)


def _place_passages(
    s: Session,
    our_source: Source,
    src: Source,
    people: dict[int, Participant],
    passages: list[Any],
    maps: MergeMaps,
    report: MergeReport,
) -> None:
    """Their passages of ``src`` onto ours of ``our_source``: by offsets for the same text, else by alignment."""
    our_people = {p.label: p for p in s.exec(select(Participant).where(Participant.source_id == our_source.id))}
    label_of = {}
    for p in people.values():
        label_of[p.id] = p.label
        merge_participant(s, our_source, our_people.get(p.label), p, report)
    our_passages = list(s.exec(select(Passage).where(Passage.source_id == our_source.id).order_by(col(Passage.number))))
    if our_source.content_hash == src.content_hash:
        by_offsets = {(p.start, p.end): p for p in our_passages}
        partners = [by_offsets.get((p.start, p.end)) for p in passages]
    else:
        our_labels = {p.id: p.label for p in s.exec(select(Participant).where(Participant.source_id == our_source.id))}
        mapping = align_turns(
            [Turn(label_of.get(p.participant_id, ""), p.text) for p in passages],
            [Turn(our_labels.get(p.participant_id, ""), p.text) for p in our_passages],
        )
        partners = [our_passages[j] if j is not None else None for j in mapping]
    for p, partner in zip(passages, partners):
        maps.passages[cast(int, p.id)] = partner.id if partner is not None else None
        maps.placed[cast(int, p.id)] = Placed(cast(int, our_source.id), p, label_of.get(p.participant_id, ""), partner)


def copy_source(
    s: Session, src: Source, people: dict[int, Participant], passages: list[Passage], passage_map: dict[int, int | None]
) -> Source:
    name = src.name
    taken = set(s.exec(select(Source.name)))
    n = 2
    while name in taken:
        name = f"{src.name} ({n})"
        n += 1
    mine = Source(
        **copied(
            src,
            "title",
            "kind",
            "site",
            "context",
            "round",
            "date",
            "file_name",
            "content_hash",
            "text",
            "extra",
            "imported_at",
        ),
        name=name,
    )
    s.add(mine)
    s.flush()
    ids: dict[int, int] = {}
    for p in people.values():
        row = Participant(
            **copied(p, "label", "role", "gender", "age", "site", "attributes"), source_id=cast(int, mine.id)
        )
        s.add(row)
        s.flush()
        ids[cast(int, p.id)] = cast(int, row.id)
    for passage in passages:
        new_passage = Passage(
            **copied(passage, "number", "start", "end", "text", "cue_start", "cue_end"),
            source_id=cast(int, mine.id),
            participant_id=ids[passage.participant_id],
            sentences=[list(x) for x in passage.sentences],
        )
        s.add(new_passage)
        s.flush()
        passage_map[cast(int, passage.id)] = new_passage.id
    return mine


def merge_participant(
    s: Session, source: Source, mine: Participant | None, theirs: Participant, report: MergeReport
) -> None:
    if mine is None:
        return  # their label has no turn in our text: its codings are placed by text
    changed = False
    for attr in ("gender", "age", "site"):
        a, b = getattr(mine, attr), getattr(theirs, attr)
        if a is None and b is not None:
            setattr(mine, attr, b)
            changed = True
        elif a is not None and b is not None and a != b:
            report.conflicts.append(
                _("{name}/{label}: {attr} er '{a}' her og '{b}' i den anden; værdien herfra er beholdt").format(
                    name=source.name, label=mine.label, attr=attr, a=a, b=b
                )
            )
    attrs = dict(mine.attributes)
    for k, v in theirs.attributes.items():
        if k not in attrs:
            attrs[k] = v
            changed = True
        elif attrs[k] != v:
            report.conflicts.append(
                _("{name}/{label}: {k} er '{attrs}' her og '{v}' i den anden; værdien herfra er beholdt").format(
                    name=source.name, label=mine.label, k=k, attrs=attrs[k], v=v
                )
            )
    if changed:
        mine.attributes = attrs
        s.add(mine)
        report.bump("attributes")
