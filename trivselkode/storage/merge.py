"""Merging another project's work into this one (coders on their own laptops).

Sources are matched by content hash, then by name; codes by key; coders by
name. Everything runs in one transaction after a backup copy of this
project. Merging the same file twice adds nothing.

Conflicts are listed and resolved the safe way, never by dropping a coding:
- a code key with another name here: our name stays, the codings join our code;
- a source of the same name with different text: the other project's codings
  are re-anchored onto our text as a revision would be; those that cannot be
  placed are kept as unplaced codings;
- a participant attribute with another value here: ours stays;
- a consensus decision settled differently here: ours stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert
from sqlmodel import Session, col, select

from trivselkode.domain.revision import Turn, align_turns, move_span
from trivselkode.errors import TrivselError
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.migrations import backup_sqlite_file
from trivselkode.storage.models import (
    Code,
    Coder,
    Coding,
    Decision,
    Memo,
    Participant,
    Passage,
    Source,
    SourceDone,
    Star,
    UnplacedCoding,
)


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    backup: str | None = None
    dry_run: bool = False

    def bump(self, what: str, n: int = 1) -> None:
        self.added[what] = self.added.get(what, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": dict(sorted(self.added.items())),
            "conflicts": self.conflicts,
            "backup": self.backup,
            "dry_run": self.dry_run,
        }


class _DryRun(Exception):
    pass


@dataclass
class _Placed:
    """One of the other project's passages in a source this project already has."""

    source_id: int
    theirs: Passage
    speaker: str
    ours: Passage | None  # None: its text has no place in ours


def _load(other: Project) -> dict[str, list[Any]]:
    with other.read() as s:
        return {
            "codes": list(s.exec(select(Code))),
            "coders": list(s.exec(select(Coder))),
            "sources": list(s.exec(select(Source))),
            "participants": list(s.exec(select(Participant))),
            "passages": list(s.exec(select(Passage))),
            "codings": list(s.exec(select(Coding))),
            "unplaced": list(s.exec(select(UnplacedCoding))),
            "memos": list(s.exec(select(Memo))),
            "done": list(s.exec(select(SourceDone))),
            "stars": list(s.exec(select(Star))),
            "decisions": list(s.exec(select(Decision))),
        }


def _unused(folder: Path, prefix: str, suffix: str) -> Path:
    """``prefix`` + the time + ``suffix`` in ``folder``; a second merge within the second gets ``-2``."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"{prefix}{stamp}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{prefix}{stamp}-{n}{suffix}"
    return path


def merge(project: Project, other_db: str, dry_run: bool = False) -> MergeReport:
    """Bring ``other_db``'s coders, codings, memos, done-marks and new codes into ``project``."""
    if project.is_sqlite and Path(project.engine.url.database or "").resolve() == Path(other_db).expanduser().resolve():
        raise TrivselError("et projekt kan ikke flettes med sig selv", "angiv den anden koders projektfil")
    if not other_db.startswith(("postgresql", "sqlite")) and not Path(other_db).expanduser().is_file():
        raise TrivselError(f"{other_db} findes ikke", "angiv stien til den anden koders projektfil")
    other, _ = open_project(other_db, create=False)
    try:
        other.verify()  # a damaged file would merge with its lost rows unsaid
        data = _load(other)
    finally:
        other.dispose()
    report = MergeReport(dry_run=dry_run)
    if not dry_run and project.is_sqlite and project.engine.url.database:
        path = Path(project.engine.url.database)
        copy = _unused(path.parent, f"{path.name}.pre-merge-", ".bak")
        backup_sqlite_file(path, copy)
        report.backup = str(copy)
    elif not dry_run and not project.is_sqlite:
        # A server database: a snapshot of every table, as an SQLite project file here,
        # which `trivselkode restore` loads back into an empty database.
        from trivselkode.storage.backup import backup

        copy = _unused(Path.cwd(), f"{project.engine.url.database or 'projekt'}.pre-merge-", ".db")
        backup(project, copy)
        report.backup = str(copy)
    try:
        with project.write() as s:
            _merge(s, data, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _merge(s: Session, d: dict[str, list[Any]], report: MergeReport) -> None:
    # Codes by key.
    ours = {c.key: c for c in s.exec(select(Code))}
    theirs_by_id = {c.id: c for c in d["codes"]}
    code_map: dict[int, int] = {}
    used_shortcuts = {c.shortcut for c in ours.values() if c.shortcut}
    new_codes: list[Code] = []
    for c in sorted(d["codes"], key=lambda c: (c.position, c.id)):
        mine = ours.get(c.key)
        if mine is None:
            shortcut = c.shortcut if c.shortcut and c.shortcut not in used_shortcuts else None
            if c.shortcut and shortcut is None:
                report.conflicts.append(
                    f"koden {c.key}: genvejen '{c.shortcut}' er optaget her; koden er tilføjet uden genvej"
                )
            mine = Code(
                key=c.key,
                name=c.name,
                kind=c.kind,
                description=c.description,
                include=c.include,
                exclude=c.exclude,
                characteristics=list(c.characteristics),
                examples=list(c.examples),
                keywords=list(c.keywords),
                color=c.color,
                shortcut=shortcut,
                position=c.position,
                retired=c.retired,
            )
            if shortcut:
                used_shortcuts.add(shortcut)
            s.add(mine)
            s.flush()
            ours[c.key] = mine
            new_codes.append(c)
            report.bump("codes")
        elif mine.name != c.name:
            report.conflicts.append(
                f"koden {c.key} hedder '{mine.name}' her og '{c.name}' i den anden; navnet herfra er beholdt, kodningerne er lagt på {c.key}"
            )
        code_map[c.id] = cast(int, mine.id)
    for c in new_codes:
        parent = theirs_by_id.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            mine = ours[c.key]
            mine.parent_id = ours[parent.key].id
            s.add(mine)

    # Coders by name.
    coders = {c.name: c for c in s.exec(select(Coder))}
    coder_map: dict[int, int] = {}
    for c in d["coders"]:
        if c.name not in coders:
            coders[c.name] = Coder(name=c.name, created_at=c.created_at)
            s.add(coders[c.name])
            s.flush()
            report.bump("coders")
        coder_map[c.id] = cast(int, coders[c.name].id)

    # Sources: content hash, then name.
    by_hash = {src.content_hash: src for src in s.exec(select(Source))}
    by_name = {src.name: src for src in by_hash.values()}
    their_participants: dict[int, list[Participant]] = {}
    for p in d["participants"]:
        their_participants.setdefault(p.source_id, []).append(p)
    their_passages: dict[int, list[Passage]] = {}
    for p in d["passages"]:
        their_passages.setdefault(p.source_id, []).append(p)
    passage_map: dict[int, int | None] = {}  # their passage id -> ours (None: could not place)
    source_map: dict[int, int] = {}
    # their passage id -> where it went in a source we already had (for spans and the unplaceable)
    placed: dict[int, _Placed] = {}
    for src in d["sources"]:
        passages = sorted(their_passages.get(src.id, []), key=lambda p: p.number)
        people = {cast(int, p.id): p for p in their_participants.get(src.id, [])}
        our_source = by_hash.get(src.content_hash)
        if our_source is None and src.name in by_name:
            our_source = by_name[src.name]
            report.conflicts.append(
                f"kilden '{src.name}' har en anden tekst i den anden fil; dens kodninger er genplaceret i teksten herfra"
            )
        if our_source is None:
            our_source = _copy_source(s, src, people, passages, passage_map)
            by_hash[our_source.content_hash] = our_source
            by_name[our_source.name] = our_source
            source_map[src.id] = cast(int, our_source.id)
            report.bump("sources")
            continue
        source_map[src.id] = cast(int, our_source.id)
        our_people = {p.label: p for p in s.exec(select(Participant).where(Participant.source_id == our_source.id))}
        label_of = {}
        for p in people.values():
            label_of[p.id] = p.label
            _merge_participant(s, our_source, our_people.get(p.label), p, report)
        our_passages = list(
            s.exec(select(Passage).where(Passage.source_id == our_source.id).order_by(col(Passage.number)))
        )
        if our_source.content_hash == src.content_hash:
            by_offsets = {(p.start, p.end): p for p in our_passages}
            partners = [by_offsets.get((p.start, p.end)) for p in passages]
        else:
            our_labels = {
                p.id: p.label for p in s.exec(select(Participant).where(Participant.source_id == our_source.id))
            }
            mapping = align_turns(
                [Turn(label_of.get(p.participant_id, ""), p.text) for p in passages],
                [Turn(our_labels.get(p.participant_id, ""), p.text) for p in our_passages],
            )
            partners = [our_passages[j] if j is not None else None for j in mapping]
        for p, partner in zip(passages, partners):
            passage_map[cast(int, p.id)] = partner.id if partner is not None else None
            placed[cast(int, p.id)] = _Placed(cast(int, our_source.id), p, label_of.get(p.participant_id, ""), partner)

    # Codings: add those not here yet.
    existing = {(c.passage_id, c.code_id, c.coder_id, c.start, c.end) for c in s.exec(select(Coding))}
    new_rows = []
    for c in d["codings"]:
        target = passage_map.get(c.passage_id)
        start, end = c.start, c.end
        info = placed.get(c.passage_id)
        if info is not None and info.ours is not None and start is not None and info.ours.text != info.theirs.text:
            moved = move_span(info.theirs.text, info.ours.text, start, end)
            if moved is None:
                target = None
            else:
                start, end = moved
        if target is None:
            if info is None:
                report.conflicts.append(f"en kodning på et ukendt udsagn (id {c.passage_id}) kunne ikke placeres")
                continue
            s.add(
                UnplacedCoding(
                    source_id=info.source_id,
                    passage_number=info.theirs.number,
                    speaker=info.speaker,
                    passage_text=info.theirs.text,
                    code_id=code_map[c.code_id],
                    coder_id=coder_map[c.coder_id],
                    start=c.start,
                    end=c.end,
                    memo=c.memo,
                    created_at=c.created_at,
                )
            )
            report.bump("unplaced")
            continue
        key = (target, code_map[c.code_id], coder_map[c.coder_id], start, end)
        if key in existing:
            continue
        existing.add(key)
        new_rows.append(
            {
                "passage_id": target,
                "code_id": key[1],
                "coder_id": key[2],
                "start": start,
                "end": end,
                "memo": c.memo,
                "created_at": c.created_at,
            }
        )
    if new_rows:
        s.execute(insert(Coding), new_rows)
        report.bump("codings", len(new_rows))

    # Codings the other project itself could not place stay unplaced here.
    have_unplaced = {
        (u.source_id, u.passage_number, u.code_id, u.coder_id, u.start, u.end, u.passage_text)
        for u in s.exec(select(UnplacedCoding))
    }
    for u in d["unplaced"]:
        unplaced_key = (
            source_map[u.source_id],
            u.passage_number,
            code_map[u.code_id],
            coder_map[u.coder_id],
            u.start,
            u.end,
            u.passage_text,
        )
        if unplaced_key in have_unplaced:
            continue
        have_unplaced.add(unplaced_key)
        s.add(
            UnplacedCoding(
                source_id=unplaced_key[0],
                passage_number=u.passage_number,
                speaker=u.speaker,
                passage_text=u.passage_text,
                code_id=unplaced_key[2],
                coder_id=unplaced_key[3],
                start=u.start,
                end=u.end,
                memo=u.memo,
                created_at=u.created_at,
                unplaced_at=u.unplaced_at,
            )
        )
        report.bump("unplaced")

    # Memos, done-marks, stars, decisions.
    memos = {(m.source_id, m.passage_id, m.code_id, m.coder_id, m.text) for m in s.exec(select(Memo))}
    for m in d["memos"]:
        passage_id = passage_map.get(m.passage_id) if m.passage_id else None
        source_id = source_map.get(m.source_id) if m.source_id else None
        text = m.text
        if m.passage_id and passage_id is None:
            # Keep a note whose passage has no place here on its source.
            their = next((p for p in d["passages"] if p.id == m.passage_id), None)
            source_id = source_map.get(their.source_id) if their else source_id
            text = f"[Notat til udsagn {their.number if their else '?'} i den anden fil] {m.text}"
        memo_key = (source_id, passage_id, code_map.get(m.code_id) if m.code_id else None, coder_map[m.coder_id], text)
        if memo_key in memos:
            continue
        memos.add(memo_key)
        s.add(
            Memo(
                source_id=memo_key[0],
                passage_id=memo_key[1],
                code_id=memo_key[2],
                coder_id=memo_key[3],
                text=text,
                created_at=m.created_at,
                updated_at=m.updated_at,
            )
        )
        report.bump("memos")
    done = {(x.source_id, x.coder_id) for x in s.exec(select(SourceDone))}
    for x in d["done"]:
        done_key = (source_map[x.source_id], coder_map[x.coder_id])
        if done_key not in done:
            done.add(done_key)
            s.add(SourceDone(source_id=done_key[0], coder_id=done_key[1], done_at=x.done_at))
            report.bump("done")
    stars = {(x.passage_id, x.coder_id) for x in s.exec(select(Star))}
    for x in d["stars"]:
        target = passage_map.get(x.passage_id)
        if target is None:
            continue
        star_key = (target, coder_map[x.coder_id])
        if star_key not in stars:
            stars.add(star_key)
            s.add(Star(passage_id=star_key[0], coder_id=star_key[1], created_at=x.created_at))
            report.bump("stars")
    decided = {(x.passage_id, x.code_id): x for x in s.exec(select(Decision))}
    for x in d["decisions"]:
        target = passage_map.get(x.passage_id)
        if target is None:
            report.conflicts.append(
                "en konsensusafgørelse på et udsagn uden plads her er sprunget over (kodningerne er bevaret)"
            )
            continue
        decision_key = (target, code_map[x.code_id])
        our_decision = decided.get(decision_key)
        if our_decision is None:
            decided[decision_key] = Decision(
                passage_id=decision_key[0],
                code_id=decision_key[1],
                choice=x.choice,
                coders=x.coders,
                settled_by=x.settled_by,
                settled_at=x.settled_at,
            )
            s.add(decided[decision_key])
            report.bump("decisions")
        elif our_decision.choice != x.choice:
            report.conflicts.append("en konsensusafgørelse er truffet anderledes her; afgørelsen herfra er beholdt")
    s.flush()


def _copy_source(
    s: Session, src: Source, people: dict[int, Participant], passages: list[Passage], passage_map: dict[int, int | None]
) -> Source:
    name = src.name
    taken = set(s.exec(select(Source.name)))
    n = 2
    while name in taken:
        name = f"{src.name} ({n})"
        n += 1
    mine = Source(
        name=name,
        title=src.title,
        kind=src.kind,
        site=src.site,
        context=src.context,
        round=src.round,
        date=src.date,
        file_name=src.file_name,
        content_hash=src.content_hash,
        text=src.text,
        extra=dict(src.extra),
        imported_at=src.imported_at,
    )
    s.add(mine)
    s.flush()
    ids: dict[int, int] = {}
    for p in people.values():
        row = Participant(
            source_id=cast(int, mine.id),
            label=p.label,
            role=p.role,
            gender=p.gender,
            age=p.age,
            site=p.site,
            attributes=dict(p.attributes),
        )
        s.add(row)
        s.flush()
        ids[cast(int, p.id)] = cast(int, row.id)
    for passage in passages:
        new_passage = Passage(
            source_id=cast(int, mine.id),
            number=passage.number,
            participant_id=ids[passage.participant_id],
            start=passage.start,
            end=passage.end,
            text=passage.text,
            sentences=[list(x) for x in passage.sentences],
            cue_start=passage.cue_start,
            cue_end=passage.cue_end,
        )
        s.add(new_passage)
        s.flush()
        passage_map[cast(int, passage.id)] = new_passage.id
    return mine


def _merge_participant(
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
                f"{source.name}/{mine.label}: {attr} er '{a}' her og '{b}' i den anden; værdien herfra er beholdt"
            )
    attrs = dict(mine.attributes)
    for k, v in theirs.attributes.items():
        if k not in attrs:
            attrs[k] = v
            changed = True
        elif attrs[k] != v:
            report.conflicts.append(
                f"{source.name}/{mine.label}: {k} er '{attrs[k]}' her og '{v}' i den anden; værdien herfra er beholdt"
            )
    if changed:
        mine.attributes = attrs
        s.add(mine)
        report.bump("attributes")
