"""The project database: creation, refusals, SQLite settings, transactions."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from trivselkode.errors import Refused
from trivselkode.storage.db import mask_url, open_project
from trivselkode.storage.models import SCHEMA_VERSION, Coder, Coding, Meta


def test_new_project_has_schema_version_and_app_marker(sqlite_project, db_path):
    with sqlite_project.read() as s:
        meta = {m.key: m.value for m in s.exec(select(Meta))}
    assert meta == {"app": "trivselkode", "schema_version": str(SCHEMA_VERSION)}
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_reopen_is_not_created_again(sqlite_project, db_path):
    again, result = open_project(str(db_path))
    assert result.created is False
    again.dispose()


def test_sqlite_pragmas(sqlite_project):
    with sqlite_project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_write_transactions_begin_immediate(sqlite_project):
    statements: list[str] = []
    from sqlalchemy import event

    def record(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    event.listen(sqlite_project.engine, "before_cursor_execute", record)
    with sqlite_project.write() as s:
        s.add(Coder(name="anne"))
    with sqlite_project.read() as s:
        s.exec(select(Coder)).all()
    event.remove(sqlite_project.engine, "before_cursor_execute", record)
    assert "BEGIN IMMEDIATE" in statements
    begins = [st for st in statements if st.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_write_lock_is_taken_up_front(sqlite_project, db_path):
    """While one writer holds the lock, a second BEGIN IMMEDIATE waits instead of failing later."""
    other = sqlite3.connect(str(db_path), isolation_level=None, timeout=5, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO coder (name, created_at) VALUES ('x', '2025-01-01')")
    released = threading.Event()

    def release() -> None:
        released.wait(0.3)
        other.execute("COMMIT")

    t = threading.Thread(target=release)
    t.start()
    with sqlite_project.write() as s:
        s.add(Coder(name="y"))
    t.join()
    other.close()
    with sqlite_project.read() as s:
        assert sorted(c.name for c in s.exec(select(Coder))) == ["x", "y"]


def test_failed_write_leaves_nothing(sqlite_project):
    with pytest.raises(RuntimeError):
        with sqlite_project.write() as s:
            s.add(Coder(name="halv"))
            s.flush()
            raise RuntimeError("boom")
    with sqlite_project.read() as s:
        assert s.exec(select(Coder)).all() == []


def test_foreign_keys_enforced(sqlite_project):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with sqlite_project.write() as s:
            s.add(Coding(passage_id=999, code_id=999, coder_id=999))


def test_newer_schema_is_refused(sqlite_project, db_path):
    with sqlite_project.write() as s:
        s.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION + 1)))
    sqlite_project.dispose()
    with pytest.raises(Refused, match="skemaversion"):
        open_project(str(db_path))


def test_not_a_database_is_refused(tmp_path: Path):
    bogus = tmp_path / "noter.db"
    bogus.write_text("dette er ikke en database\n" * 20)
    with pytest.raises(Refused, match="ikke en trivselkode-database"):
        open_project(str(bogus))
    assert bogus.read_text().startswith("dette er ikke")


def test_foreign_sqlite_database_is_refused(tmp_path: Path):
    other = tmp_path / "andet.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE kunder (id INTEGER)")
    with pytest.raises(Refused, match="ikke en trivselkode-database"):
        open_project(str(other))


def test_missing_folder_is_refused(tmp_path: Path):
    with pytest.raises(Refused, match="findes ikke"):
        open_project(str(tmp_path / "nope" / "p.db"))


def test_password_is_masked():
    assert mask_url("postgresql+psycopg://anne:hemmelig@localhost/db") == "postgresql+psycopg://anne:***@localhost/db"
    assert "hemmelig" not in mask_url("postgresql://u:hemmelig@h:5432/d")


def test_sql_uses_no_sqlite_only_features_in_models(sqlite_project):
    # The coding uniqueness index is an expression index both back ends support.
    with sqlite_project.engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name='ux_coding_unique'")).scalar()
    assert "coalesce" in sql.lower()


def test_opening_without_create_refuses_a_missing_file_and_leaves_none_behind(tmp_path: Path) -> None:
    missing = tmp_path / "ingen.db"
    with pytest.raises(Refused, match=r"projektfilen .*ingen\.db findes ikke"):
        open_project(str(missing), create=False)
    assert not missing.exists()
