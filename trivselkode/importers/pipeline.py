"""Importing files into a project: parse, segment sentences, store.

Each file is stored in one transaction (``--strict``: all files in one), so
a failure or a killed process leaves no half-imported source behind.

A file whose source name already exists is
- a no-op when its text and its turns are unchanged (its warnings are not
  repeated);
- a revision when its text is unchanged but its turns are not (labels read
  differently, say with ``--speaker-pattern``);
- a revision when its text is similar enough: every coding is re-anchored
  to its passage in the new text, and those that cannot be placed are kept
  in ``UnplacedCoding`` and listed;
- a name clash otherwise (import it under ``name``, or ``replace`` it).
"""

from __future__ import annotations

import gc
import multiprocessing
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, bindparam, delete, insert, or_
from sqlmodel import Session, col, select

from trivselkode.domain.nlp import sentence_json, sentence_pipeline
from trivselkode.domain.revision import SOURCE_SIMILARITY, Turn, align_turns, move_span, texts_similar
from trivselkode.domain.text import content_hash, word_count
from trivselkode.errors import TrivselError
from trivselkode.importers.base import ParsedSource, ParsedTurn
from trivselkode.importers.formats import iter_source_files, parse_file
from trivselkode.importers.labels import compile_speaker_pattern
from trivselkode.storage.db import Project, bulk_insert
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
    Star,
    UnplacedCoding,
    utcnow,
)

_SIX_DIGITS = re.compile(r"\d\d\d\d\d\d")  # a cheap first look: most texts have no run of six digits
CPR_RE = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?!\d)")


@dataclass
class FileResult:
    path: str
    source: str | None = None
    status: str = "failed"  # imported | unchanged | revised | replaced | duplicate | failed
    passages: int = 0
    words: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    unplaced: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def words(self) -> int:
        return sum(f.words for f in self.files if f.status in ("imported", "revised", "replaced"))


def segment(parsed: ParsedSource) -> list[str]:
    """Each turn's sentences as the JSON the passages table stores (spaCy)."""
    return sentence_json([t.text for t in parsed.turns])


@dataclass
class _Prepared:
    """A parsed file and what storing it needs, computed where it was parsed.

    In a worker process this is all done off the storing process: sentence
    segmentation, the sentences' JSON, the word count and the CPR check.
    """

    parsed: ParsedSource
    digest: str
    sentences_json: list[str] | None = None
    words: int = 0
    cpr: bool = False

    def __getstate__(self) -> tuple[Any, ...]:
        """Sent from a worker as columns: the turns' texts are slices of the source's text."""
        p = self.parsed
        turns = p.turns
        text = p.text
        columns: tuple[list[Any], ...] | list[ParsedTurn] = turns
        if all(text[t.start : t.end] == t.text for t in turns):
            columns = (
                [t.speaker for t in turns],
                [t.start for t in turns],
                [t.end for t in turns],
                [t.cue_start for t in turns],
                [t.cue_end for t in turns],
            )
        head = (p.name, text, p.file_name, p.metadata, p.participants, p.warnings)
        return head, columns, self.digest, self.sentences_json, self.words, self.cpr

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (name, text, file_name, metadata, participants, warnings), columns, *rest = state
        if isinstance(columns, tuple):
            speakers, starts, ends, cue_starts, cue_ends = columns
            columns = [
                ParsedTurn(sp, a, b, text[a:b], cs, ce)
                for sp, a, b, cs, ce in zip(speakers, starts, ends, cue_starts, cue_ends)
            ]
        self.parsed = ParsedSource(name, text, file_name, metadata, participants, columns, warnings)
        self.digest, self.sentences_json, self.words, self.cpr = rest

    def ensure_sentences(self) -> list[str]:
        if self.sentences_json is None:
            self.sentences_json = segment(self.parsed)
            self.words = word_count(self.parsed.text)
            text = self.parsed.text
            self.cpr = _SIX_DIGITS.search(text) is not None and CPR_RE.search(text) is not None
        return self.sentences_json


def import_paths(
    project: Project,
    paths: Sequence[str | Path],
    *,
    text_column: str | None = None,
    name: str | None = None,
    replace: bool = False,
    strict: bool = False,
    similarity: float = SOURCE_SIMILARITY,
    on_file: Callable[[FileResult], None] | None = None,
    workers: int = 0,
    speaker_pattern: str | None = None,
    max_unpacked: int | str | None = None,
) -> ImportReport:
    """Import every supported file under ``paths`` and report on each.

    With ``workers`` ≥ 1 (and ``fork`` available), files are parsed and
    segmented in that many worker processes while this one stores the
    results; each file is still stored in its own transaction, in order.
    Never use workers from a process with threads (the TUI): fork is unsafe there.
    ``speaker_pattern`` describes more speaker labels (``--speaker-pattern``);
    ``max_unpacked`` bounds what a ``.docx``/``.xlsx`` may unpack to (``--max-unpacked``).
    """
    pattern = compile_speaker_pattern(speaker_pattern, "--speaker-pattern") if speaker_pattern else None
    if isinstance(max_unpacked, str):
        from trivselkode.importers.safety import parse_size

        max_unpacked = parse_size(max_unpacked)
    problems: list[tuple[Path, TrivselError]] = []
    files = iter_source_files(paths, problems)
    if strict and problems:
        raise TrivselError(f"{problems[0][1].message} – intet er importeret (--strict)", problems[0][1].hint)
    if not files and not problems:
        raise TrivselError(
            "ingen filer at importere",
            "angiv .txt, .md, .docx, .vtt, .srt, .csv eller .xlsx filer eller en mappe med dem",
        )
    if name is not None and len(files) > 1:
        raise TrivselError("--name kan kun bruges, når der importeres én fil")
    with project.read() as session:
        known = {h: n for n, h in session.exec(select(Source.name, Source.content_hash))}
    report = ImportReport()
    for where, problem in problems:
        result = FileResult(path=str(where), error=str(problem))
        report.files.append(result)
        if on_file:
            on_file(result)
    prepared = _prepare_all(files, text_column, name, known, workers, pattern, max_unpacked)
    try:
        _import_prepared(
            project, files, prepared, report, strict=strict, replace=replace, similarity=similarity, on_file=on_file
        )
    finally:
        # Ends the worker processes here and now, also when storing failed (the
        # server gone, say), rather than whenever the collector gets to it.
        prepared.close()
    return report


def _import_prepared(
    project: Project,
    files: list[Path],
    prepared: Iterator[tuple[Path, _Prepared | TrivselError]],
    report: ImportReport,
    *,
    strict: bool,
    replace: bool,
    similarity: float,
    on_file: Callable[[FileResult], None] | None,
) -> None:
    if strict:
        results = [FileResult(path=str(p)) for p in files]
        try:
            ready = []
            for _path, prep in prepared:
                if isinstance(prep, TrivselError):
                    raise prep
                ready.append(prep)
            with project.write() as session:
                for prep, result in zip(ready, results):
                    _store(session, prep, result, replace=replace, similarity=similarity)
        except TrivselError as exc:
            raise TrivselError(f"{exc.message} – intet er importeret (--strict)", exc.hint) from None
        for result in results:
            report.files.append(result)
            if on_file:
                on_file(result)
        return

    for path, prep in prepared:
        result = FileResult(path=str(path))
        try:
            if isinstance(prep, TrivselError):
                raise prep
            with project.write() as session:
                _store(session, prep, result, replace=replace, similarity=similarity)
        except TrivselError as exc:
            result.status = "failed"
            result.error = str(exc)
        report.files.append(result)
        if on_file:
            on_file(result)


def _prepare(
    path: Path,
    text_column: str | None,
    name: str | None,
    speaker_pattern: re.Pattern[str] | None = None,
    max_unpacked: int | None = None,
) -> _Prepared:
    parsed = parse_file(
        path, text_column=text_column, name=name, speaker_pattern=speaker_pattern, max_unpacked=max_unpacked
    )
    roles = {p.label: p.role for p in parsed.participants}
    if parsed.turns and all(roles.get(t.speaker) == INTERVIEWER for t in parsed.turns):
        parsed.warnings.append(
            f"{path}: alle {len(parsed.turns)} replikker er interviewerens, så der er intet at kode – "
            "er deltagernes taleretiketter genkendt? Angiv dem under 'participants' i metadata eller med --speaker-pattern"
        )
    return _Prepared(parsed=parsed, digest=content_hash(parsed.text))


def _prepare_job(
    args: tuple[Path, str | None, str | None, dict[str, str], re.Pattern[str] | None, int | None],
) -> _Prepared | TrivselError:
    """Parse and segment one file (in a worker process); unchanged texts skip spaCy."""
    path, text_column, name, known, speaker_pattern, max_unpacked = args
    try:
        prep = _prepare(path, text_column, name, speaker_pattern, max_unpacked)
    except TrivselError as exc:
        return exc
    if known.get(prep.digest) is None:
        prep.ensure_sentences()
    return prep


def _die_with_parent() -> None:
    """Workers end when the importing process ends, even by SIGKILL (Linux)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: workers end when their queue closes


def _prepare_all(
    files: list[Path],
    text_column: str | None,
    name: str | None,
    known: dict[str, str],
    workers: int,
    speaker_pattern: re.Pattern[str] | None = None,
    max_unpacked: int | None = None,
) -> Generator[tuple[Path, _Prepared | TrivselError], None, None]:
    """The files parsed (and segmented), in order, lazily.

    Closing the iterator early (the caller failed) cancels the files not yet
    begun and waits only for those being parsed.
    """
    jobs = [(path, text_column, name, known, speaker_pattern, max_unpacked) for path in files]
    if workers >= 1 and len(files) > 1 and "fork" in multiprocessing.get_all_start_methods():
        # Load spaCy once here, so forked workers share it instead of loading it again.
        sentence_pipeline()
        gc.freeze()  # what the workers inherit is left alone by the collector: no copy-on-write
        try:
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent)
            try:
                yield from zip(files, pool.map(_prepare_job, jobs, chunksize=1))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        except BrokenProcessPool:
            raise TrivselError(
                "en hjælpeproces til importen stoppede uventet (måske løb maskinen tør for hukommelse)",
                "filer, der nåede at blive gemt, er gemt hele; kør samme import igen – de springes over som uændrede",
            ) from None
        finally:
            gc.unfreeze()
        return
    for job in jobs:
        yield job[0], _prepare_job(job)


def _store(session: Session, prep: _Prepared, result: FileResult, *, replace: bool, similarity: float) -> None:
    parsed = prep.parsed
    result.source = parsed.name
    # The source of that name, or failing it one with the same text, in one look.
    same = session.execute(_SAME_SOURCE, {"name": parsed.name, "digest": prep.digest}).all()
    named = next((row for row in same if row.name == parsed.name), None)
    resplit = False
    if named is not None and named.content_hash == prep.digest:
        if _same_turns(session, named.id, parsed):
            # Its warnings were shown when it was imported: not again.
            result.status = "unchanged"
            result.passages = len(parsed.turns)
            return
        resplit = True
    if named is None and same:
        result.status = "duplicate"
        result.warnings.append(
            f"samme tekst er allerede importeret som kilden '{same[0].name}'; filen er sprunget over"
        )
        return
    result.warnings.extend(parsed.warnings)
    if resplit and not replace:
        result.warnings.append(
            f"{Path(parsed.file_name).name}: teksten er uændret, men replikkerne er delt anderledes end ved sidste import; "
            "kodningerne er flyttet med"
        )
    existing = session.get(Source, named.id) if named is not None else None
    sentences = prep.ensure_sentences()
    if prep.cpr:
        result.warnings.append(
            f"{Path(parsed.file_name).name}: teksten ser ud til at indeholde et CPR-nummer – fjern det, eller brug --pseudonymize ved eksport"
        )
    result.passages = len(parsed.turns)
    result.words = prep.words
    if existing is None:
        _insert_source(session, parsed, prep.digest, sentences)
        result.status = "imported"
        return
    if replace:
        session.delete(existing)
        session.flush()
        _insert_source(session, parsed, prep.digest, sentences)
        result.status = "replaced"
        return
    score = texts_similar(existing.text, parsed.text, similarity)
    if score is None:
        raise TrivselError(
            f"{Path(parsed.file_name).name}: kilden '{parsed.name}' findes allerede med en helt anden tekst",
            "importér den under et andet navn med --name NAVN, eller erstat den med --replace",
        )
    result.unplaced = _revise(session, existing, parsed, prep.digest, sentences, notes=result.warnings)
    result.status = "revised"
    if result.unplaced:
        result.warnings.append(
            f"{len(result.unplaced)} kodning(er) kunne ikke genplaceres i den reviderede tekst; de er gemt og vises med `trivselkode codings unplaced`"
        )


def _source_fields(parsed: ParsedSource, digest: str) -> dict[str, Any]:
    meta = dict(parsed.metadata)
    fields: dict[str, Any] = {
        "title": str(meta.pop("title", "") or parsed.name),
        "kind": meta.pop("kind", None),
        "site": meta.pop("site", None),
        "context": meta.pop("context", None),
        "round": meta.pop("round", None),
        "date": str(meta["date"]) if meta.get("date") is not None else None,
        "file_name": Path(parsed.file_name).name,
        "content_hash": digest,
        "text": parsed.text,
    }
    meta.pop("date", None)
    meta.pop("name", None)
    meta.pop("participants", None)
    fields["extra"] = _jsonable(meta)
    return fields


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _participant_fields(p: Any) -> dict[str, Any]:
    return {
        "role": p.role,
        "gender": p.gender,
        "age": p.age,
        "site": p.site,
        "attributes": _jsonable(dict(p.attributes)),
    }


_SOURCE: Table = Source.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
_PARTICIPANT: Table = Participant.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
_PASSAGE: Table = Passage.__table__  # type: ignore[attr-defined]  # sqlmodel's types lack __table__
# Statements built once: the import runs them for every file.
_SAME_SOURCE = (
    select(_SOURCE.c.id, _SOURCE.c.name, _SOURCE.c.content_hash)
    .where(or_(_SOURCE.c.name == bindparam("name"), _SOURCE.c.content_hash == bindparam("digest")))
    .order_by(_SOURCE.c.id)
)
_STORED_TURNS = (
    select(_PASSAGE.c.start, _PASSAGE.c.end, _PARTICIPANT.c.label)
    .join(_PARTICIPANT, _PASSAGE.c.participant_id == _PARTICIPANT.c.id)
    .where(_PASSAGE.c.source_id == bindparam("source_id"))
    .order_by(_PASSAGE.c.number)
)
_INSERT_SOURCE = insert(_SOURCE)
_INSERT_PARTICIPANT = insert(_PARTICIPANT)
_PARTICIPANT_IDS = select(_PARTICIPANT.c.label, _PARTICIPANT.c.id).where(
    _PARTICIPANT.c.source_id == bindparam("source_id")
)


def _same_turns(session: Session, source_id: int, parsed: ParsedSource) -> bool:
    """Whether the stored passages of the source are ``parsed``'s turns (same offsets and speakers)."""
    stored = session.execute(_STORED_TURNS, {"source_id": source_id}).all()
    return len(stored) == len(parsed.turns) and all(
        row[0] == t.start and row[1] == t.end and row[2] == t.speaker for row, t in zip(stored, parsed.turns)
    )


def _insert_source(session: Session, parsed: ParsedSource, digest: str, sentences: list[str]) -> int:
    """A new source, its participants and its passages, in Core statements (no ORM objects)."""
    fields = _source_fields(parsed, digest)
    result = cast(
        CursorResult[Any], session.execute(_INSERT_SOURCE, {"name": parsed.name, "imported_at": utcnow(), **fields})
    )
    primary_key = cast(Row[Any], result.inserted_primary_key)  # always set after a single-row insert
    source_id: int = primary_key[0]
    if parsed.participants:
        session.execute(
            _INSERT_PARTICIPANT,
            [{"source_id": source_id, "label": p.label, **_participant_fields(p)} for p in parsed.participants],
        )
    ids = dict(session.execute(_PARTICIPANT_IDS, {"source_id": source_id}).all())
    _insert_passages(session, source_id, parsed, sentences, ids)
    return source_id


def _upsert_participants(
    session: Session, source: Source, parsed: ParsedSource, existing: dict[str, Participant]
) -> dict[str, int]:
    rows: dict[str, Participant] = {}
    for p in parsed.participants:
        row = existing.get(p.label)
        if row is None:
            row = Participant(source_id=cast(int, source.id), label=p.label, **_participant_fields(p))
        else:
            # Keep attributes set after import unless the file now states them.
            row.role = p.role
            row.gender = p.gender if p.gender is not None else row.gender
            row.age = p.age if p.age is not None else row.age
            row.site = p.site if p.site is not None else row.site
            row.attributes = {**row.attributes, **_jsonable(dict(p.attributes))}
        session.add(row)
        rows[p.label] = row
    session.flush()  # one batch of inserts for all of them
    return {label: cast(int, row.id) for label, row in rows.items()}


_PASSAGE_COLUMNS = [
    "source_id",
    "number",
    "participant_id",
    "start",
    "end",
    "text",
    "sentences",
    "cue_start",
    "cue_end",
]


def _insert_passages(
    session: Session,
    source_id: int,
    parsed: ParsedSource,
    sentences: list[str],
    participant_ids: dict[str, int],
) -> None:
    sid = source_id
    values = [
        (sid, n, participant_ids[t.speaker], t.start, t.end, t.text, sents, t.cue_start, t.cue_end)
        for n, (t, sents) in enumerate(zip(parsed.turns, sentences), start=1)
    ]
    bulk_insert(session, _PASSAGE, _PASSAGE_COLUMNS, values)


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


def _revise(
    session: Session,
    source: Source,
    parsed: ParsedSource,
    digest: str,
    sentences: list[str],
    *,
    notes: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Replace the source's text by a revision, carrying every coding along.

    When the text is the same and only its turns differ (labels read anew),
    codings move by their place in the text rather than by likeness; a note
    on the ones whose passage was split goes to ``notes``.
    """
    participants = {p.id: p for p in session.exec(select(Participant).where(Participant.source_id == source.id))}
    old_passages = list(
        session.exec(select(Passage).where(Passage.source_id == source.id).order_by(col(Passage.number)))
    )
    old_turns = [Turn(participants[p.participant_id].label, p.text) for p in old_passages]
    new_turns = [Turn(t.speaker, t.text) for t in parsed.turns]
    same_text = source.text == parsed.text
    if same_text:
        mapping = [
            _by_offsets(p, old_turns[i].speaker, None, None, parsed.turns, [t.speaker for t in parsed.turns])[0]
            for i, p in enumerate(old_passages)
        ]
    else:
        mapping = align_turns(old_turns, new_turns)
    by_old_id = {p.id: (i, p) for i, p in enumerate(old_passages)}
    old_ids = list(by_old_id)

    codings = list(session.exec(select(Coding).where(col(Coding.passage_id).in_(old_ids)))) if old_ids else []
    stars = list(session.exec(select(Star).where(col(Star.passage_id).in_(old_ids)))) if old_ids else []
    memos = list(session.exec(select(Memo).where(col(Memo.passage_id).in_(old_ids)))) if old_ids else []
    code_keys = dict(session.exec(select(Code.id, Code.key)).all())
    coder_names = dict(session.exec(select(Coder.id, Coder.name)).all())
    positions = list(session.exec(select(Position).where(Position.source_id == source.id)))
    coding_rows = [c.model_dump() for c in codings]
    star_rows = [s.model_dump() for s in stars]
    memo_rows = [m.model_dump() for m in memos]

    # Update the source and its participants, then swap the passages.
    for key, value in _source_fields(parsed, digest).items():
        if key == "extra":
            value = {**source.extra, **value}
        setattr(source, key, value)
    session.add(source)
    by_label = {p.label: p for p in participants.values()}
    ids = _upsert_participants(session, source, parsed, by_label)
    session.execute(delete(Passage).where(col(Passage.source_id) == source.id))
    session.flush()
    _insert_passages(session, cast(int, source.id), parsed, sentences, ids)
    new_passages = list(
        session.exec(select(Passage).where(Passage.source_id == source.id).order_by(col(Passage.number)))
    )

    unplaced: list[dict[str, Any]] = []
    seen: set[tuple[int, int, int, int, int]] = set()
    placed_rows = []
    new_speakers = [t.speaker for t in parsed.turns]
    split = 0
    for row in coding_rows:
        i, old = by_old_id[row["passage_id"]]
        j = mapping[i]
        span: tuple[int, int] | None = None
        if same_text:
            j, span = _by_offsets(old, old_turns[i].speaker, row["start"], row["end"], new_passages, new_speakers)
            if (
                j is not None
                and row["start"] is None
                and not (new_passages[j].start <= old.start and old.end <= new_passages[j].end)
            ):
                split += 1
        elif j is not None and row["start"] is not None and row["end"] is not None:
            span = move_span(old.text, new_passages[j].text, row["start"], row["end"])
        if j is None or (row["start"] is not None and span is None):
            unplaced.append(
                {
                    "passage": old.number,
                    "speaker": old_turns[i].speaker,
                    "code": code_keys.get(row["code_id"]),
                    "coder": coder_names.get(row["coder_id"]),
                    "text": old.text if row["start"] is None else old.text[row["start"] : row["end"]],
                }
            )
            session.add(
                UnplacedCoding(
                    source_id=cast(int, source.id),
                    passage_number=old.number,
                    speaker=old_turns[i].speaker,
                    passage_text=old.text,
                    code_id=row["code_id"],
                    coder_id=row["coder_id"],
                    start=row["start"],
                    end=row["end"],
                    memo=row["memo"],
                    created_at=row["created_at"],
                )
            )
            continue
        new = new_passages[j]
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
    for row in star_rows:
        i, _old = by_old_id[row["passage_id"]]
        new_index = mapping[i]
        if new_index is not None:
            session.add(
                Star(
                    passage_id=cast(int, new_passages[new_index].id),
                    coder_id=row["coder_id"],
                    created_at=row["created_at"],
                )
            )
    for row in memo_rows:
        i, old = by_old_id[row["passage_id"]]
        new_index = mapping[i]
        if new_index is not None:
            passage_id, source_id, text = new_passages[new_index].id, None, row["text"]
        else:
            # Keep the note on the source, saying where it came from.
            passage_id, source_id = None, source.id
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
    if split and notes is not None:
        notes.append(
            f"{split} kodning(er) af hele udsagn, der nu er delt i flere replikker, ligger på den første del med "
            "samme taler – tjek dem"
        )
    number_map = {old_passages[i].number: new_passages[j].number for i, j in enumerate(mapping) if j is not None}
    for pos in positions:
        pos.passage_number = number_map.get(pos.passage_number, 1)
        session.add(pos)
    # Participants without a passage in the new text (and without attributes worth keeping) go.
    used = {p.participant_id for p in new_passages}
    for p in participants.values():
        if p.id not in used and p.label not in ids:
            session.delete(p)
    session.flush()
    return unplaced
