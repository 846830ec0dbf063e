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

import errno
import os
import re
import sqlite3
import stat
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import Table, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, SQLModel, create_engine, select

from trivselkode.errors import Refused, TrivselError
from trivselkode.storage import models
from trivselkode.storage.models import APP_ID, SCHEMA_VERSION, Meta

_SQLITE_MAGIC = b"SQLite format 3\x00"
_URL_RE = re.compile(r"^[a-z][a-z0-9+]*://", re.IGNORECASE)
# SQLite's primary result codes that matter to a user (sqlite3.Error.sqlite_errorcode & 0xff).
_SQLITE_READONLY, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 8, 11, 13, 26
# The key of the advisory lock every PostgreSQL write transaction takes ("trivsel").
_PG_WRITE_LOCK = int.from_bytes(b"trivsel", "big")
_RESTORE_HINT = (
    "gendan projektet fra en sikkerhedskopi: kopiér den seneste (fra `trivselkode backup`) ind over filen, "
    "eller åbn kopien direkte med --db KOPI.db"
)


# In free text: the password of a URL (up to its last "@", so an unencoded "@" in it is covered too) and
# a password given as a parameter (``?password=…``, ``password=…`` in a libpq connection string).
_TEXT_PASSWORD = re.compile(r"(://[^:/@\s]*:)\S*@")
_PARAM_PASSWORD = re.compile(r"\b(password\s*=\s*)('[^']*'|[^&\s]*)", re.IGNORECASE)
_ENCODE_HINT = (
    "skriv @ som %40 og : som %3A i brugernavn og adgangskode (fx postgresql+psycopg://anna:min%40kode@vært/db), "
    "eller udelad adgangskoden og brug PGPASSWORD eller en .pgpass-fil"
)


def mask_url(text: str) -> str:
    """``text`` (a URL or a message holding one) with every password replaced by ``***``."""
    return _PARAM_PASSWORD.sub(r"\1***", _TEXT_PASSWORD.sub(r"\1***@", text))


def _scheme(url: str) -> str:
    return url.split("://", 1)[0]


def check_url(url: str) -> None:
    """Refuse a server URL whose user name or password holds an unencoded ``@`` or ``:``.

    SQLAlchemy splits such a URL at the wrong place and would send the rest of
    the password as the host name (and print it in every error). The refusal
    names no part of the URL beyond its scheme and comes before any connection.
    A file path or an ``sqlite://`` URL is not checked (a path may hold ``@``).
    An ``@`` elsewhere (in the database name or a parameter) is refused too and
    mends the same way: SQLAlchemy decodes ``%40`` in every part.
    """
    scheme = _scheme(url)
    if scheme.lower().startswith("sqlite"):
        return
    rest = url.split("://", 1)[1]
    if rest.count("@") > 1:
        raise Refused(
            f"database-URL'en ({scheme}://…) har et @ i adgangskoden eller brugernavnet, der ikke er kodet",
            _ENCODE_HINT,
        )
    if "@" in rest and rest.split("@", 1)[0].count(":") > 1:
        raise Refused(f"database-URL'en ({scheme}://…) har et : i adgangskoden, der ikke er kodet", _ENCODE_HINT)


def display_url(url: str) -> str:
    """How a server URL is shown: its password (and a ``password`` parameter) as ``***``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return f"{_scheme(url)}://…"
    return mask_url(parsed.render_as_string(hide_password=True))


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
            self.damage = _first_line(exc)
            raise damaged_refusal(self.display_name, self.damage) from None
        if is_read_only_failure(exc):
            raise read_only_refusal(self.display_name, _first_line(exc)) from None

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


def damaged_refusal(name: str, detail: str) -> Refused:
    return Refused(f"projektet {name} er beskadiget ({detail}); intet er skrevet eller eksporteret", _RESTORE_HINT)


def read_only_refusal(name: str, reason: str) -> Refused:
    return Refused(
        f"projektet {name} er skrivebeskyttet ({reason}); intet er gemt",
        "bed ejeren om skriveadgang, eller kopiér projektet til en mappe, du selv kan skrive i",
    )


def _sqlite_code(exc: BaseException) -> int | None:
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(exc: BaseException) -> bool:
    """SQLite found the file damaged ("database disk image is malformed", "file is not a database")."""
    text = _first_line(exc).lower()
    return _sqlite_code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text


def is_read_only_failure(exc: BaseException) -> bool:
    return _sqlite_code(exc) == _SQLITE_READONLY or "readonly database" in _first_line(exc).lower()


def is_disk_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError):
        return orig.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    return _sqlite_code(exc) == _SQLITE_FULL or "disk is full" in _first_line(exc).lower()


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


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that reads ``path`` without writing a byte or leaving a file beside it.

    With no write-ahead log to read (no ``-wal``, or an empty one) the file is
    opened ``immutable``: SQLite then creates no ``-shm`` either.
    """
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    wal = Path(f"{path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        uri += "&immutable=1"
    return uri


def _read_only_reason(path: Path) -> str | None:
    """Why this user cannot write the project file and its companions, or None if they can."""
    if not path.exists():
        return None
    for suffix in ("", "-wal", "-shm"):
        name = Path(f"{path}{suffix}")
        if not name.exists():
            continue
        try:
            os.close(os.open(name, os.O_RDWR))
        except OSError as exc:
            if exc.errno == errno.EROFS:
                return f"{name} ligger på et skrivebeskyttet drev"
            if exc.errno in (errno.EACCES, errno.EPERM):
                return f"du har ikke skriveadgang til {name}"
            return f"{name} kan ikke åbnes til skrivning: {exc.strerror or exc}"
    folder = path.absolute().parent
    companions_missing = not (Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists())
    if companions_missing and not os.access(folder, os.W_OK | os.X_OK):
        return f"du har ikke skriveadgang til mappen {folder}"
    return None


def _check_sqlite_file(path: Path, busy_timeout_s: float = 30.0) -> None:
    """Refuse a file that is not a trivselkode project, before SQLite writes a byte to it.

    The magic bytes first, then a read-only look at its tables: switching a
    database to WAL mode rewrites its header, so another application's
    database must be refused before the first real connection.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise Refused(f"{path} er en mappe, ikke en projektdatabase", "angiv en fil med --db")
    if not stat.S_ISREG(path.stat().st_mode):  # a device or a pipe: SQLite would write its journal beside it
        raise Refused(f"{path} er ikke en almindelig fil og kan ikke være en projektdatabase", "angiv en fil med --db")
    if path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != _SQLITE_MAGIC:
        raise Refused(
            f"{path} er ikke en trivselkode-database (ikke en SQLite-fil)",
            "angiv den rigtige projektfil med --db, eller en ny filsti for at oprette et projekt",
        )
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=busy_timeout_s)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
            app = None
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
                app = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise damaged_refusal(str(path), _first_line(exc)) from None
        raise Refused(f"kan ikke åbne {path}: {_first_line(exc)}") from None
    if tables and app != APP_ID:
        raise Refused(
            f"{path} er ikke en trivselkode-database (den har andre tabeller); intet er ændret i den",
            "angiv den rigtige projektfil med --db",
        )


NETWORK_FILESYSTEMS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "9p",
    "afs",
    "ncpfs",
    "fuse.rclone",
    "davfs",
}


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
    engine, url, _ = _make_engine(db, busy_timeout_s)
    return engine, url


def _make_engine(db: str, busy_timeout_s: float) -> tuple[Engine, str, str | None]:
    """The engine, its URL and why the project file cannot be written (None: it can)."""
    url = to_url(db)
    check_url(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        what = ": porten skal være et tal" if isinstance(exc, ValueError) else ""
        raise Refused(
            f"ugyldig database-URL ({_scheme(url)}://…){what}",
            "brug en filsti eller fx postgresql+psycopg://bruger@vært:5432/db",
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise Refused(
            f"trivselkode kan ikke bruge databasetypen '{parsed.get_backend_name()}'",
            "brug en filsti (SQLite) eller en PostgreSQL-URL, fx postgresql+psycopg://bruger@vært/db",
        )
    read_only = None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database)
            _check_sqlite_file(path, busy_timeout_s)
            if not path.parent.exists():
                raise Refused(f"mappen {path.parent} findes ikke", "opret mappen eller angiv en anden sti med --db")
            read_only = _read_only_reason(path)
        if read_only:
            uri = _read_only_uri(path)

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
            raise Refused(f"databasedriveren mangler: {exc.name}", "installér trivselkode[postgres]") from None
        _install_postgres_hooks(engine, busy_timeout_s)
    return engine, url, read_only


def _read_meta(session: Session) -> dict[str, str]:
    return {m.key: m.value for m in session.exec(select(Meta))}


def open_project(db: str, *, create: bool = True, busy_timeout_s: float = 30.0) -> tuple[Project, OpenResult]:
    """Open (and if missing, create) the project at ``db``.

    Refuses a database that is not a trivselkode project and one whose
    schema is newer than this tool. Older schemas are migrated.
    """
    engine, url, read_only = _make_engine(db, busy_timeout_s)
    project = Project(engine, url, read_only)
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
        if is_damage(exc):
            raise damaged_refusal(project.display_name, _first_line(exc)) from None
        raise Refused(f"{project.display_name} kan ikke åbnes som database: {_first_line(exc)}") from None

    if not tables:
        if not create:
            engine.dispose()
            raise Refused(f"der er intet projekt i {project.display_name}", "opret et med `trivselkode init`")
        if project.read_only:
            engine.dispose()
            raise read_only_refusal(project.display_name, project.read_only)
        _create_schema(project)
        _OPEN_FILES.add(project)
        return project, OpenResult(created=True)

    if "meta" not in tables:
        engine.dispose()
        raise Refused(
            f"{project.display_name} er ikke en trivselkode-database (den har andre tabeller)",
            "angiv den rigtige projektfil med --db",
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
            f"{project.display_name} er ikke en trivselkode-database", "angiv den rigtige projektfil med --db"
        )
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        engine.dispose()
        raise Refused(
            f"projektet har skemaversion {version}, men dette trivselkode kender kun op til {SCHEMA_VERSION}",
            "opdatér trivselkode for at åbne det",
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
    cursor = cast(DBAPIConnection, conn.connection.dbapi_connection).cursor()
    try:
        cursor.executemany(sql, values)
    finally:
        cursor.close()


def explain_failure(exc: BaseException) -> str:
    """One line for whatever stopped a piece of work: our own errors as they are, the
    database going away (server, network, disk) said plainly, anything else named."""
    if isinstance(exc, TrivselError):
        return str(exc)
    if isinstance(exc, (DBAPIError, sqlite3.DatabaseError)) and is_damage(exc):
        return f"projektet er beskadiget ({_first_line(exc)}) – {_RESTORE_HINT}"
    if isinstance(exc, (DBAPIError, sqlite3.DatabaseError)) and is_read_only_failure(exc):
        return (
            f"projektet er skrivebeskyttet ({_first_line(exc)}) – "
            "bed ejeren om skriveadgang, eller kopiér projektet til en mappe, du selv kan skrive i"
        )
    if isinstance(exc, (DBAPIError, sqlite3.DatabaseError, OSError)) and is_disk_full(exc):
        return f"disken er fuld ({_first_line(exc)}) – frigør plads, og prøv igen"
    if isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        first = _first_line(exc).lower()
        if "locked" in first or "lock timeout" in first:
            return f"databasen er optaget af en anden proces ({_first_line(exc)}) – prøv igen om lidt"
        return (
            f"databasen svarede ikke ({mask_url(_first_line(exc))}) – "
            "tjek forbindelsen til databaseserveren eller disken, og prøv igen"
        )
    text = str(exc).strip()
    return f"uventet fejl: {type(exc).__name__}" + (f": {mask_url(text.splitlines()[0])}" if text else "")


def _first_line(exc: BaseException) -> str:
    """The first line of the driver's message, any password in it masked."""
    text = str(getattr(exc, "orig", None) or exc)
    return mask_url(text.strip().splitlines()[0]) if text.strip() else type(exc).__name__
