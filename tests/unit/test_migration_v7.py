"""Schema version 7: the indexes the overview reads, on a new project and on one brought up from an older schema."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.unit.test_migrations import back_to_version
from trivselkode.analysis.overview_counts import theme_counts
from trivselkode.storage.coding_views import overview_rows
from trivselkode.storage.db import open_project
from trivselkode.storage.migrations import MIGRATIONS
from trivselkode.storage.models import SCHEMA_VERSION

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OLD_SCHEMAS = [FIXTURES / f"project-schema-v{v}.db" for v in range(1, 6)]
#: Version 7's indexes, by name: their table and columns.
NEW = {
    "ix_coding_code_passage_coder": ("coding", ["code_id", "passage_id", "coder_id"]),
    "ix_passage_source_participant": ("passage", ["source_id", "participant_id"]),
}
#: The indexes they replace (each was the first column of one of them).
REPLACED = {"ix_coding_code_id": ("coding", "code_id"), "ix_passage_source_id": ("passage", "source_id")}
TABLES = ("code", "source", "participant", "passage", "coder", "coding", "decision", "quotechoice")


def _indexes(db: Path) -> dict[str, tuple[str, list[str | None]]]:
    """Every index declared by the schema (not SQLite's own), with its table and columns."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
        return {
            name: (table, [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')])
            for name, table in rows.fetchall()
        }


def _rows(db: Path, table: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)


def _fresh(tmp_path: Path) -> Path:
    path = tmp_path / "ny.db"
    project, _ = open_project(str(path))
    project.dispose()
    return path


def _as_version_6(db: Path) -> None:
    """Turn a current project back into what schema version 6 made: the old indexes, not the new."""
    with sqlite3.connect(db) as conn:
        for name in NEW:
            conn.execute(f'DROP INDEX "{name}"')
        for name, (table, column) in REPLACED.items():
            conn.execute(f'CREATE INDEX "{name}" ON "{table}" ("{column}")')
        conn.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")


def _version(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])


def test_a_new_project_has_the_overview_indexes_and_not_the_ones_they_replace(tmp_path: Path) -> None:
    indexes = _indexes(_fresh(tmp_path))
    assert SCHEMA_VERSION == 7
    for name, declared in NEW.items():
        assert indexes[name] == declared
    assert not set(REPLACED) & set(indexes)
    # Each replaced index's column still leads an index: lookups by code and by source keep one.
    assert [n for n, (t, cols) in indexes.items() if t == "coding" and cols[0] == "code_id"]
    assert [n for n, (t, cols) in indexes.items() if t == "passage" and cols[0] == "source_id"]


def test_a_version_6_project_gains_the_indexes_keeps_every_row_and_its_backup(tmp_path: Path) -> None:
    db = tmp_path / "v6.db"
    shutil.copy(OLD_SCHEMAS[-1], db)
    project, _ = open_project(str(db))  # up to the current schema, then back to what version 6 made
    project.dispose()
    _as_version_6(db)
    (tmp_path / "v6.db.v5.bak").unlink()
    before = {t: _rows(db, t) for t in TABLES}
    assert before["coding"] and before["passage"]
    old_indexes = _indexes(db)
    assert set(REPLACED) <= set(old_indexes) and not set(NEW) & set(old_indexes)

    project, result = open_project(str(db))
    project.dispose()

    assert result.created is False and _version(db) == SCHEMA_VERSION
    assert _indexes(db) == _indexes(_fresh(tmp_path))
    assert {t: _rows(db, t) for t in TABLES} == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    backup = tmp_path / "v6.db.v6.bak"
    assert _indexes(backup) == old_indexes and _rows(backup, "coding") == before["coding"]


@pytest.mark.parametrize("fixture", OLD_SCHEMAS, ids=[p.stem.rsplit("-", 1)[1] for p in OLD_SCHEMAS])
def test_every_old_schema_gets_the_indexes_of_a_new_project(tmp_path: Path, fixture: Path) -> None:
    db = tmp_path / "gammel.db"
    shutil.copy(fixture, db)
    project, _ = open_project(str(db))
    project.dispose()
    assert _indexes(db) == _indexes(_fresh(tmp_path))


def test_the_step_to_version_7_done_twice_changes_nothing(tmp_path: Path) -> None:
    db = _fresh(tmp_path)
    before = _indexes(db)
    project, _ = open_project(str(db))
    try:
        with project.engine.begin() as conn:
            MIGRATIONS[6](conn)
    finally:
        project.dispose()
    assert _indexes(db) == before


def test_the_overview_counts_read_the_new_indexes(tmp_path: Path) -> None:
    """The theme bars are counted from the (code, passage, coder) index alone, and the counts per source
    from the (source, participant) index; the same numbers either way (tests/unit/test_overview_counts.py)."""
    db = tmp_path / "v5.db"
    shutil.copy(OLD_SCHEMAS[-1], db)
    with sqlite3.connect(db) as conn:  # one coder and no decisions: the default basis is the union, counted by SQL
        conn.execute("DELETE FROM coding WHERE coder_id IN (SELECT id FROM coder WHERE name != 'anne')")
        conn.execute("DELETE FROM decision")
    project, _ = open_project(str(db))
    statements: list[tuple[str, Any]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(project.engine, "before_cursor_execute", seen)
    try:
        themes = theme_counts(project)
        rows = overview_rows(project, "anne")
    finally:
        event.remove(project.engine, "before_cursor_execute", seen)
        project.dispose()
    assert any(t.passages for t in themes.themes) and any(r.coded for r in rows)  # counted, not empty

    def plan(statement: str, parameters: Any) -> str:
        with sqlite3.connect(db) as conn:
            return " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters or ()))

    plans = [plan(s, p) for s, p in statements]
    theme_plan = next(p for s, p in zip(statements, plans, strict=True) if "COUNT(DISTINCT passage_id)" in s[0])
    assert "COVERING INDEX ix_coding_code_passage_coder (code_id=?)" in theme_plan
    source_plan = next(p for s, p in zip(statements, plans, strict=True) if "GROUP BY passage.source_id" in s[0])
    assert "SCAN passage USING COVERING INDEX ix_passage_source_participant" in source_plan


@pytest.mark.postgres
def test_postgres_gets_the_indexes_on_the_upgrade_to_v7(pg_url) -> None:
    """A schema-6 database on PostgreSQL gets the new indexes and loses the ones they replace."""
    from sqlalchemy import text

    from tests.conftest import Cli

    owner = Cli(pg_url)
    assert owner("init").exit_code == 0
    back_to_version(
        pg_url,
        6,
        *(f'DROP INDEX "{name}"' for name in NEW),
        *(f'CREATE INDEX "{name}" ON "{table}" ("{column}")' for name, (table, column) in REPLACED.items()),
    )
    assert owner.json("status")["schema_version"] == SCHEMA_VERSION  # migrated
    project, _ = open_project(pg_url)
    try:
        with project.engine.connect() as conn:
            names = set(
                conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")).scalars()
            )
    finally:
        project.dispose()
    assert set(NEW) <= names and not set(REPLACED) & names
