"""Benchmark of the reports: frequencies and quotes over 500,000 codings.

Builds a generated project (1,000 sources, 100,000 passages, 40 codes, three
coders and a consensus on a tenth of the passages) with bulk inserts, then
times

- frequencies (default selection, no grouping) — target ≤ 1 s (SPEC §10);
- frequencies by site and gender — same target;
- quotes for every code (5 each) — target ≤ 2 s;

and prints each next to its target with the peak memory of the process.

Usage: ``python bench/reports_bench.py [--codings 500000] [--keep DIR]``.
The generated project is cached in ``bench/.cache`` (or ``--keep``) between runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from trivselkode.storage.db import open_project

WORDS = (
    "biblioteket er et sted hvor jeg kan være mig selv og finde ro i hovedet når hverdagen "
    "bliver for meget så går jeg herhen og læser avisen eller snakker med personalet som altid "
    "er venlige og hjælpsomme der er plads til alle og ingen dømmer en her føler jeg mig tryg "
    "velkommen og rolig børnene elsker arrangementerne og vi lærer noget nyt hver gang vi kommer"
).split()
SITES = ("Randers", "Viborg", "Holstebro")
KINDS = ("interview", "voxpop", "survey")
GENDERS = ("kvinde", "mand", None)


def _sentence(rng: random.Random) -> str:
    n = rng.randint(5, 16)
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _passage(rng: random.Random) -> tuple[str, list[list[int]]]:
    parts, spans, pos = [], [], 0
    for _ in range(rng.randint(1, 6)):
        s = _sentence(rng)
        if parts:
            pos += 1
        spans.append([pos, pos + len(s)])
        parts.append(s)
        pos += len(s)
    return " ".join(parts), spans


_NOW = "2026-01-01 00:00:00.000000"
_STAMPS = {"coding": "created_at", "coder": "created_at", "source": "imported_at", "star": "created_at"}


def _bulk(session, table: str, rows: list[dict]) -> None:  # noqa: ANN001
    """Rows straight through the SQLite driver's executemany (the ORM's bulk path is ~10× slower)."""
    if not rows:
        return
    columns = list(rows[0])
    stamp = _STAMPS.get(table)
    names = columns + ([stamp] if stamp else [])
    quoted = ", ".join(f'"{c}"' for c in names)
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" for _ in names)})'

    def values(row: dict) -> tuple:
        out = [
            json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for v in (row[c] for c in columns)
        ]
        return tuple(out + ([_NOW] if stamp else []))

    session.connection().connection.dbapi_connection.executemany(sql, [values(r) for r in rows])


def build(db: Path, n_codings: int, seed: int = 7) -> None:
    """The generated project, written with bulk inserts."""
    rng = random.Random(seed)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    project, _ = open_project(str(db))
    n_sources, per_source, n_codes = 1000, 100, 40
    with project.write() as session:
        # A large page cache makes building the coding indexes several times faster.
        session.connection().exec_driver_sql("PRAGMA cache_size = -262144")
        codes = []
        for i in range(n_codes):
            kind = "tema" if i < 7 else ("behov" if i < 20 else ("livskvalitet" if i < 30 else "miljø"))
            codes.append(
                {
                    "id": i + 1,
                    "key": f"C{i + 1:02d}" if i >= 7 else f"T{i + 1}",
                    "name": f"Kode {i + 1}",
                    "kind": kind,
                    "parent_id": None if i % 10 == 0 or i < 7 else (i // 10) * 10 + 1,
                    "position": i,
                    "description": f"Definition af kode {i + 1}.",
                    "include": "",
                    "exclude": "",
                    "characteristics": [],
                    "examples": [],
                    "keywords": rng.sample(WORDS, 3),
                    "retired": False,
                }
            )
        _bulk(session, "code", codes)
        coders = ["anne", "bo", "carl", "konsensus"]
        _bulk(session, "coder", [{"id": i + 1, "name": n} for i, n in enumerate(coders)])
        sources, participants, passages = [], [], []
        pid = 0
        for s in range(n_sources):
            body = []
            sources.append(
                {
                    "id": s + 1,
                    "name": f"kilde-{s + 1:04d}",
                    "title": f"Kilde {s + 1}",
                    "kind": KINDS[s % 3],
                    "site": SITES[s % 3],
                    "context": "bibliotek" if s % 2 else "arrangement",
                    "round": 1 + s % 2,
                    "file_name": "",
                    "content_hash": f"{s:064d}",
                    "text": "",
                    "extra": {},
                }
            )
            ids = []
            for j in range(5):
                pid += 1
                participants.append(
                    {
                        "id": pid,
                        "source_id": s + 1,
                        "label": "I" if j == 0 else f"P{j}",
                        "role": "interviewer" if j == 0 else "participant",
                        "gender": None if j == 0 else GENDERS[rng.randrange(3)],
                        "age": None if j == 0 else rng.randint(8, 90),
                        "site": None,
                        "attributes": {},
                    }
                )
                ids.append(pid)
            pos = 0
            for n in range(per_source):
                speaker = ids[0] if n % 2 == 0 else ids[1 + (n // 2) % 4]
                txt, spans = _passage(rng)
                label = "I: " if speaker == ids[0] else f"P{1 + (n // 2) % 4}: "
                start = pos + len(label)
                body.append(label + txt + "\n")
                passages.append(
                    {
                        "id": s * per_source + n + 1,
                        "source_id": s + 1,
                        "number": n + 1,
                        "participant_id": speaker,
                        "start": start,
                        "end": start + len(txt),
                        "text": txt,
                        "sentences": spans,
                    }
                )
                pos = start + len(txt) + 1
            sources[-1]["text"] = "".join(body)
        _bulk(session, "source", sources)
        _bulk(session, "participant", participants)
        _bulk(session, "passage", passages)
        # Codings on participants' passages: each coder ~1.7 codes a passage,
        # the consensus on every tenth passage; filled up to n_codings.
        targets = [p["id"] for p in passages if p["number"] % 2 == 0]
        rows: list[dict] = []
        seen: set[tuple[int, int, int]] = set()
        while len(rows) < n_codings:
            passage = rng.choice(targets)
            coder = rng.choice((1, 2, 3)) if passage % 10 else rng.choice((1, 2, 3, 4))
            code = 1 + min(int(rng.expovariate(1 / 8)), n_codes - 1)
            key = (passage, code, coder)
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                {"passage_id": passage, "code_id": code, "coder_id": coder, "start": None, "end": None, "memo": None}
            )
        for i in range(0, len(rows), 50_000):
            _bulk(session, "coding", rows[i : i + 50_000])
        stars = [{"passage_id": p, "coder_id": 1} for p in rng.sample(targets, 300)]
        _bulk(session, "star", stars)
    with project.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    project.dispose()


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _time(label: str, target: float, fn, repeat: int = 3) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    verdict = "OK" if best <= target else "OVER"
    print(f"{label:<42} {best:7.3f} s   (mål ≤ {target:.1f} s)  {verdict}   [{len(result)} rækker]")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=500_000)
    parser.add_argument("--keep", type=Path, default=Path(__file__).resolve().parent / ".cache")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.keep.mkdir(parents=True, exist_ok=True)
    db = args.keep / f"reports-{args.codings}.db"
    if args.build_only:
        build(db, args.codings)
        return 0
    if args.rebuild or not db.exists():
        # Built in a child process, so the peak memory below is the reports' own.
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--build-only", "--codings", str(args.codings), "--keep", str(args.keep)],
            check=True,
        )
        print(f"Byggede {db} ({args.codings:,} kodninger) på {time.perf_counter() - t0:.1f} s")
    from trivselkode.analysis.frequencies import compute_frequencies
    from trivselkode.analysis.quotes import collect_quotes

    project, _ = open_project(str(db))
    try:
        with project.read() as session:
            n = session.execute(text("SELECT count(*) FROM coding")).scalar_one()
        print(f"Projekt: {n:,} kodninger, 3 kodere + konsensus")
        _time("frekvenser (standard)", 1.0, lambda: compute_frequencies(project).rows)
        _time(
            "frekvenser --union --by site,gender",
            1.0,
            lambda: compute_frequencies(project, union=True, by="site,gender").rows,
        )
        _time("frekvenser --rollup", 1.0, lambda: compute_frequencies(project, union=True, rollup=True).rows)
        _time(
            "frekvenser --consensus --coders anne,bo",
            1.0,
            lambda: compute_frequencies(project, consensus=True, coders="anne,bo", by="site").rows,
        )
        _time("citater, alle koder, 5 hver", 2.0, lambda: collect_quotes(project, n=5).quotes)
    finally:
        project.dispose()
    print(f"Største hukommelsesforbrug (maxrss): {_peak_mb():.0f} MB")
    # The whole command, process start included (for orientation; no target).
    exe = Path(sys.executable).parent / "trivselkode"
    for command in (["frequencies", "--format", "json"], ["quotes", "--format", "json"]):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--db", str(db), "report", *command], check=True, capture_output=True)
        print(f"trivselkode report {' '.join(command):<28} {time.perf_counter() - t0:7.3f} s   (hele kommandoen)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
