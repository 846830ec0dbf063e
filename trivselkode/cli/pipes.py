"""The command line in pipes and scripts: ``--out -``, formats that fit their file, TSV.

* ``--out -`` is standard output, for every command that takes ``--out``. A
  text format (CSV, TSV, Markdown, JSON, YAML, a text table) is written there as
  it would be to a file; a binary one (XLSX, DOCX, PNG, PDF, QDPX) only when
  standard output is not a terminal (``> fil.xlsx``, ``| ssh …``), else it is
  refused with one line.
* An ``--out`` whose suffix names another format than ``--format`` is refused
  (``--format csv --out x.xlsx``), never written as a file of another format
  under that name. Without ``--format`` the suffix chooses the format.
* ``--format tsv``: tab-separated, one header row, a tab or line break inside
  a cell written as a space, so every line is one row.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from trivselkode.errors import TrivselError
from trivselkode.i18n import _

#: ``--out -``: standard output.
STDOUT = "-"

#: Formats that are not text: to standard output only when it is not a terminal.
BINARY = frozenset({"xlsx", "docx", "png", "svg", "pdf", "qdpx", "qdc"})
#: Formats a terminal can show (svg and qdc are XML: text, yet meant for a file).
TEXT = frozenset({"table", "csv", "tsv", "md", "json", "yaml", "html"})

#: The format each suffix names, beside :data:`trivselkode.export.jobs.SUFFIXES`.
EXTRA_SUFFIXES = {".tsv": "tsv", ".tab": "tsv", ".pdf": "pdf"}


def is_stdout(out: Path | str | None) -> bool:
    """``--out -``."""
    return out is not None and str(out) == STDOUT


def suffix_format(out: Path | None) -> str | None:
    """The format the suffix of ``out`` names, if any (none for ``-``)."""
    if out is None or is_stdout(out):
        return None
    from trivselkode.export.jobs import SUFFIXES

    suffix = out.suffix.lower()
    return EXTRA_SUFFIXES.get(suffix) or SUFFIXES.get(suffix)


def choose_format(fmt: Enum | str | None, out: Path | None, allowed: Sequence[str], default: str | None = None) -> str:
    """The output format: ``--format``, else the suffix of ``--out``, else ``default`` (the first allowed).

    A suffix naming a format other than ``--format`` is refused, as is a suffix naming a format the
    command cannot write (``report chart --out x.pdf`` where PDF is not offered).
    """
    given = getattr(fmt, "value", fmt)
    by_suffix = suffix_format(out)
    if given is not None:
        value = str(given)
        fits = by_suffix is None or by_suffix == value or (by_suffix == "table" and value in TEXT)  # .txt: any text
        if not fits:
            raise TrivselError(
                _("--format {fmt} passer ikke til --out {out}").format(fmt=value, out=out),
                _("skriv til en fil, der ender på .{suffix}, eller vælg --format {other}").format(
                    suffix=_suffix(value), other=by_suffix
                ),
            )
        return value
    if by_suffix is not None:
        if by_suffix not in allowed:
            raise TrivselError(
                _("kan ikke skrive {suffix}-filer her").format(suffix=out.suffix.lower() if out else ""),
                _("vælg et filnavn, der ender på {suffixes}").format(
                    suffixes=", ".join("." + _suffix(f) for f in allowed)
                ),
            )
        return by_suffix
    return default or allowed[0]


def _suffix(fmt: str) -> str:
    return {"table": "txt"}.get(fmt, fmt)


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal (a person reading), not a pipe or a file."""
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):
        return False


def check_stdout_binary(fmt: str, out: Path | None) -> None:
    """Refuse a binary format for standard output when it is a terminal (before any work is done)."""
    if fmt in BINARY and (out is None or is_stdout(out)) and stdout_is_terminal():
        raise TrivselError(
            _("{fmt} er ikke tekst og skrives ikke til terminalen").format(fmt=fmt.upper()),
            _("angiv --out FIL.{suffix}, eller send standard-output videre (> fil.{suffix})").format(suffix=fmt),
        )


def write_stdout(data: str | bytes) -> None:
    """A whole document on standard output, byte for byte (``--out -``)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    stream.flush()
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a stream without bytes (seldom): the text, decoded
        stream.write(data.decode("utf-8", errors="replace"))
        stream.flush()


def prepare_out(out: Path | None) -> None:
    """Refuse a file target that cannot be written, before any work (nothing to check for ``-``)."""
    if out is None or is_stdout(out):
        return
    from trivselkode.cli.common import out_path_writable

    if out.is_dir():
        raise TrivselError(
            _("{path} er en mappe").format(path=out), _("angiv et filnavn, fx --out {name}").format(name="fil.csv")
        )
    out_path_writable(out)


def file_target(out: Path | None) -> Path | None:
    """The file ``--out`` names, None for standard output (``-`` or no ``--out``)."""
    return None if out is None or is_stdout(out) else out


def deliver(out: Path | None, data: str | bytes, written: str | None = None) -> None:
    """Write a document where ``--out`` says: no ``--out`` prints it for reading (control characters inert);
    ``--out -`` writes it byte for byte into a pipe or file (as read on a terminal, inert); a file is written
    atomically and ``written`` is said on standard error."""
    from trivselkode.cli.common import emit_data, note, write_atomically

    if out is None or is_stdout(out):
        if isinstance(data, bytes) or (is_stdout(out) and not stdout_is_terminal()):
            write_stdout(data)
        else:
            emit_data(data)
        return
    write_atomically(out, data)
    if written:
        note(written)


def working(text: str):  # noqa: ANN201 (a context manager)
    """Progress while a long export is built: a spinner on standard error when it is a terminal, else nothing
    (a pipe, a log file). It clears itself, so the notes after it stand alone."""
    from contextlib import nullcontext

    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        return nullcontext()
    from trivselkode.cli.common import plain_console

    return plain_console(stderr=True).status(text, spinner="line")
