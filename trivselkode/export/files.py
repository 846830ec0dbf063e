"""Writing an output file so that it is either whole or not there.

Every export, report and listing written to a file goes through here: the
target is checked before any work, the data is written to a temporary file
beside it, and only a finished file is renamed into place. A failure (a full
disk, a cancelled export, a bug) removes the temporary file and leaves any
old file at the target as it was.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from trivselkode.errors import TrivselError

T = TypeVar("T")


def check_target(out: Path) -> Path:
    """The absolute target path, refused before any work when it cannot be written."""
    if not str(out).strip():
        raise TrivselError("der er intet filnavn", "skriv fx temafrekvenser.xlsx")
    path = Path(os.path.abspath(out.expanduser()))
    if path.is_dir():
        raise TrivselError(f"{path} er en mappe", "skriv et filnavn, fx rapport.xlsx")
    parent = path.parent
    if not parent.is_dir():
        raise TrivselError(f"mappen {parent} findes ikke", "opret den, eller vælg en anden mappe")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise TrivselError(f"kan ikke skrive til {path}", "vælg en mappe, du har skriveadgang til")
    return path


def replace_atomically(path: Path, write: Callable[[Path], T]) -> tuple[int, T]:
    """Call ``write(tmp)`` for a temporary file beside ``path``, then rename it into place.

    Returns the file's size and what ``write`` returned. The temporary name is
    this process's and thread's own, so exports running side by side do not meet.
    """
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}-{threading.get_ident()}")
    try:
        result = write(tmp)
        size = tmp.stat().st_size
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TrivselError(f"kan ikke skrive {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size, result


def write_data(path: Path, data: str | bytes) -> None:
    """Text as UTF-8 with its line ends as they are, or bytes."""
    if isinstance(data, str):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)
