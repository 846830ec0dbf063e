"""Versioned schema migrations.

``MIGRATIONS[v]`` upgrades a database from schema version ``v`` to ``v + 1``.
Before any step runs, an SQLite project is copied beside itself
(``NAME.db.v{old}.bak``) with the online backup API, so a failed migration
loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Connection
from sqlmodel import Session

from trivselkode.storage.models import SCHEMA_VERSION, Meta

Migration = Callable[[Connection], None]

def _v1_to_v2(conn: Connection) -> None:
    """Version 2 adds the table of settled disagreements (consensus decisions)."""
    from trivselkode.storage.models import Decision

    Decision.__table__.create(conn, checkfirst=True)  # with its indexes


# Version 1 is the first released schema; each later version adds its step here.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}


def backup_sqlite_file(src: Path, dest: Path) -> None:
    """A consistent copy of an SQLite database while others may write to it."""
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(str(src)) as source, sqlite3.connect(str(tmp)) as target:
        source.backup(target)
    target.close()
    source.close()
    tmp.replace(dest)


def migrate(project, from_version: int) -> Path | None:  # noqa: ANN001 (Project, import cycle)
    """Bring the project from ``from_version`` up to ``SCHEMA_VERSION``."""
    backup: Path | None = None
    if project.is_sqlite and project.engine.url.database not in (None, "", ":memory:"):
        path = Path(project.engine.url.database)
        backup = path.with_name(f"{path.name}.v{from_version}.bak")
        backup_sqlite_file(path, backup)
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
