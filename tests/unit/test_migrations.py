"""Databases made by the first released schema open, migrate and keep every row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from trivselkode.storage.db import open_project
from trivselkode.storage.models import SCHEMA_VERSION

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "project-schema-v1.db"
V1_TABLES = ("code", "source", "participant", "passage", "coder", "coding", "memo", "sourcedone", "star", "position")


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
