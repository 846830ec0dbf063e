"""Benchmark of retrieval by code (Udtræk, ``trivselkode retrieve``) on ≥ 10,000 segments of one code.

Builds a project of 60 sources with 12,000 passages in all; two coders code
T3 on 10,500 of them (a tenth as spans of the first sentence), B.social on
every third and T1 on every fifth. Prints, each next to its target:

- the core query (:func:`load_retrieval` + :func:`select_segments`), for T3
  alone and for "T3 and B.social, not T1" (no target of its own: it is part
  of the screen's opening);
- the filter as it is typed (:func:`apply_filter` over every row);
- the screen's time to first paint: ``open_retrieval("T3")`` until the rows
  are loaded and drawn (≤ 1 s, as for opening a 3,000-passage source);
- scrolling: ms per ``j`` and per ``PgDn`` until the change is drawn, and
  recoding a row (``1``, until stored and shown), next to the same keys on an
  empty Textual app measured the same way; the added median must be ≤ 15 ms,
  as for the coding list (``bench/tui_bench.py``).

Run: ``.venv/bin/python bench/retrieval_bench.py [--keys 50]``; with ``--json
[--runs 3]`` (as ``bench/run.py`` does) the screen and the empty app are
measured in turn ``--runs`` times and one JSON document of figures is printed
(each sample a run's median; see ``bench/run.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from tui_bench import SENTENCES, _key, _settle, stats  # noqa: E402  (the same ways of measuring keys)

SOURCES = 60
PER_SOURCE = 200
CODED = 10_500
CODERS = ("anne", "bo")
SITES = ("Randers", "Viborg", "Holstebro")


def build(db: Path) -> int:
    """The project; returns the number of T3 segments (distinct passage + span)."""
    from sqlalchemy import insert
    from sqlmodel import select

    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.db import open_project
    from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source

    project, _ = open_project(str(db))
    load_codebook(project, load_codebook_file(bundled_codebook()))
    coded: list[int] = []
    with project.write() as s:
        codes = {c.key: c.id for c in s.exec(select(Code))}
        coder_ids = []
        for name in CODERS:
            coder = Coder(name=name)
            s.add(coder)
            s.flush()
            coder_ids.append(coder.id)
        for n in range(SOURCES):
            src = Source(name=f"kilde-{n:03d}", title=f"Kilde {n}", kind="interview", site=SITES[n % 3],
                         context="bibliotek" if n % 2 else "arrangement", round=1 + n % 2, text="")  # fmt: skip
            s.add(src)
            s.flush()
            people = [Participant(source_id=src.id, label="I", role="interviewer")]
            people += [Participant(source_id=src.id, label=f"P{k}", gender=("kvinde", "mand")[k % 2], age=20 + 9 * k)
                       for k in range(1, 6)]  # fmt: skip
            s.add_all(people)
            s.flush()
            rows = []
            for k in range(PER_SOURCE):
                parts = [SENTENCES[(n + k + j) % len(SENTENCES)] for j in range(1 + k % 3)]
                text = " ".join(parts)
                who = people[1 + k % 5].id
                rows.append(dict(source_id=src.id, number=k + 1, participant_id=who, start=0, end=len(text),
                                 text=text, sentences=[[0, len(parts[0])]]))  # fmt: skip
            s.execute(insert(Passage), rows)
        passages = s.exec(select(Passage.id, Passage.text).order_by(Passage.id)).all()
        codings = []
        for i, (pid, text) in enumerate(passages):
            if i < CODED:
                span = (0, text.index(".") + 1) if i % 10 == 0 and "." in text[:-1] else (None, None)
                coded.append(pid)
                for cid in coder_ids:
                    codings.append(dict(passage_id=pid, code_id=codes["T3"], coder_id=cid, start=span[0], end=span[1]))
            if i % 3 == 0:
                codings.append(dict(passage_id=pid, code_id=codes["B.social"], coder_id=coder_ids[i % 2]))
            if i % 5 == 0:
                codings.append(dict(passage_id=pid, code_id=codes["T1"], coder_id=coder_ids[0]))
        s.execute(insert(Coding), codings)
    project.dispose()
    return len(coded)


def core(db: Path, runs: int = 5) -> dict[str, list[float] | int]:
    from trivselkode.analysis.retrieval import RetrievalQuery, load_retrieval, select_segments
    from trivselkode.analysis.retrieval_filter import apply_filter, parse_filter
    from trivselkode.storage.db import open_project

    project, _ = open_project(str(db))
    out: dict[str, list[float] | int] = {"alone": [], "combined": [], "filter": []}
    try:
        for _ in range(runs):
            t0 = time.perf_counter()
            rows = select_segments(load_retrieval(project, RetrievalQuery("T3")))
            out["alone"].append(time.perf_counter() - t0)  # type: ignore[union-attr]
            out["rows"] = len(rows)
            t0 = time.perf_counter()
            combined = select_segments(load_retrieval(project, RetrievalQuery("T3", ("B.social",), ("T1",))))
            out["combined"].append(time.perf_counter() - t0)  # type: ignore[union-attr]
            out["combined_rows"] = len(combined)
            t0 = time.perf_counter()
            for typed in ("r", "ra", "ran", "rand", "randers", "randers k", "randers køn:k"):
                apply_filter(rows, parse_filter(typed))
            out["filter"].append((time.perf_counter() - t0) / 7)  # type: ignore[union-attr]
    finally:
        project.dispose()
    return out


#: Opens per round: with ``--runs 3``, 21 in all, so that the judged p95 (nearest rank) is not the slowest alone.
OPENS = 7


async def screen(app, keys: int) -> dict[str, list[float] | int]:  # noqa: ANN001
    """Time to first paint of Udtræk on T3 (:data:`OPENS` times), then ms per j and PgDn until drawn."""
    result: dict[str, list[float] | int] = {"open": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        for _ in range(OPENS):
            t0 = time.perf_counter()
            app.open_retrieval("T3")
            while not (type(app.screen).__name__ == "RetrievalScreen" and app.screen.loaded):
                await asyncio.sleep(0.001)
            await pilot.pause()  # the frame with the rows is drawn
            result["open"].append(time.perf_counter() - t0)  # type: ignore[union-attr]
            result["rows"] = len(app.screen.rows)
            await pilot.press("escape")
            await _settle(pilot)
        app.open_retrieval("T3")
        await _settle(pilot)
        for key in ("j", "pagedown"):
            result[key] = [await _key(pilot, key, "drawn", wait_workers=False) for _ in range(keys)]
        result["cursor"] = app.screen.query_one("#retrieval-list").cursor
        # T1 on the row's passage and off again, each until stored and shown (the row stays: T3 is not touched)
        result["1"] = [await _key(pilot, "1", "drawn", wait_workers=True) for _ in range(keys)]
    return result


async def empty_keys(keys: int) -> dict[str, list[float]]:
    from textual.app import App

    result: dict[str, list[float]] = {}
    async with App().run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        for key in ("j", "pagedown"):
            result[key] = [await _key(pilot, key, "drawn", wait_workers=False) for _ in range(keys)]
        result["1"] = [await _key(pilot, "1", "drawn", wait_workers=True) for _ in range(keys)]
    return result


KEYS = (("j", "scroll (j)"), ("pagedown", "scroll (PgDn)"), ("1", "recode (1)"))


def figures(db: Path, keys: int, runs: int) -> dict[str, list[dict]]:
    """The screen's figures for ``bench/run.py``: ``runs`` rounds of our screen, then the empty app."""
    from trivselkode.config import Settings
    from trivselkode.storage.db import open_project
    from trivselkode.tui.app import TrivselApp

    opens: list[float] = []
    ours: dict[str, list[float]] = {key: [] for key, _ in KEYS}
    empty: dict[str, list[float]] = {key: [] for key, _ in KEYS}
    for _ in range(runs):
        project, _ = open_project(str(db))
        try:
            mine = asyncio.run(screen(TrivselApp(project, Settings(db=str(db)), coder="anne", suggester=None), keys))
        finally:
            project.dispose()
        theirs = asyncio.run(empty_keys(keys))
        opens += mine["open"]  # type: ignore[arg-type]
        for key, _label in KEYS:
            ours[key].append(statistics.median(mine[key]) * 1000)  # type: ignore[arg-type]
            empty[key].append(statistics.median(theirs[key]) * 1000)
    out = [
        {"name": f"Udtræk: open on {CODED:,}+ segments of T3, to first paint", "unit": "s", "samples": opens,
         "reference": None, "judge": "absolute", "stat": "p95", "op": "<=", "target": 1.0},
    ]  # fmt: skip
    for key, label in KEYS:
        out.append({"name": f"Udtræk: {label}, ms per key until drawn, added to an empty Textual app", "unit": "ms",
                    "samples": ours[key], "reference": {"name": "empty app", "samples": empty[key]},
                    "judge": "added", "stat": "median", "op": "<=", "target": 15.0})  # fmt: skip
    return {"figures": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=50, help="keystrokes per measurement")
    parser.add_argument("--json", action="store_true", help="one JSON document of figures (for bench/run.py)")
    parser.add_argument("--runs", type=int, default=3, help="with --json: rounds of ours and the empty app")
    args = parser.parse_args()
    if args.json:
        with tempfile.TemporaryDirectory(prefix="retrieval-bench-") as tmp:
            db = Path(tmp) / "bench.db"
            build(db)
            print(json.dumps(figures(db, args.keys, args.runs)))
        return

    from trivselkode.config import Settings
    from trivselkode.storage.db import open_project
    from trivselkode.tui.app import TrivselApp

    with tempfile.TemporaryDirectory(prefix="retrieval-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        segments = build(db)
        print(f"project: {SOURCES * PER_SOURCE:,} passages, {segments:,} coded T3 by {len(CODERS)} coders, "
              f"built in {time.perf_counter() - t0:.2f} s")  # fmt: skip
        c = core(db)
        project, _ = open_project(str(db))
        try:
            ours = asyncio.run(
                screen(TrivselApp(project, Settings(db=str(db)), coder="anne", suggester=None), args.keys)
            )
        finally:
            project.dispose()
        empty = asyncio.run(empty_keys(args.keys))

    alone, combined, typed = (statistics.median(c[k]) for k in ("alone", "combined", "filter"))  # type: ignore[arg-type]
    print(f"core query T3 ({c['rows']:,} segments)             median {alone * 1000:6.0f} ms   (part of opening)")
    print(
        f"core query T3 and B.social, not T1 ({c['combined_rows']:,})  median {combined * 1000:6.0f} ms   (part of opening)"
    )
    print(f"filter as typed, per keystroke                 median {typed * 1000:6.1f} ms   (no target)")
    opens = ours["open"]
    med = statistics.median(opens)  # type: ignore[arg-type]
    runs = ", ".join(f"{s:.2f}" for s in opens)  # type: ignore[union-attr]
    print(
        f"open Udtræk on {ours['rows']:,} segments        median {med:6.2f} s  (runs {runs})   target ≤ 1 s ({'ok' if med <= 1 else 'OVER'})"
    )
    for key, label in (("j", "scroll (j)   "), ("pagedown", "scroll (PgDn)"), ("1", "recode (1)   ")):
        o_med, o_p95 = stats(ours[key])  # type: ignore[arg-type]
        e_med, _e_p95 = stats(empty[key])
        added = (o_med - e_med) * 1000
        print(
            f"{label} ms/key drawn  ours median {o_med * 1000:6.1f} p95 {o_p95 * 1000:6.1f} · empty app {e_med * 1000:5.1f}"
            f" · added median {added:5.1f} ms   target ≤ 15 ms ({'ok' if added <= 15 else 'OVER'})"
        )
    print(f"(keystrokes per measurement: {args.keys}; the cursor ended on row {ours['cursor']:,})")


if __name__ == "__main__":
    main()
