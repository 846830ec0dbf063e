"""Importing files into a project: parse, segment sentences, store.

Files are stored in batches of about :data:`BATCH_SECONDS` of work, one
transaction each (``--strict``: all files in one); when a file of a batch
fails, the batch is stored again a file at a time. So a failure or a killed
process leaves no half-imported source behind; a file is reported once it is
committed.

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
import itertools
import multiprocessing
import re
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from trivselkode.domain.nlp import sentence_json, sentence_pipeline
from trivselkode.domain.revision import SOURCE_SIMILARITY, texts_similar
from trivselkode.domain.text import content_hash, marks, words_of_marks
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedSource, ParsedTurn
from trivselkode.importers.formats import iter_source_files, parse_file
from trivselkode.importers.labels import compile_speaker_pattern
from trivselkode.storage.db import Project
from trivselkode.storage.models import INTERVIEWER, Source
from trivselkode.storage.source_revision import revise_source
from trivselkode.storage.source_store import insert_source, same_sources, same_turns

_SIX_DIGITS = b"111111"  # six digits in a row in a text's marks: a cheap first look, most texts have none
#: Files are stored in batches of about this much work, one transaction each (a
#: commit per file cost a tenth of an import); each file is stored whole or not at all.
BATCH_SECONDS = 0.2
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
    #: Files in the folders that are no sources (a README, a CSV of codings), with why: named, not imported.
    skipped: list[tuple[str, str]] = field(default_factory=list)

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
            text = self.parsed.text
            marked = marks(text)  # one pass for the word count and a cheap first look for a CPR number
            self.words = words_of_marks(marked)
            self.cpr = _SIX_DIGITS in marked and CPR_RE.search(text) is not None
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
    results; each file is still stored whole or not at all, in order.
    Never use workers from a process with threads (the TUI): fork is unsafe there.
    ``speaker_pattern`` describes more speaker labels (``--speaker-pattern``);
    ``max_unpacked`` bounds what a ``.docx``/``.xlsx`` may unpack to (``--max-unpacked``).
    """
    pattern = compile_speaker_pattern(speaker_pattern, "--speaker-pattern") if speaker_pattern else None
    if isinstance(max_unpacked, str):
        from trivselkode.importers.safety import parse_size

        max_unpacked = parse_size(max_unpacked)
    problems: list[tuple[Path, TrivselError]] = []
    skipped: list[tuple[Path, str]] = []
    files = iter_source_files(paths, problems, skipped)
    if strict and problems:
        raise TrivselError(
            _("{message} – intet er importeret (--strict)").format(message=problems[0][1].message), problems[0][1].hint
        )
    if not files and not problems:
        raise TrivselError(
            _("ingen filer at importere") + "".join(f"; {p.name}: {why}" for p, why in skipped),
            _("angiv .txt, .md, .docx, .vtt, .srt, .csv eller .xlsx filer eller en mappe med dem"),
        )
    if name is not None and len(files) > 1:
        raise TrivselError(_("--name kan kun bruges, når der importeres én fil"))
    with project.read() as session:
        known = {h: n for n, h in session.exec(select(Source.name, Source.content_hash))}
    report = ImportReport(skipped=[(str(p), why) for p, why in skipped])
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
            raise TrivselError(
                _("{message} – intet er importeret (--strict)").format(message=exc.message), exc.hint
            ) from None
        for result in results:
            report.files.append(result)
            if on_file:
                on_file(result)
        return

    items = iter(prepared)
    while True:
        results, ended, failure = _store_batch(project, items, replace=replace, similarity=similarity)
        for result in results:
            report.files.append(result)
            if on_file:
                on_file(result)
        if failure is not None:
            raise failure
        if ended:
            return


def _store_batch(
    project: Project,
    items: Iterator[tuple[Path, _Prepared | TrivselError]],
    *,
    replace: bool,
    similarity: float,
) -> tuple[list[FileResult], bool, TrivselError | None]:
    """Store the next files of ``items`` for about :data:`BATCH_SECONDS`, in one transaction.

    Should a file fail, the batch's transaction is rolled back and each of
    its files is stored again in a transaction of its own, so that a failed
    file leaves nothing of itself and the others are kept. Returns the
    batch's results (committed), whether ``items`` is used up, and the error
    that ended it (a worker process gone), which the caller raises once the
    files before it are stored and reported.
    """
    batch: list[tuple[_Prepared | TrivselError, FileResult]] = []
    ended, failure = False, None
    deadline = time.monotonic() + BATCH_SECONDS
    try:
        with project.write() as session:
            while not batch or time.monotonic() < deadline:
                try:
                    path, prep = next(items)
                except StopIteration:
                    ended = True
                    break
                except TrivselError as exc:
                    ended, failure = True, exc
                    break
                result = FileResult(path=str(path))
                batch.append((prep, result))
                if isinstance(prep, TrivselError):
                    result.error = str(prep)
                    continue
                _store(session, prep, result, replace=replace, similarity=similarity)
    except TrivselError:
        if not batch:
            raise
        return [_store_alone(project, prep, result.path, replace, similarity) for prep, result in batch], ended, failure
    return [result for _prep, result in batch], ended, failure


def _store_alone(
    project: Project, prep: _Prepared | TrivselError, path: str, replace: bool, similarity: float
) -> FileResult:
    """Store one file in a transaction of its own (its batch failed): its result."""
    result = FileResult(path=path)
    try:
        if isinstance(prep, TrivselError):
            raise prep
        with project.write() as session:
            _store(session, prep, result, replace=replace, similarity=similarity)
    except TrivselError as exc:
        result.status = "failed"
        result.error = str(exc)
    return result


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
            _(
                "{path}: alle {n} replikker er interviewerens, så der er intet at kode – er deltagernes taleretiketter genkendt? Angiv dem under 'participants' i metadata eller med --speaker-pattern"
            ).format(path=path, n=len(parsed.turns))
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


#: Files a worker may have parsed ahead of the one being stored: the parsed files waiting in
#: memory stay this few however many files are imported (their storing is the slower part).
READ_AHEAD = 8


def _in_order(
    pool: ProcessPoolExecutor, jobs: list[tuple], window: int
) -> Generator[tuple[Path, _Prepared | TrivselError], None, None]:
    """Each job's file and result, in order, with at most ``window`` jobs given to the pool at a time."""
    pending: deque[tuple[Path, Future[_Prepared | TrivselError]]] = deque()
    queued = iter(jobs)
    for job in itertools.islice(queued, window):
        pending.append((job[0], pool.submit(_prepare_job, job)))
    while pending:
        path, future = pending.popleft()
        result = future.result()
        for job in itertools.islice(queued, 1):  # the next file, if any, in its place
            pending.append((job[0], pool.submit(_prepare_job, job)))
        yield path, result


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
                yield from _in_order(pool, jobs, workers * READ_AHEAD)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        except BrokenProcessPool:
            raise TrivselError(
                _("en hjælpeproces til importen stoppede uventet (måske løb maskinen tør for hukommelse)"),
                _(
                    "filer, der nåede at blive gemt, er gemt hele; kør samme import igen – de springes over som uændrede"
                ),
            ) from None
        finally:
            gc.unfreeze()
        return
    # What lives on through the import (spaCy's vocabulary, the session) is not
    # scanned again by every collection the files' short-lived objects set off.
    gc.freeze()
    try:
        for job in jobs:
            yield job[0], _prepare_job(job)
    finally:
        gc.unfreeze()


def _store(session: Session, prep: _Prepared, result: FileResult, *, replace: bool, similarity: float) -> None:
    parsed = prep.parsed
    result.source = parsed.name
    # The source of that name, or failing it one with the same text, in one look.
    same = same_sources(session, parsed.name, prep.digest)
    named = next((row for row in same if row.name == parsed.name), None)
    resplit = False
    if named is not None and named.content_hash == prep.digest:
        if same_turns(session, named.id, parsed):
            # Its warnings were shown when it was imported: not again.
            result.status = "unchanged"
            result.passages = len(parsed.turns)
            return
        resplit = True
    if named is None and same:
        result.status = "duplicate"
        result.warnings.append(
            _("samme tekst er allerede importeret som kilden '{name}'; filen er sprunget over").format(
                name=same[0].name
            )
        )
        return
    result.warnings.extend(parsed.warnings)
    if resplit and not replace:
        result.warnings.append(
            _(
                "{name}: teksten er uændret, men replikkerne er delt anderledes end ved sidste import; kodningerne er flyttet med"
            ).format(name=Path(parsed.file_name).name)
        )
    existing = session.get(Source, named.id) if named is not None else None
    sentences = prep.ensure_sentences()
    if prep.cpr:
        result.warnings.append(
            _(
                "{name}: teksten ser ud til at indeholde et CPR-nummer – fjern det, eller brug --pseudonymize ved eksport"
            ).format(name=Path(parsed.file_name).name)
        )
    result.passages = len(parsed.turns)
    result.words = prep.words
    if existing is None:
        insert_source(session, parsed, prep.digest, sentences)
        result.status = "imported"
        return
    if replace:
        session.delete(existing)
        session.flush()
        insert_source(session, parsed, prep.digest, sentences)
        result.status = "replaced"
        return
    score = texts_similar(existing.text, parsed.text, similarity)
    if score is None:
        raise TrivselError(
            _("{name}: kilden '{name2}' findes allerede med en helt anden tekst").format(
                name=Path(parsed.file_name).name, name2=parsed.name
            ),
            _("importér den under et andet navn med --name NAVN, eller erstat den med --replace"),
        )
    result.unplaced = revise_source(session, existing, parsed, prep.digest, sentences, notes=result.warnings)
    result.status = "revised"
    if result.unplaced:
        result.warnings.append(
            _(
                "{n} kodning(er) kunne ikke genplaceres i den reviderede tekst; de er gemt og vises med `trivselkode codings unplaced`"
            ).format(n=len(result.unplaced))
        )
