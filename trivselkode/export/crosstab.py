"""The crosstab as documents: text, Markdown, CSV, TSV, XLSX, DOCX, HTML and JSON.

One row per code; per group of the attribute two columns, ``n`` (participants
who said a passage carrying the code) and ``%`` (of the group's
participants), and the same for all participants at the end; the group
sizes ("n=12") are a header row. Text, Markdown, CSV and TSV are written by
:mod:`trivselkode.export.tables` (one header row, then the sizes row); XLSX,
DOCX and HTML get three header rows: the group, its size, and n / %.

XLSX is a real sheet: numbers are numbers (format ``0``), shares fractions
(format ``0.0%``), the header rows frozen, the columns as wide as their
content.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import Any

from trivselkode.analysis.attributes import attribute_label, value_label
from trivselkode.analysis.crosstab import Crosstab
from trivselkode.domain.cells import xlsx_value
from trivselkode.export import tables
from trivselkode.i18n import format_percent, gettext_for, normalize, translator

FORMATS = ("table", "md", "csv", "tsv", "xlsx", "docx", "html", "json")


@dataclass
class Layout:
    """What every format shows: title, labels, the rows, the notes (all in the report's language)."""

    title: str
    code: str
    name: str
    total: str
    groups: list[str]  # the groups' labels, then the total's
    sizes: list[int]  # their sizes, then the total
    rows: list[tuple[str, str, list[tuple[int, float]]]]  # code, name, (n, share) per group then the total
    notes: list[str]
    lang: str


def layout(
    result: Crosstab, lang: str = "da", names: dict[str, str] | None = None, pseudonymizer: Any = None
) -> Layout:
    _ = gettext_for(lang)
    names = names or {}
    attr = attribute_label(result.attribute, lang)

    def group_label(value: Any) -> str:
        text = value_label(result.attribute, value, lang)
        return pseudonymizer.text(text) if pseudonymizer is not None and value is not None else text

    groups = [group_label(g) for g in result.groups] + [_("I alt")]
    sizes = [*result.sizes, result.total]
    rows = [
        (
            code.key,
            names.get(code.key, code.name),
            [(c.n, c.share) for c in row] + [(tot.n, tot.share)],
        )
        for code, row, tot in zip(result.codes, result.cells, result.totals)
    ]
    title = _("Krydstabel: koder × {attribute}").format(attribute=attr.lower() if lang == "da" else attr)
    notes = [
        _("n: deltagere, der har sagt mindst ét udsagn med koden; %: andel af gruppens deltagere (n=…)."),
        _("Grundlag: {basis}; {n} deltagere.").format(basis=result.selection.describe(lang), n=result.total),
    ]
    why = result.selection.explain(lang)
    if why:
        notes.append(why[:1].upper() + why[1:] + ".")
    if None in result.groups:
        notes.append(
            _("{unknown}: deltagere uden oplysning om {attribute} (en gruppe for sig).").format(
                unknown=value_label(result.attribute, None, lang), attribute=attr.lower() if lang == "da" else attr
            )
        )
    if result.open_disagreements:
        ngettext = translator(normalize(lang) or "da").ngettext
        notes.append(
            ngettext(
                "{n} åben uenighed tæller som i foreningsmængden.",
                "{n} åbne uenigheder tæller som i foreningsmængden.",
                result.open_disagreements,
            ).format(n=result.open_disagreements)
        )
    if result.rollup:
        notes.append(_("Overordnede koder tæller underkoderne med."))
    return Layout(title, _("Kode"), _("Navn"), _("I alt"), groups, sizes, rows, notes, lang)


def _size(n: int) -> str:
    return f"n={n}"


def _table(lay: Layout) -> tables.Table:
    """One header row (group, group %), the sizes row first, for text, Markdown, CSV and TSV."""
    columns = [tables.Column("code", lay.code), tables.Column("name", lay.name)]
    for label in lay.groups:
        columns += [tables.Column(label, label, "int"), tables.Column(label + " %", label + " %", "share")]
    sizes: list[Any] = ["", ""]
    for n in lay.sizes:
        sizes += [_size(n), None]
    body = [[key, name, *[v for cell in cells for v in cell]] for key, name, cells in lay.rows]
    return tables.Table(lay.title, columns, [sizes, *body], lay.lang, list(lay.notes), sheet=lay.title)


def table_tsv(table: tables.Table) -> str:
    """Tab-separated: one header row, shares as fractions (as in CSV), a tab or line break in a cell a space."""

    def cell(value: Any, kind: str) -> str:
        if value is None:
            return ""
        if kind == "share" and not isinstance(value, str):
            return f"{float(value):.4f}"
        return " ".join(str(value).replace("\t", " ").splitlines())

    lines = ["\t".join(cell(c.label, "text") for c in table.columns)]
    lines += ["\t".join(cell(v, c.kind) for v, c in zip(row, table.columns)) for row in table.rows]
    return "\n".join(lines) + "\n"


#: Characters a sheet's name may not hold.
_SHEET_BAD = str.maketrans("[]:*?/\\", " " * 7)


def _xlsx(lay: Layout) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = lay.title.translate(_SHEET_BAD).strip()[:31] or "Crosstab"
    bold = Font(bold=True)
    centre = Alignment(horizontal="center")
    width: dict[int, int] = {1: len(lay.code), 2: len(lay.name)}

    def put(row: int, col: int, value: Any, fmt: str | None = None, font: Any = None) -> None:
        cell = ws.cell(row=row, column=col)
        value = xlsx_value(value) if isinstance(value, str) else value
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text is never a formula
        if fmt:
            cell.number_format = fmt
        if font is not None:
            cell.font = font

    put(1, 1, lay.title, font=Font(bold=True, size=12))
    head = 2
    put(head, 1, lay.code, font=bold)
    put(head, 2, lay.name, font=bold)
    for j, (label, n) in enumerate(zip(lay.groups, lay.sizes)):
        col = 3 + 2 * j
        put(head, col, label, font=bold)
        put(head + 1, col, _size(n), font=bold)
        put(head + 2, col, "n", font=bold)
        put(head + 2, col + 1, "%", font=bold)
        for r in (head, head + 1):
            ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=col + 1)
            ws.cell(row=r, column=col).alignment = centre
        width[col] = max(width.get(col, 0), 3)
        width[col + 1] = max(width.get(col + 1, 0), 6)
        spill = len(label) - (width[col] + width[col + 1])  # a long label widens its two columns
        if spill > 0:
            width[col] += spill // 2 + spill % 2
            width[col + 1] += spill // 2
    for i, (key, name, cells) in enumerate(lay.rows):
        r = head + 3 + i
        put(r, 1, key)
        put(r, 2, name)
        width[1], width[2] = max(width[1], len(key)), max(width[2], len(name))
        for j, (n, share) in enumerate(cells):
            col = 3 + 2 * j
            put(r, col, n, "0")
            put(r, col + 1, share, "0.0%")
            width[col] = max(width[col], len(str(n)))
    ws.freeze_panes = ws.cell(row=head + 3, column=3)
    for col, w in width.items():
        ws.column_dimensions[get_column_letter(col)].width = min(w + 2, 60)
    r = head + 3 + len(lay.rows) + 1
    for note in lay.notes:
        put(r, 1, note)
        r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _pct(share: float, lang: str) -> str:
    return format_percent(share, 1, lang)


def _html(lay: Layout) -> str:
    from trivselkode.export.docx_layout import html_page_start

    e = html.escape
    lines = html_page_start(
        lay.title,
        lay.lang,
        [
            "body { font-family: Georgia, serif; margin: 2em; }",
            "table { border-collapse: collapse; }",
            "th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #999; }",
            "td.num { text-align: right; font-variant-numeric: tabular-nums; }",
            "@page { size: A4; margin: 2cm; }",
            "@media print { body { margin: 0; font-size: 10pt; } }",
        ],
    )
    lines += [
        "<table>",
        "<thead>",
        f'<tr><th rowspan="3">{e(lay.code)}</th><th rowspan="3">{e(lay.name)}</th>'
        + "".join(f'<th colspan="2">{e(g)}</th>' for g in lay.groups)
        + "</tr>",
        "<tr>" + "".join(f'<th colspan="2">{_size(n)}</th>' for n in lay.sizes) + "</tr>",
        "<tr>" + "<th>n</th><th>%</th>" * len(lay.groups) + "</tr>",
        "</thead>",
        "<tbody>",
    ]
    for key, name, cells in lay.rows:
        tds = "".join(f'<td class="num">{n}</td><td class="num">{e(_pct(s, lay.lang))}</td>' for n, s in cells)
        lines.append(f"<tr><td>{e(key)}</td><td>{e(name)}</td>{tds}</tr>")
    lines += ["</tbody>", "</table>"]
    lines += [f"<p><small>{e(n)}</small></p>" for n in lay.notes]
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"


def _docx(lay: Layout, meta: Any = None) -> bytes:
    """A4 (landscape when wide), the document's language and properties, page numbers (``new_document``)."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from trivselkode.export.docx_layout import DocumentMeta, new_document

    meta = meta or DocumentMeta(title=lay.title, lang=lay.lang)
    if not meta.title:
        meta.title = lay.title
    doc = new_document(meta)
    columns = 2 + 2 * len(lay.groups)
    if columns > 10:
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    doc.add_heading(lay.title, level=1)
    table = doc.add_table(rows=3 + len(lay.rows), cols=columns)
    table.style = "Table Grid"
    head = table.rows
    head[0].cells[0].text, head[0].cells[1].text = lay.code, lay.name
    for j, (label, n) in enumerate(zip(lay.groups, lay.sizes)):
        col = 2 + 2 * j
        head[0].cells[col].merge(head[0].cells[col + 1]).text = label
        head[1].cells[col].merge(head[1].cells[col + 1]).text = _size(n)
        head[2].cells[col].text, head[2].cells[col + 1].text = "n", "%"
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for r in range(3):
        repeat = OxmlElement("w:tblHeader")  # the header rows repeat on every page
        repeat.set(qn("w:val"), "true")
        head[r]._tr.get_or_add_trPr().append(repeat)
        for cell in head[r].cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.bold = True
    for i, (key, name, cells) in enumerate(lay.rows):
        row = table.rows[3 + i].cells
        row[0].text, row[1].text = key, name
        for j, (n, share) in enumerate(cells):
            for cell, text in ((row[2 + 2 * j], str(n)), (row[3 + 2 * j], _pct(share, lay.lang))):
                cell.text = text
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    for note in lay.notes:
        doc.add_paragraph(note).runs[0].font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_crosstab(
    result: Crosstab,
    fmt: str,
    lang: str = "da",
    names: dict[str, str] | None = None,
    pseudonymizer: Any = None,
    meta: Any = None,
) -> str | bytes:
    """The crosstab in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":

        def label(value: Any) -> str:
            text = value_label(result.attribute, value, lang)
            return pseudonymizer.text(text) if pseudonymizer is not None and value is not None else text

        doc = result.records(label)
        if pseudonymizer is not None:
            for g in doc["groups"]:
                g["value"] = g["label"] if g["value"] is not None else None
            for row in doc["rows"]:
                for cell, g in zip(row["cells"], doc["groups"]):
                    cell["value"] = g["value"]
        if names:
            for row in doc["rows"]:
                row["name"] = names.get(row["code"], row["name"])
        return tables.to_json(doc)
    lay = layout(result, lang, names, pseudonymizer)
    if fmt == "xlsx":
        return _xlsx(lay)
    if fmt == "docx":
        return _docx(lay, meta)
    if fmt == "html":
        return _html(lay)
    table = _table(lay)
    if fmt == "tsv":
        return table_tsv(table)
    if fmt in ("table", "md", "csv"):
        return tables.render(table, fmt)
    raise ValueError(fmt)
