"""Agreement per source × code (``agreement --by-source``, Enighed's ``s``), checked against plain Python.

A seeded random project: four interviews, two coders (and a third for the
many-coder figures), codes on some participant turns, some sub-spans. Every
cell's percent agreement, Cohen's kappa, Krippendorff's alpha and
Brennan–Prediger kappa is recomputed here from the codings table with the
textbook formulas (coincidences for alpha), with fractions, and compared to
1e-12; the span cells must equal the whole report run on that source alone.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import select

from trivselkode.analysis.agreement_by_source import agreement_by_source
from trivselkode.analysis.agreement_meaning import MIN_SPAN_UNITS, NEGATIVE
from trivselkode.analysis.icr import agreement_report
from trivselkode.errors import TrivselError
from trivselkode.storage.codings import CodingRef, add_coding, mark_done
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.models import Code, Coder, Coding, Participant, Passage, Source

CODES = ["T1", "T2", "T3"]
SOURCES = ["aarhus-1", "bording-2", "holstebro-1", "viborg-3"]
TURN = "Jeg kommer her hver uge. Det er stille og trygt. Personalet hilser altid."


def build(path: Path, seed: int = 7, coders: tuple[str, ...] = ("anne", "bo")) -> Project:
    rng = random.Random(seed)
    project, _ = open_project(str(path))
    with project.write() as s:
        for pos, key in enumerate([*CODES, "T9"]):
            s.add(Code(key=key, name=f"Kode {key}", kind="tema", position=pos))
        for name in SOURCES:
            src = Source(name=name, title=name.title(), kind="interview", text="")
            s.add(src)
            s.flush()
            interviewer = Participant(source_id=src.id, label="I", role="interviewer")
            person = Participant(source_id=src.id, label="P1")
            s.add_all([interviewer, person])
            s.flush()
            rows = [
                dict(source_id=src.id, number=n, participant_id=(interviewer if n % 3 == 1 else person).id,
                     start=0, end=len(TURN), text=TURN, sentences=[])
                for n in range(1, 13)
            ]  # fmt: skip
            s.execute(insert(Passage), rows)
    for name in SOURCES:
        for number in range(1, 13):
            for code in CODES:
                for coder in coders:
                    if rng.random() < 0.35:
                        span = rng.choice([None, None, (0, 24), (0, 23), (25, 48)])
                        start, end = span or (None, None)
                        add_coding(project, CodingRef(name, number, code, coder, start, end))
        for coder in coders:
            mark_done(project, name, coder)
    return project


@pytest.fixture
def project(tmp_path: Path):
    project = build(tmp_path / "by-source.db")
    yield project
    project.dispose()


def plain_values(project: Project, coders: list[str]) -> dict[tuple[str, str], list[list[int]]]:
    """(source, code) -> per coder, 0/1 on each participant passage of the source, from the codings table."""
    with project.read() as s:
        coded = set(
            s.exec(
                select(Source.name, Passage.number, Code.key, Coder.name)
                .join(Passage, Passage.source_id == Source.id)
                .join(Coding, Coding.passage_id == Passage.id)
                .join(Code, Coding.code_id == Code.id)
                .join(Coder, Coding.coder_id == Coder.id)
            ).all()
        )
        units = s.exec(
            select(Source.name, Passage.number)
            .join(Passage, Passage.source_id == Source.id)
            .join(Participant, Passage.participant_id == Participant.id)
            .where(Participant.role != "interviewer")
            .order_by(Source.name, Passage.number)
        ).all()
    out: dict[tuple[str, str], list[list[int]]] = {}
    for source in SOURCES:
        numbers = [n for src, n in units if src == source]
        for code in CODES:
            out[(source, code)] = [[int((source, n, code, c) in coded) for n in numbers] for c in coders]
    return out


def plain_figures(rows: list[list[int]]) -> dict[str, float | None]:
    """Percent agreement, Cohen's kappa, Krippendorff's alpha (coincidences) and Brennan–Prediger, by hand."""
    a, b = rows
    n = len(a)
    agree = sum(x == y for x, y in zip(a, b))
    p_o = Fraction(agree, n)
    pa, pb = Fraction(sum(a), n), Fraction(sum(b), n)
    p_e = pa * pb + (1 - pa) * (1 - pb)
    kappa = None if p_e == 1 else float((p_o - p_e) / (1 - p_e))
    # coincidences: each unit adds (x, y) and (y, x)
    o = {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 0}
    for x, y in zip(a, b):
        o[(x, y)] += 1
        o[(y, x)] += 1
    n_c = {c: o[(c, 0)] + o[(c, 1)] for c in (0, 1)}
    total = n_c[0] + n_c[1]
    d_o = Fraction(o[(0, 1)] + o[(1, 0)], total)
    d_e = Fraction(2 * n_c[0] * n_c[1], total * (total - 1))
    alpha = None if d_e == 0 else float(1 - d_o / d_e)
    return {
        "agreement": float(p_o),
        "cohen_kappa": kappa,
        "krippendorff_alpha": alpha,
        "brennan_prediger": float(2 * p_o - 1),
        "disagreements": n - agree,
        "units": n,
    }


def test_every_cell_matches_a_plain_python_computation(project: Project) -> None:
    report = agreement_by_source(project, ["anne", "bo"])
    values = plain_values(project, ["anne", "bo"])
    assert [r.source for r in report.sources] == SOURCES
    assert [k for k, _n in report.codes] == CODES  # T9 nobody used: left out, as in the per-code report
    checked = 0
    for row in report.sources:
        assert row.units == 8  # the participant turns of the source
        for cell in row.codes:
            want = plain_figures(values[(row.source, cell.code)])
            assert cell.units == want["units"] and cell.disagreements == want["disagreements"]
            for field in ("agreement", "cohen_kappa", "krippendorff_alpha", "brennan_prediger"):
                got = getattr(cell, field)
                if want[field] is None:
                    assert got is None and field in (cell.undefined or {})
                else:
                    assert got == pytest.approx(want[field], abs=1e-12), (row.source, cell.code, field)
            checked += 1
        pooled = [sum((values[(row.source, c)][i] for c in CODES), []) for i in range(2)]
        want = plain_figures(pooled)
        assert row.pooled.disagreements == want["disagreements"] == sum(c.disagreements for c in row.codes)
        assert row.pooled.krippendorff_alpha == pytest.approx(want["krippendorff_alpha"], abs=1e-12)
    assert checked == len(SOURCES) * len(CODES)
    # Somewhere the coders disagree, somewhere they do not: the test can tell the sources apart.
    assert len({r.pooled.disagreements for r in report.sources}) > 1


def test_cells_equal_the_whole_report_on_one_source_in_both_units(project: Project) -> None:
    for unit in ("passage", "span"):
        report = agreement_by_source(project, ["anne", "bo"], unit=unit, overlap=0.9)
        for row in report.sources:
            alone = agreement_report(project, ["anne", "bo"], codes=CODES, sources=[row.source], unit=unit)
            assert [c.__dict__ for c in row.codes] == [c.__dict__ for c in alone.codes]
            assert row.pooled.krippendorff_alpha == alone.pooled.krippendorff_alpha
            assert row.pooled.disagreements == alone.pooled.disagreements
            assert row.units == alone.units


def test_span_units_say_what_the_figure_means_and_when_it_says_little(project: Project) -> None:
    report = agreement_by_source(project, ["anne", "bo"], unit="span", overlap=0.9)
    doc = report.as_json()
    assert doc["unit"] == "span" and doc["overlap"] == 0.9
    meaning = doc["meaning"]
    assert meaning["min_units"] == MIN_SPAN_UNITS and meaning["overlap"] == 0.9
    assert "90 %" in meaning["text"] and "systematisk uenighed" in meaning["text"]
    few = [c for r in report.sources for c in r.codes if c.units < MIN_SPAN_UNITS]
    assert few, "the random project has codes with few span units in a source"
    assert all(c.note and f"kun {c.units} spænd-enhed" in c.note for c in few)
    negative = [c for r in report.sources for c in r.codes if (c.krippendorff_alpha or 0) < 0]
    assert all(NEGATIVE in (c.note or "") for c in negative)
    # Passage units: no meaning to add unless an α is negative.
    passages = agreement_by_source(project, ["anne", "bo"]).as_json()
    has_negative = any(
        (c["krippendorff_alpha"] or 0) < 0 for s in passages["sources"] for c in [*s["codes"], s["pooled"]]
    )
    assert ("meaning" in passages) == has_negative


def test_the_whole_report_says_it_too(project: Project) -> None:
    span = agreement_report(project, ["anne", "bo"], unit="span").as_json()
    assert span["meaning"]["meaningful"] == (span["units"] >= MIN_SPAN_UNITS)
    assert span["meaning"]["not_meaningful"] == [c["code"] for c in span["codes"] if c["units"] < MIN_SPAN_UNITS]
    assert all((c["note"] is not None) == (c["units"] < MIN_SPAN_UNITS or (c["krippendorff_alpha"] or 0) < 0)
               for c in span["codes"])  # fmt: skip


def test_three_coders_use_the_same_coefficients(tmp_path: Path) -> None:
    from trivselkode.analysis.agreement import krippendorff_alpha

    project = build(tmp_path / "three.db", seed=3, coders=("anne", "bo", "cai"))
    try:
        report = agreement_by_source(project, ["anne", "bo", "cai"])
        values = plain_values(project, ["anne", "bo", "cai"])
        for row in report.sources:
            for cell in row.codes:
                rows = values[(row.source, cell.code)]
                if cell.krippendorff_alpha is None:
                    continue
                assert cell.krippendorff_alpha == pytest.approx(krippendorff_alpha(rows), abs=1e-12)
                assert cell.cohen_kappa is None  # two coders only
    finally:
        project.dispose()


def test_bad_input_and_no_units_are_refused_in_words(tmp_path: Path) -> None:
    project = build(tmp_path / "empty.db")
    try:
        with pytest.raises(TrivselError, match="ukendt enhed"):
            agreement_by_source(project, ["anne", "bo"], unit="words")
        with pytest.raises(TrivselError, match="findes ikke"):
            agreement_by_source(project, ["anne", "nobody"])
        for name in SOURCES:
            mark_done(project, name, "bo", done=False)
        with pytest.raises(TrivselError, match="ingen enheder") as caught:
            agreement_by_source(project, ["anne", "bo"])
        assert "--all" in str(caught.value)
        assert [r.source for r in agreement_by_source(project, ["anne", "bo"], all_passages=True).sources] == SOURCES
    finally:
        project.dispose()
