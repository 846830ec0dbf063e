"""Open questionnaire answers in CSV (``.csv``) or Excel (``.xlsx``).

The first row names the columns. One row is one respondent: a participant
(role ``participant``) with one turn holding the answer in the text column.
The respondent's label comes from a column named ``respondent``,
``respondent_id``, ``id``, ``navn`` or ``deltager`` (case-insensitive; ``-``
and spaces count as ``_``) when there is one, otherwise ``R1``, ``R2`` … by
data row (the row under the header is ``R1``, so the numbers stay put when
rows are skipped). Every other column becomes a participant attribute;
``køn``/``gender``, ``alder``/``age`` and ``bibliotek``/``site`` fill the
standard fields (an age that is not a whole number stays an attribute, with a
warning). Rows with an empty answer are skipped and counted in a warning.

The stored text is one ``LABEL: answer`` per respondent joined by ``\\n`` (an
answer keeps its own line breaks). The source kind defaults to ``survey``.

The text column is given by the caller (``--text-column``), or by a
``text_column`` key in the sidecar. CSV text is decoded like any text file
(:mod:`trivselkode.importers.encoding`); the delimiter is ``,``, ``;`` or tab,
whichever splits the rows most consistently (an Excel ``sep=;`` first line is
honoured). Excel files: the first sheet, read by openpyxl from an in-memory
copy whose members have been unpacked within limits and whose XML parts have
no DTD (:func:`trivselkode.importers.safety.checked_office_file`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trivselkode.domain.vocabulary import ATTRIBUTE_ALIASES
from trivselkode.errors import TrivselError
from trivselkode.i18n import _
from trivselkode.importers.base import ParsedParticipant, ParsedSource
from trivselkode.importers.encoding import normalise, read_text
from trivselkode.importers.metadata import (
    MAX_AGE,
    MAX_FIELD,
    MAX_LABEL,
    ParticipantBook,
    SourceMetadata,
    jsonable,
    load_sidecar,
    parse_int,
)
from trivselkode.importers.safety import UnpackLimit, checked_office_file
from trivselkode.importers.text import compose_transcript, make_source

__all__ = [
    "LABEL_COLUMNS",
    "clean_cell",
    "csv_rows",
    "parse_csv",
    "parse_rows",
    "parse_xlsx",
    "sniff_delimiter",
    "xlsx_rows",
]

LABEL_COLUMNS = ("respondent", "respondent_id", "id", "navn", "deltager", "deltager_id")
DELIMITERS = (",", ";", "\t")
_SNIFF_ROWS = 50
_SHOWN_ROWS = 5


def _column_key(name: str) -> str:
    return "_".join(name.replace("-", " ").split()).casefold()


def clean_cell(value: Any) -> Any:
    """A cell as a stripped, normalised string or a number; None when empty."""
    if value is None:
        return None
    if isinstance(value, str):
        text = normalise(value).strip()
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return value
    return str(value).strip() or None


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _rows_shown(rows: list[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:_SHOWN_ROWS])
    return shown + (" …" if len(rows) > _SHOWN_ROWS else "")


def _header(raw: Sequence[Any]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(raw, start=1):
        name = " ".join(_as_text(value).split()) if value is not None else ""
        name = name or f"kolonne {index}"
        unique, counter = name, 2
        while unique.casefold() in seen:
            unique = f"{name} {counter}"
            counter += 1
        seen.add(unique.casefold())
        names.append(unique)
    return names


def _find_text_column(columns: list[str], wanted: str | None, file: str) -> int:
    available = ", ".join(f"'{column}'" for column in columns)
    if wanted is None or not str(wanted).strip():
        raise TrivselError(
            _("{file}: angiv hvilken kolonne der rummer svarene (--text-column)").format(file=file),
            hint=_("tilgængelige kolonner: {available}").format(available=available),
        )
    wanted = str(wanted)
    if wanted in columns:
        return columns.index(wanted)
    key = _column_key(wanted)
    for index, column in enumerate(columns):
        if _column_key(column) == key:
            return index
    raise TrivselError(
        _("{file}: kolonnen '{wanted}' findes ikke").format(file=file, wanted=wanted),
        hint=_("tilgængelige kolonner: {available}").format(available=available),
    )


def _find_label_column(columns: list[str], text_index: int) -> int | None:
    keys = [_column_key(column) for column in columns]
    for wanted in LABEL_COLUMNS:
        for index, key in enumerate(keys):
            if key == wanted and index != text_index:
                return index
    return None


@dataclass
class _Tally:
    """What :func:`parse_rows` gathers row by row: the answers, and the rows to warn about."""

    entries: list[tuple[str, str, None, None]] = field(default_factory=list)
    empty_rows: list[int] = field(default_factory=list)
    bad_ages: list[int] = field(default_factory=list)
    long_values: list[int] = field(default_factory=list)
    first_row_of: dict[str, int] = field(default_factory=dict)
    repeated: dict[str, list[int]] = field(default_factory=dict)


def _header_row(iterator: Iterator[tuple[int, Sequence[Any]]], file: str) -> Sequence[Any]:
    """The first row with a value: the column names."""
    for _row, raw_header in iterator:
        if any(clean_cell(value) is not None for value in raw_header):
            return raw_header
    raise TrivselError(_("{file} er tom").format(file=file), hint=_("første række skal navngive kolonnerne"))


def _standard_columns(columns: list[str], text_index: int, label_index: int | None) -> dict[int, str]:
    """The columns that are a standard attribute (age, gender, site), each standard once."""
    standard_of: dict[int, str] = {}
    for index, column in enumerate(columns):
        standard = ATTRIBUTE_ALIASES.get(column.strip().casefold())
        if standard and standard not in standard_of.values() and index not in (text_index, label_index):
            standard_of[index] = standard
    return standard_of


def _respondent(book: ParticipantBook, cells: list[Any], label_index: int | None, data_index: int) -> ParsedParticipant:
    """The participant a row's answer is from: its label column's value, else ``R<n>``."""
    label = None
    if label_index is not None and cells[label_index] is not None:
        label = " ".join(_as_text(cells[label_index]).split())[:MAX_LABEL]
    label = label or f"R{data_index}"
    participant = book.resolve(label, warn=False)
    if participant.label.casefold() not in book.declared:
        participant.role = "participant"
    return participant


def _take_attributes(
    participant: ParsedParticipant,
    cells: list[Any],
    columns: list[str],
    standard_of: dict[int, str],
    skipped: tuple[int, int | None],
    row_number: int,
    tally: _Tally,
) -> None:
    """Give ``participant`` a row's other columns: age, gender and site where they fit, else attributes."""
    for index, value in enumerate(cells[: len(columns)]):
        if value is None or index in skipped:
            continue
        column = columns[index]
        standard = standard_of.get(index)
        if standard == "age":
            age = parse_int(value)
            if age is not None and 0 <= age <= MAX_AGE:
                if participant.age is None:
                    participant.age = age
                continue
            tally.bad_ages.append(row_number)
        elif standard in ("gender", "site"):
            text = _as_text(value)
            if len(text) <= MAX_FIELD[standard]:
                if getattr(participant, standard) is None:
                    setattr(participant, standard, text)
                continue
            tally.long_values.append(row_number)
        participant.attributes.setdefault(column, jsonable(value))


def _survey_warnings(
    file: str, columns: list[str], text_index: int, standard_of: dict[int, str], tally: _Tally
) -> list[str]:
    """The warnings about skipped rows, values kept as attributes and respondents in several rows."""
    text_name = columns[text_index]
    warnings: list[str] = []
    if tally.empty_rows:
        warnings.append(
            _("{file}: {n} række(r) uden svar i kolonnen '{text_name}' er sprunget over (række {rows_shown})").format(
                file=file, n=len(tally.empty_rows), text_name=text_name, rows_shown=_rows_shown(tally.empty_rows)
            )
        )
    if tally.bad_ages:
        age_column = columns[next(i for i, s in standard_of.items() if s == "age")]
        warnings.append(
            _(
                "{file}: kolonnen '{age_column}' har {n} værdi(er) der ikke er en alder i hele år (række {rows_shown}); de er gemt som attributter"
            ).format(file=file, age_column=age_column, n=len(tally.bad_ages), rows_shown=_rows_shown(tally.bad_ages))
        )
    if tally.long_values:
        warnings.append(
            _(
                "{file}: {n} værdi(er) for køn eller bibliotek er for lange (række {rows_shown}); de er gemt som attributter"
            ).format(file=file, n=len(tally.long_values), rows_shown=_rows_shown(tally.long_values))
        )
    for label, row_numbers in tally.repeated.items():
        warnings.append(
            _(
                "{file}: respondenten '{label}' optræder i flere rækker (række {rows_shown}); svarene er lagt på samme deltager"
            ).format(file=file, label=label, rows_shown=_rows_shown(row_numbers))
        )
    return warnings


def parse_rows(
    rows: Iterable[tuple[int, Sequence[Any]]],
    path: Path,
    *,
    text_column: str | None,
    meta: SourceMetadata,
) -> ParsedSource:
    """A survey source from ``(row number, cells)`` pairs, the header first."""
    file = str(path)
    iterator = iter(rows)
    columns = _header(_header_row(iterator, file))
    text_index = _find_text_column(columns, text_column or meta.values.get("text_column"), file)
    label_index = _find_label_column(columns, text_index)
    standard_of = _standard_columns(columns, text_index, label_index)

    book = ParticipantBook(meta.participants)
    tally = _Tally()
    data_index = 0
    for row_number, raw in iterator:
        cells = [clean_cell(value) for value in raw]
        if all(value is None for value in cells):
            continue
        data_index += 1
        cells += [None] * (len(columns) - len(cells))
        answer = cells[text_index] if text_index < len(cells) else None
        if answer is None:
            tally.empty_rows.append(row_number)
            continue
        participant = _respondent(book, cells, label_index, data_index)
        key = participant.label.casefold()
        if key in tally.first_row_of:
            tally.repeated.setdefault(participant.label, [tally.first_row_of[key]]).append(row_number)
        else:
            tally.first_row_of[key] = row_number
        _take_attributes(participant, cells, columns, standard_of, (text_index, label_index), row_number, tally)
        tally.entries.append((participant.label, _as_text(answer), None, None))

    if not tally.entries:
        raise TrivselError(
            _("{file}: ingen svar fundet i kolonnen '{columns}'").format(file=file, columns=columns[text_index]),
            hint=_("tjek at det er den rigtige kolonne (--text-column)"),
        )
    book.warnings.extend(_survey_warnings(file, columns, text_index, standard_of, tally))
    text, turns = compose_transcript(tally.entries)
    meta = SourceMetadata(values=dict(meta.values), participants=meta.participants, file=meta.file)
    meta.values.setdefault("kind", "survey")
    meta.values.pop("text_column", None)
    return make_source(path, text, meta, book, turns)


# --------------------------------------------------------------------------- CSV


def sniff_delimiter(text: str) -> str:
    """``,``, ``;`` or tab: the one whose first rows split most consistently into several fields."""
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [
                row for row in itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), _SNIFF_ROWS) if row
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(len(row) == width for row in rows) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    first_line, _sep, rest = text.partition("\n")
    if first_line.strip().casefold().startswith("sep=") and len(first_line.strip()) == 5:
        delimiter = first_line.strip()[4]
        text = rest
        offset = 1
    else:
        delimiter = sniff_delimiter(text)
        offset = 0
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    row_number = offset
    try:
        for row in reader:
            row_number += 1
            yield row_number, row
    except csv.Error as exc:
        raise TrivselError(
            _("{file}:{value}: CSV-filen kan ikke læses ({exc})").format(
                file=file, value=reader.line_num + offset, exc=exc
            ),
            hint=_("tjek anførselstegnene på linjen"),
        ) from None


def csv_rows(path: str | Path, warnings: list[str] | None = None) -> Iterator[tuple[int, list[str]]]:
    """A CSV file's ``(row number, cells)``, decoded like any text file (notes to ``warnings``), the delimiter sniffed."""
    return _csv_rows(read_text(Path(path), warnings), str(path))


def parse_csv(path: str | Path, *, text_column: str | None = None, meta: SourceMetadata | None = None) -> ParsedSource:
    """Parse a CSV of questionnaire answers; ``meta`` defaults to the sidecar beside it."""
    path = Path(path)
    text = read_text(path)
    if meta is None:
        meta = load_sidecar(path)
    return parse_rows(_csv_rows(text, str(path)), path, text_column=text_column, meta=meta)


# --------------------------------------------------------------------------- Excel


def parse_xlsx(
    path: str | Path,
    *,
    text_column: str | None = None,
    meta: SourceMetadata | None = None,
    max_unpacked: UnpackLimit | int | str | None = None,
) -> ParsedSource:
    """Parse the first sheet of an Excel workbook; ``meta`` defaults to the sidecar beside it."""
    path = Path(path)
    if not path.is_file():
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), hint=_("tjek stien"))
    if meta is None:
        meta = load_sidecar(path)
    return parse_rows(xlsx_rows(path, max_unpacked), path, text_column=text_column, meta=meta)


def xlsx_rows(path: str | Path, max_unpacked: UnpackLimit | int | str | None = None) -> list[tuple[int, list[Any]]]:
    """The first sheet of a workbook as ``(row number, cells)``, read from a checked in-memory copy."""
    path = Path(path)
    if not path.is_file():
        raise TrivselError(_("{path}: filen findes ikke").format(path=path), hint=_("tjek stien"))
    checked = checked_office_file(path, max_unpacked, hint=_("åbn den i Excel og gem den igen som .xlsx"))
    import openpyxl  # imported here so that other commands start fast

    workbook = None
    try:
        workbook = openpyxl.load_workbook(checked, read_only=True, data_only=True)
        if not workbook.worksheets:
            raise TrivselError(
                _("{path} har ingen ark").format(path=path), hint=_("gem svarene i regnearkets første ark")
            )
        sheet = workbook.worksheets[0]
        rows = [(number, list(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    except TrivselError:
        raise
    except Exception as exc:  # zipfile, KeyError, openpyxl's own: a damaged or mislabelled file
        raise TrivselError(
            _("{path} kan ikke læses som et Excel-regneark (.xlsx): {name__}").format(
                path=path, name__=type(exc).__name__
            ),
            hint=_("åbn den i Excel og gem den igen som .xlsx"),
        ) from None
    finally:
        if workbook is not None:
            workbook.close()
        checked.close()
    return rows
