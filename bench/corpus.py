"""The benchmark corpus: realistic Danish turns, generated reproducibly.

Sentences are drawn from the bundled demo transcripts (so the words, their
length and punctuation are those of real interview Danish) and recombined
into new turns and sources: 200 sources, about 1,000,000 words in all, with
an interviewer and several participants each. A bench project then gets
3 coders and about 500,000 codings by bulk insert.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITES = ("Randers", "Viborg", "Holstebro")
KINDS = ("interview", "voxpop")
CONTEXTS = ("bibliotek", "arrangement")


def demo_sentences() -> tuple[list[str], list[str]]:
    """Participant sentences and interviewer questions from the demo transcripts."""
    from trivselkode.importers.formats import iter_source_files, parse_file

    answers: list[str] = []
    questions: list[str] = []
    folder = ROOT / "transcripts"
    for path in iter_source_files([folder]):
        if path.name in ("codings-demo.csv", "README.md"):
            continue
        parsed = parse_file(path, text_column="svar")
        roles = {p.label: p.role for p in parsed.participants}
        for turn in parsed.turns:
            pieces = [s.strip() for s in re.split(r"(?<=[.!?])\s+", turn.text.replace("\n", " ")) if s.strip()]
            (questions if roles.get(turn.speaker) == "interviewer" else answers).extend(pieces)
    return answers, questions


def write_corpus(folder: Path, sources: int = 200, words: int = 1_000_000, seed: int = 2026) -> int:
    """Write ``sources`` .txt files of about ``words`` words in all; returns the word count."""
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


def add_codings(db: str, coders: int = 3, target: int = 500_000, seed: int = 7) -> int:
    """Give the bench project ``coders`` coders and about ``target`` codings (bulk insert)."""
    import numpy as np
    from sqlalchemy import insert
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source, SourceDone

    project, _ = open_project(db)
    rng = np.random.default_rng(seed)
    with project.write() as s:
        codes = list(s.exec(select(Code.id).where(Code.shortcut.is_not(None))))
        passages = [
            pid
            for pid, role in s.exec(
                select(Passage.id, Participant.role).join(Participant, Passage.participant_id == Participant.id)
            )
            if role != "interviewer"
        ]
        coder_ids = []
        for i in range(coders):
            coder = Coder(name=f"koder{i + 1}")
            s.add(coder)
            s.flush()
            coder_ids.append(coder.id)
        per_coder = target // coders
        # Each passage gets a "true" set of codes; each coder agrees with it most of the time.
        true = rng.random((len(passages), len(codes))) < (per_coder / (len(passages) * len(codes)))
        rows = []
        for cid in coder_ids:
            flip = rng.random(true.shape) < 0.02
            mine = np.logical_xor(true, flip)
            for i, j in zip(*np.nonzero(mine)):
                rows.append({"passage_id": passages[i], "code_id": codes[j], "coder_id": cid})
        for k in range(0, len(rows), 20000):
            s.execute(insert(Coding), rows[k : k + 20000])
        for sid in s.exec(select(Source.id)):
            for cid in coder_ids:
                s.add(SourceDone(source_id=sid, coder_id=cid))
    project.dispose()
    return len(rows)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench" / "out" / "corpus")
    print(write_corpus(out), "words written to", out)
