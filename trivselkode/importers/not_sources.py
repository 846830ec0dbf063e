"""Files in a folder that are not sources: a folder's README, an export of codings.

``trivselkode import transcripts/`` walks the folder; a README beside the
transcripts (``README.md``, ``LÆSMIG.txt``, a ``LICENSE``) and a CSV of codings
(``codings export``: the columns ``source``, ``passage``, ``code``, ``coder``)
are no interviews. They are named and skipped instead of failing the import:
:func:`not_a_source` says why, :func:`trivselkode.importers.formats.iter_source_files`
leaves them out of a folder (a file named on its own is imported as asked).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from trivselkode.i18n import _

#: Names (without suffix, in upper case) of a folder's notes, never transcripts.
NOTE_NAMES = frozenset(
    {"README", "LÆSMIG", "LAESMIG", "LICENSE", "LICENCE", "CHANGELOG", "CHANGES", "CONTRIBUTING", "NOTICE", "AUTHORS"}
)
#: The columns of ``trivselkode codings export`` (and ``codings import``).
CODINGS_COLUMNS = frozenset({"source", "passage", "code", "coder"})


def not_a_source(path: Path) -> str | None:
    """Why the file at ``path`` is not a source (a Danish phrase), or None when it may be one."""
    stem = path.name.split(".", 1)[0].upper()
    if stem in NOTE_NAMES:
        return _("en note om mappen ({name}), ikke en udskrift").format(name=path.name)
    if path.suffix.lower() == ".csv" and CODINGS_COLUMNS <= _csv_header(path):
        return _("kodninger, ikke en kilde (indlæs dem med `trivselkode codings import {name}`)").format(name=path.name)
    return None


def _csv_header(path: Path) -> set[str]:
    """The column names of a CSV's first row (comma or semicolon), lower-case; empty when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return set()
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    if not first:
        return set()
    delimiter = ";" if first[0].count(";") > first[0].count(",") else ","
    try:
        row = next(csv.reader(io.StringIO(first[0]), delimiter=delimiter), [])
    except csv.Error:
        return set()
    return {cell.strip().lower() for cell in row}
