"""The benchmark corpus: realistic Danish turns, generated reproducibly.

Sentences are drawn from the bundled demo transcripts (so the words, their
length and punctuation are those of real interview Danish) and recombined
into new turns and sources of about 2,000 words each (500 sources for
1,000,000 words), with an interviewer and several participants each. A bench
project then gets 17 more codes (40 leaf codes in all), 3 coders and about
half a coding per word by bulk insert, spread over every leaf code.

    python bench/corpus.py OUT [WORDS]   # OUT/corpus (the files) and OUT/bench.db
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITES = ("Randers", "Viborg", "Holstebro")
WORDS_PER_SOURCE = 2_000
EXTRA_CODES = 17  # the bundled codebook has 23 leaf codes; 40 in all
CODINGS_PER_WORD = 0.5
KINDS = ("interview", "voxpop")
CONTEXTS = ("bibliotek", "arrangement")


def demo_sentences() -> tuple[list[str], list[str]]:
    """Participant sentences and interviewer questions from the demo transcripts."""
    from trivselkode.cli.project import demo_source_files
    from trivselkode.importers.formats import parse_file

    answers: list[str] = []
    questions: list[str] = []
    for path in demo_source_files():
        parsed = parse_file(path, text_column="svar")
        roles = {p.label: p.role for p in parsed.participants}
        for turn in parsed.turns:
            pieces = [s.strip() for s in re.split(r"(?<=[.!?])\s+", turn.text.replace("\n", " ")) if s.strip()]
            (questions if roles.get(turn.speaker) == "interviewer" else answers).extend(pieces)
    return answers, questions


def write_corpus(folder: Path, words: int = 1_000_000, sources: int | None = None, seed: int = 2026) -> int:
    """Write ``sources`` .txt files (default: one per 2,000 words) of about ``words`` words in all;
    returns the word count."""
    sources = sources or max(1, words // WORDS_PER_SOURCE)
    folder.mkdir(parents=True, exist_ok=True)
    answers, questions = demo_sentences()
    rng = random.Random(seed)
    per_source = words // sources
    total = 0
    for n in range(sources):
        people = rng.randint(1, 6)
        site = SITES[n % 3]
        lines = [
            "---",
            f"title: Benchmark {n + 1}, {site}",
            f"kind: {KINDS[n % 2]}",
            f"site: {site}",
            f"context: {CONTEXTS[(n // 2) % 2]}",
            f"round: {n % 2 + 1}",
            "participants:",
            "  - {id: I, role: interviewer}",
        ]
        for p in range(1, people + 1):
            lines.append(f"  - {{id: P{p}, gender: {rng.choice(['kvinde', 'mand'])}, age: {rng.randint(18, 85)}}}")
        lines.append("---")
        count = 0
        while count < per_source:
            q = rng.choice(questions)
            lines.append(f"I: {q}")
            count += len(q.split())
            answer = " ".join(rng.choice(answers) for _ in range(rng.randint(1, 6)))
            lines.append(f"P{rng.randint(1, people)}: {answer}")
            count += len(answer.split())
        total += count
        (folder / f"kilde-{n + 1:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return total


def add_bench_codes(db: str) -> None:
    """17 more leaf codes under ``M``, so that the codebook has 40 leaf codes as SPEC §10 asks."""
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code

    project, _ = open_project(db)
    with project.write() as s:
        parent = s.exec(select(Code.id).where(Code.key == "M")).one()
        for i in range(1, EXTRA_CODES + 1):
            s.add(Code(key=f"X{i:02d}", name=f"Benchmarkkode {i}", kind="miljø", parent_id=parent, position=100 + i))
    project.dispose()


def leaf_codes(session) -> list[tuple[int, str]]:  # noqa: ANN001
    """Every code no other code hangs under: (id, key), in id order."""
    from sqlmodel import select

    from trivselkode.storage.models import Code

    parents = set(session.exec(select(Code.parent_id).where(Code.parent_id.is_not(None))))
    return [(cid, key) for cid, key in session.exec(select(Code.id, Code.key).order_by(Code.id)) if cid not in parents]


def add_codings(db: str, coders: int = 3, target: int = 500_000, seed: int = 7) -> int:
    """Give the bench project ``coders`` coders and about ``target`` codings (bulk insert), every
    leaf code used, each coder marking every source done."""
    import numpy as np
    from sqlalchemy import insert
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Coder, Coding, Participant, Passage, Source, SourceDone

    project, _ = open_project(db)
    rng = np.random.default_rng(seed)
    with project.write() as s:
        codes = [cid for cid, _key in leaf_codes(s)]
        passages = np.array(
            [
                pid
                for pid, role in s.exec(
                    select(Passage.id, Participant.role).join(Participant, Passage.participant_id == Participant.id)
                )
                if role != "interviewer"
            ]
        )
        coder_ids = []
        for i in range(coders):
            coder = Coder(name=f"koder{i + 1}")
            s.add(coder)
            s.flush()
            coder_ids.append(coder.id)
        per_coder = target // coders
        # Each passage gets a "true" set of codes; each coder agrees with it most of the time. Some
        # codes are common and some rare (weights 1..4), as in a real codebook, but none is unused.
        weights = 1 + (np.arange(len(codes)) % 4)
        density = per_coder / len(passages) * weights / weights.sum()
        true = rng.random((len(passages), len(codes))) < np.minimum(density, 0.9)
        total = 0
        for cid in coder_ids:
            flip = rng.random(true.shape) < 0.02
            rows_i, cols_j = np.nonzero(np.logical_xor(true, flip))
            for k in range(0, len(rows_i), 50_000):
                rows = [
                    {"passage_id": int(passages[i]), "code_id": codes[j], "coder_id": cid}
                    for i, j in zip(rows_i[k : k + 50_000], cols_j[k : k + 50_000], strict=True)
                ]
                s.execute(insert(Coding), rows)
            total += len(rows_i)
        for sid in s.exec(select(Source.id)):
            for cid in coder_ids:
                s.add(SourceDone(source_id=sid, coder_id=cid))
    project.dispose()
    return total


def build_project(out: Path, words: int, workers: int | None = None) -> dict:
    """``out/corpus`` (written if absent) imported into a fresh ``out/bench.db``, with the 40 codes
    and the codings; what was built, and the import's own time."""
    import os
    import time

    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.importers.pipeline import import_paths
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project

    corpus, db = out / "corpus", out / "bench.db"
    if not corpus.exists():
        write_corpus(corpus, words)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    project, _ = open_project(str(db))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    started = time.perf_counter()
    report = import_paths(project, [corpus], workers=workers or os.cpu_count() or 1)
    seconds = time.perf_counter() - started
    project.dispose()
    if report.failed:
        raise RuntimeError(report.failed[0].error)
    add_bench_codes(str(db))
    codings = add_codings(str(db), target=int(report.words * CODINGS_PER_WORD))
    return {"words": report.words, "sources": len(report.files), "codings": codings, "import_seconds": seconds}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench" / "out")
    print(build_project(target, int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000))


def current_schema(db: Path) -> Path:
    """``db`` brought to this version's schema before anything is timed on it.

    A bench project is built once and kept; after a schema change its first
    opening migrates it (seconds at 4M words), which must not fall in a timed
    run. The migration's backup of a bench project is not kept.
    """
    from trivselkode.storage.db import open_project

    before = set(db.parent.glob(f"{db.name}.v*.bak"))
    project, _ = open_project(str(db))
    project.dispose()
    for backup in set(db.parent.glob(f"{db.name}.v*.bak")) - before:
        backup.unlink()
    return db
