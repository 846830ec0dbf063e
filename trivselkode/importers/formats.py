"""Choose the importer for a file by its suffix, and find the files to import.

:func:`parse_file` is the one entry point for every format; the format modules
are imported only when needed (python-docx and openpyxl are slow to import).
Formats without front matter (and text files without one) take their metadata
from a sidecar ``X.yaml``/``X.yml`` beside the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.importers.base import ParsedSource

__all__ = ["SUPPORTED_SUFFIXES", "TABULAR_SUFFIXES", "iter_source_files", "parse_file"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt", ".csv", ".xlsx")
TABULAR_SUFFIXES = (".csv", ".xlsx")
_SIDECAR_SUFFIXES = (".yaml", ".yml")


def _supported_list() -> str:
    return ", ".join(SUPPORTED_SUFFIXES)


def parse_file(path: str | Path, *, text_column: str | None = None, name: str | None = None) -> ParsedSource:
    """Parse the file at ``path`` into a :class:`ParsedSource`.

    ``text_column`` names the answer column of a CSV/XLSX (ignored for other
    formats); ``name`` overrides the source name (metadata ``name`` or the
    file stem).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        if suffix in _SIDECAR_SUFFIXES:
            raise TrivselError(
                f"{path} er en metadatafil, ikke en kilde",
                hint="importér filen med samme navn ved siden af den; metadata læses derfra af sig selv",
            )
        shown = f"'{suffix}'" if suffix else "uden endelse"
        raise TrivselError(
            f"{path}: filtypen {shown} understøttes ikke",
            hint=f"brug en af {_supported_list()}",
        )
    if path.is_dir():
        raise TrivselError(f"{path} er en mappe, ikke en fil")
    if not path.exists():
        raise TrivselError(f"{path}: filen findes ikke", hint="tjek stien")

    if suffix in (".txt", ".md"):
        from trivselkode.importers.text import parse_text

        source = parse_text(path)
    elif suffix == ".docx":
        from trivselkode.importers.docx import parse_docx

        source = parse_docx(path)
    elif suffix in (".vtt", ".srt"):
        from trivselkode.importers.subtitles import parse_subtitles

        source = parse_subtitles(path)
    elif suffix == ".csv":
        from trivselkode.importers.tabular import parse_csv

        source = parse_csv(path, text_column=text_column)
    else:
        from trivselkode.importers.tabular import parse_xlsx

        source = parse_xlsx(path, text_column=text_column)

    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise TrivselError("navnet må ikke være tomt", hint="giv kilden et navn med --name")
        source.name = name
    return source


def _wanted(name: str) -> bool:
    return (
        not name.startswith((".", "~$"))
        and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
    )


def iter_source_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to import: files as given, folders walked recursively.

    In folders only files with a supported suffix count (so sidecar ``.yaml``
    files are left out), hidden files and folders and Office lock files
    (``~$…``) are skipped, and the files come sorted by path. A path that
    does not exist raises :class:`TrivselError`. Each file occurs once.
    """
    found: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for given in paths:
        path = Path(given)
        if path.is_dir():
            in_folder: list[Path] = []
            for root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                in_folder.extend(Path(root) / f for f in files if _wanted(f))
            for file in sorted(in_folder):
                add(file)
        elif path.exists():
            add(path)
        else:
            raise TrivselError(f"{path} findes ikke", hint="tjek stien til filen eller mappen")
    return found
