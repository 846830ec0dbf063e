"""The agreement units read from the database: build_units against the bench's raw floor and a plain
Python reading of the codings table, in every chunking; the pooled counts and the bootstrap's input.

A seeded random project: six sources with interviewer and participant turns, three coders who have
not all marked every source done, codings on interviewer turns (never units), sub-span codings next
to whole-passage ones of the same code, a retired code, a code nobody used, and the consensus coder.
"""

from __future__ import annotations

import functools
import importlib.util
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sqlalchemy import insert

from trivselkode.analysis import icr
from trivselkode.analysis.agreement import krippendorff_alpha_ci
from trivselkode.analysis.arrays import iter_coding_arrays
from trivselkode.analysis.kappa import agreement_of_counts, binary_agreement, binary_counts
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source, SourceDone

# bench/agreement_bench.py is a script beside the package, loaded under a name of its own
_spec = importlib.util.spec_from_file_location(
    "agreement_bench", Path(__file__).resolve().parents[2] / "bench" / "agreement_bench.py"
)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

CODERS = ["anne", "bo", "carl"]
CODES = ["T1", "T2", "T3", "T4", "T5"]  # T4 retired, T5 never used
SOURCES = [f"kilde-{n}" for n in range(1, 7)]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def build(path: Path, seed: int = 3) -> Project:
    rng = random.Random(seed)
    project, _ = open_project(str(path))
    with project.write() as s:
        codes = []
        for pos, key in enumerate(CODES):
            code = Code(key=key, name=f"Kode {key}", kind="tema", position=pos, retired=key == "T4")
            s.add(code)
            codes.append(code)
        coders = [Coder(name=name) for name in [*CODERS, "konsensus"]]
        s.add_all(coders)
        s.flush()
        passages = []
        for name in SOURCES:
            src = Source(name=name, title=name, kind="interview", text="")
            s.add(src)
            s.flush()
            interviewer = Participant(source_id=src.id, label="I", role="interviewer")
            person = Participant(source_id=src.id, label="P1")
            s.add_all([interviewer, person])
            s.flush()
            for n in range(1, rng.randint(5, 14)):
                p = Passage(source_id=src.id, number=n, participant_id=(interviewer if n % 3 == 1 else person).id,
                            start=0, end=40, text="x" * 40, sentences=[])  # fmt: skip
                s.add(p)
                passages.append(p)
            for coder in coders:
                if rng.random() < 0.75:
                    s.add(SourceDone(source_id=src.id, coder_id=coder.id))
        s.flush()
        rows = []
        for p in passages:
            for code in codes[:4]:
                for coder in coders:
                    if rng.random() < 0.15:
                        rows.append(dict(passage_id=p.id, code_id=code.id, coder_id=coder.id, created_at=NOW))
                    if rng.random() < 0.05:  # a sub-span too: it counts as the code being there
                        rows.append(dict(passage_id=p.id, code_id=code.id, coder_id=coder.id, start=0,
                                         end=rng.randint(1, 39), created_at=NOW))  # fmt: skip
        s.execute(insert(Coding), rows)
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    project = build(tmp_path_factory.mktemp("floor") / "floor.db")
    yield project
    project.dispose()


def plain_units(project: Project, coders: list[str], codes: list[str], all_passages: bool):
    """(passage ids, {code key: coders × units list of 1/0/-1}) read from the tables in plain Python."""
    con = sqlite3.connect(project.engine.url.database)
    coder_id = dict(con.execute("SELECT name, id FROM coder"))
    code_id = dict(con.execute("SELECT key, id FROM code"))
    done = set(con.execute("SELECT source_id, coder_id FROM sourcedone"))
    coded = set(con.execute("SELECT passage_id, code_id, coder_id FROM coding"))
    any_code = {(p, c) for p, _code, c in coded}
    participant = con.execute(
        "SELECT p.id, p.source_id FROM passage p JOIN participant pa ON pa.id = p.participant_id "
        "WHERE pa.role != 'interviewer' ORDER BY p.id"
    ).fetchall()
    ids = [coder_id[c] for c in coders]
    if all_passages:
        units = [(p, s) for p, s in participant if any((p, c) in any_code for c in ids)]
    else:
        units = [(p, s) for p, s in participant if all((s, c) in done for c in ids)]
    con.close()
    values = {}
    for key in codes:
        values[key] = [
            [
                1
                if (p, code_id[key], c) in coded
                else (0 if not all_passages or (s, c) in done or (p, c) in any_code else -1)
                for p, s in units
            ]
            for c in ids
        ]
    return [p for p, _s in units], values


def as_lists(units: icr.Units) -> dict[str, list[list[int]]]:
    return {key: units.matrices[cid].tolist() for cid, (key, _name) in units.codes.items()}


SCOPES = [
    (CODERS, None, None),
    (["anne", "bo"], ["T3", "T1", "T4"], None),
    (CODERS, ["T2", "T5"], ["kilde-2", "kilde-4", "kilde-6"]),
]


@pytest.mark.parametrize(("coders", "codes", "sources"), SCOPES)
@pytest.mark.parametrize("all_passages", [False, True])
@pytest.mark.parametrize("chunk", [8192, 3, 1])
def test_units_equal_a_plain_reading_of_the_tables_in_any_chunking(
    project: Project, monkeypatch: pytest.MonkeyPatch, coders, codes, sources, all_passages, chunk
) -> None:
    monkeypatch.setattr(icr, "iter_coding_arrays", functools.partial(iter_coding_arrays, chunk=chunk))
    units = icr.build_units(project, coders, codes, sources, all_passages)
    keys = codes or ["T1", "T2", "T3", "T5"]
    passage_ids, values = plain_units(project, coders, keys, all_passages)
    if sources:
        con = sqlite3.connect(project.engine.url.database)
        inside = {p for (p,) in con.execute(
            f"SELECT p.id FROM passage p JOIN source s ON s.id = p.source_id "
            f"WHERE s.name IN ({', '.join(repr(n) for n in sources)})")}  # fmt: skip
        con.close()
        keep = [j for j, p in enumerate(passage_ids) if p in inside]
        passage_ids = [passage_ids[j] for j in keep]
        values = {k: [[row[j] for j in keep] for row in m] for k, m in values.items()}
    assert units.passage_ids == passage_ids and passage_ids
    assert as_lists(units) == values
    if all_passages and "carl" in coders:  # carl marked two sources done: the missing values are exercised
        assert any(-1 in row for m in values.values() for row in m)


@pytest.mark.parametrize(("coders", "codes", "sources"), SCOPES)
def test_the_bench_floor_builds_the_same_matrices(project: Project, coders, codes, sources) -> None:
    con = sqlite3.connect(project.engine.url.database)
    passage_ids, code_ids, cube = bench.floor_matrices(con, coders, codes, sources)
    con.close()
    units = icr.build_units(project, coders, codes, sources)
    assert passage_ids.tolist() == units.passage_ids
    assert code_ids == list(units.codes)
    for k, cid in enumerate(code_ids):
        assert np.array_equal(cube[k], units.matrices[cid])


def test_the_floor_computes_the_report_figures(project: Project) -> None:
    con = sqlite3.connect(project.engine.url.database)
    _passages, _codes, cube = bench.floor_matrices(con, CODERS, None, None)
    con.close()
    figures = bench.floor_coefficients(cube, skip_unused=True)
    report = icr.agreement_report(project, CODERS)
    assert figures["codes"] == len(report.codes) == 3  # T5 unused, T4 retired
    assert figures["alpha"] == report.pooled.krippendorff_alpha


matrices = arrays(np.int8, st.tuples(st.integers(2, 4), st.integers(0, 30)), elements=st.sampled_from([-1, 0, 1]))


@given(st.lists(matrices, min_size=1, max_size=4).filter(lambda ms: len({m.shape[0] for m in ms}) == 1))
def test_pooled_counts_give_the_figures_of_the_matrices_side_by_side(ms: list[np.ndarray]) -> None:
    total = binary_counts(ms[0])
    for m in ms[1:]:
        total += binary_counts(m)
    assert agreement_of_counts(total) == binary_agreement(np.concatenate(ms, axis=1))


def test_counts_are_taken_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    m = rng.choice(np.array([-1, 0, 1, 1], dtype=np.int8), size=(2, 1000))
    whole = binary_agreement(m)
    monkeypatch.setattr("trivselkode.analysis.kappa._CHUNK", 7)
    assert binary_agreement(m) == whole
    with pytest.raises(ValueError):
        binary_agreement(np.concatenate([m, [[0], [2]]], axis=1))  # a bad value in the last chunk


@pytest.mark.parametrize("first", [0, 1])
def test_the_bootstrap_gets_the_interval_of_the_rows_as_lists(first: int) -> None:
    rng = np.random.default_rng(first)
    m = rng.choice(np.array([-1, 0, 1, 1], dtype=np.int8), size=(3, 400))
    m[0, :3] = [-1, first, 1 - first]  # the first value seen decides the numbering of lists
    rows = [[None if v < 0 else int(v) for v in row] for row in m.tolist()]
    expected = krippendorff_alpha_ci(rows, "nominal", samples=300, seed=4)
    assert krippendorff_alpha_ci(icr._alpha_data(m), "nominal", samples=300, seed=4) == expected
