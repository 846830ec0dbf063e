"""The engine, sessions and schema version of one project.

SQLite is opened in WAL mode with foreign keys on and a busy timeout. Write
transactions start with ``BEGIN IMMEDIATE``: a deferred read transaction
that later writes fails with "database is locked" whatever the timeout, so
every writer takes the write lock up front and waits its turn instead.
PostgreSQL needs none of this and gets plain transactions.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from trivselkode.errors import Refused, TrivselError
from trivselkode.storage import models
from trivselkode.storage.models import APP_ID, SCHEMA_VERSION, Meta

_SQLITE_MAGIC = b"SQLite format 3\x00"
_URL_RE = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and logs)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def to_url(db: str) -> str:
    """A path or an SQLAlchemy URL, as an SQLAlchemy URL."""
    if _URL_RE.match(db):
        return db
    return f"sqlite:///{Path(db).expanduser()}"


@dataclass
class OpenResult:
    created: bool


class Project:
    """One open project database."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.warnings: list[str] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_name(self) -> str:
        if self.is_sqlite:
            return self.engine.url.database or ":memory:"
        return mask_url(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. Nothing it changes is kept."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is one transaction, committed on success.

        On SQLite the transaction begins with ``BEGIN IMMEDIATE``.
        """
        with self.engine.connect() as conn:
            conn.execution_options(trivselkode_write=True)
            with Session(bind=conn, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

    def dispose(self) -> None:
        self.engine.dispose()


def _install_sqlite_hooks(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        # Let SQLAlchemy's "begin" event emit BEGIN itself (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
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


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLite touches it."""
    if not path.exists():
        return
    if path.is_dir():
        raise Refused(f"{path} er en mappe, ikke en projektdatabase", "angiv en fil med --db")
    if path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != _SQLITE_MAGIC:
        raise Refused(
            f"{path} er ikke en trivselkode-database (ikke en SQLite-fil)",
            "angiv den rigtige projektfil med --db, eller en ny filsti for at oprette et projekt",
        )


NETWORK_FILESYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ncpfs", "fuse.rclone", "davfs"}


def filesystem_type(path: Path, mounts: str = "/proc/mounts") -> str | None:
    """The type of the file system ``path`` lies on (Linux), or ``None`` if unknown."""
    try:
        lines = Path(mounts).read_text().splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best, best_type = "", None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix) or mount_point == "/") and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def network_warning(path: Path, mounts: str = "/proc/mounts") -> str | None:
    fs = filesystem_type(path.parent if not path.exists() else path, mounts)
    if fs and fs.lower() in NETWORK_FILESYSTEMS:
        return (
            f"{path} ligger på et netværksdrev ({fs}); SQLite er ikke sikker dér, når flere koder på samme tid. "
            "Brug en PostgreSQL-server til fælles projekter (--db postgresql+psycopg://…)"
        )
    return None


def make_engine(db: str, busy_timeout_s: float = 30.0) -> tuple[Engine, str]:
    url = to_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise Refused(f"ugyldig database-URL: {mask_url(db)}", "brug en filsti eller fx postgresql+psycopg://bruger@vært/db") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database)
            _check_sqlite_file(path)
            if not path.parent.exists():
                raise Refused(f"mappen {path.parent} findes ikke", "opret mappen eller angiv en anden sti med --db")
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
        _install_sqlite_hooks(engine, busy_timeout_s)
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ImportError as exc:
            raise Refused(f"databasedriveren mangler: {exc.name}", "installér trivselkode[postgres]") from None
    return engine, url


def _read_meta(session: Session) -> dict[str, str]:
    return {m.key: m.value for m in session.exec(select(Meta))}


def open_project(db: str, *, create: bool = True, busy_timeout_s: float = 30.0) -> tuple[Project, OpenResult]:
    """Open (and if missing, create) the project at ``db``.

    Refuses a database that is not a trivselkode project and one whose
    schema is newer than this tool. Older schemas are migrated.
    """
    engine, url = make_engine(db, busy_timeout_s)
    project = Project(engine, url)
    if project.is_sqlite and engine.url.database not in (None, "", ":memory:"):
        warning = network_warning(Path(engine.url.database))
        if warning:
            project.warnings.append(warning)
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:  # before DatabaseError, its base: the server or file cannot be reached
        engine.dispose()
        verb = "åbne" if project.is_sqlite else "forbinde til"
        raise Refused(f"kan ikke {verb} {project.display_name}: {_first_line(exc)}") from None
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        raise Refused(f"{project.display_name} kan ikke åbnes som database: {_first_line(exc)}") from None

    if not tables:
        if not create:
            engine.dispose()
            raise Refused(f"der er intet projekt i {project.display_name}", "opret et med `trivselkode init`")
        _create_schema(project)
        return project, OpenResult(created=True)

    if "meta" not in tables:
        engine.dispose()
        raise Refused(
            f"{project.display_name} er ikke en trivselkode-database (den har andre tabeller)",
            "angiv den rigtige projektfil med --db",
        )
    with project.read() as session:
        meta = _read_meta(session)
    if meta.get("app") != APP_ID:
        engine.dispose()
        raise Refused(f"{project.display_name} er ikke en trivselkode-database", "angiv den rigtige projektfil med --db")
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        engine.dispose()
        raise Refused(
            f"projektet har skemaversion {version}, men dette trivselkode kender kun op til {SCHEMA_VERSION}",
            "opdatér trivselkode for at åbne det",
        )
    if version < SCHEMA_VERSION:
        from trivselkode.storage.migrations import migrate

        migrate(project, version)
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


def bulk_insert(session: Session, table: Table, columns: list[str], values: list[tuple[Any, ...]]) -> None:
    """Insert many rows in the session's transaction through the driver's executemany.

    Several times faster than SQLAlchemy's per-row parameter processing for
    tens of thousands of rows. ``values`` are tuples in ``columns`` order,
    ready for the driver: JSON columns already serialised with ``json.dumps``.
    Works on every driver (the placeholder follows its paramstyle).
    """
    if not values:
        return
    conn = session.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, values)
    finally:
        cursor.close()


def explain_failure(exc: BaseException) -> str:
    """One line for whatever stopped a piece of work: our own errors as they are, the
    database going away (server, network, disk) said plainly, anything else named."""
    if isinstance(exc, TrivselError):
        return str(exc)
    if isinstance(exc, (OperationalError, InterfaceError)) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        if "locked" in _first_line(exc).lower():
            return f"databasen er optaget af en anden proces ({_first_line(exc)}) – prøv igen om lidt"
        return (
            f"databasen svarede ikke ({mask_url(_first_line(exc))}) – "
            "tjek forbindelsen til databaseserveren eller disken, og prøv igen"
        )
    text = str(exc).strip()
    return f"uventet fejl: {type(exc).__name__}" + (f": {mask_url(text.splitlines()[0])}" if text else "")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
