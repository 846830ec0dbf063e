"""Search quality: precision and recall on queries with known answers (bench/search_queries/).

    python bench/search_quality.py [--verbose] [--json]

Two corpora: held-out passages written for this benchmark
(``search_queries/passages.yaml``, in no demo transcript) and the demo
project's transcripts (``transcripts/``, imported through the real pipeline).
``search_queries/queries.yaml`` holds the queries — misspellings, inflections,
compounds, quoted phrases, several words, and words that are in no passage —
each with the passages that should be found, judged by reading the texts.

For each query every hit counts (up to 200): a hit that is expected is a true
positive, one that is not a false positive, an expected passage not found a
false negative. A query's precision is TP / (TP + FP) (1 when it found
nothing: it found nothing wrong) and its recall TP / (TP + FN) (1 when there
was nothing to find, as for "fraværende"); each category's figures, and the
overall ones, are the means over its queries. "all right" counts the queries
that found exactly what they should. ``--verbose`` lists each query's misses
and extras.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUERIES = ROOT / "bench" / "search_queries"
LIMIT = 200


def _heldout(project: Any) -> None:
    """The held-out passages stored as sources, one participant per speaker label ("I" interviews)."""
    import yaml
    from sqlalchemy import insert

    from trivselkode.storage.models import Participant, Passage, Source

    sources = yaml.safe_load((QUERIES / "passages.yaml").read_text(encoding="utf-8"))
    with project.write() as session:
        for name, spec in sources.items():
            turns = [(str(label), str(text)) for label, text in spec["turns"]]
            full = "\n".join(f"{label}: {text}" for label, text in turns)
            source = Source(name=name, kind="interview", site=spec["site"], text=full, content_hash=name)
            session.add(source)
            session.flush()
            people: dict[str, int] = {}
            for label in dict.fromkeys(label for label, _ in turns):
                person = Participant(
                    source_id=source.id, label=label, role="interviewer" if label == "I" else "participant"
                )
                session.add(person)
                session.flush()
                people[label] = int(person.id or 0)
            rows, at = [], 0
            for number, (label, text) in enumerate(turns, start=1):
                start = at + len(label) + 2
                rows.append(
                    {
                        "source_id": source.id,
                        "number": number,
                        "participant_id": people[label],
                        "start": start,
                        "end": start + len(text),
                        "text": text,
                        "sentences": [],
                    }
                )
                at = start + len(text) + 1
            session.execute(insert(Passage), rows)


def _demo(project: Any) -> None:
    """The demo project's transcripts, imported as ``trivselkode demo`` imports them."""
    from trivselkode.cli.project import demo_source_files
    from trivselkode.importers.pipeline import import_paths

    report = import_paths(project, demo_source_files(), text_column="svar")
    if report.failed:
        raise SystemExit(f"the demo transcripts did not import: {report.failed[0].error}")


def evaluate(verbose: bool = False) -> dict[str, Any]:
    """Run every query; the per-category and overall figures (and each query's outcome)."""
    import yaml

    from trivselkode.analysis.search import SearchIndex
    from trivselkode.storage.db import open_project

    queries = yaml.safe_load((QUERIES / "queries.yaml").read_text(encoding="utf-8"))
    outcomes: list[dict[str, Any]] = []
    seconds: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        indexes = {}
        projects = []
        for corpus, fill in (("heldout", _heldout), ("demo", _demo)):
            project, _ = open_project(str(Path(tmp) / f"{corpus}.db"))
            fill(project)
            projects.append(project)
            indexes[corpus] = SearchIndex(project).build()
        for q in queries:
            began = time.perf_counter()
            hits = indexes[q["corpus"]].search(q["query"], limit=LIMIT, exact=bool(q.get("exact")))
            seconds.append(time.perf_counter() - began)
            found = [f"{h.source}#{h.number}" for h in hits]
            expected = set(q["expect"])
            outcomes.append(
                {
                    "query": q["query"],
                    "category": q["category"],
                    "corpus": q["corpus"],
                    "tp": len(expected & set(found)),
                    "fp": [f for f in found if f not in expected],
                    "fn": sorted(expected - set(found)),
                }
            )
        for project in projects:
            project.dispose()
    return {"categories": _figures(outcomes), "queries": outcomes, "max_ms": max(seconds) * 1000}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _figures(outcomes: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per category and overall: the mean over its queries of each query's precision and recall."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in outcomes:
        groups[o["category"]].append(o)
        groups["i alt"].append(o)
    out = {}
    for key, group in groups.items():
        precision = [_ratio(o["tp"], o["tp"] + len(o["fp"])) for o in group]
        recall = [_ratio(o["tp"], o["tp"] + len(o["fn"])) for o in group]
        out[key] = {
            "queries": len(group),
            "precision": sum(precision) / len(group),
            "recall": sum(recall) / len(group),
            "perfect": sum(1 for o in group if not o["fp"] and not o["fn"]),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list each query's misses and extras")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")
    args = parser.parse_args(argv)
    result = evaluate(args.verbose)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{'category':<16} {'queries':>7} {'precision':>9} {'recall':>7} {'all right':>9}")
    for key, f in sorted(result["categories"].items(), key=lambda kv: (kv[0] == "i alt", kv[0])):
        print(f"{key:<16} {f['queries']:>7} {f['precision']:>9.2f} {f['recall']:>7.2f} {f['perfect']:>9}")
    print(f"slowest query: {result['max_ms']:.0f} ms")
    if args.verbose:
        for o in result["queries"]:
            if o["fp"] or o["fn"]:
                print(f"  {o['category']:<14} {o['query']!r:<24} ({o['corpus']}) missed {o['fn']} extra {o['fp']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
