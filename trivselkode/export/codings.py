"""Codings as a CSV or JSON document (``codings export`` and the Eksport screen).

In CSV, text a spreadsheet would run as a formula gets a leading ``'``
(:mod:`trivselkode.domain.cells`); ``codings import`` takes it off again.
JSON carries every value exactly as stored.
"""

from __future__ import annotations

import json
from typing import Any

from trivselkode.domain.cells import csv_text
from trivselkode.export.pseudonymize import Pseudonymizer
from trivselkode.storage.codings import CSV_COLUMNS, export_rows


def codings_document(
    project: Any, coder: str | None, fmt: str, pseudonymize: bool | Pseudonymizer = False
) -> tuple[str, int]:
    """Every coding (of one coder, if given) as ``fmt`` (csv or json), and how many there are.

    ``pseudonymize``: ``True`` for the project's pseudonymizer, or one to use
    (whose key the caller may write), or ``False``.
    """
    rows = export_rows(project, coder)
    if isinstance(pseudonymize, Pseudonymizer):
        pseudo: Pseudonymizer | None = pseudonymize
    else:
        pseudo = Pseudonymizer.if_asked(project, bool(pseudonymize))
    if pseudo is not None:
        for row in rows:
            row["source"] = pseudo.source(row["source"])
            if row.get("memo"):
                row["memo"] = pseudo.text(row["memo"])
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n", len(rows)
    return csv_text(CSV_COLUMNS, rows), len(rows)
