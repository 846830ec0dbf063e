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
- a consensus decision settled differently here: ours stays (the audit rows of both
  are kept, each once);
- a quote chosen differently here: ours stays; theirs are added after ours;
- a survey of the same name with other responses here: ours stays (one we lack is copied whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert
from sqlmodel import Session, select

from trivselkode.domain.revision import move_span
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.merge_decisions import merge_decision_events, merge_decisions, merge_quote_choices
from trivselkode.storage.merge_rejections import merge_rejections
from trivselkode.storage.merge_sources import MergeMaps, copied, merge_sources
from trivselkode.storage.merge_surveys import merge_surveys
from trivselkode.storage.migrations import backup_sqlite_file
from trivselkode.storage.models import (
    Code,
    Coder,
    Coding,
    Decision,
    DecisionEvent,
    Memo,
    Participant,
    Passage,
    QuoteChoice,
    Respondent,
    Source,
    SourceDone,
    Star,
    SuggestionRejection,
    Survey,
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
            "decision_events": list(s.exec(select(DecisionEvent))),
            "quote_choices": list(s.exec(select(QuoteChoice))),
            "rejections": list(s.exec(select(SuggestionRejection))),
            "surveys": list(s.exec(select(Survey))),
            "respondents": list(s.exec(select(Respondent))),
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
    """Bring ``other_db``'s coders, codings, memos, done-marks, new codes and surveys into ``project``."""
    if project.is_sqlite and Path(project.engine.url.database or "").resolve() == Path(other_db).expanduser().resolve():
        raise TrivselError(_("et projekt kan ikke flettes med sig selv"), _("angiv den anden koders projektfil"))
    if not other_db.startswith(("postgresql", "sqlite")) and not Path(other_db).expanduser().is_file():
        raise TrivselError(
            _("{other_db} findes ikke").format(other_db=other_db), _("angiv stien til den anden koders projektfil")
        )
    other, _settings = open_project(other_db, create=False)
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
    maps = MergeMaps()
    _merge_codes(s, d["codes"], maps, report)
    _merge_coders(s, d["coders"], maps, report)
    merge_sources(s, d, maps, report)
    _merge_codings(s, d["codings"], maps, report)
    _merge_unplaced(s, d["unplaced"], maps, report)
    _merge_memos(s, d["memos"], d["passages"], maps, report)
    _merge_marks(s, d["done"], d["stars"], maps, report)
    merge_decisions(s, d["decisions"], maps, report)
    merge_decision_events(s, d["decision_events"], maps, report)
    merge_quote_choices(s, d["quote_choices"], maps, report)
    merge_rejections(s, d["rejections"], maps, report)
    merge_surveys(s, d["surveys"], d["respondents"], d["participants"], maps, report)
    s.flush()


_CODE_FIELDS = (
    "key", "name", "kind", "description", "include", "exclude", "characteristics",
    "examples", "keywords", "color", "position", "retired",
    "name_en", "definition_en", "include_en", "exclude_en", "characteristics_en", "examples_en",
)  # fmt: skip


def _merge_codes(s: Session, their_codes: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Codes by key; a new code's parent is set once all new codes are here."""
    ours = {c.key: c for c in s.exec(select(Code))}
    theirs_by_id = {c.id: c for c in their_codes}
    used_shortcuts = {c.shortcut for c in ours.values() if c.shortcut}
    new_codes: list[Code] = []
    for c in sorted(their_codes, key=lambda c: (c.position, c.id)):
        mine = ours.get(c.key)
        if mine is None:
            shortcut = c.shortcut if c.shortcut and c.shortcut not in used_shortcuts else None
            if c.shortcut and shortcut is None:
                report.conflicts.append(
                    _("koden {key}: genvejen '{shortcut}' er optaget her; koden er tilføjet uden genvej").format(
                        key=c.key, shortcut=c.shortcut
                    )
                )
            mine = Code(**copied(c, *_CODE_FIELDS), shortcut=shortcut)
            if shortcut:
                used_shortcuts.add(shortcut)
            s.add(mine)
            s.flush()
            ours[c.key] = mine
            new_codes.append(c)
            report.bump("codes")
        elif mine.name != c.name:
            report.conflicts.append(
                _(
                    "koden {key} hedder '{name}' her og '{name2}' i den anden; navnet herfra er beholdt, kodningerne er lagt på {key}"
                ).format(key=c.key, name=mine.name, name2=c.name)
            )
        maps.codes[c.id] = cast(int, mine.id)
    for c in new_codes:
        parent = theirs_by_id.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            mine = ours[c.key]
            mine.parent_id = ours[parent.key].id
            s.add(mine)


def _merge_coders(s: Session, their_coders: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Coders by name."""
    coders = {c.name: c for c in s.exec(select(Coder))}
    for c in their_coders:
        if c.name not in coders:
            coders[c.name] = Coder(name=c.name, created_at=c.created_at)
            s.add(coders[c.name])
            s.flush()
            report.bump("coders")
        maps.coders[c.id] = cast(int, coders[c.name].id)


def _merge_codings(s: Session, their_codings: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Codings: add those not here yet; one whose span has no place here is kept unplaced."""
    existing = {(c.passage_id, c.code_id, c.coder_id, c.start, c.end) for c in s.exec(select(Coding))}
    new_rows = []
    for c in their_codings:
        target = maps.passages.get(c.passage_id)
        start, end = c.start, c.end
        info = maps.placed.get(c.passage_id)
        if info is not None and info.ours is not None and start is not None and info.ours.text != info.theirs.text:
            moved = move_span(info.theirs.text, info.ours.text, start, end)
            if moved is None:
                target = None
            else:
                start, end = moved
        if target is None:
            if info is None:
                report.conflicts.append(
                    _("en kodning på et ukendt udsagn (id {passage_id}) kunne ikke placeres").format(
                        passage_id=c.passage_id
                    )
                )
                continue
            s.add(
                UnplacedCoding(
                    **copied(c, "start", "end", "memo", "created_at"),
                    source_id=info.source_id,
                    passage_number=info.theirs.number,
                    speaker=info.speaker,
                    passage_text=info.theirs.text,
                    code_id=maps.codes[c.code_id],
                    coder_id=maps.coders[c.coder_id],
                )
            )
            report.bump("unplaced")
            continue
        key = (target, maps.codes[c.code_id], maps.coders[c.coder_id], start, end)
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


def _merge_unplaced(s: Session, their_unplaced: list[Any], maps: MergeMaps, report: MergeReport) -> None:
    """Codings the other project itself could not place stay unplaced here."""
    have_unplaced = {
        (u.source_id, u.passage_number, u.code_id, u.coder_id, u.start, u.end, u.passage_text)
        for u in s.exec(select(UnplacedCoding))
    }
    for u in their_unplaced:
        unplaced_key = (
            maps.sources[u.source_id],
            u.passage_number,
            maps.codes[u.code_id],
            maps.coders[u.coder_id],
            u.start,
            u.end,
            u.passage_text,
        )
        if unplaced_key in have_unplaced:
            continue
        have_unplaced.add(unplaced_key)
        s.add(
            UnplacedCoding(
                **copied(
                    u, "passage_number", "speaker", "passage_text", "start", "end", "memo", "created_at", "unplaced_at"
                ),
                source_id=unplaced_key[0],
                code_id=unplaced_key[2],
                coder_id=unplaced_key[3],
            )
        )
        report.bump("unplaced")


def _merge_memos(
    s: Session, their_memos: list[Any], their_passages: list[Any], maps: MergeMaps, report: MergeReport
) -> None:
    """Memos not here yet; a note whose passage has no place here is kept on its source."""
    memos = {(m.source_id, m.passage_id, m.code_id, m.coder_id, m.text) for m in s.exec(select(Memo))}
    for m in their_memos:
        passage_id = maps.passages.get(m.passage_id) if m.passage_id else None
        source_id = maps.sources.get(m.source_id) if m.source_id else None
        text = m.text
        if m.passage_id and passage_id is None:
            # Keep a note whose passage has no place here on its source.
            their = next((p for p in their_passages if p.id == m.passage_id), None)
            source_id = maps.sources.get(their.source_id) if their else source_id
            # Stored in the project (a memo's text), so not in the interface's language.
            text = f"[Notat til udsagn {their.number if their else '?'} i den anden fil] {m.text}"
        code_id = maps.codes.get(m.code_id) if m.code_id else None
        memo_key = (source_id, passage_id, code_id, maps.coders[m.coder_id], text)
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


def _merge_marks(
    s: Session, their_done: list[Any], their_stars: list[Any], maps: MergeMaps, report: MergeReport
) -> None:
    """Done-marks and stars not here yet (a star on a passage with no place here is dropped)."""
    done = {(x.source_id, x.coder_id) for x in s.exec(select(SourceDone))}
    for x in their_done:
        done_key = (maps.sources[x.source_id], maps.coders[x.coder_id])
        if done_key not in done:
            done.add(done_key)
            s.add(SourceDone(source_id=done_key[0], coder_id=done_key[1], done_at=x.done_at))
            report.bump("done")
    stars = {(x.passage_id, x.coder_id) for x in s.exec(select(Star))}
    for x in their_stars:
        target = maps.passages.get(x.passage_id)
        if target is None:
            continue
        star_key = (target, maps.coders[x.coder_id])
        if star_key not in stars:
            stars.add(star_key)
            s.add(Star(passage_id=star_key[0], coder_id=star_key[1], created_at=x.created_at))
            report.bump("stars")
