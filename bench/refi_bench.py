"""Benchmark of the REFI-QDA export on a project of about 1,000,000 words.

Builds (once, cached in ``bench/.cache/refi`` or ``--keep``) a project from
the benchmark corpus (``bench/corpus.py``: 200 sources, about 1,000,000
words), with three coders and about 150,000 codings, a tenth of them narrowed
to a sub-span, and some memos. The build runs in a child process so that the
peak memory printed is that of the export alone.

Then times ``export_project`` (target ≤ 10 s) and prints the figure next to
the target with the process's peak memory (target ≤ 500 MB, SPEC §10).
``--import`` also times importing the written ``.qdpx`` into a new project
(spaCy sentence segmentation included; no target).

Usage: ``python bench/refi_bench.py [--codings 150000] [--keep DIR] [--db PROJECT] [--import]``
(``--db``: an existing project, e.g. one of ``bench/corpus.py``, instead of the built one).
``measure(db, out)`` is the export alone, for ``bench/run.py`` to call in a child process.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 10.0
TARGET_MB = 500.0


def build(db: Path, codings: int) -> None:
    """The bench project at ``db`` (called in a child process)."""
    import random

    from sqlalchemy import insert, update
    from sqlmodel import select

    from bench.corpus import add_codings, write_corpus
    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.importers.pipeline import import_paths
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Coder, Coding, Memo, Passage, Source

    corpus = db.parent / "corpus"
    words = write_corpus(corpus)
    project, _ = open_project(str(db))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    started = time.perf_counter()
    report = import_paths(project, [corpus])
    print(
        f"built: {words:,} words imported in {time.perf_counter() - started:.1f} s ({len(report.files)} files)",
        file=sys.stderr,
    )
    project.dispose()
    n = add_codings(str(db), coders=3, target=codings)
    project, _ = open_project(str(db))
    rng = random.Random(11)
    with project.write() as s:
        lengths = dict(s.exec(select(Passage.id, Passage.end - Passage.start)).all())
        rows = s.exec(select(Coding.id, Coding.passage_id)).all()
        narrowed = []
        for cid, pid in rows:
            if rng.random() < 0.1 and lengths[pid] > 20:
                a = rng.randrange(0, lengths[pid] - 10)
                narrowed.append({"cid": cid, "a": a, "b": rng.randrange(a + 5, lengths[pid])})
        for chunk in range(0, len(narrowed), 20000):
            for row in narrowed[chunk : chunk + 20000]:
                s.execute(update(Coding).where(Coding.id == row["cid"]).values(start=row["a"], end=row["b"]))
        coder = s.exec(select(Coder.id)).first()
        sources = list(s.exec(select(Source.id)))
        passages = list(lengths)
        memos = [{"source_id": sid, "coder_id": coder, "text": f"Notat {i}"} for i, sid in enumerate(sources)]
        memos += [{"passage_id": pid, "coder_id": coder, "text": "Godt citat"} for pid in passages[::50]]
        s.execute(insert(Memo), memos)
    project.dispose()
    print(f"built: {n:,} codings ({len(narrowed):,} narrowed to a span)", file=sys.stderr)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(db: str, out: str) -> dict:
    """Export the project ``db`` to the ``.qdpx`` file ``out``: wall and CPU seconds, and the file's bytes.

    For ``bench/run.py``, which calls it in a fresh child process and adds the
    child's peak memory; only the project is opened before the export.
    """
    from trivselkode.export.refi import export_project
    from trivselkode.storage.db import open_project

    project, _ = open_project(db)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = export_project(project, out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        project.dispose()
    return {"seconds": seconds, "cpu": cpu, "bytes": report.bytes}


def _counts(db: Path) -> tuple[int, int, int]:
    """The project's words, passages and codings (read after the export, a source at a time)."""
    from sqlalchemy import func
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Coding, Passage, Source

    project, _ = open_project(str(db))
    try:
        with project.read() as s:
            words = sum(
                len((s.exec(select(Source.text).where(Source.id == sid)).one() or "").split())
                for sid in s.exec(select(Source.id)).all()
            )
            passages = s.exec(select(func.count()).select_from(Passage)).one()
            codings = s.exec(select(func.count()).select_from(Coding)).one()
    finally:
        project.dispose()
    return words, passages, codings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=150_000)
    parser.add_argument("--keep", type=Path, default=ROOT / "bench" / ".cache" / "refi")
    parser.add_argument("--db", type=Path, help="export this existing project instead of building one")
    parser.add_argument("--import", dest="do_import", action="store_true", help="also time importing the .qdpx")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build(args.build_only, args.codings)
        return 0

    folder = args.keep
    folder.mkdir(parents=True, exist_ok=True)
    if args.db is not None and not args.db.exists():
        parser.error(f"no project at {args.db}")
    db = args.db or folder / f"refi-{args.codings}.db"
    if not db.exists():
        print(f"building the bench project in {db} …", file=sys.stderr)
        tmp = db.with_suffix(".building.db")
        for p in folder.glob(tmp.name + "*"):
            p.unlink()
        subprocess.run([sys.executable, __file__, "--codings", str(args.codings), "--build-only", str(tmp)], check=True)
        tmp.rename(db)

    out = folder / "bench.qdpx"
    result = measure(str(db), str(out))
    seconds, peak = result["seconds"], _peak_mb()
    words, passages, codings = _counts(db)
    verdict = "OK" if seconds <= TARGET_S else "SLOW"
    print(f"project: {words:,} words, {passages:,} passages, {codings:,} codings")
    print(
        f"REFI export (.qdpx, {result['bytes'] / 1e6:.1f} MB): {seconds:6.2f} s ({result['cpu']:.2f} s CPU)"
        f"   target ≤ {TARGET_S:.0f} s   {verdict}"
    )
    print(f"peak memory: {peak:6.0f} MB   target ≤ {TARGET_MB:.0f} MB   {'OK' if peak <= TARGET_MB else 'HIGH'}")
    if args.do_import:
        from trivselkode.importers.refi import import_refi
        from trivselkode.storage.db import open_project

        target = folder / "reimport.db"
        for p in folder.glob("reimport.db*"):
            p.unlink()
        other, _ = open_project(str(target))
        started = time.perf_counter()
        result = import_refi(other, out)
        print(
            f"REFI import of the same file: {time.perf_counter() - started:6.2f} s ({result.codings:,} codings; no target)"
        )
        other.dispose()
    return 0 if seconds <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
