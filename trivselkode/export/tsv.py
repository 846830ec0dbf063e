"""Tab-separated values (``--format tsv``): one header row, then one line per row.

A tab or a line break inside a cell is written as a space, so every line is
one row and ``cut -f2`` works; None is empty. Text a spreadsheet would read as
a formula gets the same guard quote as in CSV (:func:`trivselkode.domain.cells.csv_value`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from trivselkode.domain.cells import csv_unguard, csv_value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")
    return str(csv_value(text))


def tsv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A TSV document: ``header`` then ``rows`` (a dict row gives its values in header order)."""
    lines = ["\t".join(_cell(v) for v in header)]
    for row in rows:
        values = [row.get(k) for k in header] if isinstance(row, dict) else row
        lines.append("\t".join(_cell(v) for v in values))
    return "\n".join(lines) + "\n"


def csv_to_tsv(csv_document: str) -> str:
    """A CSV document (header first, as :func:`~trivselkode.domain.cells.csv_text` writes it) as TSV."""
    rows = list(csv.reader(io.StringIO(csv_document)))
    if not rows:
        return ""
    return tsv_text([csv_unguard(c) for c in rows[0]], ([csv_unguard(c) for c in row] for row in rows[1:]))
