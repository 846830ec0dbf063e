"""A questionnaire in the REFI export: its answers are variables of the cases of its open answers."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

from lxml import etree

from tests.survey_fixtures import survey_project, write_survey_files
from tests.unit.test_refi_export import NS, assert_valid
from trivselkode.export.refi import export_project
from trivselkode.importers.survey import import_survey
from trivselkode.storage.surveys import load_survey


def _root(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("project.qde")
    assert_valid(xml)
    return etree.fromstring(xml)


def _case_values(root: etree._Element) -> dict[str, dict[str, str]]:
    """Case name -> variable name -> the value's text."""
    names = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    out: dict[str, dict[str, str]] = {}
    for case in root.iterfind(".//q:Case", NS):
        values = out.setdefault(case.get("name"), {})
        for vv in case.iterfind("q:VariableValue", NS):
            name = names[vv.find("q:VariableRef", NS).get("targetGUID")]
            values[name] = vv[1].text  # after the VariableRef: the IntegerValue, TextValue, …
    return out


def test_each_respondent_case_carries_its_answers_as_given(tmp_path: Path) -> None:
    project = survey_project(tmp_path, rows=30)
    try:
        with project.read() as s:
            survey = load_survey(s)
        report = export_project(project, tmp_path / "p.qdpx")
    finally:
        project.dispose()
    root = _root(tmp_path / "p.qdpx")
    variables = {v.get("name"): v for v in root.iterfind(".//q:Variable", NS)}
    for item in survey.definition.items:
        variable = variables[f"responses: {item}"]
        assert variable.get("typeOfVariable") == "Integer"
        described = variable.find("q:Description", NS).text
        assert item in described and "1–5" in described
        assert ("vendes" in described) == (item in survey.definition.reverse)
    cases = _case_values(root)
    assert len(survey.respondents) == 30
    for r in survey.respondents:
        values = cases[f"responses: {r.label}"]
        for item, answer in r.answers.items():
            if answer is None or (isinstance(answer, float) and math.isnan(answer)):
                assert f"responses: {item}" not in values  # a missing answer is left out
            else:
                assert values[f"responses: {item}"] == str(int(answer))  # raw: a reversed item is not turned
    assert any(a is None for r in survey.respondents for a in r.answers.values())  # the rule was tried
    assert not any("spørgeskemaet" in w for w in report.warnings)


def test_a_survey_without_open_answers_says_its_answers_are_not_in_the_file(tmp_path: Path) -> None:
    from trivselkode.storage.db import open_project

    responses, definition = write_survey_files(tmp_path / "s", rows=12, open_answers=False)
    project, _ = open_project(str(tmp_path / "p.db"))
    try:
        import_survey(project, responses, definition)
        report = export_project(project, tmp_path / "p.qdpx")
    finally:
        project.dispose()
    root = _root(tmp_path / "p.qdpx")
    assert not [v for v in root.iterfind(".//q:Variable", NS) if ": q" in v.get("name")]
    assert any("spørgeskemaet 'responses'" in w and "(12)" in w for w in report.warnings)
