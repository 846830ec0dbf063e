"""A project file on disk, looked at before SQLite writes a byte to it: another
application's file is refused, one this user cannot write is opened read-only, a
damaged one is named as damaged; and a file on a network drive is warned about
(see :mod:`trivselkode.storage.db`)."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

from trivselkode.errors import Refused
from trivselkode.i18n import _
from trivselkode.storage.failures import damaged_refusal, first_line, is_damage
from trivselkode.storage.models import APP_ID

_SQLITE_MAGIC = b"SQLite format 3\x00"


def read_only_uri(path: Path) -> str:
    """An SQLite URI that reads ``path`` without writing a byte or leaving a file beside it.

    With no write-ahead log to read (no ``-wal``, or an empty one) the file is
    opened ``immutable``: SQLite then creates no ``-shm`` either.
    """
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    wal = Path(f"{path}-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        uri += "&immutable=1"
    return uri


def read_only_reason(path: Path) -> str | None:
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
                return _("{name} ligger på et skrivebeskyttet drev").format(name=name)
            if exc.errno in (errno.EACCES, errno.EPERM):
                return _("du har ikke skriveadgang til {name}").format(name=name)
            return _("{name} kan ikke åbnes til skrivning: {value}").format(name=name, value=exc.strerror or exc)
    folder = path.absolute().parent
    companions_missing = not (Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists())
    if companions_missing and not os.access(folder, os.W_OK | os.X_OK):
        return _("du har ikke skriveadgang til mappen {folder}").format(folder=folder)
    return None


def check_sqlite_file(path: Path, busy_timeout_s: float = 30.0) -> None:
    """Refuse a file that is not a trivselkode project, before SQLite writes a byte to it.

    The magic bytes first, then a read-only look at its tables: switching a
    database to WAL mode rewrites its header, so another application's
    database must be refused before the first real connection.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise Refused(_("{path} er en mappe, ikke en projektdatabase").format(path=path), _("angiv en fil med --db"))
    if not stat.S_ISREG(path.stat().st_mode):  # a device or a pipe: SQLite would write its journal beside it
        raise Refused(
            _("{path} er ikke en almindelig fil og kan ikke være en projektdatabase").format(path=path),
            _("angiv en fil med --db"),
        )
    if path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        head = fh.read(16)
    if head != _SQLITE_MAGIC:
        raise Refused(
            _("{path} er ikke en trivselkode-database (ikke en SQLite-fil)").format(path=path),
            _("angiv den rigtige projektfil med --db, eller en ny filsti for at oprette et projekt"),
        )
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=busy_timeout_s)
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
            raise damaged_refusal(str(path), first_line(exc)) from None
        raise Refused(_("kan ikke åbne {path}: {first_line}").format(path=path, first_line=first_line(exc))) from None
    if tables and app != APP_ID:
        raise Refused(
            _("{path} er ikke en trivselkode-database (den har andre tabeller); intet er ændret i den").format(
                path=path
            ),
            _("angiv den rigtige projektfil med --db"),
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
        return _(
            "{path} ligger på et netværksdrev ({fs}); SQLite er ikke sikker dér, når flere koder på samme tid. Brug en PostgreSQL-server til fælles projekter (--db postgresql+psycopg://…)"
        ).format(path=path, fs=fs)
    return None
