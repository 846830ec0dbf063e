"""Benchmark: search over a project of about 1,000,000 words (SPEC §10: ≤ 300 ms).

Generates ~200 sources of Danish-like passages (real Danish words, inflected
and compounded, so the vocabulary is realistically large) into a fresh
SQLite project, builds the search index, then times 20 queries — single
words, misspellings, inflections, several words, exact words and prefixes —
each run a few times, and prints the median and 95th percentile next to the
target.

    python bench/search_bench.py [--words 1000000] [--sources 200] [--db PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

TARGET_MS = 300.0

STEMS = """
bibliotek bog læs låne kaffe avis stol bord rum sted lys ro stilhed tryg tryghed venlig
personale bibliotekar medarbejder hjælp spørge svare snak samtale møde fællesskab
arrangement foredrag koncert værksted strikke klub forfatter lydbog musik film spil
barn børn familie forælder mor far bedstemor ven nabo borger gæst besøgende
glad rolig træt ensom alene sammen velkommen hjemme frihed pause hverdag tid
uge dag morgen aften weekend vinter sommer by kommune land gade bus cykel
lære viden nysgerrig interesse hobby slægt historie natur have planter
computer internet printer digital mobil hjemmeside kursus
trivsel glæde mening håb tro verden menneske liv sind tanke følelse
stille hyggelig varm smuk lys stor lille gammel ny god dejlig
""".split()

FUNCTION_WORDS = """
jeg du han hun vi de det den der her og men eller så at som når hvis fordi
er var har havde kan kunne vil ville skal skulle får fik går gik kommer kom
i på til fra med om efter over under ved for af hos mellem
ikke også bare lige altid aldrig tit nogle gange meget lidt mere mest helt
en et min mit mine din dit sin sit vores jeres deres noget nogen alle
""".split()

SUFFIXES = ["", "", "", "en", "et", "er", "erne", "e", "ede", "ende", "s", "hed", "lig", "t"]
SITES = ["Randers", "Viborg", "Holstebro"]
QUERIES = [
    ("biblioteket", False),
    ("bibloteket", False),  # misspelt
    ("tryghed", False),
    ("trygt", False),
    ("fællesskabet", False),
    ("felesskab", False),  # misspelt
    ("kaffe", False),
    ("personalet er venlige", False),
    ("stille rum", False),
    ("lydbøger", False),
    ("arangement", False),  # misspelt
    ("strikkeklub", False),
    ("børnene leger", False),
    ("ensomhed", False),
    ("ro og fred", False),
    ("bedstemor", False),
    ("tryg", True),
    ("bibliotekar*", True),
    ("kaffe avis", True),
    ("velkommen", True),
]


def make_word(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(FUNCTION_WORDS)
    stem = rng.choice(STEMS)
    if roll < 0.55:
        stem = stem + rng.choice(STEMS)  # a compound
    return stem + rng.choice(SUFFIXES)


def make_passage(rng: random.Random) -> str:
    n = max(2, min(120, int(rng.expovariate(1 / 14))))
    words = [make_word(rng) for _ in range(n)]
    out, sentence = [], []
    for word in words:
        sentence.append(word)
        if len(sentence) > 4 and rng.random() < 0.15:
            out.append(" ".join(sentence).capitalize() + rng.choice([".", ".", "?", "!"]))
            sentence = []
    if sentence:
        out.append(" ".join(sentence).capitalize() + ".")
    return " ".join(out)


def generate(project, words: int, sources: int, seed: int = 7) -> tuple[int, int]:
    from trivselkode.storage.models import Participant, Passage, Source

    rng = random.Random(seed)
    per_source = words // sources
    total_words = total_passages = 0
    with project.write() as session:
        for s in range(sources):
            passages = []
            count = 0
            while count < per_source:
                text = make_passage(rng)
                passages.append(text)
                count += len(text.split())
            speakers = ["I"] + [f"P{k}" for k in range(1, rng.randint(2, 6))]
            labelled = [(speakers[0] if n % 2 == 0 else rng.choice(speakers[1:]), t) for n, t in enumerate(passages)]
            full = "\n".join(f"{label}: {text}" for label, text in labelled)
            source = Source(name=f"kilde-{s:03d}", kind="interview", site=SITES[s % 3], text=full, content_hash=f"h{s}")
            session.add(source)
            session.flush()
            ids = {}
            for label in speakers:
                participant = Participant(
                    source_id=source.id,
                    label=label,
                    role="interviewer" if label == "I" else "participant",
                    gender=None if label == "I" else rng.choice(["kvinde", "mand"]),
                    age=None if label == "I" else rng.randint(15, 90),
                )
                session.add(participant)
                session.flush()
                ids[label] = participant.id
            rows, at = [], 0
            for n, (label, text) in enumerate(labelled, start=1):
                start = at + len(label) + 2
                rows.append(
                    {
                        "source_id": source.id,
                        "number": n,
                        "participant_id": ids[label],
                        "start": start,
                        "end": start + len(text),
                        "text": text,
                        "sentences": [],
                    }
                )
                at = start + len(text) + 1
            session.execute(insert(Passage), rows)
            total_words += count
            total_passages += len(rows)
    return total_words, total_passages


def rss_mb() -> float:
    """The resident memory of this process now, in MB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (all are timed)")
    parser.add_argument("--db", type=Path, default=None, help="project file (default: a temporary one)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from trivselkode.analysis.search import SearchIndex
    from trivselkode.storage.db import open_project

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        db = Path(tmp.name) / "search-bench.db"
    else:
        db = args.db
        if db.exists():
            db.unlink()
    project, _ = open_project(str(db))
    began = time.perf_counter()
    words, passages = generate(project, args.words, args.sources)
    print(
        f"corpus: {words:,} words in {passages:,} passages, {args.sources} sources ({time.perf_counter() - began:.1f} s to generate)"
    )

    index = SearchIndex(project)
    before = rss_mb()
    began = time.perf_counter()
    index.build()
    print(
        f"index built in {(time.perf_counter() - began) * 1000:.0f} ms ({len(index._data.vocab):,} distinct words), "
        f"memory {before:.0f} → {rss_mb():.0f} MB"
    )

    timings: list[float] = []
    for query, exact in QUERIES:
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            hits = index.search(query, limit=200, exact=exact)
            runs.append((time.perf_counter() - t0) * 1000)
        timings.extend(runs)
        mode = "exact" if exact else "fuzzy"
        best = f"{hits[0].score:.0f} {hits[0].source}#{hits[0].number}" if hits else "-"
        print(f"  {mode:5} {query!r:28} {len(hits):4} hits  median {statistics.median(runs):6.1f} ms  best {best}")
    median = statistics.median(timings)
    p95 = percentile(timings, 0.95)
    verdict = "OK" if p95 <= TARGET_MS else "OVER TARGET"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the whole run (generation included): {peak:.0f} MB")
    print(
        f"search over {words:,} words: median {median:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms (target ≤ {TARGET_MS:.0f} ms): {verdict}"
    )
    project.dispose()
    if tmp is not None:
        tmp.cleanup()
    return 0 if p95 <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
