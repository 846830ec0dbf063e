"""Writing an output file so that it is either whole or not there.

Every export, report, listing and backup written to a file goes through
here, so every caller gets the same guards:

- :func:`check_target` refuses, before any work, a target that is a folder,
  lies in a missing folder, cannot be written, or is a file of a project
  open in this process (its database, ``-wal``, ``-shm`` or ``-journal``,
  however it is named: through a symlink, a hard link, or in other letter
  case on a file system that ignores case).
- :func:`replace_atomically` writes the data to a temporary file beside the
  target and renames only a finished file into place. A failure (a full
  disk, a cancelled export, a bug) removes the temporary file and leaves any
  old file at the target as it was. A symlink is written through (the file
  it points to is replaced, the link stays); a device or a pipe
  (``/dev/null``, ``/dev/stdout``, a FIFO) is written to, never replaced by a
  regular file. Before the file is put in place, each open SQLite project is
  checked (``PRAGMA quick_check``), so an export of a damaged project never
  ends in a file with rows silently missing.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from trivselkode.errors import Refused, TrivselError
from trivselkode.i18n import _

T = TypeVar("T")

# Names of a process's own standard streams and descriptors: written through the open descriptor.
_FD_ALIAS = re.compile(r"^/(?:dev/(?:(?P<std>stdout|stderr)|fd/(?P<fd>\d+))|proc/self/fd/(?P<pfd>\d+))$")
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def check_target(out: Path, databases: Iterable[Path] = ()) -> Path:
    """The absolute target path, refused before any work when it cannot or must not be written.

    ``databases`` are project files to guard besides those open in this
    process (the CLI names the one it is about to open).
    """
    if not str(out).strip():
        raise TrivselError(_("der er intet filnavn"), _("skriv fx temafrekvenser.xlsx"))
    path = Path(os.path.abspath(out.expanduser()))
    if path.is_dir():
        raise TrivselError(_("{path} er en mappe").format(path=path), _("skriv et filnavn, fx rapport.xlsx"))
    _refuse_project_file(path, databases)
    parent = path.parent
    if not parent.is_dir():
        raise TrivselError(
            _("mappen {parent} findes ikke").format(parent=parent), _("opret den, eller vælg en anden mappe")
        )
    special = _special_target(path)
    if special == "fd":
        return path
    if path.exists() and not os.access(path, os.W_OK):
        raise TrivselError(
            _("kan ikke skrive til {path}").format(path=path), _("vælg en fil eller mappe, du har skriveadgang til")
        )
    if special is None:
        folder = Path(os.path.realpath(path)).parent  # a symlink's file is replaced in its own folder
        if not folder.is_dir():
            raise TrivselError(
                _("mappen {folder} findes ikke").format(folder=folder), _("opret den, eller vælg en anden mappe")
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise TrivselError(
                _("kan ikke skrive i mappen {folder}").format(folder=folder),
                _("vælg en mappe, du har skriveadgang til"),
            )
    return path


def replace_atomically(path: Path, write: Callable[[Path], T]) -> tuple[int, T]:
    """Call ``write(tmp)`` for a temporary file, then put it in place at ``path``.

    Returns the file's size and what ``write`` returned. The temporary name is
    this process's and thread's own, so exports running side by side do not
    meet. A regular file (or a symlink to one) is replaced by a rename; a
    device or a pipe is written to.
    """
    path = Path(os.path.abspath(path))
    _refuse_project_file(path)  # again: a caller may have checked before the project was open
    special = _special_target(path)
    final = path if special else Path(os.path.realpath(path))  # a symlink: replace what it points to
    folder = Path(tempfile.mkdtemp(prefix=".trivselkode-")) if special else final.parent
    tmp = folder / f".{final.name}.tmp{os.getpid()}-{threading.get_ident()}"
    try:
        result = write(tmp)
        _verify_open_projects()
        if special:
            size = _write_through(tmp, path, special)
        else:
            size = tmp.stat().st_size
            _keep_mode(final, tmp)
            os.replace(tmp, final)
    except OSError as exc:
        raise _write_error(path, exc) from None
    except BaseException as exc:
        failure = _sqlite_write_error(path, exc)
        if failure is not None:
            raise failure from None
        raise
    finally:
        _remove_temporary(tmp)
        if special:
            shutil.rmtree(folder, ignore_errors=True)
    return size, result


def write_data(path: Path, data: str | bytes) -> None:
    """Text as UTF-8 with its line ends as they are, or bytes."""
    if isinstance(data, str):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)


# --------------------------------------------------------------------------- the project's own files


def _open_projects() -> list[tuple[Path, Any]]:
    """The SQLite projects this process has open (none if storage was never imported)."""
    db = sys.modules.get("trivselkode.storage.db")
    return db.open_files() if db is not None else []


def _verify_open_projects() -> None:
    for _path, project in _open_projects():
        project.verify()


def _refuse_project_file(path: Path, databases: Iterable[Path] = ()) -> None:
    """Refuse ``path`` if it is (or would become) a file of a project open in this process (or named)."""
    projects = _open_projects() + [(Path(os.path.abspath(d)), None) for d in databases]
    if not projects:
        return
    real = os.path.realpath(path)
    try:
        target = os.stat(path)
    except OSError:
        target = None
    for database, _project in projects:
        base = os.path.realpath(database)
        for suffix in ("", "-wal", "-shm", "-journal"):
            name = base + suffix
            same = real == name
            if not same and target is not None:
                try:
                    other = os.stat(name)
                except OSError:
                    other = None
                same = other is not None and (other.st_dev, other.st_ino) == (target.st_dev, target.st_ino)
            if not same and os.path.basename(real).casefold() == os.path.basename(name).casefold():
                same = _same_folder(real, name) and _ignores_case(base)
            if same:
                what = (
                    _("selve projektets database")
                    if not suffix
                    else _("en af projektets databasefiler ({suffix})").format(suffix=suffix[1:])
                )
                where = "" if str(path) == str(database) else f" {database}"
                raise Refused(
                    _("{path} er {what}{where}; den overskrives ikke").format(path=path, what=what, where=where),
                    _("vælg et andet filnavn, fx kodninger.csv"),
                )


def _same_folder(a: str, b: str) -> bool:
    try:
        return os.path.samefile(os.path.dirname(a), os.path.dirname(b))
    except OSError:
        return False


def _ignores_case(existing: str) -> bool:
    """Whether the file system of ``existing`` (a file that exists) finds it under other letter case."""
    folder, name = os.path.split(existing)
    other = name.swapcase()
    if other == name:
        return False
    try:
        return os.path.samefile(existing, os.path.join(folder, other))
    except OSError:
        return False


# --------------------------------------------------------------------------- devices, pipes, symlinks


def _special_target(path: Path) -> str | None:
    """How to write a target that must not be replaced: "fd" (a process's own stream), "device" or None."""
    text = str(path)
    if _FD_ALIAS.match(text):
        return "fd"
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return "device"
    # A regular file under /dev or /proc (a stream redirected to a file) is written, not renamed over.
    if text.startswith(("/dev/", "/proc/")):
        return "device"
    return None


def _write_through(tmp: Path, path: Path, special: str) -> int:
    """Copy the finished temporary file into a device, a pipe or an open stream."""
    match = _FD_ALIAS.match(str(path))
    if special == "fd" and match:
        number = {"stdout": 1, "stderr": 2}.get(match["std"] or "", None)
        fd = os.dup(number if number is not None else int(match["fd"] or match["pfd"]))
    else:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)  # never O_CREAT: the target is there, and stays
    size = 0
    with os.fdopen(fd, "wb", closefd=True) as sink, open(tmp, "rb") as source:
        while chunk := source.read(1 << 20):
            sink.write(chunk)
            size += len(chunk)
    return size


def _keep_mode(final: Path, tmp: Path) -> None:
    """The new file keeps the permissions of the file it replaces."""
    try:
        mode = stat.S_IMODE(os.stat(final).st_mode)
    except OSError:
        return
    os.chmod(tmp, mode)


def _remove_temporary(tmp: Path) -> None:
    """The temporary file and any journal SQLite left beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(f"{tmp}{suffix}")
        except FileNotFoundError:
            pass
        except OSError:
            pass  # best effort: a leftover temporary name never hides the real error


def _sqlite_write_error(path: Path, exc: BaseException) -> TrivselError | None:
    """SQLite failing to write the temporary file (a backup): a full disk, or the disk refusing a write."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if not isinstance(code, int) or not isinstance(orig, Exception) or type(orig).__module__ != "sqlite3":
        return None
    if code & 0xFF == 13:  # SQLITE_FULL
        return _write_error(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    if code & 0xFF == 10:  # SQLITE_IOERR: the write itself failed (a size limit, a failing disk)
        return TrivselError(
            _("kan ikke skrive {path}: disken afviste skrivningen ({orig})").format(path=path, orig=str(orig).strip()),
            _("tjek at der er plads på disken, og prøv igen; intet er skrevet"),
        )
    return None


def _write_error(path: Path, exc: OSError) -> TrivselError:
    detail = exc.strerror or str(exc)
    if exc.errno in _DISK_FULL:
        return TrivselError(
            _("kan ikke skrive {path}: der er ikke plads på disken ({detail})").format(path=path, detail=detail),
            _("frigør plads, eller vælg et andet drev; intet er skrevet"),
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return TrivselError(
            _("kan ikke skrive {path}: ingen skriveadgang ({detail})").format(path=path, detail=detail),
            _("vælg en fil eller mappe, du har skriveadgang til"),
        )
    return TrivselError(_("kan ikke skrive {path}: {detail}").format(path=path, detail=detail))
