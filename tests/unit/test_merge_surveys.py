"""Merging a project with a questionnaire carries the survey, its respondents and their link to the open answers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_agreement_cli import _laptop
from tests.survey_fixtures import write_survey_files
from trivselkode.storage.db import open_project
from trivselkode.storage.models import Participant
from trivselkode.storage.surveys import StoredSurvey, load_survey, survey_names


def _survey(db: Path | str) -> tuple[StoredSurvey, dict[int, tuple[str, str]]]:
    """The project's survey and, per participant id, (its source's name, its label)."""
    from sqlmodel import select

    from trivselkode.storage.models import Source

    project, _ = open_project(str(db), create=False)
    try:
        with project.read() as s:
            survey = load_survey(s)
            people = {
                int(p.id): (str(name), str(p.label))
                for p, name in s.exec(select(Participant, Source.name).where(Participant.source_id == Source.id))
            }
        return survey, people
    finally:
        project.dispose()


def _respondents(survey: StoredSurvey, people: dict[int, tuple[str, str]]) -> list[tuple]:
    return [
        (
            r.label,
            r.round,
            r.attributes,
            tuple(None if v is None else float(v) for v in r.answers.values()),
            people[r.participant_id] if r.participant_id is not None else None,
        )
        for r in survey.respondents
    ]


@pytest.mark.parametrize(
    "open_answers, into",
    [(True, "sqlite"), (False, "sqlite"), pytest.param(True, "postgres", marks=pytest.mark.postgres)],
)
def test_a_survey_we_lack_is_copied_whole_once(tmp_path: Path, request, monkeypatch, open_answers: bool, into: str):  # noqa: ANN001
    monkeypatch.chdir(tmp_path)  # where a server project's snapshot lands
    a = _laptop(tmp_path, "a", "anne", [2], db=request.getfixturevalue("pg_url") if into == "postgres" else None)
    b = _laptop(tmp_path, "b", "bo", [4])
    responses, definition = write_survey_files(tmp_path / "survey", rows=30, open_answers=open_answers)
    assert b("survey", "import", str(responses), "--definition", str(definition)).exit_code == 0
    before_theirs = _survey(b.db)

    dry = a.json("merge", str(b.db), "--dry-run")
    assert dry["added"]["surveys"] == 1 and dry["added"]["respondents"] == 30
    project, _ = open_project(str(a.db), create=False)
    try:
        with project.read() as s:
            assert survey_names(s) == []  # a dry run stores nothing
    finally:
        project.dispose()

    first = a.json("merge", str(b.db))
    assert first["added"]["surveys"] == 1 and first["added"]["respondents"] == 30
    assert first["added"].get("sources") == (1 if open_answers else None)  # the open answers; k1 is ours already
    ours, our_people = _survey(a.db)
    theirs, their_people = before_theirs
    assert (ours.name, ours.title, ours.definition) == (theirs.name, theirs.title, theirs.definition)
    assert ours.source_name == theirs.source_name
    assert _respondents(ours, our_people) == _respondents(theirs, their_people)  # file order, answers, links
    if open_answers:
        assert all(r.participant_id is not None for r in ours.respondents)
    if into == "sqlite":
        with sqlite3.connect(a.db) as conn, sqlite3.connect(b.db) as other:
            query = "SELECT label, round, attributes, answers FROM respondent ORDER BY id"
            assert conn.execute(query).fetchall() == other.execute(query).fetchall()  # raw bytes, byte for byte

    again = a.json("merge", str(b.db))
    assert "surveys" not in again["added"] and "respondents" not in again["added"]
    assert again["conflicts"] == []


def test_a_survey_of_the_same_name_with_other_answers_keeps_ours(tmp_path: Path) -> None:
    a = _laptop(tmp_path, "a", "anne", [2])
    b = _laptop(tmp_path, "b", "bo", [4])
    ours_files = write_survey_files(tmp_path / "ours", rows=20, seed=1, open_answers=False)
    theirs_files = write_survey_files(tmp_path / "theirs", rows=25, seed=2, open_answers=False)
    assert a("survey", "import", str(ours_files[0]), "--definition", str(ours_files[1])).exit_code == 0
    assert b("survey", "import", str(theirs_files[0]), "--definition", str(theirs_files[1])).exit_code == 0
    kept = _respondents(*_survey(a.db))
    report = a.json("merge", str(b.db))
    assert "surveys" not in report["added"]
    assert any("spørgeskemaet 'responses'" in line for line in report["conflicts"])
    assert _respondents(*_survey(a.db)) == kept and len(kept) == 20
