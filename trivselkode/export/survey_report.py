"""The questionnaire's report as documents: a text table, Markdown, CSV, XLSX, DOCX and JSON.

Every format shows the same sections, in the report's language:

1. the dimensions (the overall score first): per group of ``--by`` and in all, n, mean, SD and the 95 %
   confidence interval, and on the row "I alt" Cronbach's α with its 95 % interval and the n it used;
2. the ranking: the strongest and the weakest dimensions, named as the study's report does;
3. the comparisons: test, statistic, df, p, Holm-corrected p, effect size and the rank test beside it;
4. the plain-language line per comparison;
5. the item statistics: each item's n, mean, SD, corrected item–total r and α if deleted.

Text and Markdown show numbers in the language's form (4,16 / 4.16); CSV and XLSX hold them as numbers.
CSV is one table (one header row): the dimensions' rows with the comparison on the dimension's "I alt"
row. XLSX has a sheet per section. The tables are :class:`trivselkode.export.tables.Table` and written by
that module; DOCX starts from :func:`trivselkode.export.docx_layout.new_document`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trivselkode.analysis.survey_report import OVERALL, ComparisonResult, DimensionResult, SurveyReport, by_label
from trivselkode.export import tables
from trivselkode.i18n import N_, format_integer, format_number, gettext_for

FORMATS = ("table", "md", "csv", "xlsx", "docx", "json")

#: The effect sizes' and the rank tests' names (as the reports write them).
EFFECTS = {"cohen_d": N_("Cohens d"), "omega_squared": "ω²", "epsilon_squared": "ε²", "eta_squared": "η²"}
RANK_TESTS = {"mann_whitney_u": "Mann–Whitney U", "kruskal_wallis": "Kruskal–Wallis H"}
TESTS = {"welch_t": "Welch t", "welch_anova": "Welch F"}

#: Decimals of the numbers in text: means and SDs 2, α and r 2, p 3, statistics 2, df 1.
MEAN, P, DF = 2, 3, 1


@dataclass(frozen=True)
class Col:
    """A column: its label and the decimals of its numbers (None: text; 0: a whole number)."""

    label: str
    decimals: int | None = None
    #: Text shows this column and the next as one: (the joint label, the separator), e.g. a CI "2,93–3,21".
    joined: tuple[str, str] | None = None


@dataclass
class Section:
    """One table of the report: raw values (floats, ints, text, None)."""

    title: str
    sheet: str
    columns: list[Col]
    rows: list[list[Any]]
    #: Lines shown under the table in text and DOCX (the ranking, the plain-language lines).
    after: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the sections


def _ci_cols(_: Callable[[str], str], what: str) -> list[Col]:
    return [
        Col(_(N_("{what} nedre")).format(what=what), MEAN, (what, "–")),
        Col(_(N_("{what} øvre")).format(what=what), MEAN),
    ]


def _pair(pair: Sequence[float] | None) -> list[float | None]:
    return [None, None] if pair is None else [float(pair[0]), float(pair[1])]


def dimension_section(report: SurveyReport) -> Section:
    """The dimensions' table: per dimension its groups, then its "I alt" row with α."""
    _ = gettext_for(report.lang)
    grouped = report.by is not None
    columns = [Col(_(N_("Dimension")))]
    if grouped:
        columns.append(Col(_(N_("Gruppe"))))
    columns += [Col("n", 0), Col(_(N_("Gennemsnit")), MEAN), Col("SD", MEAN), *_ci_cols(_, _(N_("95 % CI")))]
    columns += [
        Col(_(N_("Antal spørgsmål")), 0),
        Col("α", MEAN),
        *_ci_cols(_, _(N_("α 95 % CI"))),
        Col(_(N_("α n")), 0),
    ]
    rows: list[list[Any]] = []
    for dim in [report.overall, *report.dimensions]:
        for group in dim.groups:
            s, a = group.summary, group.alpha
            alpha = [a.alpha, *_pair(a.ci), a.n] if a is not None else [None, None, None, None]
            rows.append([dim.name, group.label, s.n, s.mean, s.sd, *_pair(s.ci), None, *alpha])
        s, a = dim.summary, dim.alpha
        total = [dim.name, *([_(N_("I alt"))] if grouped else [])]
        rows.append([*total, s.n, s.mean, s.sd, *_pair(s.ci), len(dim.items), a.alpha, *_pair(a.ci), a.n])
    return Section(_(N_("Dimensioner")), _(N_("Dimensioner")), columns, rows, ranking_lines(report))


def _effect(result: ComparisonResult, lang: str) -> tuple[str, float | None]:
    for key, value in result.comparison.effect.items():
        return gettext_for(lang)(EFFECTS.get(key, key)), value
    return "", None


def _df(df: float | tuple[float, float]) -> tuple[float, float | None]:
    if isinstance(df, tuple | list):
        return float(df[0]), float(df[1])
    return float(df), None


def _comparison_cells(result: ComparisonResult, lang: str) -> list[Any]:
    c = result.comparison
    effect, size = _effect(result, lang)
    rank = c.nonparametric
    return [
        TESTS.get(c.test, c.test),
        c.statistic,
        *_df(c.df),
        c.p,
        result.p_holm,
        effect,
        size,
        RANK_TESTS.get(str(rank.get("test")), str(rank.get("test", ""))),
        rank.get("statistic"),
        rank.get("p"),
    ]


def _comparison_cols(_: Callable[[str], str]) -> list[Col]:
    return [
        Col(_(N_("Test"))),
        Col(_(N_("Teststørrelse")), MEAN),
        Col("df", DF, ("df", "; ")),
        Col("df2", DF),
        Col("p", P),
        Col(_(N_("Holm-korrigeret p")), P),
        Col(_(N_("Effektmål"))),
        Col(_(N_("Effekt")), MEAN),
        Col(_(N_("Rangtest"))),
        Col(_(N_("Rangtestens teststørrelse")), DF),
        Col(_(N_("Rangtestens p")), P),
    ]


def comparison_section(report: SurveyReport) -> Section:
    """The comparisons: the overall score first (its own p, outside the Holm family), then the dimensions."""
    _ = gettext_for(report.lang)
    found = [*([report.overall_comparison] if report.overall_comparison else []), *report.comparisons]
    rows = [[r.name, *_comparison_cells(r, report.lang)] for r in found]
    title = _(N_("Sammenligning af grupperne"))
    columns = [Col(_(N_("Dimension"))), *_comparison_cols(_)]
    return Section(title, _(N_("Sammenligning")), columns, rows, list(report.lines))


def item_section(report: SurveyReport) -> Section:
    """Each dimension's items: n, mean, SD, corrected item–total r and α if deleted."""
    _ = gettext_for(report.lang)
    columns = [
        Col(_(N_("Dimension"))),
        Col(_(N_("Spørgsmål"))),
        Col("n", 0),
        Col(_(N_("Gennemsnit")), MEAN),
        Col("SD", MEAN),
        Col(_(N_("Korrigeret item–total r")), MEAN),
        Col(_(N_("α uden spørgsmålet")), MEAN),
    ]
    rows = [
        [d.name, s.item, s.n, s.mean, s.sd, s.item_total, s.alpha_if_deleted]
        for d in report.dimensions
        for s in d.item_stats
    ]
    return Section(_(N_("Spørgsmålene")), _(N_("Spørgsmål")), columns, rows)


def csv_section(report: SurveyReport) -> Section:
    """One table for CSV: the dimensions' rows, each dimension's comparison on its "I alt" row."""
    base = dimension_section(report)
    _ = gettext_for(report.lang)
    by_key = {c.dimension: c for c in report.comparisons}
    if report.overall_comparison is not None:
        by_key[OVERALL] = report.overall_comparison
    extra = _comparison_cols(_)
    blank = [None] * len(extra)
    rows = []
    dims: list[DimensionResult] = [report.overall, *report.dimensions]
    i = 0
    for dim in dims:
        for _group in dim.groups:
            rows.append([*base.rows[i], *blank])
            i += 1
        found = by_key.get(dim.key)
        rows.append([*base.rows[i], *(_comparison_cells(found, report.lang) if found else blank)])
        i += 1
    return Section(base.title, base.sheet, [*base.columns, *extra], rows)


# ---------------------------------------------------------------- texts


def heading(report: SurveyReport) -> str:
    """The report's heading: "Spørgeskema: TITLE"."""
    return gettext_for(report.lang)(N_("Spørgeskema: {title}")).format(title=report.title or report.survey)


def summary_lines(report: SurveyReport) -> list[str]:
    """Who the report covers and how it groups them."""
    _ = gettext_for(report.lang)
    lines = [
        _(N_("Respondenter: {n}; skala {low}–{high}.")).format(
            n=format_integer(report.respondents, report.lang), low=report.scale_min, high=report.scale_max
        )
    ]
    if report.by is not None:
        lines.append(_(N_("Grupperet efter: {by}.")).format(by=by_label(report.by, report.lang)))
    return lines


def ranking_lines(report: SurveyReport) -> list[str]:
    """The ranking as lines: "Stærkeste dimensioner: 1. Tryghed (4,65–4,68); 2. …" and the weakest likewise."""
    _ = gettext_for(report.lang)
    out = []
    for label, ranked in (
        (N_("Stærkeste dimensioner"), report.ranking.strongest),
        (N_("Svageste dimensioner"), report.ranking.weakest),
    ):
        if ranked:
            named = "; ".join(f"{i}. {r.text}" for i, r in enumerate(ranked, start=1))
            out.append(f"{_(label)}: {named}")
    return out


def closing_notes(report: SurveyReport) -> list[str]:
    """The notes under the report: how the scores and the correction are made, and the report's own notes."""
    _ = gettext_for(report.lang)
    notes = [
        _(
            N_(
                "Dimensionsscore: gennemsnittet af respondentens besvarede spørgsmål i dimensionen (mangler, når "
                "under halvdelen er besvaret); α over de fuldstændige besvarelser."
            )
        )
    ]
    if report.comparisons or report.overall_comparison:
        notes.append(
            _(
                N_(
                    "Holm-korrektionen gælder dimensionernes sammenligninger; den samlede scores p er ukorrigeret. "
                    "Signifikansniveau 0,05."
                )
            )
        )
    return notes + list(report.notes)


# ---------------------------------------------------------------- tables


def _shown(value: Any, decimals: int | None, lang: str) -> Any:
    """A cell for text: numbers in the language's form, None empty."""
    if value is None:
        return ""
    if decimals is None or isinstance(value, str):
        return value
    if decimals == 0:
        return format_integer(int(value), lang)
    return format_number(float(value), decimals, lang)


def as_table(section: Section, lang: str, text: bool, notes: Sequence[str] = ()) -> tables.Table:
    """``section`` as a :class:`tables.Table`: for text the numbers formatted and joined columns one
    ("2,93–3,21"), else numbers kept as numbers, one per column."""
    if not text:
        columns = [tables.Column(c.label, c.label, "text" if c.decimals is None else "int") for c in section.columns]
        rows = [[_number(v) for v in row] for row in section.rows]
        return tables.Table(section.title, columns, rows, lang, list(notes), sheet=section.sheet)
    shown: list[tables.Column] = []
    cells: list[list[Any]] = [[] for _row in section.rows]
    skip = False
    for j, col in enumerate(section.columns):
        if skip:
            skip = False
            continue
        kind = "text" if col.decimals is None else "int"
        if col.joined is None:
            shown.append(tables.Column(col.label, col.label, kind))
            for out, row in zip(cells, section.rows):
                out.append(_shown(row[j], col.decimals, lang))
            continue
        label, sep = col.joined
        shown.append(tables.Column(label, label, kind))
        nxt = section.columns[j + 1]
        for out, row in zip(cells, section.rows):
            parts = [_shown(row[j], col.decimals, lang), _shown(row[j + 1], nxt.decimals, lang)]
            out.append(sep.join(p for p in parts if p != ""))
        skip = True
    return tables.Table(section.title, shown, cells, lang, list(notes), sheet=section.sheet)


def _number(value: Any) -> Any:
    """A plain Python number (numpy's become float/int), None for NaN."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return value
    number = float(value)
    return None if number != number else number


def _sections(report: SurveyReport) -> list[Section]:
    out = [dimension_section(report)]
    if report.comparisons or report.overall_comparison:
        out.append(comparison_section(report))
    out.append(item_section(report))
    return out


def _text(report: SurveyReport, fmt: str) -> str:
    """The text table or Markdown: heading, summary, the sections with the ranking and the lines between."""
    lang = report.lang
    md = fmt == "md"
    sections = _sections(report)

    def block(lines: Sequence[str]) -> str:
        if not lines:
            return ""
        return "\n".join(f"- {line}" if md else line for line in lines) + "\n"

    def render(section: Section) -> str:
        table = as_table(section, lang, True)
        return tables.to_markdown(table) if md else tables.to_text(table)

    title = heading(report)
    parts = [(f"# {title}\n" if md else f"{title}\n{'=' * len(title)}\n"), block(summary_lines(report))]
    for section in sections:
        parts += [render(section), block(section.after)]
    parts.append(block(closing_notes(report)))
    return "\n".join(p for p in parts if p)


def _xlsx(report: SurveyReport) -> bytes:
    """A sheet per section, a first sheet with the summary, ranking, lines and notes; numbers formatted."""
    from openpyxl import load_workbook

    _ = gettext_for(report.lang)
    lines = [*summary_lines(report), *ranking_lines(report), *report.lines]
    summary = tables.Table(
        heading(report),
        [tables.Column("text", heading(report))],
        [[line] for line in lines],
        report.lang,
        closing_notes(report),
        sheet=_(N_("Sammenfatning")),
    )
    sections = _sections(report)
    data = tables.to_xlsx([summary, *(as_table(s, report.lang, False) for s in sections)])
    wb = load_workbook(io.BytesIO(data))
    for section, ws in zip(sections, wb.worksheets[1:]):
        for col, spec in enumerate(section.columns, start=1):
            if spec.decimals is None:
                continue
            fmt = "0" if spec.decimals == 0 else "0." + "0" * spec.decimals
            for row in ws.iter_rows(min_row=2, max_row=1 + len(section.rows), min_col=col, max_col=col):
                row[0].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx_table(doc: Any, table: tables.Table) -> None:
    """``table`` (text cells) as a Word table: a bold header row that repeats on each page, 9 pt."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    for j, col in enumerate(table.columns):
        grid.rows[0].cells[j].text = col.label
    for i, row in enumerate(table.rows, start=1):
        for j, (value, col) in enumerate(zip(row, table.columns)):
            cell = grid.rows[i].cells[j]
            cell.text = str(value)
            if col.kind != "text":
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for i, row in enumerate(grid.rows):
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(8)
                    run.bold = i == 0


def _docx(report: SurveyReport, meta: Any = None) -> bytes:
    """A4 landscape (the tables are wide), the report's language and properties, page numbers."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    from trivselkode.export.docx_layout import DocumentMeta, docx_bytes, new_document

    title = heading(report)
    meta = meta or DocumentMeta(title=title, lang=report.lang)
    meta.title = meta.title or title
    doc = new_document(meta)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    doc.add_heading(title, level=1)
    for line in summary_lines(report):
        doc.add_paragraph(line)
    for part in _sections(report):
        doc.add_heading(part.title, level=2)
        _docx_table(doc, as_table(part, report.lang, True))
        for line in part.after:
            doc.add_paragraph(line, style="List Bullet")
    for note in closing_notes(report):
        doc.add_paragraph(note).runs[0].font.size = Pt(8)
    return docx_bytes(doc)


def render_survey_report(report: SurveyReport, fmt: str, meta: Any = None) -> str | bytes:
    """The report in ``fmt`` (one of :data:`FORMATS`); ``meta`` the DOCX's properties."""
    if fmt == "json":
        return tables.to_json(report.to_json())
    if fmt in ("table", "md"):
        return _text(report, fmt)
    if fmt == "csv":
        return tables.to_csv(as_table(csv_section(report), report.lang, False))
    if fmt == "xlsx":
        return _xlsx(report)
    if fmt == "docx":
        return _docx(report, meta)
    raise ValueError(fmt)
