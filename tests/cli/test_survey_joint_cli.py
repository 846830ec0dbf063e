"""``trivselkode survey joint`` end to end: a real project file, the real command line, figures counted here."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.test_report_cli import leftovers, one_line_error
from tests.conftest import Cli
from tests.unit.test_survey_joint import (
    build_survey_file,
    carried_here,
    dimension_of,
    disagreements_here,
    expected_rows,
    fresh_copy,
    scores_here,
    theme_codings,
)
from trivselkode.storage.consensus import settle


@pytest.fixture(scope="module")
def survey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The survey project, built once for the module; each test copies it."""
    return build_survey_file(tmp_path_factory.mktemp("survey"))


@pytest.fixture
def made(survey_file: Path, tmp_path: Path):
    """A fresh copy of the survey project's file, its first dimension, and the project open beside the command."""
    from trivselkode.storage.db import open_project

    path = fresh_copy(survey_file, tmp_path)
    project, _ = open_project(str(path))
    yield Cli(path), dimension_of(project), project
    project.dispose()


def _shares(doc: dict) -> dict[str, tuple]:
    return {
        t["code"]: (t["low"]["count"], t["low"]["share"], t["high"]["count"], t["high"]["share"]) for t in doc["themes"]
    }


def _expected_shares(expected: dict) -> dict[str, tuple]:
    return {
        key: (low, round(low_share, 4), high, round(high_share, 4))
        for key, ((low, high), (low_share, high_share), _w, _wo) in expected["rows"].items()
    }


def test_json_is_one_document_with_the_counted_shares(made):
    cli, dim, project = made
    result = cli("survey", "joint", "--dimension", dim, "--union", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # exactly one document: json.loads refuses anything after it
    expected = expected_rows(project, dim, None, carried_here(project))
    assert doc["split_rule"] == "median" and doc["split"] == pytest.approx(expected["split"], abs=1e-4)
    assert doc["groups"] == {
        "low": {"n": len(expected["low"]), "answered": len(expected["low"] & expected["answered"])},
        "high": {"n": len(expected["high"]), "answered": len(expected["high"] & expected["answered"])},
    }
    shown = _shares(doc)
    for key, row in _expected_shares(expected).items():
        assert shown[key] == row, key
    assert doc["basis"] == "union" and "Grundlag: foreningsmængden af" in result.stderr
    assert doc["dimension"]["key"] == dim


def test_split_value_on_the_command_line(made):
    cli, dim, project = made
    scores = sorted(set(scores_here(project, dim).values()))
    value = scores[len(scores) // 2]
    doc = cli.json("survey", "joint", "-d", dim, "--split", f"{value:.6f}".replace(".", ","), "--union")
    expected = expected_rows(project, dim, round(value, 6), carried_here(project))
    assert doc["split_rule"] == "value" and doc["groups"]["high"]["n"] == len(expected["high"])
    assert all(_shares(doc)[k] == v for k, v in _expected_shares(expected).items())


def test_a_split_that_empties_a_group_is_one_line_and_writes_nothing(made, tmp_path: Path):
    cli, dim, project = made
    top = max(scores_here(project, dim).values())
    out = tmp_path / "joint.xlsx"
    result = cli("survey", "joint", "-d", dim, "--split", str(top + 1), "--out", str(out))
    line = one_line_error(result)
    assert "tom gruppe" in line and f"til {top:.2f}".replace(".", ",") in line
    assert not out.exists() and not leftovers(tmp_path)


def test_an_unknown_dimension_names_the_known_ones(made):
    cli, _dim, _project = made
    line = one_line_error(cli("survey", "joint", "-d", "findes-ikke"))
    assert "findes-ikke" in line


def test_consensus_and_union_give_the_shares_of_their_basis(made):
    cli, dim, project = made
    coders = tuple(sorted({name for *_, name in theme_codings(project) if name != "konsensus"}))
    removed = set()
    for key, places in disagreements_here(project).items():
        for passage, source, number in places:
            settle(project, source, number, key, "neither", coders, "lead")
            removed.add((passage, key))
    union = cli.json("survey", "joint", "-d", dim, "--union")
    consensus = cli.json("survey", "joint", "-d", dim, "--consensus", "--coders", ",".join(coders))
    for doc, carried in ((union, carried_here(project)), (consensus, carried_here(project, removed=removed))):
        expected = _expected_shares(expected_rows(project, dim, None, carried))
        assert all(_shares(doc)[k] == v for k, v in expected.items())
    assert _shares(union) != _shares(consensus)
    assert consensus["basis"] == "consensus" and consensus["basis_note"] == f"konsensus af {coders[0]} og {coders[1]}"


def test_every_format_by_its_suffix(made, tmp_path: Path):
    from docx import Document
    from openpyxl import load_workbook

    cli, dim, _project = made
    for suffix in ("xlsx", "docx", "csv", "md"):
        out = tmp_path / f"joint.{suffix}"
        result = cli("survey", "joint", "-d", dim, "--union", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert "Den fælles visning skrevet til" in result.stderr and "Grundlag:" in result.stderr
    wb = load_workbook(tmp_path / "joint.xlsx")
    assert [ws.title for ws in wb] == ["Temaer", "Score med og uden", "Citater"]
    assert wb["Temaer"]["D2"].number_format == "0.0%" and isinstance(wb["Temaer"]["C2"].value, int)
    doc = Document(str(tmp_path / "joint.docx"))
    assert len(doc.tables) == 2 and doc.tables[0].cell(0, 0).text == "Kode"
    assert any(p.style.name == "Quote" for p in doc.paragraphs)
    rows = list(csv.reader(io.StringIO((tmp_path / "joint.csv").read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Kode", "Navn", "Lave n"] and len(rows) > 1
    md = (tmp_path / "joint.md").read_text(encoding="utf-8")
    assert md.startswith("# Fælles visning: ") and "Grundlag: foreningsmængden af" in md


def test_the_table_says_the_basis_and_the_split(made):
    cli, dim, _project = made
    result = cli("survey", "joint", "-d", dim, "--union")
    assert result.exit_code == 0, result.stderr
    assert "Fælles visning:" in result.stdout and "(medianen)" in result.stdout
    assert "Grundlag: foreningsmængden af" in result.stdout and "Lave scorere:" in result.stdout


def test_english_output(made):
    cli, dim, _project = made
    result = cli("survey", "joint", "-d", dim, "--union", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Joint display:" in out and "Themes among low and high scorers" in out and "(the median)" in out
    assert "The library as a psychological safety system" in out and "Basis: union of" in out
    assert "Fælles visning" not in out and " år" not in out
