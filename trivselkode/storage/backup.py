"""Consistent copies of a project while others work, and restoring them.

- SQLite: the online backup API copies a consistent snapshot page by page,
  whatever other processes are writing.
- PostgreSQL: every table is read in one REPEATABLE READ transaction (one
  snapshot) and written into a new SQLite project file, which ``--db`` opens
  like any project and :func:`restore` loads back into an empty database.

Output is written through ``storage/files.py`` as every export is: to a
temporary file beside the target, renamed into place when whole, so a failed
backup (a full disk) leaves nothing behind, and never over the project itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.storage.db import Project, open_project
from trivselkode.storage.files import check_target, replace_atomically
from trivselkode.storage.migrations import copy_sqlite_file
from trivselkode.storage.models import Code


def _tables() -> list[Table]:
    return list(SQLModel.metadata.sorted_tables)


def _ordered_rows(table: Table, rows: list[dict]) -> list[dict]:
    """Codes with their parents first (the only self-reference in the schema)."""
    if table.name != Code.__tablename__:
        return rows
    by_id = {r["id"]: r for r in rows}
    done: set[int] = set()
    out: list[dict] = []

    def visit(row: dict, trail: frozenset[int]) -> None:
        if row["id"] in done:
            return
        parent = by_id.get(row["parent_id"])
        if parent is not None and parent["id"] not in trail:
            visit(parent, trail | {row["id"]})
        done.add(row["id"])
        out.append(row)

    for row in rows:
        visit(row, frozenset())
    return out


def copy_tables(src: Connection, dst: Connection, batch: int = 5000) -> dict[str, int]:
    """Copy every row of every project table from ``src`` to ``dst`` (ids kept)."""
    counts: dict[str, int] = {}
    for table in _tables():
        rows = [dict(r._mapping) for r in src.execute(select(table))]
        if table.name == "meta":
            dst.execute(table.delete())
        rows = _ordered_rows(table, rows)
        for i in range(0, len(rows), batch):
            dst.execute(insert(table), rows[i : i + batch])
        counts[table.name] = len(rows)
    return counts


def _reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids into PostgreSQL, move each serial past them."""
    for table in _tables():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


def backup(project: Project, out: Path) -> dict[str, int]:
    """Write a consistent copy of ``project`` to the SQLite file ``out``.

    ``out`` is checked as every export target is (never the project's own
    files; a device is written to, a symlink through). A damaged project is
    refused: its copy would be as damaged. The copy is written to a
    temporary file and renamed into place, so a full disk leaves nothing.
    """
    path = check_target(out)
    project.verify()

    def write(tmp: Path) -> dict[str, int]:
        if project.is_sqlite:
            copy_sqlite_file(Path(project.engine.url.database or ""), tmp)
            return _file_counts(tmp)
        return _snapshot_postgres(project, tmp)

    _, counts = replace_atomically(path, write)
    return counts


def _file_counts(path: Path) -> dict[str, int]:
    """The rows of every table of a finished copy (read without leaving a journal beside it)."""
    conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1", uri=True)
    try:
        return {t.name: int(conn.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]) for t in _tables()}
    finally:
        conn.close()


def _snapshot_postgres(project: Project, tmp: Path) -> dict[str, int]:
    """Every table read in one REPEATABLE READ snapshot, written into the new SQLite project ``tmp``."""
    target, _ = open_project(str(tmp))
    try:
        with project.engine.connect() as src:
            src = src.execution_options(isolation_level="REPEATABLE READ")
            with src.begin():
                with target.engine.connect() as dst:
                    dst.execution_options(trivselkode_write=True)
                    with dst.begin():
                        counts = copy_tables(src, dst)
        with target.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.dispose()
    return counts


def _counts(conn: Connection) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in _tables()}


def restore(project: Project, backup_file: Path) -> dict[str, int]:
    """Load a backup (an SQLite project file) into an empty project, in one transaction."""
    if not backup_file.is_file():
        raise TrivselError(
            _("{backup_file} findes ikke").format(backup_file=backup_file), _("angiv sikkerhedskopiens filsti")
        )
    source, _settings = open_project(str(backup_file), create=False)
    try:
        source.verify()  # a damaged backup would restore with rows missing
        project.check_writable()
        with project.engine.connect() as check:
            existing = _counts(check)
        if any(existing[name] for name in ("source", "code", "coder")):
            raise TrivselError(
                _("{display_name} er ikke tom").format(display_name=project.display_name),
                _("gendan til en ny, tom database (opret den, og kør restore igen)"),
            )
        with source.engine.connect() as src, project.engine.connect() as dst:
            dst.execution_options(trivselkode_write=True)
            with src.begin(), dst.begin():
                for table in reversed(_tables()):
                    if table.name != "meta":
                        dst.execute(table.delete())
                counts = copy_tables(src, dst)
                if not project.is_sqlite:
                    _reset_sequences(dst)
        return counts
    finally:
        source.dispose()
