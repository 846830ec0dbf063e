"""Versioned schema migrations.

``MIGRATIONS[v]`` upgrades a database from schema version ``v`` to ``v + 1``.
Before any step runs, an SQLite project is copied beside itself
(``NAME.db.v{old}.bak``) with the online backup API, so a failed migration
loses nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Connection
from sqlmodel import Session

from trivselkode.errors import TrivselError
from trivselkode.storage.models import SCHEMA_VERSION, Meta

Migration = Callable[[Connection], None]

def _v1_to_v2(conn: Connection) -> None:
    """Version 2 adds the table of settled disagreements (consensus decisions)."""
    from trivselkode.storage.models import Decision

    Decision.__table__.create(conn, checkfirst=True)  # with its indexes


# Version 1 is the first released schema; each later version adds its step here.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}


def copy_sqlite_file(src: Path, dest: Path) -> None:
    """A consistent copy of an SQLite database, while others may write to it, into the new file ``dest``."""
    source = sqlite3.connect(str(src))
    try:
        target = sqlite3.connect(str(dest))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def backup_sqlite_file(src: Path, dest: Path) -> None:
    """:func:`copy_sqlite_file` to a temporary file beside ``dest``, renamed into place when whole.

    A failure (a full disk) removes the temporary file and its journal.
    """
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}-{threading.get_ident()}")
    try:
        copy_sqlite_file(src, tmp)
        tmp.replace(dest)
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def migrate(project, from_version: int) -> Path | None:  # noqa: ANN001 (Project, import cycle)
    """Bring the project from ``from_version`` up to ``SCHEMA_VERSION``."""
    backup: Path | None = None
    if project.is_sqlite and project.engine.url.database not in (None, "", ":memory:"):
        path = Path(project.engine.url.database)
        backup = path.with_name(f"{path.name}.v{from_version}.bak")
        try:
            backup_sqlite_file(path, backup)
        except (sqlite3.Error, OSError) as exc:
            raise TrivselError(
                f"projektet {path} skal opdateres til skemaversion {SCHEMA_VERSION}, men sikkerhedskopien "
                f"{backup.name} kunne ikke skrives ({str(exc).strip() or type(exc).__name__}); intet er ændret",
                "frigør plads på disken (eller giv skriveadgang til mappen), og åbn projektet igen",
            ) from None
    version = from_version
    with project.engine.connect() as conn:
        conn.execution_options(trivselkode_write=True)
        with conn.begin():
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
            with Session(bind=conn) as session:
                session.merge(Meta(key="schema_version", value=str(version)))
                session.flush()
    return backup
