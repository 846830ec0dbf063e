"""Importing questionnaire responses: what is stored, that a re-import changes nothing, and that bad files store nothing."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.survey_fixtures import survey_rows, themes_in, write_survey_files
from trivselkode.errors import TrivselError
from trivselkode.importers.survey import import_survey
from trivselkode.storage.db import open_project
from trivselkode.storage.surveys import load_survey, remove_survey, survey_names

ITEMS = ("q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10")


@pytest.fixture
def project(tmp_path: Path):
    proj, _ = open_project(str(tmp_path / "projekt.db"))
    yield proj
    proj.dispose()


def counts(project) -> dict[str, int]:  # noqa: ANN001
    """The number of rows in every table of the project (SQLite)."""
    with sqlite3.connect(project.path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def snapshot(project) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every row of the tables an import writes (SQLite)."""
    with sqlite3.connect(project.path) as conn:
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in ("survey", "respondent", "source", "participant", "passage")
        }


def expected_value(cell: str) -> int | None:
    return None if cell in ("", "ved ikke") else int(cell)


# ----------------------------------------------------------------------------------------- what is stored


def test_respondents_answers_and_open_answers_are_stored_as_the_file_says(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=30)
    rows = survey_rows(rows=30)
    result = import_survey(project, responses, definition)
    assert (result.name, result.source_name, result.unchanged) == ("responses", "responses", False)
    assert result.respondents == 30
    assert result.answers == sum(expected_value(r[i]) is not None for r in rows for i in ITEMS)
    written = [r for r in rows if r["svar"]]
    assert result.open_passages == len(written) and 10 < len(written) < 30
    with project.read() as session:
        survey = load_survey(session)
    assert survey.name == "responses" and survey.title == "Brugeres oplevelser af biblioteket"
    assert survey.definition.reverse == ("q6",) and [d.key for d in survey.definition.dimensions] == [
        "tryghed",
        "orientering",
        "sociale",
    ]
    assert [r.label for r in survey.respondents] == [r["id"] for r in rows]  # file order
    for stored, row in zip(survey.respondents, rows):
        assert stored.round == row["runde"] and isinstance(stored.round, str)
        assert stored.attributes == {"site": row["bibliotek"], "gender": row["køn"], "age": int(row["alder"])}
        assert stored.answers == {i: expected_value(row[i]) for i in ITEMS}  # raw: q6 not reversed
    assert {r.round for r in survey.respondents} == {"1", "2"}
    assert any(v is None for r in survey.respondents for v in r.answers.values())


def test_the_open_answers_are_a_survey_source_of_the_same_respondents(project, tmp_path: Path):
    from sqlmodel import col, select

    from trivselkode.storage.models import Participant, Passage, Source

    responses, definition = write_survey_files(tmp_path, rows=24)
    rows = survey_rows(rows=24)
    import_survey(project, responses, definition)
    with project.read() as session:
        survey = load_survey(session)
        source = session.exec(select(Source).where(Source.name == "responses")).one()
        participants = {p.id: p for p in session.exec(select(Participant).where(Participant.source_id == source.id))}
        passages = list(
            session.exec(select(Passage).where(Passage.source_id == source.id).order_by(col(Passage.number)))
        )
    assert source.kind == "survey" and source.title == survey.title and survey.source_id == source.id
    assert survey.source_name == "responses"
    assert len(participants) == 24  # one participant per respondent, with or without an open answer
    for respondent, row in zip(survey.respondents, rows):
        participant = participants[respondent.participant_id]
        assert participant.label == respondent.label and participant.role == "participant"
        assert (participant.site, participant.gender, participant.age) == (
            row["bibliotek"],
            row["køn"],
            int(row["alder"]),
        )
        assert participant.attributes == {"runde": row["runde"]}
    written = [r for r in rows if r["svar"]]
    assert [p.text for p in passages] == [r["svar"] for r in written]  # file order
    assert [participants[p.participant_id].label for p in passages] == [r["id"] for r in written]
    assert all(source.text[p.start : p.end] == p.text and p.sentences for p in passages)
    assert all(themes_in(p.text) for p in passages)


def test_several_open_answer_columns_give_a_passage_per_cell_in_definition_order(project, tmp_path: Path):
    (tmp_path / "s.csv").write_text("id,q1,b,a\nx,1,B svar.,A svar.\ny,2,,Kun A.\nz,3,,\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "title: T\nscale: {min: 1, max: 3}\nrespondent: id\nopen_answers: [a, b]\nmissing: []\n"
        "dimensions: [{key: d, name: D, items: [q1]}]\n",
        encoding="utf-8",
    )
    result = import_survey(project, tmp_path / "s.csv", tmp_path / "s.yaml")
    assert result.open_passages == 3
    with sqlite3.connect(project.path) as conn:
        rows = conn.execute(
            "SELECT participant.label, passage.text FROM passage JOIN participant ON participant.id = participant_id "
            "ORDER BY passage.number"
        ).fetchall()
    assert rows == [("x", "A svar."), ("x", "B svar."), ("y", "Kun A.")]


def test_without_open_answers_no_source_is_made(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=10, open_answers=False)
    result = import_survey(project, responses, definition)
    assert result.source_name is None and result.open_passages == 0
    with project.read() as session:
        survey = load_survey(session)
    assert survey.source_id is None and survey.source_name is None
    assert all(r.participant_id is None for r in survey.respondents)
    assert counts(project)["source"] == 0


def test_open_answers_all_empty_make_no_source_and_say_so(project, tmp_path: Path):
    (tmp_path / "s.csv").write_text("id,q1,svar\nx,1,\ny,2,ved ikke\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "title: T\nscale: {min: 1, max: 3}\nrespondent: id\nopen_answers: [svar]\nmissing: [ved ikke]\n"
        "dimensions: [{key: d, name: D, items: [q1]}]\n",
        encoding="utf-8",
    )
    result = import_survey(project, tmp_path / "s.csv", tmp_path / "s.yaml")
    assert result.source_name is None and result.open_passages == 0
    assert any("ingen respondent har et åbent svar" in w for w in result.warnings)
    assert counts(project)["source"] == 0


# ----------------------------------------------------------------------------------------- re-import


def test_importing_the_same_file_again_changes_nothing(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=20)
    first = import_survey(project, responses, definition)
    before = snapshot(project)
    again = import_survey(project, responses, definition)
    assert again.unchanged and not first.unchanged
    assert (again.respondents, again.answers, again.open_passages, again.source_name) == (
        first.respondents,
        first.answers,
        first.open_passages,
        first.source_name,
    )
    assert snapshot(project) == before  # not a row added, changed or taken away


def test_another_file_under_a_taken_name_is_refused_with_the_mend(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path / "a", rows=20)
    import_survey(project, responses, definition)
    before = snapshot(project)
    other, _ = write_survey_files(tmp_path / "b", rows=20, seed=2)
    with pytest.raises(TrivselError) as err:
        import_survey(project, other, definition)
    message = str(err.value)
    assert "spørgeskemaet 'responses' findes allerede" in message
    assert "survey remove responses" in message and "--name" in message
    assert snapshot(project) == before
    # The same file with a changed definition is another survey too.
    changed = tmp_path / "a" / "changed.yaml"
    changed.write_text(definition.read_text(encoding="utf-8").replace("reverse: [q6]", "reverse: []"), encoding="utf-8")
    with pytest.raises(TrivselError, match="findes allerede"):
        import_survey(project, responses, changed)
    assert snapshot(project) == before


def test_name_chooses_another_survey_and_load_survey_then_needs_one(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=8, open_answers=False)
    import_survey(project, responses, definition)
    import_survey(project, responses, definition, name="runde 2")
    with project.read() as session:
        assert survey_names(session) == ["responses", "runde 2"]
        with pytest.raises(TrivselError) as err:
            load_survey(session)
        assert "responses, runde 2" in str(err.value) and "--survey" in str(err.value)
        assert load_survey(session, "runde 2").name == "runde 2"
        with pytest.raises(TrivselError, match="findes ikke"):
            load_survey(session, "rund 2")


def test_a_project_without_a_survey_says_how_to_import_one(project):
    with project.read() as session, pytest.raises(TrivselError) as err:
        load_survey(session)
    assert "projektet har intet spørgeskema" in str(err.value) and "survey import" in str(err.value)


def test_the_open_answers_source_name_must_be_free(project, tmp_path: Path):
    from trivselkode.importers.pipeline import import_paths

    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "responses.txt").write_text("P1: Hej med dig.\n", encoding="utf-8")
    import_paths(project, [tmp_path / "other" / "responses.txt"])
    before = counts(project)
    responses, definition = write_survey_files(tmp_path, rows=8)
    with pytest.raises(TrivselError) as err:
        import_survey(project, responses, definition)
    assert "kilden 'responses' findes allerede" in str(err.value) and "--source responses" in str(err.value)
    assert counts(project) == before


# ----------------------------------------------------------------------------------------- bad files


DEFINITION = """\
title: T
scale: {min: 1, max: 5}
respondent: id
round: runde
attributes: {alder: age}
open_answers: [svar]
missing: ["", "ved ikke", "9"]
dimensions:
  - {key: a, name: A, items: [q1, q2]}
  - {key: b, name: B, items: [q3]}
"""
GOOD = ["id,runde,alder,q1,q2,q3,svar", "r1,1,30,1,2,3,Godt.", "r2,1,40,5,ved ikke,9,", "r3,2,50,4,4,4,Fint."]


def _bad(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


BAD_FILES = [
    # (the file, the row, the column letter and name, a piece of the message)
    ([*GOOD[:2], "r2,1,40,6,2,3,", *GOOD[3:]], "række 3, kolonne D ('q1')", "'6' er ikke et svar på skalaen 1–5"),
    ([*GOOD[:2], "r2,1,40,0,2,3,", *GOOD[3:]], "række 3, kolonne D ('q1')", "'0' er ikke et svar på skalaen 1–5"),
    ([*GOOD[:3], "r3,2,50,4,4,mange,"], "række 4, kolonne F ('q3')", "'mange' er ikke et svar"),
    ([*GOOD[:3], "r3,2,50,4,4,nan,"], "række 4, kolonne F ('q3')", "'nan' er ikke et svar"),
    ([*GOOD[:3], "r3,2,50,4,-inf,4,"], "række 4, kolonne E ('q2')", "er ikke et svar"),
    (["id,runde,alder,q1,q2,q3,svar,q4", "r1,1,30,1,2,3,Godt.,2"], "række 1, kolonne H ('q4')", "ukendt kolonne"),
    (["id,runde,alder,q1,q3,svar", "r1,1,30,1,3,Godt."], "række 1: filen mangler kolonnen 'q2'", "definitionen nævner"),
    (
        ["id,runde,alder,q1,q2,q3,svar,q1", "r1,1,30,1,2,3,x,1"],
        "række 1, kolonne H ('q1')",
        "står to gange i første række",
    ),
    ([*GOOD[:3], "r1,2,50,4,4,4,Fint."], "række 4, kolonne A ('id')", "respondenten 'r1' står også i række 2"),
    ([*GOOD[:3], "R1,2,50,4,4,4,Fint."], "række 4, kolonne A ('id')", "respondenten 'R1' står også i række 2"),
    ([*GOOD[:3], ",2,50,4,4,4,Fint."], "række 4, kolonne A ('id')", "respondentens id er tomt"),
    ([*GOOD[:3], "r3,2,50,4,4,4,Fint.,ekstra"], "række 4, kolonne H ('')", "en værdi i en kolonne uden navn"),
    (["id,runde,alder,,q1,q2,q3,svar", "r1,1,30,x,1,2,3,Godt."], "række 2, kolonne D ('')", "kolonne uden navn"),
]


@pytest.mark.parametrize(("lines", "where", "said"), BAD_FILES, ids=[b[2][:40] for b in BAD_FILES])
def test_a_bad_file_is_one_line_with_file_row_and_column_and_nothing_is_stored(
    project, tmp_path: Path, lines: list[str], where: str, said: str
):
    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    path = tmp_path / "svar.csv"
    path.write_text(_bad(lines), encoding="utf-8")
    before = counts(project)
    with pytest.raises(TrivselError) as err:
        import_survey(project, path, tmp_path / "s.yaml")
    message = str(err.value)
    assert message.startswith(f"{path}: {where}"), message
    assert said in message and "\n" not in message and "intet er gemt" in message, message
    assert counts(project) == before


def test_the_good_file_of_those_imports(project, tmp_path: Path):
    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    (tmp_path / "svar.csv").write_text(_bad(GOOD), encoding="utf-8")
    result = import_survey(project, tmp_path / "svar.csv", tmp_path / "s.yaml")
    with project.read() as session:
        answers = [r.answers for r in load_survey(session).respondents]
    assert answers == [{"q1": 1, "q2": 2, "q3": 3}, {"q1": 5, "q2": None, "q3": None}, {"q1": 4, "q2": 4, "q3": 4}]
    assert result.answers == 7


def test_every_problem_of_a_file_is_counted(project, tmp_path: Path):
    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    (tmp_path / "svar.csv").write_text(_bad([GOOD[0], "r1,1,30,7,7,7,", "r2,1,30,1,1,1,"]), encoding="utf-8")
    with pytest.raises(TrivselError) as err:
        import_survey(project, tmp_path / "svar.csv", tmp_path / "s.yaml")
    assert "række 2, kolonne D ('q1')" in str(err.value) and "(og 2 til)" in str(err.value)


def test_a_bad_definition_stores_nothing(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=8)
    definition.write_text(definition.read_text(encoding="utf-8").replace("max: 5", "max: 1"), encoding="utf-8")
    before = counts(project)
    with pytest.raises(TrivselError) as err:
        import_survey(project, responses, definition)
    assert str(err.value).startswith(f"{definition}:2:")
    assert counts(project) == before


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("svar.csv", None, "findes ikke"),
        ("svar.csv", "\n\n", "er tom"),
        ("svar.csv", "id,runde,alder,q1,q2,q3,svar\n", "ingen respondenter"),
        ("svar.pdf", "x", ".csv- eller .xlsx-fil"),
        ("svar.xlsx", "ikke et regneark", "ødelagt zip-arkiv"),
    ],
)
def test_a_file_that_is_no_table_is_one_line(project, tmp_path: Path, name: str, content: str | None, said: str):
    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    before = counts(project)
    with pytest.raises(TrivselError) as err:
        import_survey(project, path, tmp_path / "s.yaml")
    assert said in str(err.value) and "\n" not in str(err.value)
    assert counts(project) == before


# ----------------------------------------------------------------------------------------- formats


def test_xlsx_reads_numbers_text_and_missing_values(project, tmp_path: Path):
    import openpyxl

    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["id", "runde", "alder", "q1", "q2", "q3", "svar"])
    sheet.append([101, 1, 34.0, 5, "ved ikke", 3.0, "Rigtig godt sted."])
    sheet.append(["r2", 2, "ca. 40", 9, 2, None, None])
    sheet.append([None] * 7)  # an empty row in between is skipped
    sheet.append(["r3", 2, 51, " 4 ", 1.5, 1, "Hyggeligt"])
    wb.save(tmp_path / "svar.xlsx")
    result = import_survey(project, tmp_path / "svar.xlsx", tmp_path / "s.yaml")
    with project.read() as session:
        survey = load_survey(session, "svar")
    first, second, third = survey.respondents
    assert (first.label, first.round, first.attributes) == ("101", "1", {"age": 34})
    assert first.answers == {"q1": 5, "q2": None, "q3": 3}
    assert second.answers == {"q1": None, "q2": 2, "q3": None}  # 9 is a missing value, the empty cell too
    assert second.attributes == {"age": "ca. 40"}  # no whole number: kept as written, with a warning
    assert any("'alder'" in w and "række 3" in w for w in result.warnings)
    assert third.answers == {"q1": 4, "q2": 1.5, "q3": 1}
    assert result.open_passages == 2


def test_xlsx_value_outside_the_scale_names_row_and_column(project, tmp_path: Path):
    import openpyxl

    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(["id", "runde", "alder", "q1", "q2", "q3", "svar"])
    sheet.append(["r1", 1, 30, 1, 2, 3, None])
    sheet.append(["r2", 1, 30, 1, 2, 55, None])
    wb.save(tmp_path / "svar.xlsx")
    before = counts(project)
    with pytest.raises(TrivselError) as err:
        import_survey(project, tmp_path / "svar.xlsx", tmp_path / "s.yaml")
    assert str(err.value).startswith(f"{tmp_path / 'svar.xlsx'}: række 3, kolonne F ('q3'): 55 er ikke et svar")
    assert counts(project) == before


def test_semicolon_csv_from_danish_excel(project, tmp_path: Path):
    """Windows-1252, semicolons, decimal commas, a `sep=;` line and æøå in the header."""
    (tmp_path / "s.yaml").write_text(
        "title: T\nscale: {min: 1, max: 5}\nrespondent: Løbenr\nattributes: {Køn: gender, Bibliotek: site}\n"
        "missing: ['', Ved ikke]\ndimensions: [{key: a, name: Åbenhed, items: [Spørgsmål 1, Spørgsmål 2]}]\n",
        encoding="utf-8",
    )
    body = "Løbenr;Køn;Bibliotek;Spørgsmål 1;Spørgsmål  2\r\n1;Kvinde;Århus;4;3,5\r\n2;Mand;Næstved;VED IKKE;5\r\n"
    (tmp_path / "excel.csv").write_bytes(body.encode("cp1252"))
    (tmp_path / "sep.csv").write_bytes(("sep=;\r\n" + body).encode("cp1252"))
    for name in ("excel", "sep"):
        import_survey(project, tmp_path / f"{name}.csv", tmp_path / "s.yaml")
        with project.read() as session:
            survey = load_survey(session, name)
        assert [r.label for r in survey.respondents] == ["1", "2"]
        assert survey.respondents[0].attributes == {"gender": "Kvinde", "site": "Århus"}
        assert [r.answers for r in survey.respondents] == [
            {"Spørgsmål 1": 4, "Spørgsmål 2": 3.5},
            {"Spørgsmål 1": None, "Spørgsmål 2": 5},
        ]


def test_a_semicolon_csv_error_counts_the_sep_line_as_a_row(project, tmp_path: Path):
    (tmp_path / "s.yaml").write_text(DEFINITION, encoding="utf-8")
    lines = ["sep=;", *(line.replace(",", ";") for line in GOOD[:2]), "r2;1;40;1;2;8;"]
    (tmp_path / "svar.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TrivselError) as err:
        import_survey(project, tmp_path / "svar.csv", tmp_path / "s.yaml")
    assert "række 4, kolonne F ('q3')" in str(err.value)


# ----------------------------------------------------------------------------------------- linking a source


def _open_answers_source(project, tmp_path: Path, rows: list[dict[str, str]]) -> str:  # noqa: ANN001
    """The open answers imported (and so codable) before the scores: a survey source named ``aabne-svar``."""
    from trivselkode.importers.pipeline import import_paths

    path = tmp_path / "aabne" / "aabne-svar.csv"
    path.parent.mkdir()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "svar"])
        writer.writerows([r["id"], r["svar"]] for r in rows if r["svar"])
    report = import_paths(project, [path], text_column="svar")
    assert report.files[0].status == "imported", report.files[0].error
    return "aabne-svar"


def test_source_links_the_respondents_to_an_existing_sources_participants(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=20)
    rows = survey_rows(rows=20)
    source = _open_answers_source(project, tmp_path, rows)
    before = counts(project)
    result = import_survey(project, responses, definition, source=source)
    assert result.source_name == source and result.open_passages == sum(1 for r in rows if r["svar"])
    after = counts(project)
    assert after["source"] == before["source"] and after["participant"] == before["participant"]
    assert after["passage"] == before["passage"] and after["respondent"] == 20
    with project.read() as session:
        survey = load_survey(session)
    assert survey.source_name == source
    with sqlite3.connect(project.path) as conn:
        label_of = dict(conn.execute("SELECT id, label FROM participant"))
    for respondent, row in zip(survey.respondents, rows):
        if row["svar"]:
            assert label_of[respondent.participant_id] == respondent.label
        else:  # not in the source: no participant, and said so
            assert respondent.participant_id is None
    unlinked = sum(1 for r in rows if not r["svar"])
    assert any(f"{unlinked} respondenter har ingen deltager i kilden" in w for w in result.warnings)
    # Removing the survey keeps a source it was only linked to.
    remove_survey(project, "responses")
    assert counts(project) == before


def test_source_with_an_open_answer_that_differs_is_refused(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=20)
    rows = survey_rows(rows=20)
    source = _open_answers_source(project, tmp_path, rows)
    changed = next(i for i, r in enumerate(rows) if r["svar"])
    text = responses.read_text(encoding="utf-8").replace(rows[changed]["svar"], "Noget helt andet.", 1)
    responses.write_text(text, encoding="utf-8")
    before = counts(project)
    with pytest.raises(TrivselError) as err:
        import_survey(project, responses, definition, source=source)
    message = str(err.value)
    assert message.startswith(f"{responses}: række {changed + 2}, kolonne P ('svar'): det åbne svar er ikke det")
    assert f"'{rows[changed]['id']}'" in message and "aabne-svar" in message
    assert counts(project) == before


def test_source_must_exist(project, tmp_path: Path):
    responses, definition = write_survey_files(tmp_path, rows=8)
    with pytest.raises(TrivselError, match="kilden 'aabne' findes ikke"):
        import_survey(project, responses, definition, source="aabne")
    assert counts(project)["survey"] == 0


# ----------------------------------------------------------------------------------------- removing


def test_remove_survey_takes_its_respondents_and_its_own_source(project, tmp_path: Path):
    from trivselkode.config import bundled_codebook
    from trivselkode.domain.codebook import load_codebook_file
    from trivselkode.storage.codebook import load_codebook
    from trivselkode.storage.codings import CodingRef, add_coding

    load_codebook(project, load_codebook_file(bundled_codebook()))
    before = counts(project)
    responses, definition = write_survey_files(tmp_path, rows=12)
    import_survey(project, responses, definition)
    add_coding(project, CodingRef(source="responses", passage=1, code="T1", coder="anne"))
    remove_survey(project, "responses")
    after = counts(project)
    assert {t: after[t] for t in before if t != "coder"} == {t: before[t] for t in before if t != "coder"}
    with pytest.raises(TrivselError, match="findes ikke"):
        remove_survey(project, "responses")


def test_a_removed_participant_leaves_the_respondent_unlinked(project, tmp_path: Path):
    """Withdrawn consent (``participants remove``) removes the open answers; the scores stay, unlinked."""
    from trivselkode.storage.sources import remove_participant

    responses, definition = write_survey_files(tmp_path, rows=10)
    import_survey(project, responses, definition)
    with project.read() as session:
        first = load_survey(session).respondents[0]
    assert first.participant_id is not None
    remove_participant(project, "responses", first.label)
    with project.read() as session:
        assert load_survey(session).respondents[0].participant_id is None


# ----------------------------------------------------------------------------------------- loading


def test_matrix_is_the_raw_answers_in_item_order(project, tmp_path: Path):
    import numpy as np

    responses, definition = write_survey_files(tmp_path, rows=25)
    rows = survey_rows(rows=25)
    import_survey(project, responses, definition)
    with project.read() as session:
        survey = load_survey(session)
    expected = np.array([[expected_value(r[i]) for i in ITEMS] for r in rows], dtype=float)
    assert np.array_equal(survey.matrix(), expected, equal_nan=True)  # q6 as answered, not reversed
    assert np.array_equal(survey.matrix(["q6", "q1"]), expected[:, [5, 0]], equal_nan=True)
    taken = survey.matrix()
    taken[:] = 0  # a copy: the survey is not changed
    assert np.array_equal(survey.matrix(), expected, equal_nan=True)
    import dataclasses

    assert dataclasses.replace(survey.respondents[3]) == survey.respondents[3]  # a StoredRespondent as any other
    first = survey.respondents[0].answers
    assert list(first) == list(ITEMS) and len(first) == 10 and first.get("nope") is None
    assert dict(first) == {i: expected_value(rows[0][i]) for i in ITEMS}


def test_a_survey_stored_by_hand_loads_the_same(project):
    """``store_survey`` takes answers by item (a missing item is a missing answer) or in item order."""
    import numpy as np

    from trivselkode.domain.survey_definition import parse_definition
    from trivselkode.storage.surveys import RespondentRow, SurveyRecord, store_survey, survey_summaries

    definition = parse_definition(
        "title: T\nscale: {min: 1, max: 7}\nrespondent: id\nround: r\nmissing: []\n"
        "dimensions: [{key: a, name: A, items: [x, y]}, {key: b, name: B, items: [z]}]\n",
        "d.yaml",
    )
    with project.write() as session:
        store_survey(
            session,
            SurveyRecord("hånd", definition, "hånd.csv", "h", None),
            [
                RespondentRow("p1", "10", {"site": "Viborg"}, {"x": 7, "z": 2.5}, None),
                RespondentRow("p2", "2", {"age": 40}, [1, None, 3], None),
                RespondentRow("p3", None, {}, [None, None, None], None),
            ],
        )
    with project.read() as session:
        survey = load_survey(session, "hånd")
        summary = survey_summaries(session)
    assert [dict(r.answers) for r in survey.respondents] == [
        {"x": 7, "y": None, "z": 2.5},
        {"x": 1, "y": None, "z": 3},
        {"x": None, "y": None, "z": None},
    ]
    assert [r.attributes for r in survey.respondents] == [{"site": "Viborg"}, {"age": 40}, {}]
    assert np.isnan(survey.matrix(["y"])).all()
    assert summary[0].rounds == ("2", "10") and summary[0].respondents == 3 and summary[0].source is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    answers=st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5), st.sampled_from([1.5, 2.25, 4.75])), min_size=3, max_size=3),
        min_size=1,
        max_size=30,
    ),
    xlsx=st.booleans(),
)
def test_what_is_loaded_is_what_the_file_said(tmp_path_factory, answers: list[list[float | None]], xlsx: bool):
    folder = tmp_path_factory.mktemp("h")
    (folder / "s.yaml").write_text(
        "title: T\nscale: {min: 1, max: 5}\nrespondent: id\nmissing: ['', '-']\n"
        "dimensions: [{key: a, name: A, items: [a1, a2]}, {key: b, name: B, items: [b1]}]\n",
        encoding="utf-8",
    )
    header = ["id", "a1", "a2", "b1"]
    table = [[f"r{n}", *row] for n, row in enumerate(answers)]
    if xlsx:
        import openpyxl

        wb = openpyxl.Workbook()
        for row in [header, *table]:
            wb.active.append(row)
        path = folder / "svar.xlsx"
        wb.save(path)
    else:
        path = folder / "svar.csv"
        cell = {None: "-"}
        path.write_text(
            "\n".join(";".join(str(cell.get(v, v)).replace(".", ",") for v in row) for row in [header, *table]) + "\n",
            encoding="utf-8",
        )
    proj, _ = open_project(str(folder / "p.db"))
    try:
        result = import_survey(proj, path, folder / "s.yaml")
        with proj.read() as session:
            survey = load_survey(session)
    finally:
        proj.dispose()
    assert [[r.answers[i] for i in ("a1", "a2", "b1")] for r in survey.respondents] == answers
    assert result.answers == sum(v is not None for row in answers for v in row)
