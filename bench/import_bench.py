"""The import against its yardstick: spaCy's own ``nlp.pipe`` over what the import hands to spaCy.

    python bench/import_bench.py CORPUS [--workers N] [--db PATH]

:func:`ours` imports a folder as ``trivselkode import`` does (a fresh SQLite
project with the bundled codebook, :func:`~trivselkode.importers.pipeline.import_paths`);
:func:`reference` runs spaCy's ``nlp.pipe`` (``spacy.blank("da")`` and the
sentencizer: :func:`~trivselkode.domain.nlp.sentence_pipeline`) over the
turns the import segments: each file parsed by the import's own parser
(before the clock starts), its turns grouped into documents
(:func:`~trivselkode.domain.nlp.sentence_documents`: the grouping the import
tokenizes when it cannot go by chunks), piped in batches of
:data:`~trivselkode.domain.nlp.BATCH`, with as many processes as the import's
workers. The import finds the same sentences reading only the chunks around
sentence-final characters (:func:`~trivselkode.domain.nlp._sentence_starts`).

spaCy's one-off load (``import spacy``, ``spacy.blank``) is left out of both
sides' measured part and reported apart as ``load``: it is the same on both
sides and does not grow with the corpus. Each side's ``cpu`` is its own CPU
time plus that of its worker processes (which both sides have ended and waited
for before the clock stops). bench/run.py calls both in fresh child processes.

With ``workers`` ≥ 1 the import forks that many workers (which inherit the
loaded pipeline) while its own process stores; spaCy's ``n_process`` pipe
sends every document to its workers and every ``Doc`` back serialised, which
costs it several times its single-process CPU time: judge the CPU ratio on
``workers=0`` and the multi-process figures on wall time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trivselkode.storage.db import Project

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    """CPU seconds of this process and of its ended, waited-for children."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def ours(corpus: str, db: str, workers: int) -> dict:
    """Import ``corpus`` into a fresh project at ``db`` with ``workers`` worker processes (0: in this one)."""
    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.domain.nlp import sentence_pipeline
    from trivselkode.importers.pipeline import import_paths
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    project, _ = open_project(db)
    load_codebook(project, load_codebook_file(bundled_codebook()))
    started = time.perf_counter()
    sentence_pipeline()  # the one-off load, timed apart (the reference leaves it out too)
    load = time.perf_counter() - started
    cpu, started = _cpu(), time.perf_counter()
    report = import_paths(project, [corpus], workers=workers)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    assert not report.failed, report.failed[0].error
    words = _turn_words(project)
    project.dispose()
    return {"seconds": seconds, "cpu": cpu, "words": words, "files": len(report.files), "load": load}


def _turn_words(project: Project) -> int:
    """The words of the stored passages (the import's own count adds the speaker labels)."""
    from sqlalchemy import text

    with project.read() as session:
        return sum(len(t.split()) for (t,) in session.execute(text("SELECT text FROM passage")))


def _documents(corpus: str) -> tuple[list[list[str]], int]:
    """The documents the import hands to spaCy, file by file, and the words of the turns."""
    from trivselkode.domain.nlp import PIECE, sentence_documents
    from trivselkode.importers.formats import iter_source_files, parse_file

    files, words = [], 0
    for path in iter_source_files([corpus]):
        parsed = parse_file(path)
        texts = [t.text for t in parsed.turns]
        # longer turns are cut into pieces by the import (domain/nlp.py _long_sentences): none in the bench corpus
        assert all(len(t) <= PIECE for t in texts), f"{path}: a turn longer than {PIECE} characters"
        files.append(list(sentence_documents(texts)))
        words += sum(len(t.split()) for t in texts)
    return files, words


def reference(corpus: str, workers: int) -> dict:
    """spaCy's own ``nlp.pipe`` over the documents the import segments, with ``max(workers, 1)`` processes."""
    from trivselkode.domain.nlp import BATCH, sentence_pipeline

    files, words = _documents(corpus)  # parsed by the import's own parser, before the clock starts
    documents = [d for docs in files for d in docs]
    started = time.perf_counter()
    nlp = sentence_pipeline()
    load = time.perf_counter() - started
    cpu, started = _cpu(), time.perf_counter()
    tokens = 0
    for doc in nlp.pipe(documents, batch_size=BATCH, n_process=max(workers, 1)):
        tokens += len(doc)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    return {"seconds": seconds, "cpu": cpu, "words": words, "documents": len(documents), "load": load, "tokens": tokens}


def _child(name: str, *args: str) -> dict:
    import json
    import subprocess

    code = f"import json, import_bench as b; print(json.dumps(b.{name}({', '.join(args)})))"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent, capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--db", default="/tmp/import-bench.db")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ratios = []
    for _ in range(args.runs):  # interleaved, each in a fresh process
        mine = _child("ours", repr(args.corpus), repr(args.db), str(args.workers))
        ref = _child("reference", repr(args.corpus), str(args.workers))
        ratios.append(ref["cpu"] / mine["cpu"])
        print(
            f"ours {mine['cpu']:.2f} s CPU ({mine['seconds']:.2f} s wall, {mine['words']:,} words, "
            f"{mine['files']} files); spaCy {ref['cpu']:.2f} s CPU ({ref['seconds']:.2f} s wall, "
            f"{ref['documents']:,} documents); ratio {ratios[-1]:.3f}",
            flush=True,
        )
    ratios.sort()
    print(f"ratio spaCy/ours (CPU): median {ratios[len(ratios) // 2]:.3f}, min {ratios[0]:.3f}, max {ratios[-1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
