"""Choose the importer for a file by its suffix, and find the files to import.

:func:`parse_file` is the one entry point for every format; the format modules
are imported only when needed (python-docx and openpyxl are slow to import).
Formats without front matter (and text files without one) take their metadata
from a sidecar ``X.yaml``/``X.yml`` beside the file.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedSource

__all__ = ["SUPPORTED_SUFFIXES", "TABULAR_SUFFIXES", "check_regular_file", "iter_source_files", "parse_file"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt", ".csv", ".xlsx")
TABULAR_SUFFIXES = (".csv", ".xlsx")
_SIDECAR_SUFFIXES = (".yaml", ".yml")


def _supported_list() -> str:
    return ", ".join(SUPPORTED_SUFFIXES)


def check_regular_file(path: Path) -> None:
    """Refuse, with one clear line, anything at ``path`` that is not a readable regular file.

    A symbolic link in a ring, a named pipe (FIFO, which would block the read
    forever), a device or a socket is named as such.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise TrivselError(
                _("{path} er et symbolsk link til en fil, der ikke findes").format(path=path),
                hint=_("ret eller slet linket"),
            ) from None
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), hint=_("tjek stien")) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise TrivselError(
                _("{path} er et symbolsk link, der peger i ring (på sig selv)").format(path=path),
                hint=_("ret eller slet linket"),
            ) from None
        raise TrivselError(
            _("{path} kan ikke læses: {value}").format(path=path, value=exc.strerror or exc),
            hint=_("tjek at du har adgang til den"),
        ) from None
    if stat.S_ISDIR(mode):
        raise TrivselError(_("{path} er en mappe, ikke en fil").format(path=path))
    if not stat.S_ISREG(mode):
        what = _("en navngiven pipe (FIFO)") if stat.S_ISFIFO(mode) else _("ikke en almindelig fil")
        raise TrivselError(
            _("{path} er {what} og kan ikke importeres").format(path=path, what=what),
            hint=_("importér selve filen i stedet"),
        )


def parse_file(
    path: str | Path,
    *,
    text_column: str | None = None,
    name: str | None = None,
    speaker_pattern: str | re.Pattern[str] | None = None,
    max_unpacked: int | str | None = None,
) -> ParsedSource:
    """Parse the file at ``path`` into a :class:`ParsedSource`.

    ``text_column`` names the answer column of a CSV/XLSX (ignored for other
    formats); ``name`` overrides the source name (metadata ``name`` or the
    file stem); ``speaker_pattern`` (``--speaker-pattern``) describes more
    speaker labels of ``.txt``/``.md``/``.docx`` transcripts;
    ``max_unpacked`` bounds how much a ``.docx``/``.xlsx`` may unpack to
    (``--max-unpacked``; see :class:`trivselkode.importers.safety.UnpackLimit`).
    """
    path = Path(path)
    if isinstance(speaker_pattern, str):
        from trivselkode.importers.labels import compile_speaker_pattern

        speaker_pattern = compile_speaker_pattern(speaker_pattern, "--speaker-pattern")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        if suffix in _SIDECAR_SUFFIXES:
            raise TrivselError(
                _("{path} er en metadatafil, ikke en kilde").format(path=path),
                hint=_("importér filen med samme navn ved siden af den; metadata læses derfra af sig selv"),
            )
        shown = f"'{suffix}'" if suffix else _("uden endelse")
        raise TrivselError(
            _("{path}: filtypen {shown} understøttes ikke").format(path=path, shown=shown),
            hint=_("brug en af {supported_list}").format(supported_list=_supported_list()),
        )
    check_regular_file(path)

    if suffix in (".txt", ".md"):
        from trivselkode.importers.text import parse_text

        source = parse_text(path, speaker_pattern=speaker_pattern)
    elif suffix == ".docx":
        from trivselkode.importers.docx import parse_docx

        source = parse_docx(path, speaker_pattern=speaker_pattern, max_unpacked=max_unpacked)
    elif suffix in (".vtt", ".srt"):
        from trivselkode.importers.subtitles import parse_subtitles

        source = parse_subtitles(path)
    elif suffix == ".csv":
        from trivselkode.importers.tabular import parse_csv

        source = parse_csv(path, text_column=text_column)
    else:
        from trivselkode.importers.tabular import parse_xlsx

        source = parse_xlsx(path, text_column=text_column, max_unpacked=max_unpacked)

    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise TrivselError(_("navnet må ikke være tomt"), hint=_("giv kilden et navn med --name"))
        source.name = name
    return source


def _wanted(name: str) -> bool:
    return not name.startswith((".", "~$")) and Path(name).suffix.lower() in SUPPORTED_SUFFIXES


def iter_source_files(
    paths: Iterable[str | Path],
    problems: list[tuple[Path, TrivselError]] | None = None,
    skipped: list[tuple[Path, str]] | None = None,
) -> list[Path]:
    """The files to import: files as given, folders walked recursively.

    In folders only files with a supported suffix count (so sidecar ``.yaml``
    files are left out), hidden files and folders and Office lock files
    (``~$…``) are skipped, symbolic links to folders are not followed, and
    the files come sorted by path. A path that does not exist raises
    :class:`TrivselError`. Each file occurs once.

    Entries that are no regular file (a symbolic link in a ring, a FIFO) are
    listed all the same: :func:`parse_file` refuses each with a clear line,
    and the other files import. A folder that cannot be read is added to
    ``problems`` (when given, as the folder and the error) instead of being
    skipped silently. Files in a folder that are no sources (its README, a
    CSV of codings: :func:`trivselkode.importers.not_sources.not_a_source`)
    are left out and added to ``skipped`` (when given) with the reason.
    """
    from trivselkode.importers.not_sources import not_a_source

    found: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symbolic link in a ring
            key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            found.append(path)

    def unreadable(error: OSError) -> None:
        if problems is not None:
            where = Path(error.filename or "?")
            problems.append(
                (
                    where,
                    TrivselError(
                        _("{where} kan ikke læses: {value}").format(where=where, value=error.strerror or error),
                        hint=_("tjek at du har adgang til mappen; resten er importeret"),
                    ),
                )
            )

    for given in paths:
        path = Path(given)
        if path.is_dir():
            in_folder: list[Path] = []
            for root, dirs, files in os.walk(path, onerror=unreadable):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                in_folder.extend(Path(root) / f for f in files if _wanted(f))
            for file in sorted(in_folder):
                why = not_a_source(file)
                if why is None:
                    add(file)
                elif skipped is not None:
                    skipped.append((file, why))
        elif os.path.lexists(path):
            add(path)
        else:
            raise TrivselError(_("{path} findes ikke").format(path=path), hint=_("tjek stien til filen eller mappen"))
    return found
