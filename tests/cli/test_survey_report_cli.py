"""``trivselkode survey report`` end to end: a real SQLite project, the real command line.

The survey is stored through :func:`trivselkode.storage.surveys.store_survey` (the importer's own writer)
from the seeded answers of :mod:`tests.unit.test_survey_report`; every figure checked is computed again
from those raw answers with :mod:`trivselkode.analysis.survey_stats`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli.test_report_cli import leftovers, one_line_error
from tests.conftest import Cli
from tests.i18n_words import danish_leaks
from tests.unit.test_survey_report import approx, raw_matrix, stored_survey, summary_json
from trivselkode.analysis.survey_stats import compare_groups, cronbach_alpha, dimension_scores, holm, overall_scores
from trivselkode.storage.surveys import RespondentRow, StoredSurvey, SurveyRecord, store_survey


def store(db: Path | str, survey: StoredSurvey, name: str = "trivsel") -> None:
    """``survey`` stored in the project ``db`` as the importer stores one."""
    from trivselkode.storage.db import open_project

    project, _ = open_project(str(db))
    try:
        with project.write() as session:
            record = SurveyRecord(name, survey.definition, f"{name}.csv", f"hash-{name}", None)
            rows = [RespondentRow(r.label, r.round, r.attributes, r.answers, None) for r in survey.respondents]
            store_survey(session, record, rows)
    finally:
        project.dispose()


SURVEY = stored_survey(rows=120, seed=11)


@pytest.fixture
def surveyed(sqlite_cli: Cli) -> Cli:
    store(sqlite_cli.db, SURVEY)
    return sqlite_cli


def test_json_is_one_document_with_the_figures_of_a_second_computation(surveyed: Cli):
    result = surveyed("survey", "report", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # exactly one document: json.loads refuses anything after it
    assert doc["survey"] == "trivsel" and doc["by"] == "round" and doc["respondents"] == 120
    rounds = np.array([r.round for r in SURVEY.respondents])
    everything = raw_matrix(SURVEY, SURVEY.definition.items)
    assert {k: doc["overall"][k] for k in ("n", "mean", "sd", "ci")} == summary_json(overall_scores(everything))
    assert doc["overall"]["alpha"] == approx(cronbach_alpha(everything).alpha)
    ps = []
    for dim, d in zip(SURVEY.definition.dimensions, doc["dimensions"]):
        scores = dimension_scores(raw_matrix(SURVEY, dim.items))
        assert [{k: g[k] for k in ("n", "mean", "sd", "ci")} for g in d["groups"]] == [
            summary_json(scores[rounds == r]) for r in ("1", "2")
        ]
        c = compare_groups({r: scores[rounds == r] for r in ("1", "2")})
        assert c is not None
        ps.append(c.p)
    assert [c["p"] for c in doc["comparisons"]] == approx(ps)
    assert [c["p_holm"] for c in doc["comparisons"]] == approx(holm(ps))


def test_every_format_writes_a_valid_file(surveyed: Cli, tmp_path: Path):
    from docx import Document
    from openpyxl import load_workbook

    for suffix in ("xlsx", "docx", "csv", "md", "json", "txt"):
        out = tmp_path / f"rapport.{suffix}"
        result = surveyed("survey", "report", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert "Spørgeskemaets rapport skrevet til" in result.stderr and result.stdout == ""
    assert load_workbook(tmp_path / "rapport.xlsx").sheetnames[1] == "Dimensioner"
    assert Document(str(tmp_path / "rapport.docx")).tables[0].cell(0, 0).text == "Dimension"
    rows = list(csv.reader(io.StringIO((tmp_path / "rapport.csv").read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["Dimension", "Gruppe"] and {r[0] for r in rows[1:]} >= {"Samlet", "Tryghed"}
    assert json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))["survey"] == "trivsel"
    assert (tmp_path / "rapport.md").read_text(encoding="utf-8").startswith("# Spørgeskema: Brugernes oplevelser")
    assert "Stærkeste dimensioner: 1. " in (tmp_path / "rapport.txt").read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_out_dash_pipes_what_a_file_holds(surveyed: Cli, tmp_path: Path, fmt: str):
    target = tmp_path / f"rapport.{fmt}"
    assert surveyed("survey", "report", "--format", fmt, "--out", str(target)).exit_code == 0
    piped = surveyed("survey", "report", "--format", fmt, "--out", "-")
    assert piped.exit_code == 0, piped.stderr
    assert piped.stdout_bytes == target.read_bytes() and "skrevet til" not in piped.stderr


def test_binary_formats_pipe_but_never_reach_a_terminal(surveyed: Cli, monkeypatch: pytest.MonkeyPatch):
    from openpyxl import load_workbook

    piped = surveyed("survey", "report", "--format", "xlsx", "--out", "-")
    assert piped.exit_code == 0, piped.stderr
    assert "Dimensioner" in load_workbook(io.BytesIO(piped.stdout_bytes)).sheetnames
    no_out = surveyed("survey", "report", "--format", "docx")
    assert "--out" in one_line_error(no_out)
    monkeypatch.setattr("trivselkode.cli.pipes.stdout_is_terminal", lambda: True)
    assert "DOCX" in one_line_error(surveyed("survey", "report", "--format", "docx", "--out", "-"))


def test_table_shows_the_sections(surveyed: Cli):
    result = surveyed("survey", "report", "--by", "gender")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for part in ("Dimensioner", "Kvinde", "Mand", "Sammenligning af grupperne", "Spørgsmålene", "Holm-korrigeret"):
        assert part in text
    assert "mellem kvinde og mand" in text.lower()


def test_unknown_by_is_one_line(surveyed: Cli, tmp_path: Path):
    out = tmp_path / "x.csv"
    line = one_line_error(surveyed("survey", "report", "--by", "farve", "--out", str(out)))
    assert "farve" in line and "age_band" in line
    assert not out.exists()


def test_a_by_with_one_group_is_a_note_and_no_comparison(sqlite_cli: Cli):
    store(sqlite_cli.db, stored_survey(rows=30, sites=("Viborg",)))
    result = sqlite_cli("survey", "report", "--by", "site", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["comparisons"] == [] and doc["overall"]["comparison"] is None
    assert "Kun 1 gruppe" in result.stderr


def test_age_bands_option(surveyed: Cli):
    doc = surveyed.json("survey", "report", "--by", "age_band", "--age-bands", "40")
    assert [g["age_band"] for g in doc["overall"]["groups"]] == ["under 40", "40+"]
    assert doc["comparisons"][0]["test"] == "welch_t"


def test_which_survey(sqlite_cli: Cli):
    from trivselkode.storage.db import open_project

    open_project(str(sqlite_cli.db))[0].dispose()
    assert "intet spørgeskema" in one_line_error(sqlite_cli("survey", "report"))
    store(sqlite_cli.db, stored_survey(rows=20, seed=1), "a")
    store(sqlite_cli.db, stored_survey(rows=24, seed=2), "b")
    assert "--survey" in one_line_error(sqlite_cli("survey", "report"))
    assert sqlite_cli.json("survey", "report", "--survey", "b")["respondents"] == 24


def test_suffix_and_format_must_agree(surveyed: Cli, tmp_path: Path):
    out = tmp_path / "x.xlsx"
    assert "--format csv" in one_line_error(surveyed("survey", "report", "--format", "csv", "--out", str(out)))
    assert not out.exists()


def test_english_report_speaks_english(surveyed: Cli):
    result = surveyed("survey", "report", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert "no statistically significant difference between rounds 1 and 2" in result.stdout
    assert danish_leaks(result.stdout, frozenset({"brugernes", "oplevelser"})) == []


def test_report_of_an_imported_survey(tmp_path: Path):
    from tests.survey_fixtures import survey_project

    survey_project(tmp_path, rows=60, seed=2).dispose()
    cli = Cli(tmp_path / "survey.db")
    doc = cli.json("survey", "report")
    assert doc["survey"] == "responses" and doc["respondents"] == 60
    assert [d["key"] for d in doc["dimensions"]] == ["tryghed", "orientering", "sociale"]
    assert doc["ranking"]["strongest"][0]["text"].startswith("Tryghed (")
    text = cli("survey", "report", "--by", "round")
    assert text.exit_code == 0, text.stderr
    tryghed = next(c for c in doc["comparisons"] if c["dimension"] == "tryghed")
    verdict = "ingen statistisk signifikant" if tryghed["p_holm"] >= 0.05 else "statistisk signifikant"
    assert f"Tryghed: {verdict} forskel mellem 1. og 2. runde (Welch t = " in text.stdout
