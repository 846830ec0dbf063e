"""The benchmark: every SPEC §10 figure on one generated project, next to its target.

    make bench                 # or: python bench/run.py [--out bench/out] [--fresh]

Builds (once, cached in ``bench/out``) a corpus of 200 sources with about
1,000,000 words of realistic Danish turns, imports it through the real
pipeline, gives it 3 coders and about 500,000 codings over 40 codes, then
measures each figure in a child process of its own, so that each peak
memory figure is that operation's alone. A figure that misses its target is
printed as MISS, never hidden.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

EXTRA_CODES = 17  # the bundled codebook has 23 leaf codes; 40 in all
QUERIES = [
    "tryghed",
    "bibloteket",
    "personalet er søde",
    "ro i hovedet",
    "fællesskab uden pres",
    "arrangement",
    "strikkecafé",
    "jeg føler mig velkommen",
    "læser avisen",
    "børnene",
    "kaffe",
    "ensomhed",
    "mening",
    "forfatteraften",
    "stille",
    "hjælpsom",
    "sprogcafé",
    "lånte bøger",
    "bliver et roligere menneske",
    "tro på verden",
]


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


# --- measurements, each run in a child process --------------------------------------------


def m_import(db: str, corpus: str) -> dict:
    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.domain.nlp import sentence_pipeline
    from trivselkode.importers.pipeline import import_paths
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project

    started = time.perf_counter()
    project, _ = open_project(db)
    load_codebook(project, load_codebook_file(bundled_codebook()))
    sentence_pipeline()  # the one-off load, timed apart: spaCy's own nlp.pipe figure leaves it out too
    loaded = time.perf_counter()
    report = import_paths(project, [corpus], workers=os.cpu_count() or 1)  # as `trivselkode import` does
    done = time.perf_counter()
    assert not report.failed, report.failed[0].error
    return {"seconds": done - started, "pipeline": done - loaded, "words": report.words, "files": len(report.files)}


def m_spacy(corpus: str) -> dict:
    """spaCy's own ``nlp.pipe`` over the corpus's turns: the import's yardstick."""
    from trivselkode.importers.formats import iter_source_files, parse_file

    texts = [t.text for p in iter_source_files([corpus]) for t in parse_file(p).turns]
    words = sum(len(t.split()) for t in texts)
    started = time.perf_counter()
    from trivselkode.domain.nlp import sentence_pipeline

    nlp = sentence_pipeline()  # import spacy, spacy.blank("da"), the sentencizer
    loaded = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=512):
        pass
    return {"seconds": time.perf_counter() - loaded, "load": loaded - started, "words": words}


def m_codings(db: str) -> dict:
    from corpus import add_codings
    from sqlmodel import select

    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code

    project, _ = open_project(db)
    with project.write() as s:
        parent = s.exec(select(Code.id).where(Code.key == "M")).one()
        for i in range(1, EXTRA_CODES + 1):
            s.add(Code(key=f"X{i:02d}", name=f"Benchmarkkode {i}", kind="miljø", parent_id=parent, position=100 + i))
    project.dispose()
    started = time.perf_counter()
    n = add_codings(db, coders=3, target=500_000)
    return {"seconds": time.perf_counter() - started, "codings": n}


def m_search(db: str) -> dict:
    from trivselkode.analysis.search import SearchIndex
    from trivselkode.storage.db import open_project

    project, _ = open_project(db)
    started = time.perf_counter()
    index = SearchIndex(project)
    index.build()
    build = time.perf_counter() - started
    times = []
    for q in QUERIES:
        t = time.perf_counter()
        index.search(q, limit=200)
        times.append(time.perf_counter() - t)
    times.sort()
    return {"build": build, "median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))]}


def m_agreement(db: str) -> dict:
    from sqlalchemy import func
    from sqlmodel import select

    from trivselkode.analysis.icr import agreement_report
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code, Participant, Passage, Source

    project, _ = open_project(db)
    with project.read() as s:
        counts = s.exec(
            select(Source.name, func.count())
            .join(Passage, Passage.source_id == Source.id)
            .join(Participant, Passage.participant_id == Participant.id)
            .where(Participant.role != "interviewer")
            .group_by(Source.name)
            .order_by(Source.name)
        ).all()
        leaves = list(s.exec(select(Code.key).where(Code.key.not_in(["B", "B.gennemgribende", "L", "M"]))))
    chosen, total = [], 0
    for name, n in counts:
        if total >= 10_000:
            break
        chosen.append(name)
        total += n
    started = time.perf_counter()
    report = agreement_report(project, ["koder1", "koder2", "koder3"], leaves, chosen)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "units": report.units,
        "codes": len(report.codes),
        "alpha": report.pooled.krippendorff_alpha,
    }


def m_frequencies(db: str) -> dict:
    from trivselkode.analysis.frequencies import compute_frequencies
    from trivselkode.storage.db import open_project

    project, _ = open_project(db)
    started = time.perf_counter()
    result = compute_frequencies(project)
    return {"seconds": time.perf_counter() - started, "rows": len(result.rows)}


def m_quotes(db: str) -> dict:
    from trivselkode.analysis.quotes import collect_quotes
    from trivselkode.storage.db import open_project

    project, _ = open_project(db)
    started = time.perf_counter()
    collection = collect_quotes(project, n=5)
    return {"seconds": time.perf_counter() - started, "quotes": len(collection.quotes)}


def m_refi(db: str, out: str) -> dict:
    from trivselkode.export.refi import export_project
    from trivselkode.storage.db import open_project

    project, _ = open_project(db)
    started = time.perf_counter()
    export_project(project, out)
    return {"seconds": time.perf_counter() - started, "bytes": Path(out).stat().st_size}


MEASURES = {
    "import": m_import,
    "spacy": m_spacy,
    "codings": m_codings,
    "search": m_search,
    "agreement": m_agreement,
    "frequencies": m_frequencies,
    "quotes": m_quotes,
    "refi": m_refi,
}


def child(name: str, *args: str) -> dict:
    """Run one measurement in a fresh process; its result and its peak memory."""
    proc = subprocess.run([sys.executable, __file__, "--child", name, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wall(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--fresh", action="store_true", help="rebuild the corpus and the project")
    parser.add_argument("--no-tui", action="store_true", help="skip the TUI figures")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, *rest = args.child
        result = MEASURES[name](*rest)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0

    from corpus import write_corpus

    out: Path = args.out
    corpus = out / "corpus"
    db = out / "bench.db"
    if args.fresh and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, bool]] = []

    def row(name: str, figure: str, target: str, ok: bool) -> None:
        rows.append((name, figure, target, ok))
        print(f"{name:<44} {figure:<42} {target:<20} {'OK' if ok else 'MISS'}", flush=True)

    if not corpus.exists():
        print(f"generating the corpus in {corpus} …", file=sys.stderr)
        write_corpus(corpus)
    print(f"{'figure':<44} {'measured':<42} {'target':<20}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    imp = child("import", str(db), str(corpus))
    sp = child("spacy", str(corpus))
    # Both sides handle the same turns: the ratio of rates is the inverse ratio of times.
    words = sp["words"]  # the words of the turns (the import's own count adds the speaker labels)
    rate = words / imp["seconds"]
    row(
        "import (files to stored, end to end)",
        f"{rate:,.0f} words/s ({words:,} words, {imp['seconds']:.2f} s)",
        "≥ 100,000 words/s",
        rate >= 100_000,
    )
    share = sp["seconds"] / imp["pipeline"]
    row(
        "  as a share of spaCy's own nlp.pipe",
        f"{share:.2f} ({imp['pipeline']:.2f} s against spaCy's {sp['seconds']:.2f} s)",
        "≥ 0.6",
        share >= 0.6,
    )
    whole = (sp["load"] + sp["seconds"]) / imp["seconds"]
    row(
        "  the same, both counting spaCy's load",
        f"{whole:.2f} ({imp['seconds']:.2f} s against {sp['load'] + sp['seconds']:.2f} s)",
        "≥ 0.6",
        whole >= 0.6,
    )
    row("  peak memory", f"{imp['peak_mb']:.0f} MB", "≤ 500 MB", imp["peak_mb"] <= 500)
    fresh = out / "cli-import.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    cli_import = wall([sys.executable, "-m", "trivselkode", "--db", str(fresh), "import", str(corpus)], runs=1)
    row(
        "  `trivselkode import` from process start",
        f"{cli_import:.2f} s ({words / cli_import:,.0f} words/s)",
        "(no target)",
        True,
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    cod = child("codings", str(db))
    print(f"(bench project: {cod['codings']:,} codings by 3 coders added in {cod['seconds']:.1f} s)", file=sys.stderr)

    se = child("search", str(db))
    row(
        "fuzzy search over 1,000,000 words",
        f"median {se['median'] * 1000:.0f} ms, p95 {se['p95'] * 1000:.0f} ms",
        "≤ 300 ms",
        se["p95"] <= 0.3,
    )
    row("  index build (once per session)", f"{se['build']:.2f} s", "(no target)", True)
    row("  peak memory", f"{se['peak_mb']:.0f} MB", "≤ 500 MB", se["peak_mb"] <= 500)
    sq = json.loads(subprocess.run([sys.executable, str(ROOT / "bench" / "search_quality.py"), "--json"],
                                   cwd=ROOT, capture_output=True, text=True, check=True).stdout)  # fmt: skip
    for name, f in sorted(sq["categories"].items(), key=lambda kv: (kv[0] == "i alt", kv[0])):
        row(f"  search quality: {name} ({f['queries']} queries)", f"precision {f['precision']:.2f}, recall {f['recall']:.2f}", "(no target)", True)  # fmt: skip
    from suggest_quality import suggestion_rows

    for name, figure, target, ok in suggestion_rows():
        row(name, figure, target, ok)
    ag = child("agreement", str(db))
    row(
        f"agreement {ag['units']:,} passages × {ag['codes']} codes × 3",
        f"{ag['seconds']:.2f} s",
        "≤ 1 s",
        ag["seconds"] <= 1,
    )
    row("  peak memory", f"{ag['peak_mb']:.0f} MB", "≤ 500 MB", ag["peak_mb"] <= 500)
    fr = child("frequencies", str(db))
    row(f"frequencies over {cod['codings']:,} codings", f"{fr['seconds']:.2f} s", "≤ 1 s", fr["seconds"] <= 1)
    row("  peak memory", f"{fr['peak_mb']:.0f} MB", "≤ 500 MB", fr["peak_mb"] <= 500)
    qu = child("quotes", str(db))
    row(f"quotes for all codes ({qu['quotes']} quotes)", f"{qu['seconds']:.2f} s", "≤ 2 s", qu["seconds"] <= 2)
    row("  peak memory", f"{qu['peak_mb']:.0f} MB", "≤ 500 MB", qu["peak_mb"] <= 500)
    qdpx = out / "bench.qdpx"
    re_ = child("refi", str(db), str(qdpx))
    row(
        f"REFI export of the corpus ({re_['bytes'] / 1e6:.0f} MB)",
        f"{re_['seconds']:.2f} s",
        "≤ 10 s",
        re_["seconds"] <= 10,
    )
    row("  peak memory", f"{re_['peak_mb']:.0f} MB", "≤ 500 MB", re_["peak_mb"] <= 500)
    status = wall([sys.executable, "-m", "trivselkode", "--db", str(db), "status", "--format", "json"])
    row("CLI `status` from process start", f"{status:.2f} s", "≤ 1.2 s", status <= 1.2)

    unjudged: list[str] = []
    if not args.no_tui:
        print("\nTUI (bench/tui_bench.py):", flush=True)
        tui = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "tui_bench.py")], cwd=ROOT, capture_output=True, text=True
        )
        print(tui.stdout, end="", flush=True)
        method = ""
        for line in tui.stdout.splitlines():
            if not line.startswith(" "):
                method = line.split("(")[0].strip()
            if "(ok)" in line or "(OVER)" in line:
                rows.append((f"TUI {line.split('ms/key')[0].strip()}, {method}", "", "", "(ok)" in line))
            elif "not judged" in line:
                unjudged.append(
                    f"TUI {line.split('ms/key')[0].strip()}, {method}: added {line.split('added median')[1].split('ms')[0].strip()} ms"
                )
        print("\nUdtræk (bench/retrieval_bench.py):", flush=True)
        ret = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "retrieval_bench.py")], cwd=ROOT, capture_output=True, text=True
        )
        print(ret.stdout, end="", flush=True)
        rows += [
            (f"Udtræk {ln.split('  ')[0].strip()}", "", "", "(ok)" in ln)
            for ln in ret.stdout.splitlines()
            if "(ok)" in ln or "(OVER)" in ln
        ]
    rows = [r for r in rows if r[2] != "(no target)"]
    missed = [r for r in rows if not r[3]]
    print(
        f"\n{len(rows) - len(missed)} of {len(rows)} figures within target"
        + (f"; missed: {', '.join(r[0].strip() for r in missed)}" if missed else "")
    )
    if unjudged:
        print("printed, not judged (too coarse for the target): " + "; ".join(unjudged))
    return 0


if __name__ == "__main__":
    sys.exit(main())
