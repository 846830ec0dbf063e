"""The engine, sessions and schema version of one project.

SQLite is opened in WAL mode with foreign keys on and a busy timeout. Write
transactions start with ``BEGIN IMMEDIATE``: a deferred read transaction
that later writes fails with "database is locked" whatever the timeout, so
every writer takes the write lock up front and waits its turn instead.
On PostgreSQL every write transaction takes one transaction-level advisory
lock first, so the writers of one project queue as they do on SQLite: two
processes that create the same coder or import the same file at once never
meet in a unique index (the second finds what the first stored).

A project file is guarded before SQLite writes a byte to it: a file of
another application is refused after a read-only look at its tables; a file
this user cannot write is opened read-only (without leaving a ``-wal`` or
``-shm`` behind; with no write-ahead log to read it is opened ``immutable``,
so it does not see what others write meanwhile) and refuses writes; a damaged
file ("database disk image is malformed") is named as damaged.
``PRAGMA quick_check`` (:meth:`Project.verify`) runs before the first write
of a process, before every export and when a CLI command opens the project
(all but ``status``), not when the terminal UI opens it: on the
1,000,000-word benchmark project it costs about 0.4 s.

A server URL is shown only through :func:`display_url` (its password as
``***``) and every driver message through :func:`mask_url`. One whose user
name or password holds an unencoded ``@`` or ``:`` is refused before any
connection (:func:`check_url`), since it would be split at the wrong place
and part of the password sent, and printed, as the host name.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from trivselkode.errors import Refused
from trivselkode.i18n import _
from trivselkode.storage import models
from trivselkode.storage.failures import (
    damaged_refusal,
    explain_failure,
    first_line,
    is_damage,
    is_disk_full,
    is_read_only_failure,
    read_only_refusal,
)
from trivselkode.storage.models import APP_ID, SCHEMA_VERSION, Meta
from trivselkode.storage.project_file import (
    NETWORK_FILESYSTEMS,
    check_sqlite_file,
    filesystem_type,
    network_warning,
    read_only_reason,
    read_only_uri,
)
from trivselkode.storage.urls import check_url, display_url, mask_url, to_url, url_scheme

__all__ = [
    "NETWORK_FILESYSTEMS",
    "OpenResult",
    "Project",
    "bulk_insert",
    "check_url",
    "damaged_refusal",
    "display_url",
    "explain_failure",
    "filesystem_type",
    "is_damage",
    "is_disk_full",
    "is_read_only_failure",
    "make_engine",
    "mask_url",
    "network_warning",
    "open_files",
    "open_project",
    "read_only_refusal",
    "to_url",
]

# The key of the advisory lock every PostgreSQL write transaction takes ("trivsel").
_PG_WRITE_LOCK = int.from_bytes(b"trivsel", "big")


@dataclass
class OpenResult:
    created: bool


class Project:
    """One open project database."""

    def __init__(self, engine: Engine, url: str, read_only: str | None = None) -> None:
        self.engine = engine
        self.url = url
        self.warnings: list[str] = []
        # Why this user cannot write the project file (None: writable).
        self.read_only = read_only
        # What quick_check (or SQLite itself) found wrong with the file (None: nothing yet).
        self.damage: str | None = None
        self._verified: tuple[Any, ...] | None = None
        self._write_checked = False
        self._verify_lock = threading.Lock()
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._file = Path(os.path.abspath(database)) if database not in (None, "", ":memory:") else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_name(self) -> str:
        if self.is_sqlite:
            return self.engine.url.database or ":memory:"
        return display_url(self.url)

    @property
    def path(self) -> Path | None:
        """The absolute path of an SQLite project's file (None for a server or an in-memory database)."""
        return self._file

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Nothing it changes is kept."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except DBAPIError as exc:
            self._raise_refusal(exc)
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is one transaction, committed on success.

        On SQLite the transaction begins with ``BEGIN IMMEDIATE``; on
        PostgreSQL it first takes the project's write lock. A read-only or
        damaged project is refused before the transaction begins.
        """
        self.check_writable()
        try:
            with self.engine.connect() as conn:
                conn.execution_options(trivselkode_write=True)
                with Session(bind=conn, expire_on_commit=False) as session:
                    try:
                        yield session
                        session.commit()
                    except BaseException:
                        session.rollback()
                        raise
        except DBAPIError as exc:
            self._raise_refusal(exc)
            raise

    def check_writable(self) -> None:
        """Refuse a write to a read-only or damaged project; check the file before the first write."""
        if self.read_only:
            raise read_only_refusal(self.display_name, self.read_only)
        if not self._write_checked:
            self.verify()
            self._write_checked = True
        elif self.damage:
            raise damaged_refusal(self.display_name, self.damage)

    def verify(self) -> None:
        """Refuse a damaged SQLite project (``PRAGMA quick_check``); a no-op on PostgreSQL.

        Run before the first write of a process and before every export, so
        that an export never leaves out the rows of a damaged page unsaid. The
        result is kept until the file (or its ``-wal``) changes.
        """
        if self.damage:
            raise damaged_refusal(self.display_name, self.damage)
        path = self.path
        if path is None or not path.exists():  # a server, or a file gone: nothing to check (and none to create)
            return
        with self._verify_lock:
            state = _file_state(path)
            if state == self._verified:
                return
            try:
                with self.engine.connect() as conn:
                    rows = conn.exec_driver_sql("PRAGMA quick_check(1)").fetchall()
            except DBAPIError as exc:
                self._raise_refusal(exc)
                raise
            result = str(rows[0][0]) if rows else "ok"
            if result != "ok":
                lines = [line for line in result.strip().splitlines() if line.strip() and not line.startswith("***")]
                self.damage = f"PRAGMA quick_check: {lines[0] if lines else result.strip()}"
                raise damaged_refusal(self.display_name, self.damage)
            self._verified = state

    def _raise_refusal(self, exc: BaseException) -> None:
        """Turn SQLite's "malformed" and "readonly" into the user's words (and remember damage)."""
        if not self.is_sqlite:
            return
        if is_damage(exc):
            self.damage = first_line(exc)
            raise damaged_refusal(self.display_name, self.damage) from None
        if is_read_only_failure(exc):
            raise read_only_refusal(self.display_name, first_line(exc)) from None

    def dispose(self) -> None:
        _OPEN_FILES.discard(self)
        self.engine.dispose()


# The SQLite projects open in this process: no export may be written over their files.
_OPEN_FILES: weakref.WeakSet[Project] = weakref.WeakSet()


def open_files() -> list[tuple[Path, Project]]:
    """The project files open in this process (for the export guard in ``storage/files.py``)."""
    return [(p.path, p) for p in list(_OPEN_FILES) if p.path is not None]


def _file_state(path: Path) -> tuple[Any, ...]:
    out: list[Any] = []
    for suffix in ("", "-wal"):
        try:
            st = os.stat(f"{path}{suffix}")
        except OSError:
            out.append(None)
        else:
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _install_sqlite_hooks(engine: Engine, busy_timeout_s: float, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy's "begin" event emit BEGIN itself (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a committed transaction survives a killed process.
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        if conn.get_execution_options().get("trivselkode_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _install_postgres_hooks(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # noqa: ANN001
        if conn.get_execution_options().get("trivselkode_write"):
            # Writers queue (as SQLite's BEGIN IMMEDIATE makes them), at most the busy timeout; one round trip.
            conn.exec_driver_sql(
                f"SELECT set_config('lock_timeout', '{int(busy_timeout_s * 1000)}ms', true), "
                f"pg_advisory_xact_lock({_PG_WRITE_LOCK})"
            )


def make_engine(db: str, busy_timeout_s: float = 30.0) -> tuple[Engine, str]:
    engine, url, _ = _make_engine(db, busy_timeout_s)
    return engine, url


def _make_engine(db: str, busy_timeout_s: float) -> tuple[Engine, str, str | None]:
    """The engine, its URL and why the project file cannot be written (None: it can)."""
    url = to_url(db)
    check_url(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        what = _(": porten skal være et tal") if isinstance(exc, ValueError) else ""
        raise Refused(
            _("ugyldig database-URL ({url_scheme}://…){what}").format(url_scheme=url_scheme(url), what=what),
            _("brug en filsti eller fx postgresql+psycopg://bruger@vært:5432/db"),
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise Refused(
            _("trivselkode kan ikke bruge databasetypen '{get_backend_name}'").format(
                get_backend_name=parsed.get_backend_name()
            ),
            _("brug en filsti (SQLite) eller en PostgreSQL-URL, fx postgresql+psycopg://bruger@vært/db"),
        )
    read_only = None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database)
            check_sqlite_file(path, busy_timeout_s)
            if not path.parent.exists():
                raise Refused(
                    _("mappen {parent} findes ikke").format(parent=path.parent),
                    _("opret mappen eller angiv en anden sti med --db"),
                )
            read_only = read_only_reason(path)
        if read_only:
            uri = read_only_uri(path)

            def connect() -> sqlite3.Connection:
                return sqlite3.connect(uri, uri=True, timeout=busy_timeout_s, check_same_thread=False)

            engine = create_engine(url, creator=connect)
        else:
            engine = create_engine(url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
        _install_sqlite_hooks(engine, busy_timeout_s, read_only=bool(read_only))
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ImportError as exc:
            raise Refused(
                _("databasedriveren mangler: {name}").format(name=exc.name), _("installér trivselkode[postgres]")
            ) from None
        _install_postgres_hooks(engine, busy_timeout_s)
    return engine, url, read_only


def _read_meta(session: Session) -> dict[str, str]:
    return {m.key: m.value for m in session.exec(select(Meta))}


def open_project(db: str, *, create: bool = True, busy_timeout_s: float = 30.0) -> tuple[Project, OpenResult]:
    """Open (and if missing, create) the project at ``db``.

    Refuses a database that is not a trivselkode project and one whose
    schema is newer than this tool. Older schemas are migrated. With
    ``create=False`` a missing SQLite file is refused before anything
    touches the disk (connecting would leave an empty file behind).
    """
    engine, url, read_only = _make_engine(db, busy_timeout_s)
    project = Project(engine, url, read_only)
    if not create and project.path is not None and not project.path.is_file():
        engine.dispose()
        raise Refused(
            _("projektfilen {path} findes ikke").format(path=project.path), _("angiv den rigtige projektfil med --db")
        )
    if project.is_sqlite and engine.url.database not in (None, "", ":memory:"):
        warning = network_warning(Path(engine.url.database))
        if warning:
            project.warnings.append(warning)
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:  # before DatabaseError, its base: the server or file cannot be reached
        engine.dispose()
        verb = _("åbne") if project.is_sqlite else _("forbinde til")
        raise Refused(
            _("kan ikke {verb} {display_name}: {first_line}").format(
                verb=verb, display_name=project.display_name, first_line=first_line(exc)
            )
        ) from None
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        if is_damage(exc):
            raise damaged_refusal(project.display_name, first_line(exc)) from None
        raise Refused(
            _("{display_name} kan ikke åbnes som database: {first_line}").format(
                display_name=project.display_name, first_line=first_line(exc)
            )
        ) from None

    if not tables:
        if not create:
            engine.dispose()
            raise Refused(
                _("der er intet projekt i {display_name}").format(display_name=project.display_name),
                _("opret et med `trivselkode init`"),
            )
        if project.read_only:
            engine.dispose()
            raise read_only_refusal(project.display_name, project.read_only)
        _create_schema(project)
        _OPEN_FILES.add(project)
        return project, OpenResult(created=True)

    if "meta" not in tables:
        engine.dispose()
        raise Refused(
            _("{display_name} er ikke en trivselkode-database (den har andre tabeller)").format(
                display_name=project.display_name
            ),
            _("angiv den rigtige projektfil med --db"),
        )
    try:
        with project.read() as session:
            meta = _read_meta(session)
    except BaseException:
        engine.dispose()
        raise
    if meta.get("app") != APP_ID:
        engine.dispose()
        raise Refused(
            _("{display_name} er ikke en trivselkode-database").format(display_name=project.display_name),
            _("angiv den rigtige projektfil med --db"),
        )
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        engine.dispose()
        raise Refused(
            _("projektet har skemaversion {version}, men dette trivselkode kender kun op til {SCHEMA_VERSION}").format(
                version=version, SCHEMA_VERSION=SCHEMA_VERSION
            ),
            _("opdatér trivselkode for at åbne det"),
        )
    if version < SCHEMA_VERSION:
        from trivselkode.storage.migrations import migrate

        try:
            project.check_writable()  # read-only or damaged: refused before the backup copy and the migration
            migrate(project, version)
        except BaseException:
            engine.dispose()
            raise
    _OPEN_FILES.add(project)
    return project, OpenResult(created=False)


def _create_schema(project: Project) -> None:
    # Every model module is imported above, so metadata is complete.
    assert models.Coding.__tablename__
    with project.engine.connect() as conn:
        conn.execution_options(trivselkode_write=True)
        with conn.begin():
            SQLModel.metadata.create_all(conn)
    with project.write() as session:
        session.merge(Meta(key="app", value=APP_ID))
        session.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION)))


_DRIVER_CONNECTION = "trivselkode.driver_connection"


def driver_connection(session: Session) -> tuple[DBAPIConnection, Dialect]:
    """The driver's connection of the session's transaction, and its dialect.

    Kept in ``session.info`` for as long as that transaction lasts: asking
    the session for its connection costs a tenth of a millisecond, several
    times per imported file.
    """
    transaction = session.get_transaction()
    kept = session.info.get(_DRIVER_CONNECTION)
    if kept is not None and transaction is not None and kept[0] is transaction and transaction.is_active:
        return kept[1], kept[2]
    conn = session.connection()
    dbapi = cast(DBAPIConnection, conn.connection.dbapi_connection)
    session.info[_DRIVER_CONNECTION] = (session.get_transaction(), dbapi, conn.dialect)
    return dbapi, conn.dialect


def placeholder(dialect: Dialect) -> str:
    """The driver's mark of a positional parameter: ``?`` (sqlite3) or ``%s`` (psycopg)."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


def insert_sql(dialect: Dialect, table: Table, columns: list[str]) -> str:
    """The driver's own ``INSERT`` of one row of ``columns`` into ``table`` (positional parameters)."""
    quote = dialect.identifier_preparer.quote
    marks = ", ".join([placeholder(dialect)] * len(columns))
    return f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})"


def bulk_insert(session: Session, table: Table, columns: list[str], values: list[tuple[Any, ...]]) -> None:
    """Insert many rows in the session's transaction through the driver's executemany.

    Several times faster than SQLAlchemy's per-row parameter processing for
    tens of thousands of rows. ``values`` are tuples in ``columns`` order,
    ready for the driver: JSON columns already serialised with ``json.dumps``.
    Works on every driver (the placeholder follows its paramstyle).
    """
    if not values:
        return
    dbapi, dialect = driver_connection(session)
    cursor = dbapi.cursor()
    try:
        cursor.executemany(insert_sql(dialect, table, columns), values)
    finally:
        cursor.close()
