"""The guards of the core: export targets, damaged and read-only projects, failed copies.

The command-line side (every export command, devices, pipes, read-only
files, a full disk) is in ``tests/cli/test_safety_cli.py``.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from trivselkode.errors import Refused, TrivselError
from trivselkode.storage.db import explain_failure, open_project
from trivselkode.storage.files import check_target, replace_atomically, write_data

FIXTURE = REPO / "tests" / "fixtures" / "project-schema-v1.db"


def test_a_named_project_file_is_refused_before_it_is_open(tmp_path):
    db = tmp_path / "p.db"
    db.write_bytes(b"")
    for target in (db, Path(f"{db}-wal"), Path(f"{db}-journal")):
        with pytest.raises(Refused, match="overskrives ikke"):
            check_target(target, [db])
    assert check_target(tmp_path / "p.csv", [db]) == tmp_path / "p.csv"


def test_an_open_project_file_is_refused_until_it_is_closed(sqlite_project, db_path):
    with pytest.raises(Refused, match="selve projektets database"):
        check_target(db_path)
    with pytest.raises(Refused):
        replace_atomically(db_path, lambda tmp: write_data(tmp, "x"))
    sqlite_project.dispose()
    assert check_target(db_path) == db_path


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "rapport.csv"
    target.write_text("gammel\n")

    def half_then_full(tmp: Path) -> None:
        tmp.write_text("halv")
        Path(f"{tmp}-journal").write_text("")  # as SQLite leaves one beside a copy
        raise OSError(28, "No space left on device")

    with pytest.raises(TrivselError, match="ikke plads på disken"):
        replace_atomically(target, half_then_full)
    assert target.read_text() == "gammel\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.csv"]


def test_opening_is_not_checked_but_the_first_write_is(tmp_path):
    db = tmp_path / "p.db"
    project, _ = open_project(str(db))
    project.dispose()
    with sqlite3.connect(db) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'code'").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(db, "r+b") as fh:  # a page of the code table as garbage
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)
    project, _ = open_project(str(db))  # opening stays fast: quick_check has not run
    try:
        with pytest.raises(Refused, match="beskadiget"):
            with project.write():
                pass
        with pytest.raises(Refused, match="beskadiget"):
            project.verify()
    finally:
        project.dispose()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), "beskadiget"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "skrivebeskyttet"),
        (sqlite3.OperationalError("database or disk is full"), "disken er fuld"),
        (OSError(28, "No space left on device"), "disken er fuld"),
    ],
)
def test_explain_failure_names_the_cause(error, words):
    from sqlalchemy.exc import DatabaseError, OperationalError

    wrapped = error
    if isinstance(error, sqlite3.Error):
        cls = OperationalError if isinstance(error, sqlite3.OperationalError) else DatabaseError
        wrapped = cls("SELECT 1", {}, error)
    text = explain_failure(wrapped)
    assert words in text and "serveren" not in text, text


def test_a_migration_whose_backup_copy_fails_changes_nothing_and_leaves_no_temporary_file(tmp_path):
    db = tmp_path / "gammel.db"
    shutil.copy(FIXTURE, db)
    limit = 100 * 1024
    assert db.stat().st_size > limit

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "trivselkode", "--db", str(db), "status"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=limited,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "sikkerhedskopien" in lines[0] and "intet er ændret" in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") or ".bak" in p.name) == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "1"
