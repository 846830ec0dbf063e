"""Codings: adding and removing them, done-marks, CSV import and export.

Every function that changes something is one transaction. Adding and
removing look the names up and then write through
:func:`trivselkode.storage.coding_ops.write_codings`, as the coding screen
does.

CSV columns: ``source,passage,code,coder,start,end,memo``. ``passage`` is the
1-based number of the turn in its source (interviewers' turns counted too);
``start``/``end`` are optional 0-based offsets into the passage text, end
exclusive.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert
from sqlmodel import Session, col, select

from trivselkode.domain.undo import CodingFact
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.coding_ops import check_span, usable_code, write_codings
from trivselkode.storage.db import Project
from trivselkode.storage.lookup import (
    code_by_key,
    coder_by_name,
    get_or_create_coder,
    passage_by_number,
    source_by_name,
)
from trivselkode.storage.models import (
    Code,
    Coder,
    Coding,
    Passage,
    Source,
    SourceDone,
    UnplacedCoding,
)

CSV_COLUMNS = ("source", "passage", "code", "coder", "start", "end", "memo")


class CodingsInvalid(TrivselError):
    """A codings file with problems; ``problems`` lists each with its line."""

    def __init__(self, problems: list[str], file: str) -> None:
        more = _(" (og {value} fejl mere)").format(value=len(problems) - 1) if len(problems) > 1 else ""
        super().__init__(f"{file}: {problems[0]}{more}", _("ret filen; intet er gemt"))
        self.problems = problems


@dataclass
class CodingRef:
    source: str
    passage: int
    code: str
    coder: str
    start: int | None = None
    end: int | None = None
    memo: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _passage_and_code(session: Session, ref: CodingRef) -> tuple[Passage, Code]:
    source = source_by_name(session, ref.source)
    return passage_by_number(session, source, ref.passage), code_by_key(session, ref.code)


def add_coding(project: Project, ref: CodingRef) -> str:
    """Store one coding. Returns ``added``, ``updated`` (memo) or ``exists``."""

    def plan(session: Session) -> tuple[list[CodingFact], list[CodingFact]]:
        passage, code = _passage_and_code(session, ref)
        usable_code(session, cast(int, code.id))
        return [CodingFact(cast(int, passage.id), cast(int, code.id), ref.start, ref.end, ref.memo)], []

    change = write_codings(project, ref.coder, plan, memos=True)
    return "added" if change.added else "updated" if change.updated else "exists"


def remove_coding(project: Project, ref: CodingRef) -> None:
    planned: list[CodingFact] = []

    def plan(session: Session) -> tuple[list[CodingFact], list[CodingFact]]:
        passage, code = _passage_and_code(session, ref)
        coder_by_name(session, ref.coder)
        start, end = check_span(passage, ref.start, ref.end)
        planned.append(CodingFact(cast(int, passage.id), cast(int, code.id), start, end))
        return [], planned

    if not write_codings(project, ref.coder, plan).removed:
        start, end = planned[0].start, planned[0].end
        where = f" ({start}–{end})" if start is not None else ""
        raise TrivselError(
            _("{coder} har ikke kodet udsagn {passage} i '{source}' med {code}{where}").format(
                coder=ref.coder, passage=ref.passage, source=ref.source, code=ref.code, where=where
            ),
            _("se kodningerne med `trivselkode codings export`"),
        )


def mark_done(project: Project, source_name: str, coder_name: str, done: bool = True) -> bool:
    """Mark (or unmark) a source done for a coder. Returns whether anything changed."""
    with project.write() as session:
        source = source_by_name(session, source_name)
        coder = get_or_create_coder(session, coder_name)
        row = session.get(SourceDone, (source.id, coder.id))
        if done and row is None:
            session.add(SourceDone(source_id=cast(int, source.id), coder_id=cast(int, coder.id)))
            return True
        if not done and row is not None:
            session.delete(row)
            return True
    return False


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value else None


def read_codings_csv(path: Path) -> list[tuple[int, CodingRef]]:
    """The rows of a codings CSV with their 1-based line numbers."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TrivselError(_("kan ikke læse {path}: {strerror}").format(path=path, strerror=exc.strerror)) from None
    if b"\x00" in raw:
        raise TrivselError(
            _("{path} er ikke en CSV-fil (binære data)").format(path=path), _("eksportér kodningerne som CSV i UTF-8")
        )
    text: str | None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else None
        if text is None:
            raise TrivselError(
                _("{path} kan ikke læses som tekst").format(path=path), _("gem filen som CSV i UTF-8")
            ) from None
    if not text.strip():
        raise TrivselError(
            _("{path} er tom").format(path=path),
            _("filen skal have overskrifterne {items}").format(items=",".join(CSV_COLUMNS)),
        )
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("source", "passage", "code", "coder") if c not in header]
    if missing:
        raise TrivselError(
            _("{path}: kolonnerne {items} mangler i første linje").format(path=path, items=", ".join(missing)),
            _("overskrifterne skal være {items}").format(items=",".join(CSV_COLUMNS)),
        )
    reader.fieldnames = header
    from trivselkode.domain.cells import csv_unguard  # the quote our export put before formula-like text

    rows = []
    problems = []
    for row in reader:
        line = reader.line_num
        try:
            passage = int((row.get("passage") or "").strip())
            start = _int_or_none(row.get("start"))
            end = _int_or_none(row.get("end"))
        except ValueError:
            problems.append(_("linje {line}: passage, start og end skal være hele tal").format(line=line))
            continue
        memo = csv_unguard(row.get("memo") or "")
        rows.append(
            (
                line,
                CodingRef(
                    source=csv_unguard((row.get("source") or "").strip()),
                    passage=passage,
                    code=csv_unguard((row.get("code") or "").strip()),
                    coder=csv_unguard((row.get("coder") or "").strip()),
                    start=start,
                    end=end,
                    memo=memo if memo else None,
                ),
            )
        )
    if problems:
        raise CodingsInvalid(problems, str(path))
    return rows


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class ImportCounts:
    rows: int
    added: int
    existing: int
    coders_created: list[str]


def import_codings(project: Project, path: Path) -> ImportCounts:
    """All rows of a codings CSV in one transaction, or nothing at all."""
    rows = read_codings_csv(path)
    with project.write() as session:
        sources = {s.name: cast(int, s.id) for s in session.exec(select(Source))}
        codes = {c.key: c for c in session.exec(select(Code))}
        coders = {c.name: cast(int, c.id) for c in session.exec(select(Coder))}
        passages: dict[tuple[int, int], Passage] = {}
        wanted_sources = {sources[r.source] for _, r in rows if r.source in sources}
        if wanted_sources:
            for p in session.exec(select(Passage).where(col(Passage.source_id).in_(wanted_sources))):
                passages[(p.source_id, p.number)] = p
        problems: list[str] = []
        resolved = []
        for line, ref in rows:
            if ref.source not in sources:
                problems.append(_("linje {line}: ukendt kilde '{source}'").format(line=line, source=ref.source))
                continue
            passage = passages.get((sources[ref.source], ref.passage))
            if passage is None:
                problems.append(
                    _("linje {line}: kilden '{source}' har intet udsagn nr. {passage}").format(
                        line=line, source=ref.source, passage=ref.passage
                    )
                )
                continue
            code = codes.get(ref.code)
            if code is None:
                problems.append(_("linje {line}: ukendt kode '{code}'").format(line=line, code=ref.code))
                continue
            if not ref.coder:
                problems.append(_("linje {line}: koder mangler").format(line=line))
                continue
            try:
                start, end = check_span(passage, ref.start, ref.end)
            except TrivselError as exc:
                problems.append(_("linje {line}: {message}").format(line=line, message=exc.message))
                continue
            resolved.append((line, ref, passage, code, start, end))
        if problems:
            raise CodingsInvalid(problems, str(path))
        created = []
        for _line, ref, *_rest in resolved:
            if ref.coder not in coders:
                coders[ref.coder] = cast(int, get_or_create_coder(session, ref.coder).id)
                created.append(ref.coder)
        existing = (
            {
                (c.passage_id, c.code_id, c.coder_id, c.start, c.end)
                for c in session.exec(
                    select(Coding).where(col(Coding.passage_id).in_({p.id for _, _, p, *_ in resolved}))
                )
            }
            if resolved
            else set()
        )
        new_rows = []
        for _line, ref, passage, code, start, end in resolved:
            key = (cast(int, passage.id), cast(int, code.id), coders[ref.coder], start, end)
            if key in existing:
                continue
            existing.add(key)
            new_rows.append(
                {
                    "passage_id": passage.id,
                    "code_id": code.id,
                    "coder_id": coders[ref.coder],
                    "start": start,
                    "end": end,
                    "memo": ref.memo,
                }
            )
        if new_rows:
            session.execute(insert(Coding), new_rows)
    return ImportCounts(rows=len(rows), added=len(new_rows), existing=len(rows) - len(new_rows), coders_created=created)


def export_rows(project: Project, coder: str | None = None) -> list[dict[str, Any]]:
    """Every coding (of one coder, if given) as CSV-ready rows, in source order."""
    with project.read() as session:
        query = (
            select(Source.name, Passage.number, Code.key, Coder.name, Coding.start, Coding.end, Coding.memo)  # type: ignore[call-overload]  # sqlmodel's select() overloads stop at 4 columns
            .join(Passage, Coding.passage_id == Passage.id)
            .join(Source, Passage.source_id == Source.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .order_by(Source.name, Passage.number, Coder.name, Code.position, Code.key, Coding.start)
        )
        if coder is not None:
            coder_by_name(session, coder)
            query = query.where(Coder.name == coder)
        rows = session.exec(query).all()
    return [dict(zip(CSV_COLUMNS, row)) for row in rows]


def unplaced_rows(project: Project, source: str | None = None) -> list[dict[str, Any]]:
    """Codings a revision could not re-anchor, kept aside."""
    with project.read() as session:
        query = (
            select(UnplacedCoding, Source.name, Code.key, Coder.name)
            .join(Source, col(UnplacedCoding.source_id) == Source.id)
            .join(Code, col(UnplacedCoding.code_id) == Code.id)
            .join(Coder, col(UnplacedCoding.coder_id) == Coder.id)
            .order_by(Source.name, col(UnplacedCoding.passage_number))
        )
        if source is not None:
            src = source_by_name(session, source)
            query = query.where(UnplacedCoding.source_id == src.id)
        out = []
        for row, source_name, code_key, coder_name in session.exec(query):
            text = row.passage_text if row.start is None else row.passage_text[row.start : row.end]
            out.append(
                {
                    "source": source_name,
                    "old_passage": row.passage_number,
                    "speaker": row.speaker,
                    "code": code_key,
                    "coder": coder_name,
                    "text": text,
                    "memo": row.memo,
                }
            )
    return out
