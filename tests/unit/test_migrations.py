"""Databases made by the first released schema open, migrate and keep every row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from trivselkode.storage.db import open_project
from trivselkode.storage.models import SCHEMA_VERSION

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "project-schema-v1.db"
V1_TABLES = ("code", "source", "participant", "passage", "coder", "coding", "memo", "sourcedone", "star", "position")


def back_to_version(url: str, version: int, *statements: str) -> None:
    """Make the project at ``url`` look like schema ``version``: run ``statements`` (undoing the later
    steps), then record the version."""
    from sqlalchemy import text

    project, _ = open_project(url)
    try:
        with project.engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
            conn.execute(text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version)})
    finally:
        project.dispose()


def _rows(db: Path, table: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


def test_first_schema_opens_and_keeps_every_row(tmp_path: Path):
    db = tmp_path / "gammel.db"
    shutil.copy(FIXTURE, db)
    before = {t: _rows(db, t) for t in V1_TABLES}
    assert before["coding"] and before["memo"] and before["star"]
    project, result = open_project(str(db))
    project.dispose()
    assert result.created is False
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        columns = {t: [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in V1_TABLES}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert int(version) == SCHEMA_VERSION
    for table in V1_TABLES:
        after = _rows(db, table)
        # Every old row is still there with its old values (new columns may follow).
        assert len(after) == len(before[table]), table
        width = len(before[table][0]) if before[table] else 0
        assert sorted((r[:width] for r in after), key=repr) == before[table], (table, columns[table])
    if SCHEMA_VERSION > 1:
        backup = tmp_path / "gammel.db.v1.bak"
        assert backup.exists()
        assert _rows(backup, "coding") == before["coding"]


def test_cli_reads_old_project(tmp_path: Path):
    from tests.conftest import Cli

    db = tmp_path / "gammel.db"
    shutil.copy(FIXTURE, db)
    cli = Cli(db)
    status = cli.json("status")
    assert status["codings"] == 3 and status["done"]["anne"] == ["interview"]
    rows = cli.json("codings", "export")
    assert {(r["passage"], r["code"], r["coder"]) for r in rows} == {
        (2, "T1", "anne"),
        (2, "B.sikkerhed", "anne"),
        (4, "T3", "bo"),
    }


FIXTURE_V2 = Path(__file__).resolve().parent.parent / "fixtures" / "project-schema-v2.db"


def test_schema_v2_gains_reasons_audit_and_chosen_quotes_and_keeps_its_decisions(tmp_path: Path):
    db = tmp_path / "v2.db"
    shutil.copy(FIXTURE_V2, db)
    before = _rows(db, "decision")
    assert len(before) == 2
    project, _ = open_project(str(db))
    project.dispose()
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        decision_columns = [r[1] for r in conn.execute('PRAGMA table_info("decision")')]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert int(version) == SCHEMA_VERSION >= 3
    assert decision_columns[-1] == "reason"
    assert {"decisionevent", "quotechoice"} <= tables
    assert [r[:-1] for r in _rows(db, "decision")] == before  # every decision kept, with no reason yet
    assert all(r[-1] is None for r in _rows(db, "decision"))
    assert (tmp_path / "v2.db.v2.bak").exists()


FIXTURE_V3 = Path(__file__).resolve().parent.parent / "fixtures" / "project-schema-v3.db"


def test_schema_v3_gains_rejected_suggestions_and_keeps_every_row(tmp_path: Path):
    from trivselkode.storage.rejections import reject, rejected_passages

    db = tmp_path / "v3.db"
    shutil.copy(FIXTURE_V3, db)
    tables = ("coding", "decision", "decisionevent", "quotechoice", "memo", "star")
    before = {t: _rows(db, t) for t in tables}
    assert before["quotechoice"] and any(r[-1] for r in before["decision"])  # a picked quote, a reason
    project, _ = open_project(str(db))
    try:
        assert reject(project, "anne", 4, "T1")  # the new table takes rows at once
        assert rejected_passages(project, "anne", "T1") == {4}
    finally:
        project.dispose()
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        columns = [r[1] for r in conn.execute('PRAGMA table_info("suggestionrejection")')]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert int(version) == SCHEMA_VERSION >= 4
    assert columns == ["passage_id", "code_id", "coder_id", "created_at"]
    assert {t: _rows(db, t) for t in tables} == before
    assert _rows(tmp_path / "v3.db.v3.bak", "quotechoice") == before["quotechoice"]


FIXTURE_V4 = Path(__file__).resolve().parent.parent / "fixtures" / "project-schema-v4.db"
EN_COLUMNS = ["name_en", "definition_en", "include_en", "exclude_en", "characteristics_en", "examples_en"]


def test_schema_v4_gains_the_codebooks_english_and_keeps_every_row(tmp_path: Path):
    from trivselkode.domain.codebook import dump_codebook, load_codebook_file, validate_codebook_text
    from trivselkode.storage.codebook import codebook_of_project, load_codebook

    db = tmp_path / "v4.db"
    shutil.copy(FIXTURE_V4, db)
    tables = ("code", "coding", "decision", "decisionevent", "quotechoice", "memo", "suggestionrejection")
    before = {t: _rows(db, t) for t in tables}
    assert before["suggestionrejection"] and before["quotechoice"]
    project, _ = open_project(str(db))
    try:
        book = codebook_of_project(project)
        assert all(c.name_en == "" and c.examples_en == [] for c in book.codes)  # no English yet
        bundled = load_codebook_file(Path(__file__).resolve().parents[2] / "codebooks" / "trivsel.yaml")
        load_codebook(project, bundled)  # the English of the bundled codebook goes into the new columns
        again = codebook_of_project(project)
        assert again.get("T1").name_en == bundled.get("T1").name_en != ""
        assert again.get("T1").examples_en == bundled.get("T1").examples_en != []
        assert validate_codebook_text(dump_codebook(again))[0] == again
    finally:
        project.dispose()
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        columns = [r[1] for r in conn.execute('PRAGMA table_info("code")')]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert int(version) == SCHEMA_VERSION >= 5
    assert columns[-len(EN_COLUMNS) :] == EN_COLUMNS
    assert {t: _rows(db, t) for t in tables if t != "code"} == {t: v for t, v in before.items() if t != "code"}
    assert len(_rows(db, "code")) == len(before["code"])  # every code kept (and given its English)
    assert _rows(tmp_path / "v4.db.v4.bak", "suggestionrejection") == before["suggestionrejection"]


def test_schema_v4_codes_keep_every_value_before_a_codebook_is_loaded(tmp_path: Path):
    db = tmp_path / "v4.db"
    shutil.copy(FIXTURE_V4, db)
    before = _rows(db, "code")
    project, _ = open_project(str(db))
    project.dispose()
    after = _rows(db, "code")
    width = len(before[0])
    assert sorted((r[:width] for r in after), key=repr) == before
    assert all(r[width:] == ("", "", "", "", "[]", "[]") for r in after)


FIXTURE_V5 = Path(__file__).resolve().parent.parent / "fixtures" / "project-schema-v5.db"
V5_TABLES = ("code", "source", "participant", "passage", "coding", "decision", "quotechoice", "suggestionrejection")


def test_schema_v5_gains_the_surveys_and_keeps_every_row(tmp_path: Path):
    from tests.survey_fixtures import write_survey_files
    from trivselkode.importers.survey import import_survey
    from trivselkode.storage.surveys import load_survey

    db = tmp_path / "v5.db"
    shutil.copy(FIXTURE_V5, db)
    before = {t: _rows(db, t) for t in V5_TABLES}
    assert before["suggestionrejection"] and any(r for r in before["code"] if "The library" in repr(r))  # English
    with sqlite3.connect(db) as conn:
        assert not {"survey", "respondent"} & {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    project, _ = open_project(str(db))
    try:
        responses, definition = write_survey_files(tmp_path / "skema", rows=6)
        result = import_survey(project, responses, definition)  # the new tables take a survey at once
        with project.read() as session:
            survey = load_survey(session)
        assert len(survey.respondents) == result.respondents == 6
    finally:
        project.dispose()
    with sqlite3.connect(db) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        survey_columns = [r[1] for r in conn.execute('PRAGMA table_info("survey")')]
        respondent_columns = [r[1] for r in conn.execute('PRAGMA table_info("respondent")')]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert int(version) == SCHEMA_VERSION >= 6
    assert survey_columns == [
        "id", "name", "title", "definition", "file_name", "content_hash", "source_id", "imported_at"
    ]  # fmt: skip
    assert respondent_columns == ["id", "survey_id", "label", "round", "attributes", "answers", "participant_id"]
    after = {t: _rows(db, t) for t in V5_TABLES}
    for table in ("code", "coding", "decision", "quotechoice", "suggestionrejection"):
        assert after[table] == before[table], table
    for table in ("source", "participant", "passage"):  # the survey's open answers came in beside the old rows
        assert set(before[table]) <= set(after[table]), table
    assert _rows(tmp_path / "v5.db.v5.bak", "suggestionrejection") == before["suggestionrejection"]


@pytest.mark.parametrize(
    "fixture", [FIXTURE, FIXTURE_V2, FIXTURE_V3, FIXTURE_V4, FIXTURE_V5], ids=["v1", "v2", "v3", "v4", "v5"]
)
def test_every_old_schema_reaches_the_current_one(tmp_path: Path, fixture: Path):
    db = tmp_path / "gammel.db"
    shutil.copy(fixture, db)
    project, _ = open_project(str(db))
    project.dispose()
    fresh, _ = open_project(str(tmp_path / "ny.db"))
    fresh.dispose()

    def schema(path: Path) -> dict[str, list[tuple]]:
        with sqlite3.connect(path) as conn:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
            return {n: sorted(r[1:3] for r in conn.execute(f'PRAGMA table_info("{n}")')) for n in names}

    assert schema(db) == schema(tmp_path / "ny.db")  # the same tables and columns as a new project


@pytest.mark.postgres
def test_postgres_coder_role_may_reject_after_the_upgrade_to_v4(pg_url, interview_file):
    """A coder role given rights on the tables of schema 3 gets them on the rejections table too."""
    import psycopg

    from tests.conftest import TEST_PG, Cli
    from trivselkode.storage.rejections import reject, rejected_passages

    owner = Cli(pg_url)
    assert owner("init").exit_code == 0
    assert owner("import", str(interview_file)).exit_code == 0
    back_to_version(pg_url, 3, "DROP TABLE suggestionrejection")
    db = pg_url.rsplit("/", 1)[1]
    role = f"koder_{db[-8:]}"
    admin = TEST_PG.replace("+psycopg", "").rsplit("/", 1)[0] + f"/{db}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO "{role}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        conn.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    try:
        assert owner.json("status")["schema_version"] == SCHEMA_VERSION  # the owner's tool migrates
        coder, _ = open_project(pg_url.replace("://postgres@", f"://{role}@"))
        try:
            assert reject(coder, "anne", 2, "T1")
            assert rejected_passages(coder, "anne", "T1") == {2}
        finally:
            coder.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'REASSIGN OWNED BY "{role}" TO postgres')
            conn.execute(f'DROP OWNED BY "{role}"')
        with psycopg.connect(TEST_PG.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.postgres
def test_postgres_gains_the_codebooks_english_on_the_upgrade_to_v5(pg_url):
    """A schema-4 database on PostgreSQL gets the English columns, and the bundled codebook's English fills them."""

    from tests.conftest import Cli
    from trivselkode.storage.codebook import code_texts

    owner = Cli(pg_url)
    assert owner("init").exit_code == 0
    back_to_version(pg_url, 4, *(f"ALTER TABLE code DROP COLUMN {name}" for name in EN_COLUMNS))
    assert owner.json("status")["schema_version"] == SCHEMA_VERSION  # migrated
    project, _ = open_project(pg_url)
    try:
        assert code_texts(project)["T1"].name_en == ""  # the columns are back, empty
        assert (
            owner("codebook", "load", str(Path(__file__).resolve().parents[2] / "codebooks" / "trivsel.yaml")).exit_code
            == 0
        )
        assert code_texts(project)["T1"].name_en == "The library as a psychological safety system"
        assert code_texts(project)["T1"].examples_en
    finally:
        project.dispose()


@pytest.mark.postgres
def test_postgres_gains_the_surveys_on_the_upgrade_to_v6(pg_url, tmp_path: Path):
    """A schema-5 database on PostgreSQL gets the survey tables, and a survey imports into them."""

    from tests.conftest import Cli
    from tests.survey_fixtures import write_survey_files

    owner = Cli(pg_url)
    assert owner("init").exit_code == 0
    back_to_version(pg_url, 5, "DROP TABLE respondent", "DROP TABLE survey")
    assert owner.json("status")["schema_version"] == SCHEMA_VERSION  # migrated
    responses, definition = write_survey_files(tmp_path, rows=8)
    result = owner.json("survey", "import", str(responses), "--definition", str(definition))
    assert result["respondents"] == 8 and result["source"] == "responses"
    assert owner.json("survey", "list")[0]["respondents"] == 8
    from tests.survey_fixtures import survey_rows
    from trivselkode.storage.surveys import load_survey

    project, _ = open_project(pg_url)
    try:
        with project.read() as session:
            survey = load_survey(session)
    finally:
        project.dispose()
    rows = survey_rows(rows=8)
    assert [r.label for r in survey.respondents] == [r["id"] for r in rows]
    assert [r.answers["q1"] for r in survey.respondents] == [
        None if r["q1"] in ("", "ved ikke") else int(r["q1"]) for r in rows
    ]
    assert all(r.participant_id is not None for r in survey.respondents)
