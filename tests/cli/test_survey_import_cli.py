"""``trivselkode survey import|list|remove`` end to end: a real SQLite project, the real command line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_report_cli import one_line_error
from tests.conftest import Cli
from tests.survey_fixtures import survey_rows, write_survey_files

TITLE = "Brugeres oplevelser af biblioteket"
IMPORT_KEYS = {"survey", "respondents", "answers", "open_passages", "source", "unchanged", "warnings"}


def rows_in(db: Path) -> dict[str, int]:
    """The number of rows in every table of the project."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_survey_files(tmp_path / "skema", rows=30)


def test_import_prints_what_it_stored_and_again_that_nothing_changed(sqlite_cli: Cli, files):
    responses, definition = files
    first = sqlite_cli("survey", "import", str(responses), "--definition", str(definition))
    assert first.exit_code == 0, first.stderr
    written = sum(1 for r in survey_rows(rows=30) if r["svar"])
    assert first.stdout.strip() == (
        f"Spørgeskemaet 'responses' er indlæst: 30 respondenter, "
        f"{json.loads(_again_json(sqlite_cli, files))['answers']} svar; "
        f"åbne svar i kilden 'responses' ({written} udsagn)."
    )
    before = rows_in(sqlite_cli.db)
    again = sqlite_cli("survey", "import", str(responses), "--definition", str(definition))
    assert again.exit_code == 0 and "er uændret" in again.stdout
    assert rows_in(sqlite_cli.db) == before


def _again_json(cli: Cli, files) -> str:  # noqa: ANN001
    responses, definition = files
    result = cli("survey", "import", str(responses), "--definition", str(definition), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_import_json_is_one_document_of_the_documented_shape(sqlite_cli: Cli, files):
    responses, definition = files
    result = sqlite_cli("survey", "import", str(responses), "--definition", str(definition), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == IMPORT_KEYS
    rows = survey_rows(rows=30)
    items = [f"q{i}" for i in range(1, 11)]
    assert document == {
        "survey": "responses",
        "respondents": 30,
        "answers": sum(r[i] not in ("", "ved ikke") for r in rows for i in items),
        "open_passages": sum(1 for r in rows if r["svar"]),
        "source": "responses",
        "unchanged": False,
        "warnings": [],
    }
    again = json.loads(_again_json(sqlite_cli, files))
    assert again["unchanged"] is True and again["respondents"] == 30


def test_list_shows_name_title_respondents_rounds_and_source(sqlite_cli: Cli, files):
    responses, definition = files
    assert sqlite_cli("survey", "list", "--format", "json").stdout.strip() == "[]"
    empty = sqlite_cli("survey", "list")
    assert empty.exit_code == 0 and "intet spørgeskema" in empty.stderr
    sqlite_cli("survey", "import", str(responses), "--definition", str(definition))
    sqlite_cli("survey", "import", str(responses), "--definition", str(definition), "--name", "kopi")
    listed = sqlite_cli.json("survey", "list")
    assert listed[0] == {
        "name": "kopi",
        "title": "Brugeres oplevelser af biblioteket",
        "respondents": 30,
        "rounds": ["1", "2"],
        "source": "kopi",
    }
    assert [s["name"] for s in listed] == ["kopi", "responses"]
    table = sqlite_cli("survey", "list")
    assert table.exit_code == 0
    for word in ("Spørgeskema", "Respondenter", "Runder", "kopi", "responses", "1, 2"):
        assert word in table.stdout


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            lambda t: t.replace("\nR002,1,", "\nR001,1,", 1),
            "række 3, kolonne A ('id'): respondenten 'R001' står også i række 2",
        ),
        (lambda t: t.replace("q10,svar", "q10,q11,svar").replace(",Jeg", ",1,Jeg"), "ukendt kolonne"),
        (lambda t: t.replace("id,runde", "nr,runde", 1), "række 1, kolonne A ('nr'): ukendt kolonne"),
    ],
    ids=["duplicate id", "unknown column", "renamed id column"],
)
def test_a_bad_file_is_one_line_and_stores_nothing(sqlite_cli: Cli, files, change, said: str):  # noqa: ANN001
    responses, definition = files
    responses.write_text(change(responses.read_text(encoding="utf-8")), encoding="utf-8")
    assert sqlite_cli("init").exit_code == 0
    before = rows_in(sqlite_cli.db)
    result = sqlite_cli("survey", "import", str(responses), "--definition", str(definition), "--format", "json")
    line = one_line_error(result)
    assert said in line and str(responses) in line and "intet er gemt" in line
    assert result.stdout == ""  # no JSON document when nothing was done
    assert rows_in(sqlite_cli.db) == before


def test_a_value_outside_the_scale_in_an_xlsx_is_one_line(sqlite_cli: Cli, files, tmp_path: Path):
    import openpyxl

    _responses, definition = files
    wb = openpyxl.Workbook()
    sheet = wb.active
    rows = survey_rows(rows=6)
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row.values()])
    sheet["G5"] = 8  # q2 of the fourth respondent
    wb.save(tmp_path / "svar.xlsx")
    result = sqlite_cli("survey", "import", str(tmp_path / "svar.xlsx"), "--definition", str(definition))
    line = one_line_error(result)
    assert f"{tmp_path / 'svar.xlsx'}: række 5, kolonne G ('q2'): 8 er ikke et svar på skalaen 1–5" in line
    assert not Path(sqlite_cli.db).exists()  # a bad file opens (and so creates) no project
    sheet["G5"] = 2
    wb.save(tmp_path / "svar.xlsx")
    ok = sqlite_cli(
        "survey", "import", str(tmp_path / "svar.xlsx"), "--definition", str(definition), "--format", "json"
    )
    assert json.loads(ok.stdout)["respondents"] == 6


def test_another_file_under_the_same_name_says_how_to_mend_it(sqlite_cli: Cli, files, tmp_path: Path):
    responses, definition = files
    sqlite_cli("survey", "import", str(responses), "--definition", str(definition))
    other, _ = write_survey_files(tmp_path / "andet", rows=12, seed=5)
    line = one_line_error(sqlite_cli("survey", "import", str(other), "--definition", str(definition)))
    assert "findes allerede" in line and "trivselkode survey remove responses" in line and "--name" in line


def test_a_bad_definition_is_one_line_at_file_line_column(sqlite_cli: Cli, files):
    responses, definition = files
    definition.write_text(definition.read_text(encoding="utf-8").replace("køn: gender", "køn: sex"), encoding="utf-8")
    line = one_line_error(sqlite_cli("survey", "import", str(responses), "--definition", str(definition)))
    assert f"{definition}:7:8: kolonnen 'køn' er knyttet til 'sex'" in line


def test_source_links_to_open_answers_imported_before(sqlite_cli: Cli, files, tmp_path: Path):
    import csv

    responses, definition = files
    rows = survey_rows(rows=30)
    folder = tmp_path / "aabne"
    folder.mkdir()
    with (folder / "aabne-svar.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["id", "svar"])
        writer.writerows([r["id"], r["svar"]] for r in rows if r["svar"])
    assert sqlite_cli("import", str(folder / "aabne-svar.csv"), "--text-column", "svar").exit_code == 0
    before = rows_in(sqlite_cli.db)
    result = sqlite_cli(
        "survey",
        "import",
        str(responses),
        "--definition",
        str(definition),
        "--source",
        "aabne-svar",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == "aabne-svar" and document["unchanged"] is False
    unlinked = sum(1 for r in rows if not r["svar"])
    assert f"{unlinked} respondenter har ingen deltager i kilden 'aabne-svar'" in result.stderr
    after = rows_in(sqlite_cli.db)
    assert {t: after[t] for t in ("source", "participant", "passage")} == {
        t: before[t] for t in ("source", "participant", "passage")
    }
    assert sqlite_cli.json("survey", "list")[0]["source"] == "aabne-svar"
    again = sqlite_cli(
        "survey", "import", str(responses), "--definition", str(definition), "--source", "aabne-svar", "--name", "igen"
    )
    linked = 30 - unlinked
    assert again.stdout.strip().endswith(f"; {linked} respondenter knyttet til deres deltagere i kilden 'aabne-svar'.")
    # Removing the survey keeps the source it was linked to.
    for name in ("responses", "igen"):
        assert sqlite_cli("survey", "remove", name, "--yes").exit_code == 0
    assert rows_in(sqlite_cli.db) == before


def test_remove_asks_and_without_a_terminal_wants_yes(sqlite_cli: Cli, files):
    responses, definition = files
    empty = rows_in(sqlite_cli.db) if sqlite_cli.db.exists() else None
    sqlite_cli("survey", "import", str(responses), "--definition", str(definition))
    stored = rows_in(sqlite_cli.db)
    line = one_line_error(sqlite_cli("survey", "remove", "responses"))
    assert "sletning kræver bekræftelse" in line and "--yes" in line
    assert rows_in(sqlite_cli.db) == stored
    done = sqlite_cli("survey", "remove", "responses", "--yes")
    assert done.exit_code == 0 and "Spørgeskemaet 'responses' er slettet." in done.stderr
    after = rows_in(sqlite_cli.db)
    assert after["survey"] == after["respondent"] == after["source"] == after["passage"] == 0
    assert empty is None or after == empty
    assert "findes ikke" in one_line_error(sqlite_cli("survey", "remove", "responses", "--yes"))


def test_remove_asks_on_a_terminal_in_danish(tmp_path: Path, files):
    from tests.cli.test_confirm_prompt import _run_on_a_terminal

    responses, definition = files
    cli = Cli(tmp_path / "p.db")
    assert cli("survey", "import", str(responses), "--definition", str(definition)).exit_code == 0
    db = ["--db", str(tmp_path / "p.db")]
    said = _run_on_a_terminal([*db, "survey", "remove", "responses"], b"n\n", tmp_path)
    assert "Slet spørgeskemaet 'responses' med 30 respondenter og kilden 'responses'" in said
    assert "[j/N]" in said and "intet er slettet" in said
    assert [s["name"] for s in cli.json("survey", "list")] == ["responses"]
    said = _run_on_a_terminal([*db, "survey", "remove", "responses"], b"j\n", tmp_path)
    assert "er slettet" in said
    assert cli.json("survey", "list") == []


def test_help_lists_the_commands(sqlite_cli: Cli):
    result = sqlite_cli("survey", "--help")
    assert result.exit_code == 0
    for command in ("import", "list", "remove"):
        assert command in result.stdout
    help_import = sqlite_cli("survey", "import", "--help")
    assert "--definition" in help_import.stdout and "--source" in help_import.stdout and "--name" in help_import.stdout


def test_english_says_the_same_in_english(sqlite_cli: Cli, files, tmp_path: Path):
    from tests.i18n_words import danish_leaks

    responses, definition = files
    done = sqlite_cli("--lang", "en", "survey", "import", str(responses), "--definition", str(definition))
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith("The questionnaire 'responses' is imported: 30 respondents")
    again = sqlite_cli("--lang", "en", "survey", "import", str(responses), "--definition", str(definition))
    assert "is unchanged" in again.stdout
    listed = sqlite_cli("--lang", "en", "survey", "list")
    assert "Questionnaire" in listed.stdout and "Respondents" in listed.stdout and "Rounds" in listed.stdout
    other, _ = write_survey_files(tmp_path / "andet", rows=6, seed=3)
    refused = sqlite_cli("--lang", "en", "survey", "import", str(other), "--definition", str(definition))
    assert "already exists" in refused.stderr and "survey remove responses" in refused.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text(responses.read_text(encoding="utf-8").replace("\nR002,1,", "\nR001,1,", 1), encoding="utf-8")
    row = sqlite_cli("--lang", "en", "survey", "import", str(bad), "--definition", str(definition), "--name", "x")
    assert "row 3, column A ('id'): the respondent 'R001' is also in row 2" in row.stderr
    removed = sqlite_cli("--lang", "en", "survey", "remove", "responses", "--yes")
    assert "The questionnaire 'responses' is deleted." in removed.stderr
    for result in (done, again, listed, refused, row, removed):
        text = (result.stdout + result.stderr).replace(str(tmp_path), "").replace(TITLE, "")  # the data's Danish
        assert danish_leaks(text, frozenset({"responses", "svar", "id", "projekt"})) == [], text
