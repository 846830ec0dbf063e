"""Spreadsheet cells that never run: the one rule every CSV and XLSX writer applies.

Names, attributes, memos and passage text come from interviews, sidecar files
and other people's projects, and exports are opened in Excel or LibreOffice
Calc. A spreadsheet takes a CSV field that begins with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return before one) as a formula and runs it:
``=HYPERLINK("http://…", "klik")`` or worse. The OWASP rule for CSV
injection is followed:

* CSV (:func:`csv_text`, every CSV writer's one way to write): text that
  begins with one of ``= + - @``, a tab or a carriage return gets a single
  quote ``'`` in front (:func:`csv_value`), which a spreadsheet shows as text
  and never evaluates. So that a reader can take the quote off again without
  guessing (:func:`csv_unguard`, used by ``codings import``), text that
  already begins with quotes followed by one of those characters gets one
  more. A field holding a carriage return is quoted, as one holding a line
  feed is (Python before 3.12 leaves a lone CR bare when lines end in LF, and
  every reader then breaks the row there).
* XLSX (:func:`trivselkode.export.tables.xlsx_append`): text is always a string cell (openpyxl would
  otherwise turn any text beginning with ``=`` into a formula); no quote is
  added, since a string cell is never evaluated. Characters XML cannot hold
  (C0 controls other than tab, line feed and carriage return) are written in
  the ``_xHHHH_`` escape of the Office Open XML standard, which Excel and
  Calc decode, instead of failing the whole export.

Numbers stay numbers: ``int`` and ``float`` values pass untouched (a negative
count is a number, not text), and so does text that is a plain number
(``-2``, ``-1,5``), which no spreadsheet reads as a formula. JSON, Markdown,
HTML and DOCX are not spreadsheets and carry text exactly as stored.

Every writer of a CSV or XLSX file uses these functions, so a new export is
safe by writing its cells through them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

#: The first characters that make a spreadsheet read a field as a formula (OWASP).
FORMULA_STARTS = frozenset("=+-@\t\r")

_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
# What XML 1.0 cannot hold (openpyxl refuses it); and text that already looks like the escape.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LOOKS_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def is_formula_like(text: str) -> bool:
    """True if a spreadsheet would take ``text`` (after any leading quotes) as a formula.

    Leading quotes count, so that ``'=1`` is guarded too and :func:`csv_unguard` can tell
    a quote we added from one the data had.
    """
    core = text.lstrip("'")
    return bool(core) and core[0] in FORMULA_STARTS and _PLAIN_NUMBER.fullmatch(text) is None


def csv_value(value: Any) -> Any:
    """``value`` for a CSV writer: formula-like text behind a single quote; numbers and None as they are."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV document: comma-separated, lines ending in LF, fields quoted where needed, None empty,
    and every cell (the header too) through :func:`csv_value`.

    A dict row gives its values in ``header`` order (missing keys empty, others left out).
    """
    buf = io.StringIO()
    # Lines end in CRLF here so that a field holding a lone CR is quoted; each CRLF that ends a row
    # is then turned into LF (a CR or LF inside a field is always inside quotes).
    writer = csv.writer(buf, lineterminator="\r\n")
    lines = []
    for row in (header, *rows) if header else rows:
        values = [row.get(k) for k in header] if isinstance(row, dict) else row
        buf.seek(0)
        buf.truncate()
        writer.writerow([csv_value(v) for v in values])
        lines.append(buf.getvalue()[:-2] + "\n")
    return "".join(lines)


def csv_unguard(text: str) -> str:
    """The text :func:`csv_value` was given: its added quote taken off, anything else unchanged."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def xlsx_value(value: Any) -> Any:
    """Text as XML can hold it (the ``_xHHHH_`` escape for control characters); anything else as it is."""
    if isinstance(value, str) and _NOT_XML.search(value):
        value = _LOOKS_ESCAPED.sub(r"_x005F_\1", value)
        return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value
