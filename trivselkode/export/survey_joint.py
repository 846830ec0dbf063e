"""The joint display as documents: text, Markdown, CSV, XLSX, DOCX and JSON.

Every format but JSON and CSV shows three parts in the display's language:

1. the themes among low and high scorers: per group the respondents whose
   answers carry the theme (n) and their share of the group's respondents
   with an open answer (%), and the difference in percentage points;
2. the reverse view: the dimension score (n, mean, SD) of the respondents
   whose answers carry the theme and of those whose answers do not, and the
   difference of the means;
3. one quote from each group per theme, with its attribution and reference.

with the split, the groups' sizes and the basis of the codings said above
and below. Text and Markdown are written by :mod:`trivselkode.export.tables`;
XLSX is one sheet per part, numbers as numbers and shares as percentages;
DOCX starts from :func:`trivselkode.export.docx_layout.new_document`. CSV is
one row per theme with every figure and both quotes (shares and the
difference as fractions, as in JSON); JSON is
:meth:`~trivselkode.analysis.survey_joint.JointDisplay.to_json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trivselkode.analysis.survey_joint import JointDisplay, JointQuote
from trivselkode.export import tables
from trivselkode.export.docx_layout import DocumentMeta, add_source_lines, docx_bytes, new_document
from trivselkode.export.tables import text_cell
from trivselkode.i18n import N_, format_integer, format_number, gettext_for, normalize, translator

FORMATS = ("table", "md", "csv", "xlsx", "docx", "json")

_GROUPS = {"low": N_("Lave scorere"), "high": N_("Høje scorere")}


@dataclass
class JointLayout:
    """What the formats show, in the display's language."""

    title: str
    intro: list[str]
    themes: tables.Table
    reverse: tables.Table
    quotes_title: str
    quotes: list[tuple[str, list[tuple[str, JointQuote | None]]]]  # theme heading, (group label, quote) per group
    none: str  # what stands where a group has no quote
    notes: list[str]
    lang: str


def _number(value: float | None, decimals: int, lang: str, signed: bool = False) -> str | None:
    """A figure as the language writes it ("4,33"); a sign on a difference; None stays None (an empty cell)."""
    if value is None:
        return None
    return format_number(value, decimals, lang, signed=signed)


def _raw(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _themes_table(display: JointDisplay, t: Callable[[str], str], text: bool) -> tables.Table:
    """Part 1; ``text``: figures formatted for reading (the difference in percentage points), else numbers."""
    lang = display.lang
    number = "int" if text else "number"  # formatted figures align right as numbers do
    columns = [
        tables.Column("code", tables.label("code", lang)),
        tables.Column("name", tables.label("name", lang)),
        tables.Column("low_n", t(N_("Lave n")), "int"),
        tables.Column("low_share", t(N_("Lave %")), "share"),
        tables.Column("high_n", t(N_("Høje n")), "int"),
        tables.Column("high_share", t(N_("Høje %")), "share"),
        tables.Column("difference", t(N_("Forskel (procentpoint)")) if text else t(N_("Forskel")), number),
    ]
    rows = []
    for theme in display.themes:
        diff = theme.difference
        shown = _number(None if diff is None else diff * 100, 1, lang, signed=True) if text else _raw(diff)
        rows.append(
            [theme.key, theme.name, theme.low_count, theme.low_share, theme.high_count, theme.high_share, shown]
        )
    if not text:
        columns[-1].kind = "share"  # a fraction, as the shares (XLSX shows it as a percentage)
    title = t(N_("Temaer hos lave og høje scorere"))
    return tables.Table(title, columns, rows, lang, sheet=t(N_("Temaer")))


def _reverse_table(display: JointDisplay, t: Callable[[str], str], text: bool) -> tables.Table:
    """Part 2: the dimension score with and without each theme."""
    lang = display.lang
    kind = "int" if text else "number"

    def figure(value: float | None, signed: bool = False) -> Any:
        return _number(value, 2, lang, signed) if text else _raw(value)

    columns = [
        tables.Column("code", tables.label("code", lang)),
        tables.Column("name", tables.label("name", lang)),
        tables.Column("with_n", t(N_("Med n")), "int"),
        tables.Column("with_mean", t(N_("Med gns.")), kind),
        tables.Column("with_sd", t(N_("Med SD")), kind),
        tables.Column("without_n", t(N_("Uden n")), "int"),
        tables.Column("without_mean", t(N_("Uden gns.")), kind),
        tables.Column("without_sd", t(N_("Uden SD")), kind),
        tables.Column("difference", t(N_("Forskel")), kind),
    ]
    rows = [
        [
            r.key,
            r.name,
            r.with_.n,
            figure(r.with_.mean),
            figure(r.with_.sd),
            r.without.n,
            figure(r.without.mean),
            figure(r.without.sd),
            figure(r.difference, signed=True),
        ]
        for r in display.reverse
    ]
    title = t(N_("Score på {dimension} med og uden temaet")).format(dimension=display.dimension[1])
    return tables.Table(title, columns, rows, lang, sheet=t(N_("Score med og uden")))


def _intro(display: JointDisplay, t: Callable[[str], str]) -> list[str]:
    lang = display.lang
    split = format_number(display.split, 2, lang)
    rule = t(N_("medianen")) if display.split_rule == "median" else t(N_("valgt værdi"))
    return [
        t(N_("Spørgeskema: {title} ({survey}).")).format(title=display.title, survey=display.survey),
        t(N_("Delt ved {split} ({rule}): lave scorere under {split}, høje scorere {split} eller derover.")).format(
            split=split, rule=rule
        ),
        t(
            N_(
                "Lave scorere: {low} respondenter, {low_answered} med åbne svar; "
                "høje scorere: {high} respondenter, {high_answered} med åbne svar."
            )
        ).format(
            low=format_integer(display.low_n, lang),
            low_answered=format_integer(display.low_answered, lang),
            high=format_integer(display.high_n, lang),
            high_answered=format_integer(display.high_answered, lang),
        ),
    ]


def _notes(display: JointDisplay, t: Callable[[str], str]) -> list[str]:
    notes = [
        t(N_("Grundlag: {basis}.")).format(basis=display.basis_note),
        t(
            N_(
                "n: respondenter, hvis åbne svar bærer temaet; %: deres andel af gruppens respondenter med "
                "mindst ét åbent svar; forskel: høje − lave."
            )
        ),
        t(
            N_(
                "Med og uden: scoren hos respondenter med åbne svar, der bærer temaet, og hos dem, hvis svar ikke gør; "
                "forskel: med − uden."
            )
        ),
    ]
    if display.unscored:
        ngettext = translator(normalize(display.lang) or "da").ngettext
        notes.append(
            ngettext(
                "{n} respondent uden score på {dimension} er ikke med.",
                "{n} respondenter uden score på {dimension} er ikke med.",
                display.unscored,
            ).format(n=display.unscored, dimension=display.dimension[1])
        )
    return notes


def layout(display: JointDisplay, text: bool = True) -> JointLayout:
    """The parts every format but JSON shows (``text``: figures formatted for reading, else numbers)."""
    t = gettext_for(display.lang)
    quotes = [
        (
            f"{theme.key} {theme.name}",
            [(t(_GROUPS["low"]), theme.low_quote), (t(_GROUPS["high"]), theme.high_quote)],
        )
        for theme in display.themes
    ]
    return JointLayout(
        title=t(N_("Fælles visning: {dimension}")).format(dimension=display.dimension[1]),
        intro=_intro(display, t),
        themes=_themes_table(display, t, text),
        reverse=_reverse_table(display, t, text),
        quotes_title=t(N_("Citater fra lave og høje scorere")),
        quotes=quotes,
        none=t(N_("intet citat")),
        notes=_notes(display, t),
        lang=display.lang,
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def _quote_line(quote: JointQuote | None, none: str) -> str:
    if quote is None:
        return none
    return f"“{_flat(quote.text)}” {quote.attribution} ({quote.ref})"


def _text(lay: JointLayout) -> str:
    from trivselkode.domain.display import inert_line

    out = [inert_line(lay.title), "", *(inert_line(line) for line in lay.intro), ""]
    out += [tables.to_text(lay.themes), tables.to_text(lay.reverse), inert_line(lay.quotes_title), ""]
    for heading, groups in lay.quotes:
        out.append(inert_line(heading))
        out += [inert_line(f"  {label}: {_quote_line(q, lay.none)}") for label, q in groups]
    out += ["", *(inert_line(n) for n in lay.notes)]
    return "\n".join(out) + "\n"


def _markdown(lay: JointLayout) -> str:
    from trivselkode.domain.display import inert_line

    out = [f"# {inert_line(lay.title)}", "", *(inert_line(line) for line in lay.intro), ""]
    out += [tables.to_markdown(lay.themes), tables.to_markdown(lay.reverse), f"## {inert_line(lay.quotes_title)}", ""]
    for heading, groups in lay.quotes:
        out += [f"### {inert_line(heading)}", ""]
        for label, q in groups:
            out += [f"**{inert_line(label)}:** {inert_line(_quote_line(q, lay.none))}", ""]
    out += [f"*{inert_line(n)}*" for n in lay.notes]
    return "\n".join(out) + "\n"


def _csv(display: JointDisplay) -> str:
    """One row per theme: both views' figures and both quotes."""
    t = gettext_for(display.lang)
    lay = layout(display, text=False)
    columns = list(lay.themes.columns)
    columns += [
        tables.Column("mean_" + c.key, c.label, c.kind)
        if c.key == "difference"
        else tables.Column(c.key, c.label, c.kind)
        for c in lay.reverse.columns[2:]
    ]
    columns[-1].label = t(N_("Forskel i score"))
    for group in ("low", "high"):
        label = t(_GROUPS[group])
        columns += [
            tables.Column(f"{group}_quote", f"{label}: " + t(N_("citat"))),
            tables.Column(f"{group}_attribution", f"{label}: " + t(N_("tilskrivning"))),
            tables.Column(f"{group}_ref", f"{label}: " + t(N_("henvisning"))),
        ]
    rows = []
    for theme, row, reverse in zip(display.themes, lay.themes.rows, lay.reverse.rows):
        quotes: list[Any] = []
        for q in (theme.low_quote, theme.high_quote):
            quotes += [q.text, q.attribution, q.ref] if q else [None, None, None]
        rows.append([*row, *reverse[2:], *quotes])
    return tables.to_csv(tables.Table("", columns, rows, display.lang))


def _quotes_table(display: JointDisplay, lay: JointLayout) -> tables.Table:
    """Part 3 as a sheet: one row per theme and group."""
    t = gettext_for(display.lang)
    columns = [
        tables.Column("code", tables.label("code", display.lang)),
        tables.Column("name", tables.label("name", display.lang)),
        tables.Column("group", t(N_("Gruppe"))),
        tables.Column("quote", t(N_("Citat"))),
        tables.Column("attribution", t(N_("Tilskrivning"))),
        tables.Column("ref", t(N_("Henvisning"))),
    ]
    rows = []
    for theme in display.themes:
        for group, q in (("low", theme.low_quote), ("high", theme.high_quote)):
            if q is not None:
                rows.append([theme.key, theme.name, t(_GROUPS[group]), q.text, q.attribution, q.ref])
    return tables.Table(lay.quotes_title, columns, rows, display.lang, sheet=t(N_("Citater")))


def _xlsx(display: JointDisplay) -> bytes:
    lay = layout(display, text=False)
    lay.themes.notes = [*lay.intro, *lay.notes]
    return tables.to_xlsx([lay.themes, lay.reverse, _quotes_table(display, lay)])


def _docx_table(doc: Any, table: tables.Table) -> None:
    """A table of text cells: the header bold and repeated on every page, figures right-aligned, 9 pt."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    header = grid.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for j, column in enumerate(table.columns):
        header.cells[j].paragraphs[0].add_run(column.label).bold = True
    for i, row in enumerate(table.rows, start=1):
        for j, (value, column) in enumerate(zip(row, table.columns)):
            para = grid.rows[i].cells[j].paragraphs[0]
            para.add_run(text_cell(value, column.kind, table.lang))
            if column.kind in ("int", "share"):
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in grid.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)


def _docx(display: JointDisplay, meta: DocumentMeta | None = None) -> bytes:
    """A4, the display's language and properties, page numbers (``new_document``); the quotes in Word's Quote
    style with their attribution and reference below."""
    from docx.shared import Pt

    lay = layout(display)
    meta = meta or DocumentMeta(lay.title, display.lang)
    meta.title, meta.lang = meta.title or lay.title, display.lang
    doc = new_document(meta)
    doc.add_heading(lay.title, level=0)
    for line in lay.intro:
        doc.add_paragraph(line)
    for part in (lay.themes, lay.reverse):
        doc.add_heading(part.title, level=1)
        _docx_table(doc, part)
    doc.add_heading(lay.quotes_title, level=1)
    for heading, groups in lay.quotes:
        doc.add_heading(heading, level=2)
        for label, q in groups:
            doc.add_paragraph().add_run(label).bold = True
            if q is None:
                doc.add_paragraph(lay.none)
                continue
            doc.add_paragraph(f"“{_flat(q.text)}”", style="Quote")
            add_source_lines(doc, q.attribution, q.ref)
    for note in lay.notes:
        doc.add_paragraph(note).runs[0].font.size = Pt(8)
    return docx_bytes(doc)


def render_joint(display: JointDisplay, fmt: str, meta: DocumentMeta | None = None) -> str | bytes:
    """The joint display in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return tables.to_json(display.to_json())
    if fmt == "csv":
        return _csv(display)
    if fmt == "xlsx":
        return _xlsx(display)
    if fmt == "docx":
        return _docx(display, meta)
    if fmt == "md":
        return _markdown(layout(display))
    if fmt == "table":
        return _text(layout(display))
    raise ValueError(fmt)
