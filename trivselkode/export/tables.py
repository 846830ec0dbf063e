"""Tables for reports: plain text, CSV, Markdown, XLSX and JSON.

A :class:`Table` holds labelled columns and display rows; the writers turn it
into text or bytes, and the caller writes those atomically. Builders make
the tables of the frequency, co-occurrence and matrix reports in Danish or
English.

Shares are fractions 0–1 in CSV, JSON and XLSX (formatted as a percentage in
XLSX) and percentages in text and Markdown ("42,0 %" in Danish, with a
no-break space, "42.0%" in English: Babel's forms of the two locales); the
labels are Danish message ids translated with gettext for the table's
language.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trivselkode.analysis.attributes import attribute_label, value_label
from trivselkode.domain.cells import csv_text, xlsx_value
from trivselkode.domain.display import inert_line
from trivselkode.i18n import N_, format_integer, format_percent, gettext_for, normalize, translator

#: The labels of the tables, as message ids (Danish); :func:`label` translates them.
_LABELS = {
    "code": N_("Kode"),
    "name": N_("Navn"),
    "codings": N_("Kodninger"),
    "passages": N_("Udsagn"),
    "sources": N_("Kilder"),
    "participants": N_("Deltagere"),
    "share": N_("Andel"),
    "frequencies": N_("Kodernes hyppighed"),
    "themes": N_("Temaernes hyppighed"),
    "cooccurrence": N_("Samforekomst: udsagn med begge koder"),
    "matrix": N_("Deltagere × koder"),
    "basis": N_("Grundlag"),
}


def xlsx_append(ws: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with every text value a string cell, never a formula."""
    from openpyxl.cell import Cell

    row: list[Any] = []
    for value in values:
        value = xlsx_value(value)
        if isinstance(value, str):
            cell = Cell(ws, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    ws.append(row)


def label(key: str, lang: str = "da") -> str:
    """A table's label in ``lang`` (``"code"`` → ``"Kode"``/``"Code"``); an unknown key is itself."""
    return gettext_for(lang)(_LABELS[key]) if key in _LABELS else key


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | int | share


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    lang: str = "da"
    notes: list[str] = field(default_factory=list)
    sheet: str = ""


# ---------------------------------------------------------------- cells


def format_share(value: float, lang: str) -> str:
    """A share 0..1 as the language writes a percentage: ``"41,7\u00a0%"`` (da, a no-break space) or ``"41.7%"``."""
    return format_percent(value, 1, lang)


def text_cell(value: Any, kind: str, lang: str) -> str:
    if value is None:
        return ""
    if kind == "share":
        return format_share(float(value), lang)
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return format_integer(value, lang)
    return str(value)


# ---------------------------------------------------------------- writers


def to_text(table: Table) -> str:
    """An aligned plain-text table (numbers right-aligned), with title and notes.

    It is for reading: control characters are shown as symbols, one for one,
    so columns stay aligned (:mod:`trivselkode.domain.display`).
    """
    headers = [inert_line(c.label) for c in table.columns]
    cells = [[inert_line(text_cell(v, c.kind, table.lang)) for v, c in zip(row, table.columns)] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = []
        for v, w, c in zip(values, widths, table.columns):
            parts.append(v.rjust(w) if c.kind in ("int", "share") else v.ljust(w))
        return "  ".join(parts).rstrip()

    out = [inert_line(table.title), ""] if table.title else []
    out.append(line(headers))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in cells)
    if table.notes:
        out.append("")
        out.extend(inert_line(n) for n in table.notes)
    return "\n".join(out) + "\n"


def to_markdown(table: Table) -> str:
    """A Markdown table, for reading: a cell stays on its row, its control and bidi characters shown as symbols
    (a right-to-left override in a cell would turn the rest of the row around)."""

    def esc(s: str) -> str:
        return inert_line(s.replace("|", "\\|").replace("\n", " "))

    out = [f"## {inert_line(table.title)}", ""] if table.title else []
    out.append("| " + " | ".join(esc(c.label) for c in table.columns) + " |")
    out.append("|" + "|".join("---:" if c.kind in ("int", "share") else "---" for c in table.columns) + "|")
    for row in table.rows:
        out.append("| " + " | ".join(esc(text_cell(v, c.kind, table.lang)) for v, c in zip(row, table.columns)) + " |")
    if table.notes:
        out.append("")
        out.extend(f"*{esc(n)}*" for n in table.notes)
    return "\n".join(out) + "\n"


def to_csv(table: Table) -> str:
    rows = (
        [None if v is None else (f"{float(v):.4f}" if c.kind == "share" else v) for v, c in zip(row, table.columns)]
        for row in table.rows
    )
    return csv_text([c.label for c in table.columns], rows)


def render(table: Table, fmt: str) -> str | bytes:
    """A table as text, CSV, Markdown or XLSX (``fmt``: table, csv, md, xlsx)."""
    if fmt == "table":
        return to_text(table)
    if fmt == "csv":
        return to_csv(table)
    if fmt == "tsv":  # tab-separated, one header row (the command line's --format tsv)
        from trivselkode.export.tsv import csv_to_tsv

        return csv_to_tsv(to_csv(table))
    if fmt == "md":
        return to_markdown(table)
    if fmt == "xlsx":
        return to_xlsx([table])
    raise ValueError(fmt)


def to_json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


_SHEET_BAD = str.maketrans({c: " " for c in "[]:*?/\\"})


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table: header row, numbers as numbers, shares as percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in tables:
        fallback = gettext_for(table.lang)(N_("Ark"))
        name = (table.sheet or table.title or fallback).translate(_SHEET_BAD).strip()[:31] or fallback
        base, k = name, 2
        while name in used:
            name = f"{base[:28]} {k}"
            k += 1
        used.add(name)
        ws = wb.create_sheet(name)
        xlsx_append(ws, [c.label for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            xlsx_append(ws, row)
        for i, col in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            if col.kind == "share":
                for cell in ws[letter][1:]:
                    cell.number_format = "0.0%"
            width = max([len(str(col.label))] + [len(str(r[i - 1])) for r in table.rows if r[i - 1] is not None] + [6])
            ws.column_dimensions[letter].width = min(width + 2, 60)
        ws.freeze_panes = "A2"
        if table.notes:
            ws.append([])
            for note in table.notes:
                xlsx_append(ws, [note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- builders


def _group_label(name: str, value: Any, lang: str, pseudonymizer: Any = None) -> str:
    text = value_label(name, value, lang)
    return pseudonymizer.text(text) if pseudonymizer is not None and value is not None else text


def _unused(selection: Any, lang: str) -> list[str]:
    """The note on why the default is not the consensus, when settled work is left unused."""
    why = selection.explain(lang)
    return [why[:1].upper() + why[1:] + "."] if why else []


def frequency_table(
    result: Any, lang: str = "da", pseudonymizer: Any = None, names: dict[str, str] | None = None
) -> Table:
    """The frequency report (a :class:`FrequencyResult`) as a table (``names``: the codes' names in ``lang``,
    by key, from the bilingual codebook; else the names the result holds)."""
    names = names or {}
    columns = [Column("code", label("code", lang)), Column("name", label("name", lang))]
    columns += [Column(name, attribute_label(name, lang)) for name in result.by]
    columns += [
        Column("codings", label("codings", lang), "int"),
        Column("passages", label("passages", lang), "int"),
        Column("sources", label("sources", lang), "int"),
        Column("participants", label("participants", lang), "int"),
        Column("share", label("share", lang), "share"),
    ]
    rows = []
    for r in result.rows:
        row = [r["code"], names.get(r["code"], r["name"])]
        row += [_group_label(name, r[name], lang, pseudonymizer) for name in result.by]
        row += [r["codings"], r["passages"], r["sources"], r["participants"], r["share"]]
        rows.append(row)
    themes = result.codes and all(c.kind == "tema" for c in result.codes)
    title = label("themes" if themes else "frequencies", lang)
    if result.by:
        title += " · " + ", ".join(attribute_label(n, lang) for n in result.by)
    total = sum(result.group_sizes.values())
    t = gettext_for(lang)
    notes = [
        translator(normalize(lang) or "da")
        .ngettext("Grundlag: {basis}; {n} deltager.", "Grundlag: {basis}; {n} deltagere.", total)
        .format(basis=result.selection.describe(lang), n=format_integer(total, lang))
    ]
    notes += _unused(result.selection, lang)
    if result.rollup:
        notes.append(t(N_("Overordnede koder tæller underkoderne med.")))
    return Table(title, columns, rows, lang, notes, sheet=label("frequencies", lang))


def frequency_records(result: Any, pseudonymizer: Any = None) -> list[dict[str, Any]]:
    """The JSON rows (see ``analysis.frequencies``), group values pseudonymised if asked."""
    if pseudonymizer is None or not result.by:
        return [dict(r) for r in result.rows]
    out = []
    for r in result.rows:
        row = dict(r)
        for name in result.by:
            if isinstance(row[name], str):
                row[name] = pseudonymizer.text(row[name])
        out.append(row)
    return out


def cooccurrence_table(result: Any, lang: str = "da", names: dict[str, str] | None = None) -> Table:
    names = names or {}
    columns = [Column("code", label("code", lang)), Column("name", label("name", lang))]
    columns += [Column(c.key, c.key, "int") for c in result.cols]
    rows = [[r.key, names.get(r.key, r.name), *[int(v) for v in result.counts[i]]] for i, r in enumerate(result.rows)]
    legend = "; ".join(f"{c.key} = {names.get(c.key, c.name)}" for c in result.cols)
    basis = gettext_for(lang)(N_("Grundlag: {basis}.")).format(basis=result.selection.describe(lang))
    notes = [basis, *_unused(result.selection, lang), legend]
    return Table(
        label("cooccurrence", lang),
        columns,
        rows,
        lang,
        notes,
        sheet=gettext_for(lang)(N_("Samforekomst")),
    )


def matrix_table(matrix: Any, lang: str = "da", pseudonymizer: Any = None) -> Table:
    """Participant × code: machine-friendly headers (attribute and code keys)."""
    code_keys = {c.key for c in matrix.codes}
    columns = [Column(name, name, "int" if name in code_keys else "text") for name in matrix.columns]
    rows = []
    for r in matrix.rows:
        values = [r[name] for name in matrix.columns]
        if pseudonymizer is not None:
            values[0] = pseudonymizer.source(values[0])
            values[1] = pseudonymizer.label(values[1])
            # Attributes too: one may hold an e-mail address, a phone number or a name.
            values[2:] = [pseudonymizer.text(v) if isinstance(v, str) else v for v in values[2:]]
        rows.append(values)
    return Table(label("matrix", lang), columns, rows, lang, [], sheet="Matrix")


def matrix_records(matrix: Any, pseudonymizer: Any = None) -> list[dict[str, Any]]:
    """The JSON rows; with the consensus as basis each also has ``open_disagreements``."""
    table = matrix_table(matrix, pseudonymizer=pseudonymizer)
    records = [dict(zip(matrix.columns, row)) for row in table.rows]
    if matrix.open_counts is not None:
        for record, count in zip(records, matrix.open_counts):
            record["open_disagreements"] = count
    return records
