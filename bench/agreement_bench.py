"""The agreement figure: our report from the database against a raw fetch-and-scatter floor.

    python bench/agreement_bench.py DB [--coders A,B,C] [--samples N] [--runs 3]

``floor`` is the least honest work that yields the report's matrices: a few
plain ``sqlite3`` queries for the same units (the participants' passages of
the sources every compared coder marked done) and the same codings, fetched
as one packed integer a coding and scattered with numpy into one
codes × coders × units array; then, timed apart, the same coefficient
computation the report does, with the library's own functions. ``ours`` times
``build_units`` (the database-to-matrices part) and the whole
``agreement_report`` as the ``agreement`` command computes it. bench/run.py
calls both, each in a fresh child process, interleaved.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _ids(values: list[int]) -> str:
    return ", ".join(str(int(v)) for v in values)


def floor_matrices(
    con: sqlite3.Connection, coders: list[str], codes: list[str] | None, sources: list[str] | None
) -> tuple[np.ndarray, list[int], np.ndarray]:
    """(passage ids of the units, code ids, codes × coders × units int8 array of 1/0) by plain SQL and numpy."""
    names = dict(con.execute(f"SELECT name, id FROM coder WHERE name IN ({', '.join('?' * len(coders))})", coders))
    coder_ids = [names[n] for n in coders]
    if codes:
        keys = dict(con.execute(f"SELECT key, id FROM code WHERE key IN ({', '.join('?' * len(codes))})", codes))
        code_ids = [keys[k] for k in codes]
    else:  # the command's default: every code that is not retired
        code_ids = [cid for (cid,) in con.execute("SELECT id FROM code WHERE NOT retired ORDER BY position, key")]
    scope = ""
    if sources:
        found = [
            sid
            for (sid,) in con.execute(f"SELECT id FROM source WHERE name IN ({', '.join('?' * len(sources))})", sources)
        ]
        scope = f"AND source_id IN ({_ids(found)})"
    done = (
        f"SELECT source_id FROM sourcedone WHERE coder_id IN ({_ids(coder_ids)}) {scope} "
        f"GROUP BY source_id HAVING count(DISTINCT coder_id) = {len(coder_ids)}"
    )
    units = np.fromiter(
        (
            pid
            for (pid,) in con.execute(
                f"SELECT p.id FROM passage p JOIN participant pa ON pa.id = p.participant_id "
                f"WHERE pa.role != 'interviewer' AND p.source_id IN ({done}) ORDER BY p.id"
            )
        ),
        dtype=np.int64,
    )
    coder_bits = max(coder_ids).bit_length()
    code_bits = max(code_ids).bit_length()
    # One query over the units' range of passage ids, read from the (passage, code, coder) index (the
    # unary + keeps SQLite from looking rows up by coder or code instead); codings of passages in the
    # range that are no units (an interviewer's, a source not everybody marked done) are left out below.
    packed_text = (
        con.execute(
            f"SELECT group_concat((passage_id << {code_bits + coder_bits}) | (code_id << {coder_bits}) | coder_id, ',') "
            f"FROM coding WHERE passage_id BETWEEN {int(units[0])} AND {int(units[-1])} "
            f"AND +coder_id IN ({_ids(coder_ids)}) AND +code_id IN ({_ids(code_ids)})"
        ).fetchone()[0]
        if units.size
        else None
    )
    packed = np.fromstring(packed_text, sep=",", dtype=np.int64) if packed_text else np.zeros(0, np.int64)
    passage = packed >> (code_bits + coder_bits)
    unit_of = np.full(int(max(units.max(initial=0), passage.max(initial=0))) + 1, -1, dtype=np.int64)
    unit_of[units] = np.arange(units.size)
    code_of = np.full(1 << code_bits, -1, dtype=np.int64)
    code_of[code_ids] = np.arange(len(code_ids))
    coder_of = np.full(1 << coder_bits, -1, dtype=np.int64)
    coder_of[coder_ids] = np.arange(len(coder_ids))
    j = unit_of[passage]
    keep = j >= 0
    cube = np.zeros((len(code_ids), len(coder_ids), units.size), dtype=np.int8)
    cube[
        code_of[(packed[keep] >> coder_bits) & ((1 << code_bits) - 1)],
        coder_of[packed[keep] & ((1 << coder_bits) - 1)],
        j[keep],
    ] = 1
    return units, code_ids, cube


def floor_coefficients(cube: np.ndarray, skip_unused: bool, samples: int = 0) -> dict[str, Any]:
    """The report's coefficient computation on the floor's matrices, with the library's own functions."""
    from trivselkode.analysis.agreement import AgreementUndefined, krippendorff_alpha_ci
    from trivselkode.analysis.kappa import agreement_of_counts, binary_counts

    used = [m for m in cube if not skip_unused or (m == 1).any()]
    counts = [binary_counts(m) for m in used]
    rows = [agreement_of_counts(c) for c in counts]
    pooled = agreement_of_counts(
        sum(counts[1:], counts[0]) if counts else binary_counts(np.zeros((cube.shape[1], 0), dtype=np.int8))
    )
    ci = None
    if samples and pooled.krippendorff_alpha is not None:
        pooled_matrix = np.concatenate(used, axis=1)
        data = np.where(pooled_matrix < 0, np.nan, pooled_matrix.astype(np.float64))
        try:
            ci = krippendorff_alpha_ci(data, "nominal", samples=samples, seed=1)
        except AgreementUndefined:
            ci = None
    return {"codes": len(rows), "alpha": pooled.krippendorff_alpha, "ci": ci}


def floor(db: str, coders: list[str], codes: list[str] | None, sources: list[str] | None, samples: int = 0) -> dict:
    """The raw floor: fetch and scatter ("seconds"/"cpu"), then the coefficients ("coefficients"/"coefficients_cpu")."""
    import trivselkode.analysis.agreement  # noqa: F401  # imported before the clock, as ours is

    started, cpu = time.perf_counter(), _cpu()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    units, _code_ids, cube = floor_matrices(con, coders, codes, sources)
    con.close()
    seconds, cpu_seconds = time.perf_counter() - started, _cpu() - cpu
    started, cpu = time.perf_counter(), _cpu()
    figures = floor_coefficients(cube, skip_unused=not codes, samples=samples)
    return {
        "seconds": seconds,
        "cpu": cpu_seconds,
        "coefficients": time.perf_counter() - started,
        "coefficients_cpu": _cpu() - cpu,
        "units": int(units.size),
        "codes": figures["codes"],
        "alpha": figures["alpha"],
    }


def ours(db: str, coders: list[str], codes: list[str] | None, sources: list[str] | None, samples: int = 0) -> dict:
    """The whole report as `trivselkode agreement` computes it ("seconds"/"cpu"; ``samples``: its --methods
    --samples, 0 without --methods), and within it build_units, the database-to-matrices part
    ("matrices"/"matrices_cpu"): both from a cold start, in one run."""
    from trivselkode.analysis import icr
    from trivselkode.storage.db import open_project

    spent: dict[str, float] = {}
    build_units = icr.build_units

    def timed_build_units(*args: Any, **kwargs: Any) -> Any:
        started, cpu = time.perf_counter(), _cpu()
        units = build_units(*args, **kwargs)
        spent["matrices"], spent["matrices_cpu"] = time.perf_counter() - started, _cpu() - cpu
        return units

    icr.build_units = timed_build_units  # type: ignore[assignment]  # the report calls it by its module name
    project, _ = open_project(db)
    started, cpu = time.perf_counter(), _cpu()
    report = icr.agreement_report(project, coders, codes, sources, ci_samples=samples, seed=1)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": _cpu() - cpu,
        **spent,
        "units": report.units,
        "codes": len(report.codes),
        "alpha": report.pooled.krippendorff_alpha,
    }


def _child(name: str, db: str, coders: str, samples: int) -> dict:
    code = (
        "import json, sys; sys.path.insert(0, 'bench'); import agreement_bench as b; "
        f"print(json.dumps(b.{name}({db!r}, {coders.split(',')!r}, None, None, {samples})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return __import__("json").loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("--coders", default="koder1,koder2,koder3")
    parser.add_argument("--samples", type=int, default=0, help="bootstrap samples (the command's --methods)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    mine, refs = [], []
    for _ in range(args.runs):  # interleaved, each in a fresh process
        mine.append(_child("ours", args.db, args.coders, args.samples))
        refs.append(_child("floor", args.db, args.coders, args.samples))

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"{mine[0]['units']:,} units, {mine[0]['codes']} codes, {args.runs} runs (median; CPU seconds)")
    print(f"  floor: fetch and scatter {med(refs, 'cpu'):.3f} s, coefficients {med(refs, 'coefficients_cpu'):.3f} s")
    print(f"  ours:  build_units {med(mine, 'matrices_cpu'):.3f} s, whole report {med(mine, 'cpu'):.3f} s")
    floor_all = statistics.median(r["cpu"] + r["coefficients_cpu"] for r in refs)
    print(
        f"  matrices / floor: {med(mine, 'matrices_cpu') / med(refs, 'cpu'):.2f} (wall {med(mine, 'matrices') / med(refs, 'seconds'):.2f})"
    )
    floor_wall = statistics.median(r["seconds"] + r["coefficients"] for r in refs)
    print(
        f"  report / (floor + coefficients): {med(mine, 'cpu') / floor_all:.2f} (wall {med(mine, 'seconds') / floor_wall:.2f})"
    )


if __name__ == "__main__":
    main()
