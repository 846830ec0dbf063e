"""The pseudonymisation key: placeholders back to the originals, written only when asked (``--key FILE``)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trivselkode.export.pseudonymize import Pseudonymizer

__all__ = ["check_key_target", "key_document", "write_key"]


def check_key_target(key: Path | str | None, export: Path | str | None, enabled: bool) -> Path | None:
    """The key file's absolute path, refused before any work when it may not be written.

    Refused: a key without pseudonymisation, a key that would be the export
    itself (or one of the project's files, or a folder: see
    :func:`trivselkode.storage.files.check_target`), and a key that is no
    regular file (a pipe, a device, standard output).
    """
    from trivselkode.errors import TrivselError
    from trivselkode.i18n import _
    from trivselkode.storage.files import check_target

    if key is None:
        return None
    if not enabled:
        raise TrivselError(
            _("en nøglefil (--key) skrives kun ved pseudonymisering"), _("tilføj --pseudonymize, eller udelad --key")
        )
    path = check_target(Path(key))
    if str(path).startswith(("/dev/", "/proc/")) or (path.exists() and not path.is_file()):
        raise TrivselError(
            _("nøglen kan ikke skrives til {path}").format(path=path),
            _("angiv en almindelig fil, fx --key navnenoegle.csv"),
        )
    if export is not None and _same_file(path, Path(export)):
        raise TrivselError(
            _("nøglen kan ikke skrives til {path}: det er selve eksportfilen").format(path=path),
            _("angiv en anden fil til nøglen, fx --key navnenoegle.csv"),
        )
    return path


def _same_file(a: Path, b: Path) -> bool:
    real_a, real_b = os.path.realpath(os.path.abspath(a)), os.path.realpath(os.path.abspath(b.expanduser()))
    if real_a == real_b:
        return True
    try:
        return os.path.samefile(real_a, real_b)
    except OSError:
        return False


def key_document(pseudo: Pseudonymizer, fmt: str = "csv") -> str:
    """The key as CSV (``pseudonym,original,type``) or JSON (a list of those objects)."""
    rows = pseudo.key_rows()
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["pseudonym", "original", "type"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_key(pseudo: Pseudonymizer, key: Path | str, export: Path | str | None = None) -> Path:
    """Write the key to ``key`` atomically (JSON for ``.json``, else CSV), readable by its owner only if new.

    Checked as :func:`check_key_target` does; returns the absolute path written.
    """
    from trivselkode.storage.files import replace_atomically, write_data

    path = check_key_target(key, export, True)
    assert path is not None
    text = key_document(pseudo, "json" if path.suffix.lower() == ".json" else "csv")

    def write(tmp: Path) -> None:
        write_data(tmp, text)
        os.chmod(tmp, 0o600)  # a file that is replaced keeps the old file's mode

    replace_atomically(path, write)
    return path
