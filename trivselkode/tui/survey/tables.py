"""What Spørgeskema's tables show: the report's dimensions and a joint display, as columns and cells.

Pure functions from :class:`~trivselkode.analysis.survey_report.SurveyReport`
and :class:`~trivselkode.analysis.survey_joint.JointDisplay` to Rich ``Text``
cells in the interface's language (numbers through the locale: 4,15 in Danish,
4.15 in English). The screen only lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group
from rich.text import Text

from trivselkode.analysis.survey_report import SurveyReport, p_text, plain_line
from trivselkode.i18n import N_, _, format_number, format_percent, language
from trivselkode.tui.common.plain import inert_line, line

NO_VALUE = "–"
NAME_MIN, NAME_MAX = 10, 30
VERDICT_MIN = 15
CELL_PADDING = 2  # a DataTable cell's padding, left and right together
SCROLLBAR = 2

# The columns (headings are message ids, translated when the columns are made).
DIMENSION = N_("Dimension")
ITEMS = N_("Spm.")
ALPHA = N_("α (n)")
MEAN_CI = N_("Gns. (95 % KI)")
VERDICT = N_("Signifikant? (Holm)")
THEME = N_("Tema")
LOW = N_("Lav")
HIGH = N_("Høj")
DIFFERENCE = N_("Forskel")
WITH = N_("Med: gns. (n)")
WITHOUT = N_("Uden: gns. (n)")

Column = tuple[str, Text, int]  # key, heading, width


# ----------------------------------------------------------------------------------------------- numbers


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: float | None, decimals: int = 2) -> str:
    """A figure in the interface's locale (``4,15``), or ``–`` when there is none."""
    return NO_VALUE if _missing(x) else format_number(float(x), decimals)  # type: ignore[arg-type]


def signed(x: float | None, decimals: int = 2) -> str:
    """A difference with its sign (``+0,23``, ``-1,5``), or ``–``."""
    return NO_VALUE if _missing(x) else format_number(float(x), decimals, signed=True)  # type: ignore[arg-type]


def mean_ci(mean: float | None, ci: Sequence[float] | None) -> str:
    """``4,15 (4,02–4,28)``; the mean alone without an interval; ``–`` without a mean."""
    if _missing(mean):
        return NO_VALUE
    if not ci or any(_missing(v) for v in ci):
        return num(mean)
    return f"{num(mean)} ({num(ci[0])}–{num(ci[1])})"


def share(x: float | None, count: int | None = None) -> str:
    """A share as a percentage (``42 %``), with its count when given (``42 % (12)``)."""
    if _missing(x):
        return NO_VALUE
    shown = format_percent(float(x), 0)  # type: ignore[arg-type]
    return shown if count is None else f"{shown} ({count})"


def points(x: float | None) -> str:
    """A difference of two shares in percentage points, signed (``+12,5``)."""
    return NO_VALUE if _missing(x) else signed(float(x) * 100, 1)  # type: ignore[arg-type]


def right(text: str, style: str = "") -> Text:
    return Text(text, justify="right", style=style, no_wrap=True)


def cut(value: object, style: str = "") -> Text:
    """A cell of data on one line, cut with … when it does not fit."""
    return line(value, style=style, no_wrap=True, overflow="ellipsis")


# ------------------------------------------------------------------------------------------- dimensions


@dataclass(frozen=True)
class GroupMean:
    n: int
    mean: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True)
class DimensionRow:
    """One dimension of the report as the table shows it."""

    key: str
    name: str
    items: int
    alpha: float | None
    alpha_n: int | None
    means: dict[str, GroupMean]  # group value -> figures ("" without groups)
    verdict: str | None  # the comparison's plain-language line ("Tryghed: ingen statistisk …"), if compared
    significant: bool | None = None
    p_holm: float | None = None


@dataclass(frozen=True)
class SurveyTable:
    """The report, reduced to what the screen shows."""

    survey: str
    title: str
    by: str | None
    respondents: int
    groups: list[tuple[str, str]]  # (value, label) in the report's order; [("", "")] without groups
    rows: list[DimensionRow]
    overall_mean: float | None = None
    overall_alpha: float | None = None
    notes: list[str] = field(default_factory=list)


def _figures(summary: Any) -> GroupMean:
    ci = summary.ci
    shown = None if not ci or any(_missing(v) for v in ci) else (float(ci[0]), float(ci[1]))
    return GroupMean(int(summary.n), None if _missing(summary.mean) else float(summary.mean), shown)


def survey_table(report: SurveyReport) -> SurveyTable:
    """The dimension table of ``report``: per dimension its figures per group and its comparison's verdict."""
    compared = {c.dimension: c for c in report.comparisons}
    groups: list[tuple[str, str]] = []
    rows = []
    for dim in report.dimensions:
        means = {g.value: _figures(g.summary) for g in dim.groups}
        for g in dim.groups:
            if (g.value, g.label) not in groups:
                groups.append((g.value, g.label))
        if not means:  # no groups: the dimension's own figures
            means = {"": _figures(dim.summary)}
        comparison = compared.get(dim.key)
        rows.append(
            DimensionRow(
                key=dim.key,
                name=dim.name,
                items=len(dim.items),
                alpha=None if _missing(dim.alpha.alpha) else dim.alpha.alpha,
                alpha_n=dim.alpha.n,
                means=means,
                verdict=plain_line(comparison, report.lang) if comparison else None,
                significant=comparison.significant if comparison else None,
                p_holm=comparison.p_holm if comparison else None,
            )
        )
    return SurveyTable(
        survey=report.survey,
        title=report.title,
        by=report.by if groups else None,
        respondents=report.respondents,
        groups=groups or [("", "")],
        rows=rows,
        overall_mean=None if _missing(report.overall.summary.mean) else report.overall.summary.mean,
        overall_alpha=None if _missing(report.overall.alpha.alpha) else report.overall.alpha.alpha,
        notes=list(report.notes),
    )


def short_verdict(row: DimensionRow) -> str:
    """The verdict as the table's column says it: a significant difference or not, by the Holm-corrected p."""
    if row.significant is None or row.p_holm is None:
        return ""
    said = _("ja") if row.significant else _("nej")
    return f"{said} ({p_text(row.p_holm, language())})"


def dimension_columns(table: SurveyTable, width: int) -> list[Column]:
    """The dimension table's columns for ``width`` cells; the verdict only when there is room for it."""
    name_width = max([len(_(DIMENSION))] + [len(r.name) for r in table.rows])
    name_width = max(NAME_MIN, min(NAME_MAX, name_width))
    fixed: list[Column] = [
        ("items", right(_(ITEMS)), max(len(_(ITEMS)), 3)),
        ("alpha", right(_(ALPHA)), 11),
    ]
    for value, label in table.groups:
        heading = label if table.by else _(MEAN_CI)
        cells = [mean_ci(r.means[value].mean, r.means[value].ci) for r in table.rows if value in r.means]
        fixed.append(("g:" + value, right(inert_line(heading)), max([len(heading)] + [len(c) for c in cells])))
    used = sum(w + CELL_PADDING for _k, _h, w in fixed) + SCROLLBAR
    name_width = max(NAME_MIN, min(name_width, width - used - CELL_PADDING))
    columns: list[Column] = [("name", Text(_(DIMENSION)), name_width), *fixed]
    rest = width - used - name_width - CELL_PADDING * 2
    if any(r.verdict for r in table.rows) and rest >= VERDICT_MIN:
        columns.append(("verdict", Text(_(VERDICT)), rest))
    return columns


def dimension_cells(row: DimensionRow, columns: list[Column]) -> list[Text]:
    """One dimension's cells, in the order of ``columns``."""
    cells = []
    for key, _heading, _width in columns:
        if key == "name":
            cells.append(cut(row.name, style="bold"))
        elif key == "items":
            cells.append(right(str(row.items)))
        elif key == "alpha":
            alpha = num(row.alpha)
            cells.append(right(alpha if row.alpha_n is None or alpha == NO_VALUE else f"{alpha} ({row.alpha_n})"))
        elif key == "verdict":
            cells.append(cut(short_verdict(row), style="bold" if row.significant else "dim"))
        else:
            figures = row.means.get(key[2:])
            cells.append(right(mean_ci(figures.mean, figures.ci) if figures else NO_VALUE))
    return cells


def means_heading(table: SurveyTable) -> str:
    """What the group columns hold, said once above the table."""
    if table.by:
        return _("gennemsnit (95 % KI) pr. gruppe")
    return _("gennemsnit (95 % KI), alle respondenter")


# ------------------------------------------------------------------------------------------ joint display


def theme_columns(width: int, reverse: bool) -> list[Column]:
    """The joint display's columns: per theme the two groups' shares and their difference (or the reverse)."""
    if reverse:
        fixed = [("with", _(WITH), 12), ("without", _(WITHOUT), 12), ("difference", _(DIFFERENCE), 7)]
    else:
        fixed = [("low", _(LOW), 9), ("high", _(HIGH), 9), ("difference", _(DIFFERENCE), 7)]
    fixed_cols: list[Column] = [(k, right(h), max(w, len(h))) for k, h, w in fixed]
    used = sum(w + CELL_PADDING for _k, _h, w in fixed_cols) + SCROLLBAR + CELL_PADDING
    name_width = max(NAME_MIN, width - used)
    return [("theme", Text(_(THEME)), name_width), *fixed_cols]


def theme_cells(theme: Any, columns: list[Column]) -> list[Text]:
    """A theme's cells in the low/high view (a ``JointTheme``)."""
    cells = []
    for key, _heading, _width in columns:
        if key == "theme":
            cells.append(cut(f"{theme.key} {theme.name}"))
        elif key == "low":
            cells.append(right(share(theme.low_share, theme.low_count)))
        elif key == "high":
            cells.append(right(share(theme.high_share, theme.high_count)))
        else:
            cells.append(right(points(theme.difference), style=_difference_style(theme.difference)))
    return cells


def reverse_cells(row: Any, columns: list[Column]) -> list[Text]:
    """A theme's cells in the reverse view (a ``ReverseRow``): the dimension's mean with and without it."""
    cells = []
    for key, _heading, _width in columns:
        if key == "theme":
            cells.append(cut(f"{row.key} {row.name}"))
        elif key == "with":
            cells.append(right(f"{num(row.with_mean)} ({row.with_n})"))
        elif key == "without":
            cells.append(right(f"{num(row.without_mean)} ({row.without_n})"))
        else:
            cells.append(right(signed(row.difference), style=_difference_style(row.difference)))
    return cells


def _difference_style(x: float | None) -> str:
    return "" if _missing(x) or x == 0 else "bold"


def joint_heading(joint: Any, reverse: bool) -> Text:
    """The line above the joint display: the dimension, how it is split, the groups' sizes, the basis."""
    dimension = joint.dimension
    name = getattr(dimension, "name", None) or (dimension[1] if isinstance(dimension, tuple) else str(dimension))
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(inert_line(name), style="bold")
    if reverse:
        text.append(_(" · gennemsnit med og uden temaet (n)"))
    else:
        rule = _("medianen") if joint.split_rule == "median" else _("værdien")
        text.append(
            _(" · lav < {split} ≤ høj ({rule}) · lav {low_n}, høj {high_n} med åbne svar").format(
                split=num(joint.split), rule=rule, low_n=joint.low_answered, high_n=joint.high_answered
            )
        )
    basis = getattr(joint, "basis_note", "")
    if basis:
        text.append(_(" · grundlag: {basis}").format(basis=inert_line(basis)), style="dim")
    return text


def quotes_detail(joint: Any, index: int, reverse: bool) -> Group | Text:
    """The theme under the cursor: its figures and a quote from each group, attributed."""
    themes = joint.themes
    if not themes:
        return Text(_("Ingen temaer i kodebogen er kodet i de åbne svar endnu."), style="dim")
    if reverse:
        rows = joint.reverse
        if not 0 <= index < len(rows):
            return Text("")
        row = rows[index]
        key = row.key
        theme = next((t for t in themes if t.key == key), None)
    else:
        if not 0 <= index < len(themes):
            return Text("")
        theme = themes[index]
    if theme is None:
        return Text("")
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(inert_line(f"{theme.key} {theme.name}"), style="bold")
    head.append(
        _(" · lav {low} · høj {high} · forskel {difference} procentpoint").format(
            low=share(theme.low_share), high=share(theme.high_share), difference=points(theme.difference)
        )
    )
    return Group(head, _quote_line(_("Lav"), theme.low_quote), _quote_line(_("Høj"), theme.high_quote))


def _quote_line(label: str, quote: Any) -> Text:
    text = Text(overflow="ellipsis")
    text.append(f"{label}: ", style="bold")
    if quote is None or not getattr(quote, "text", None):
        text.append(_("intet citat"), style="dim")
        return text
    text.append("“" + inert_line(quote.text) + "”", style="italic")
    attribution = getattr(quote, "attribution", None)
    if attribution:  # as the quote reports attribute: "– Kvinde, 67 år, Holstebro"
        shown = inert_line(attribution)
        text.append((" " if shown.startswith(("–", "—", "-")) else " — ") + shown, style="dim")
    return text
