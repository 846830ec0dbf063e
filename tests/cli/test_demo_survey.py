"""The demo's questionnaire (surveys/): its answers are what tools/make_demo_survey.py writes, its first 21
respondents are the coded open answers' respondents and are linked to them, and the tool's own report on it
lands in the ranges of the study's report ("Kvantitative fund": overall 4,15–4,16, α 0,94–0,95, Tryghed
4,65–4,68 strongest, the social 3,85–3,91 weakest, no significant difference between the rounds)."""

from __future__ import annotations

import csv
import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import DEMO_SOURCES, Cli
from trivselkode.config import data_dir

OPEN_SOURCE = "spoergeskema-aabne-svar-r1"
#: The report's figures, each widened by 0.02 on either side (the demo's answers are invented).
REPORT_RANGES = {
    "overall": (4.13, 4.18),
    "tryghed": (4.63, 4.70),
    "orientering": (4.55, 4.60),
    "personale": (4.47, 4.59),
    "sociale": (3.83, 3.93),
    "interesser": (3.90, 3.95),
}


def generator() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "tools" / "make_demo_survey.py"
    spec = importlib.util.spec_from_file_location("make_demo_survey", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_the_answers_are_what_the_script_writes() -> None:
    assert generator().build_csv() == (data_dir("surveys") / "spoergeskema.csv").read_text(encoding="utf-8")


def test_the_first_respondents_are_those_of_the_open_answers() -> None:
    answers = rows(data_dir("surveys") / "spoergeskema.csv")
    open_answers = rows(data_dir("transcripts") / f"{OPEN_SOURCE}.csv")
    assert len(open_answers) == 21
    first = answers[: len(open_answers)]
    assert [(r["respondent"], r["runde"], r["køn"], r["alder"], r["bibliotek"]) for r in first] == [
        (r["respondent"], "1", r["køn"], r["alder"], r["bibliotek"]) for r in open_answers
    ]
    labels = [r["respondent"] for r in answers]
    assert len(set(labels)) == len(labels)
    assert {r["runde"] for r in answers} == {"1", "2"}
    missing = [
        v for r in answers for k, v in r.items() if k.startswith("q") and v.strip().casefold() in ("", "ved ikke")
    ]
    assert {"", "ved ikke"} <= set(missing) and len(missing) < 0.02 * len(answers) * 24


@pytest.fixture
def demo_cli(demo, tmp_path: Path) -> Cli:  # noqa: ANN001
    """The command line on a fresh copy of the demo project (the ``demo`` fixture's file)."""
    return Cli(tmp_path / "demo.db")


def test_the_demo_has_the_survey_linked_to_the_coded_answers(demo) -> None:  # noqa: ANN001
    from trivselkode.storage.surveys import load_survey, survey_names

    with demo.read() as session:
        assert survey_names(session) == ["spoergeskema"]
        survey = load_survey(session)
    assert len(survey.respondents) == 240
    assert sorted({r.round for r in survey.respondents}) == ["1", "2"]
    assert survey.source_name == OPEN_SOURCE
    # R01–R21 answered the open question; the two whose answer is empty (R04, R13) have no participant there
    answered = [r["respondent"] for r in rows(data_dir("transcripts") / f"{OPEN_SOURCE}.csv") if r["svar"].strip()]
    linked = [r for r in survey.respondents if r.participant_id is not None]
    assert [r.label for r in linked] == answered and len(answered) == 19
    assert {r.attributes["site"] for r in survey.respondents} == {"Randers", "Viborg", "Holstebro"}


def project_content(path: Path) -> dict[str, list[tuple]]:
    """Every source, passage, participant, coding and done-mark of a project file, as plain rows."""
    queries = {
        "sources": "SELECT name, kind, site, context, round FROM source ORDER BY name",
        "passages": "SELECT s.name, p.number, p.text FROM passage p JOIN source s ON s.id = p.source_id"
        " ORDER BY s.name, p.number",
        "participants": "SELECT s.name, p.label, p.gender, p.age, p.site FROM participant p"
        " JOIN source s ON s.id = p.source_id ORDER BY s.name, p.label",
        "codings": "SELECT s.name, p.number, c.key, k.name, x.start, x.end FROM coding x"
        " JOIN passage p ON p.id = x.passage_id JOIN source s ON s.id = p.source_id"
        " JOIN code c ON c.id = x.code_id JOIN coder k ON k.id = x.coder_id"
        " ORDER BY s.name, p.number, c.key, k.name, x.start",
    }
    with sqlite3.connect(path) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in queries.items()}


def test_the_survey_changes_nothing_else_in_the_demo(demo_file: Path, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from trivselkode.cli import project as cli_project

    monkeypatch.setattr(cli_project, "_add_demo_survey", lambda project: None)
    without = tmp_path / "without-survey.db"
    cli_project.build_demo(without)
    content = project_content(demo_file)
    assert len(content["sources"]) == DEMO_SOURCES and len(content["codings"]) > 1000
    assert content == project_content(without)
    with sqlite3.connect(without) as conn:
        assert conn.execute("SELECT count(*) FROM respondent").fetchone() == (0,)


def test_the_survey_adds_no_source_and_changes_no_coding(demo, tmp_path: Path) -> None:  # noqa: ANN001
    with sqlite3.connect(tmp_path / "demo.db") as conn:
        sources = [name for (name,) in conn.execute("SELECT name FROM source ORDER BY name")]
        participants = dict(
            conn.execute(
                "SELECT r.label, p.label FROM respondent r JOIN participant p ON p.id = r.participant_id"
                " JOIN source s ON s.id = p.source_id WHERE s.name = ?",
                (OPEN_SOURCE,),
            )
        )
    assert len(sources) == DEMO_SOURCES and OPEN_SOURCE in sources
    assert len(participants) == 19 and all(label == participant for label, participant in participants.items())


def test_the_report_by_round_lands_in_the_study_reports_ranges(demo_cli: Cli) -> None:
    doc = demo_cli.json("survey", "report", "--by", "round")
    assert doc["survey"] == "spoergeskema" and doc["respondents"] == 240
    overall = doc["overall"]
    assert 0.94 <= overall["alpha"] <= 0.95 and overall["alpha_n"] > 150
    low, high = REPORT_RANGES["overall"]
    assert [g["round"] for g in overall["groups"]] == ["1", "2"]
    assert all(low <= g["mean"] <= high for g in overall["groups"]), overall["groups"]
    assert all(0.935 <= g["alpha"] < 0.955 for g in overall["groups"]), overall["groups"]  # 0,94–0,95 per round
    by_key = {d["key"]: d for d in doc["dimensions"]}
    for key, (low, high) in REPORT_RANGES.items():
        if key != "overall":
            means = [g["mean"] for g in by_key[key]["groups"]]
            assert len(means) == 2 and all(low <= m <= high for m in means), (key, means)
    assert [r["key"] for r in doc["ranking"]["strongest"]] == ["tryghed", "orientering", "personale"]
    assert {r["key"] for r in doc["ranking"]["weakest"]} == {"sociale", "interesser"}
    assert len(doc["comparisons"]) == 6
    for comparison in doc["comparisons"]:
        assert comparison["test"] == "welch_t" and comparison["nonparametric"]["test"] == "mann_whitney_u"
        assert comparison["p"] > 0.05 and comparison["p_holm"] > 0.05, comparison
        assert abs(comparison["effect"]["cohen_d"]) < 0.2
    assert overall["comparison"]["p"] > 0.05


def test_the_joint_display_of_the_social_sets_quiet_against_community(demo_cli: Cli) -> None:
    """The README's reading of the demo: quiet and concentration (T2) among the social dimension's low scorers,
    the quiet community (T3), interests (T5) and events (T6) among its high scorers."""
    doc = demo_cli.json("survey", "joint", "--dimension", "sociale")
    assert doc["split_rule"] == "median" and doc["unscored"] == 0
    assert doc["groups"]["low"]["n"] + doc["groups"]["high"]["n"] == 240
    assert doc["groups"]["low"]["answered"] + doc["groups"]["high"]["answered"] == 19
    shares = {t["code"]: (t["low"]["share"], t["high"]["share"]) for t in doc["themes"]}
    assert shares["T2"][0] > shares["T2"][1]
    assert all(shares[code][1] > shares[code][0] for code in ("T3", "T5", "T6"))
    reverse = {r["code"]: r["difference"] for r in doc["reverse"]}
    assert reverse["T2"] < 0 < reverse["T3"]
