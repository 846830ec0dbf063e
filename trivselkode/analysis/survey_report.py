"""The questionnaire's report (SPEC §7b): per dimension and overall, n, mean, SD and 95 % CI per group,
Cronbach's α, item statistics, the dimensions ranked, and the groups compared with Holm's correction.

A :class:`SurveyReport` holds the figures (from :mod:`trivselkode.analysis.survey_stats`) and the texts
in the report's language; :meth:`SurveyReport.to_json` is the issue's JSON shape with these extra keys:

* top level: ``title``, ``by``, ``lang``, ``scale`` (``{"min", "max"}``), ``ranking``
  (``{"strongest": [...], "weakest": [...]}``, each ``{"key", "name", "mean", "low", "high", "text"}``),
  ``lines`` (the plain-language line per comparison), ``notes``;
* ``overall`` and each dimension: ``n``, ``mean``, ``sd``, ``ci`` over all respondents and ``groups``
  (as the dimensions'); ``overall`` also ``alpha_ci``, ``items`` and ``comparison`` (the overall score's
  comparison, *not* in the Holm family: its ``p_holm`` is its own ``p``);
* each dimension: ``item_stats`` (``{"item", "n", "mean", "sd", "item_total", "alpha_if_deleted"}``);
* each group: ``label`` (the group as the report names it, "1. runde");
* each comparison: ``name`` (the dimension's name), ``groups`` and ``n`` (the groups compared, their sizes).

The Holm family is the per-dimension comparisons of one ``--by``. Figures are full floats; an undefined
one (fewer than two answers, no variance) is ``null``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trivselkode.analysis.attributes import AgeBands
from trivselkode.analysis.survey_stats import (
    Alpha,
    Comparison,
    ItemStat,
    Summary,
    compare_groups,
    cronbach_alpha,
    holm,
    item_statistics,
    summarize,
)
from trivselkode.i18n import N_, format_number, gettext_for, normalize, translator

#: The significance level the plain-language lines use (on the Holm-corrected p).
ALPHA_LEVEL = 0.05
#: How many dimensions the ranking names at most.
STRONGEST, WEAKEST = 3, 2
#: The key of the overall score where a dimension's key would stand.
OVERALL = "overall"


@dataclass(frozen=True)
class GroupSummary:
    """One group of ``--by``: its raw value ("1"), its label ("1. runde"), the scores' summary and α in the group.

    A published report gives α per round ("Cronbach's α 0,94–0,95"), so each group carries its own,
    on the complete cases of the group's respondents.
    """

    value: str
    label: str
    summary: Summary
    alpha: Alpha | None = None


@dataclass
class DimensionResult:
    """A dimension (or the overall score): its scores' summary overall and per group, α and item statistics."""

    key: str
    name: str
    items: tuple[str, ...]
    summary: Summary
    alpha: Alpha
    groups: list[GroupSummary] = field(default_factory=list)
    item_stats: list[ItemStat] = field(default_factory=list)


@dataclass
class ComparisonResult:
    """The groups of ``--by`` compared on one dimension, with the Holm-corrected p."""

    dimension: str
    name: str
    by: str
    comparison: Comparison
    p_holm: float

    @property
    def significant(self) -> bool:
        """Whether the Holm-corrected p is below :data:`ALPHA_LEVEL`."""
        return self.p_holm < ALPHA_LEVEL


@dataclass(frozen=True)
class RankedDimension:
    """A dimension named in the ranking: its overall mean and the range of its group means."""

    key: str
    name: str
    mean: float
    low: float
    high: float
    text: str  # "Tryghed (4,65–4,68)"


@dataclass
class Ranking:
    strongest: list[RankedDimension]
    weakest: list[RankedDimension]


@dataclass
class SurveyReport:
    """The whole report; texts in ``lang``."""

    survey: str
    title: str
    by: str | None
    lang: str
    respondents: int
    overall: DimensionResult
    dimensions: list[DimensionResult]
    comparisons: list[ComparisonResult]
    ranking: Ranking
    lines: list[str]
    scale_min: int = 1
    scale_max: int = 5
    overall_comparison: ComparisonResult | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The issue's JSON shape (plus the extra keys the module doc lists)."""
        overall = {
            **_summary_json(self.overall.summary),
            "alpha": _num(self.overall.alpha.alpha),
            "alpha_n": self.overall.alpha.n,
            "alpha_ci": _pair(self.overall.alpha.ci),
            "items": len(self.overall.items),
            "groups": _groups_json(self.overall.groups, self.by),
            "comparison": _comparison_json(self.overall_comparison),
        }
        return {
            "survey": self.survey,
            "title": self.title,
            "by": self.by,
            "lang": self.lang,
            "scale": {"min": self.scale_min, "max": self.scale_max},
            "respondents": self.respondents,
            "overall": overall,
            "dimensions": [_dimension_json(d, self.by) for d in self.dimensions],
            "comparisons": [_comparison_json(c) for c in self.comparisons],
            "ranking": {
                "strongest": [_ranked_json(r) for r in self.ranking.strongest],
                "weakest": [_ranked_json(r) for r in self.ranking.weakest],
            },
            "lines": list(self.lines),
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------- JSON


def _num(value: Any) -> float | None:
    """A plain float, ``None`` for undefined (None or NaN)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _pair(pair: Sequence[float] | None) -> list[float | None] | None:
    return None if pair is None else [_num(pair[0]), _num(pair[1])]


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {"n": int(summary.n), "mean": _num(summary.mean), "sd": _num(summary.sd), "ci": _pair(summary.ci)}


def _groups_json(groups: Sequence[GroupSummary], by: str | None) -> list[dict[str, Any]]:
    return [
        {str(by): g.value, "label": g.label, **_summary_json(g.summary), **_group_alpha_json(g.alpha)} for g in groups
    ]


def _group_alpha_json(alpha: Alpha | None) -> dict[str, Any]:
    if alpha is None:
        return {}
    return {"alpha": _num(alpha.alpha), "alpha_ci": _pair(alpha.ci), "alpha_n": alpha.n}


def _dimension_json(dim: DimensionResult, by: str | None) -> dict[str, Any]:
    return {
        "key": dim.key,
        "name": dim.name,
        "items": len(dim.items),
        "alpha": _num(dim.alpha.alpha),
        "alpha_ci": _pair(dim.alpha.ci),
        "alpha_n": dim.alpha.n,
        "groups": _groups_json(dim.groups, by),
        **_summary_json(dim.summary),
        "item_stats": [
            {
                "item": s.item,
                "n": int(s.n),
                "mean": _num(s.mean),
                "sd": _num(s.sd),
                "item_total": _num(s.item_total),
                "alpha_if_deleted": _num(s.alpha_if_deleted),
            }
            for s in dim.item_stats
        ],
    }


def _df_json(df: float | tuple[float, float]) -> float | list[float | None] | None:
    if isinstance(df, tuple | list):
        return [_num(df[0]), _num(df[1])]
    return _num(df)


def _comparison_json(result: ComparisonResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    c = result.comparison
    return {
        "dimension": result.dimension,
        "name": result.name,
        "by": result.by,
        "test": c.test,
        "statistic": _num(c.statistic),
        "df": _df_json(c.df),
        "p": _num(c.p),
        "p_holm": _num(result.p_holm),
        "effect": {k: _num(v) for k, v in c.effect.items()},
        "nonparametric": {
            k: (_num(v) if isinstance(v, float | int | np.floating) else v) for k, v in c.nonparametric.items()
        },
        "groups": list(c.groups),
        "n": [int(n) for n in c.n],
    }


def _ranked_json(r: RankedDimension) -> dict[str, Any]:
    return {"key": r.key, "name": r.name, "mean": r.mean, "low": r.low, "high": r.high, "text": r.text}


# ---------------------------------------------------------------- building


def build_survey_report(
    project: Any,
    survey: str | None = None,
    by: str | None = None,
    lang: str | None = None,
    age_bands: AgeBands | None = None,
) -> SurveyReport:
    """The report of the project's survey ``survey`` (None: the only one), grouped by ``by``.

    ``by`` None groups by round when the survey has two rounds or more, else not at all; an unknown ``by``
    is a :class:`TrivselError`. A ``by`` with fewer than two groups gives a note and no comparisons.
    """
    from trivselkode.storage.surveys import load_survey

    lang = normalize(lang) or _interface_lang()
    with project.read() as session:
        stored = load_survey(session, survey)
    return report_of(stored, by, lang, age_bands)


def _interface_lang() -> str:
    from trivselkode.i18n import language

    return language()


def report_of(stored: Any, by: str | None, lang: str, age_bands: AgeBands | None = None) -> SurveyReport:
    """The report of a loaded survey (a :class:`~trivselkode.storage.surveys.StoredSurvey`)."""
    from trivselkode.analysis.survey_scores import respondent_scores

    _ = gettext_for(lang)
    definition = stored.definition
    scores = respondent_scores(stored)
    grouping = grouping_of(scores.respondents, by, age_bands or AgeBands())
    notes = _group_notes(grouping, lang)

    def result(key: str, name: str, items: tuple[str, ...], values: np.ndarray, stats: bool) -> DimensionResult:
        matrix = scores.columns(items)
        return DimensionResult(
            key=key,
            name=name,
            items=items,
            summary=summarize(values),
            alpha=cronbach_alpha(matrix),
            groups=_group_summaries(values, grouping, lang, matrix),
            item_stats=item_statistics(matrix, items) if stats else [],
        )

    overall = result(OVERALL, _(N_("Samlet")), tuple(definition.items), scores.overall, False)
    dimensions = [
        result(d.key, d.label(lang), tuple(d.items), scores.dimensions[d.key], True) for d in definition.dimensions
    ]
    comparisons: list[ComparisonResult] = []
    overall_comparison = None
    if grouping is not None and len(grouping.order) >= 2:
        comparisons = _compare(dimensions, scores.dimensions, grouping)
        found = compare_groups(grouping.split(scores.overall))
        if found is not None:
            overall_comparison = ComparisonResult(OVERALL, overall.name, grouping.by, found, found.p)
        notes += _untested_notes([overall, *dimensions], [overall_comparison, *comparisons], lang)
    report = SurveyReport(
        survey=stored.name,
        title=stored.title,
        by=grouping.by if grouping is not None else None,
        lang=lang,
        respondents=len(scores.respondents),
        overall=overall,
        dimensions=dimensions,
        comparisons=comparisons,
        ranking=rank(dimensions, lang),
        lines=[],
        scale_min=definition.scale_min,
        scale_max=definition.scale_max,
        overall_comparison=overall_comparison,
        notes=notes,
    )
    report.lines = plain_lines(report)
    return report


@dataclass(frozen=True)
class Grouping:
    """The respondents' groups under ``by``: the values in report order, a mask per value, how many unknown."""

    by: str
    order: tuple[str, ...]
    masks: tuple[np.ndarray, ...]
    unknown: int

    def split(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """``values`` (one per respondent) per group, in report order."""
        return {g: values[m] for g, m in zip(self.order, self.masks)}


def grouping_of(respondents: Sequence[Any], by: str | None, bands: AgeBands) -> Grouping | None:
    """The groups of ``by``; ``by`` None → by round when the respondents have two rounds or more, else None.

    An unknown ``by`` is a :class:`TrivselError` naming the choices.
    """
    from trivselkode.analysis.survey_scores import check_by, group_of

    chosen = check_by(by) if by is not None else "round"
    values = [group_of(r, chosen, bands) for r in respondents]
    order = _group_order({v for v in values if v is not None}, chosen, bands)
    if by is None and len(order) < 2:
        return None
    index = {g: i for i, g in enumerate(order)}
    codes = np.fromiter((index.get(v, -1) if v is not None else -1 for v in values), dtype=np.int64, count=len(values))
    masks = tuple(codes == i for i in range(len(order)))
    return Grouping(chosen, tuple(order), masks, int((codes < 0).sum()))


def _group_notes(grouping: Grouping | None, lang: str) -> list[str]:
    """What the reader should know of the groups: respondents left out, too few groups to compare."""
    if grouping is None:
        return []
    _ = gettext_for(lang)
    label = by_label(grouping.by, lang)
    notes = []
    if grouping.unknown:
        ngettext = translator(lang).ngettext
        notes.append(
            ngettext(
                "{n} respondent uden oplysning om {by} indgår ikke i grupperne.",
                "{n} respondenter uden oplysning om {by} indgår ikke i grupperne.",
                grouping.unknown,
            ).format(n=grouping.unknown, by=label.lower() if lang == "da" else label)
        )
    if len(grouping.order) < 2:
        notes.append(
            translator(lang)
            .ngettext(
                "Kun {n} gruppe efter {by}: ingen sammenligning.",
                "Kun {n} grupper efter {by}: ingen sammenligning.",
                len(grouping.order),
            )
            .format(n=len(grouping.order), by=label.lower())
        )
    return notes


def _group_order(values: set[str], by: str, bands: AgeBands) -> list[str]:
    """The groups' values in report order: numbers by size, age bands youngest first, else alphabetically."""

    def key(value: str) -> tuple[int, float, str]:
        if by == "age_band":
            return (0, float(bands.order(value)), value)
        try:
            return (0, float(value), value)
        except ValueError:
            return (1, 0.0, value.casefold())

    return sorted(values, key=key)


def _group_summaries(
    values: np.ndarray, grouping: Grouping | None, lang: str, matrix: np.ndarray
) -> list[GroupSummary]:
    """Each group's summary of ``values`` and its α over the rows of ``matrix`` (respondents × items)."""
    if grouping is None:
        return []
    from trivselkode.analysis.survey_scores import group_label

    return [
        GroupSummary(g, group_label(grouping.by, g, lang), summarize(values[mask]), cronbach_alpha(matrix[mask]))
        for g, mask in zip(grouping.order, grouping.masks)
    ]


def _compare(
    dimensions: Sequence[DimensionResult], scores: dict[str, np.ndarray], grouping: Grouping
) -> list[ComparisonResult]:
    """Each dimension's comparison, the p-values Holm-corrected over the dimensions compared."""
    found = [(d, compare_groups(grouping.split(scores[d.key]))) for d in dimensions]
    compared = [(d, c) for d, c in found if c is not None]
    corrected = holm([c.p for _d, c in compared]) if compared else []
    return [ComparisonResult(d.key, d.name, grouping.by, c, float(p)) for (d, c), p in zip(compared, corrected)]


def _untested_notes(
    dimensions: Sequence[DimensionResult], found: Sequence[ComparisonResult | None], lang: str
) -> list[str]:
    """Why some (or all) scores could not be compared: under two answers in a group, or no variation."""
    _ = gettext_for(lang)
    tested = {c.dimension for c in found if c is not None}
    untested = [d.name for d in dimensions if d.key not in tested]
    if not untested:
        return []
    why = _(N_("under 2 besvarelser i en gruppe eller ingen variation"))
    if not tested:
        return [_(N_("Grupperne kan ikke sammenlignes ({why}).")).format(why=why)]
    return [_(N_("Kan ikke sammenlignes ({why}): {names}.")).format(why=why, names=", ".join(untested))]


# ---------------------------------------------------------------- ranking


def _shown_range(low: float, high: float, lang: str) -> str:
    """The range as text: "4,65–4,68", or one number when both show alike."""
    a, b = format_number(low, 2, lang), format_number(high, 2, lang)
    return a if a == b else f"{a}–{b}"


def rank(dimensions: Sequence[DimensionResult], lang: str) -> Ranking:
    """The strongest (up to 3) and weakest (up to 2) dimensions by their overall mean, never overlapping;
    each named with the range of its group means ("Tryghed (4,65–4,68)") or its mean without groups."""
    scored = [d for d in dimensions if _num(d.summary.mean) is not None]
    scored.sort(key=lambda d: -float(d.summary.mean or 0.0))
    weak = min(WEAKEST, len(scored) // 2)
    strong = min(STRONGEST, len(scored) - weak)

    def ranked(d: DimensionResult) -> RankedDimension:
        mean = float(d.summary.mean or 0.0)
        means = [float(g.summary.mean) for g in d.groups if g.summary.mean is not None]
        low, high = (min(means), max(means)) if means else (mean, mean)
        return RankedDimension(d.key, d.name, mean, low, high, f"{d.name} ({_shown_range(low, high, lang)})")

    weakest = [ranked(d) for d in scored[len(scored) - weak :]] if weak else []
    weakest.reverse()  # the weakest first
    return Ranking([ranked(d) for d in scored[:strong]], weakest)


# ---------------------------------------------------------------- plain language


def by_label(by: str, lang: str) -> str:
    from trivselkode.analysis.attributes import attribute_label

    if by == "round":
        return gettext_for(lang)(N_("Runde"))
    return attribute_label(by, lang)


def groups_phrase(by: str, values: Sequence[str], lang: str) -> str:
    """The groups compared, as a sentence names them: "1. og 2. runde" / "rounds 1 and 2", "Holstebro og Viborg"."""
    from babel.lists import format_list

    from trivselkode.analysis.survey_scores import group_label
    from trivselkode.i18n import locale_of

    _ = gettext_for(lang)
    locale = locale_of(lang)
    if by == "round" and values and all(v.strip().isdigit() for v in values):
        numbers = [_(N_("{n}.")).format(n=v.strip()) for v in values]
        return _(N_("{list} runde")).format(list=format_list(numbers, locale=locale))
    return format_list([group_label(by, v, lang) for v in values], locale=locale)


def p_text(p: float, lang: str) -> str:
    """The p-value as text: "p = 0,68", "p = 0,053", "p < 0,001" (three decimals below 0.1)."""
    if p < 0.001:
        return "p < " + format_number(0.001, 3, lang)
    return "p = " + format_number(p, 2 if p >= 0.1 else 3, lang)


def statistic_text(comparison: Comparison, lang: str) -> str:
    """The test and its statistic: "Welch t = 0,41" or "Welch F = 1,23"."""
    letter = "t" if comparison.test == "welch_t" else "F"
    return f"Welch {letter} = {format_number(comparison.statistic, 2, lang)}"


def plain_line(result: ComparisonResult, lang: str, corrected: bool = True) -> str:
    """The plain-language line of a comparison, judged on the Holm p at :data:`ALPHA_LEVEL`:
    "Tryghed: ingen statistisk signifikant forskel mellem 1. og 2. runde (Welch t = 0,41, p = 0,68;
    Holm-korrigeret p = 1,00)"; ``corrected`` False judges on p and leaves the Holm p out (the overall score)."""
    _ = gettext_for(lang)
    c = result.comparison
    if corrected:
        shown = result.p_holm
        detail = _(N_("{test}, {p}; Holm-korrigeret {p_holm}")).format(
            test=statistic_text(c, lang), p=p_text(c.p, lang), p_holm=p_text(result.p_holm, lang)
        )
    else:
        shown = c.p
        detail = _(N_("{test}, {p}")).format(test=statistic_text(c, lang), p=p_text(c.p, lang))
    verdict = (
        N_("{name}: statistisk signifikant forskel mellem {groups} ({detail})")
        if shown < ALPHA_LEVEL
        else N_("{name}: ingen statistisk signifikant forskel mellem {groups} ({detail})")
    )
    return _(verdict).format(name=result.name, groups=groups_phrase(result.by, c.groups, lang), detail=detail)


def plain_lines(report: SurveyReport) -> list[str]:
    """The overall score's line (uncorrected), then one line per dimension compared."""
    lines = []
    if report.overall_comparison is not None:
        lines.append(plain_line(report.overall_comparison, report.lang, corrected=False))
    lines += [plain_line(c, report.lang) for c in report.comparisons]
    return lines
