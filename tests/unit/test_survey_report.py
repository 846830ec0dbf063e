"""The questionnaire's report: its JSON shape, its figures against a second computation, Holm over the
dimensions, the ranking, the plain-language lines and every format as a real file.

The report is built from :class:`~trivselkode.storage.surveys.StoredSurvey` objects made here from seeded
random answers (the database is the command-line tests' business); every expected figure is computed again
from the raw answers with :mod:`trivselkode.analysis.survey_stats`, never written by hand.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.i18n_words import danish_leaks, english_leaks
from trivselkode.analysis.attributes import AgeBands
from trivselkode.analysis.survey_report import SurveyReport, report_of
from trivselkode.analysis.survey_stats import (
    compare_groups,
    cronbach_alpha,
    dimension_scores,
    holm,
    item_statistics,
    overall_scores,
    summarize,
)
from trivselkode.domain.survey_definition import Dimension, SurveyDefinition
from trivselkode.errors import TrivselError
from trivselkode.export.survey_report import FORMATS, render_survey_report
from trivselkode.i18n import format_number
from trivselkode.storage.surveys import StoredRespondent, StoredSurvey

SITES = ("Holstebro", "Viborg", "Herning")
#: Five dimensions (so the ranking names three and two), their level on the scale; q02 is reverse-coded.
LEVELS = {"tryghed": 4.6, "orientering": 4.5, "personale": 4.4, "interesser": 3.9, "sociale": 3.8}
NAMES = {
    "tryghed": ("Tryghed", "Safety"),
    "orientering": ("At finde rundt og orientere sig", "Finding one's way"),
    "personale": ("Mødet med personalet", "Meeting the staff"),
    "interesser": ("Personlige interesser og mening", "Personal interests and meaning"),
    "sociale": ("Det sociale", "The social"),
}
REVERSE = "q02"


def definition(keys: tuple[str, ...] = tuple(LEVELS)) -> SurveyDefinition:
    dims = tuple(
        Dimension(key, NAMES[key][0], NAMES[key][1], tuple(f"q{i}{j}" for j in range(3))) for i, key in enumerate(keys)
    )
    return SurveyDefinition(
        title="Brugernes oplevelser",
        scale_min=1,
        scale_max=5,
        respondent="id",
        round="runde",
        attributes={"bibliotek": "site", "køn": "gender", "alder": "age"},
        open_answers=(),
        missing=("", "ved ikke"),
        reverse=(REVERSE,),
        dimensions=dims,
    )


def stored_survey(
    rows: int = 90,
    rounds: int = 2,
    seed: int = 1,
    keys: tuple[str, ...] = tuple(LEVELS),
    shift: dict[str, float] | None = None,
    sites: tuple[str, ...] = SITES,
) -> StoredSurvey:
    """Seeded answers around each dimension's level; ``shift`` moves a dimension in the last round."""
    rng = np.random.default_rng(seed)
    d = definition(keys)
    shift = shift or {}
    respondents = []
    for k in range(rows):
        rnd = str(1 + k % rounds) if rounds else None
        answers: dict[str, float | None] = {}
        for dim in d.dimensions:
            level = LEVELS[dim.key] + (shift.get(dim.key, 0.0) if rnd == str(rounds) else 0.0)
            for item in dim.items:
                value = float(np.clip(np.rint(rng.normal(level, 0.8)), 1, 5))
                if item == REVERSE:
                    value = 6.0 - value
                answers[item] = None if rng.random() < 0.06 else value
        attributes = {"site": sites[k % len(sites)], "gender": "kvinde" if k % 2 else "mand", "age": 16 + (k * 7) % 70}
        respondents.append(StoredRespondent(k + 1, f"R{k + 1}", rnd, attributes, answers, None))
    return StoredSurvey(1, "trivsel", d.title, d, None, None, tuple(respondents))


# ---------------------------------------------------------------- a second computation


def raw_matrix(survey: StoredSurvey, items: tuple[str, ...]) -> np.ndarray:
    """The answers, reverse items turned by hand (6 − x on a 1–5 scale), NaN where missing."""
    m = np.array([[np.nan if r.answers[i] is None else r.answers[i] for i in items] for r in survey.respondents])
    for j, item in enumerate(items):
        if item == REVERSE:
            m[:, j] = 6.0 - m[:, j]
    return m


def approx(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return [approx(v) for v in value]
    return pytest.approx(float(value), rel=1e-12, abs=1e-12)


def summary_json(values: np.ndarray) -> dict[str, Any]:
    s = summarize(values)
    return {"n": s.n, "mean": approx(s.mean), "sd": approx(s.sd), "ci": approx(s.ci)}


# ---------------------------------------------------------------- the JSON shape


def _is_num(x: Any) -> bool:
    return isinstance(x, float) and not isinstance(x, bool)


def _is_pair(x: Any) -> bool:
    return isinstance(x, list) and len(x) == 2 and all(_is_num(v) for v in x)


def test_json_has_exactly_the_issues_shape():
    doc = report_of(stored_survey(), None, "da").to_json()
    json.loads(json.dumps(doc))  # plain JSON: no numpy scalar, no NaN
    assert {"survey", "respondents", "overall", "dimensions", "comparisons"} <= set(doc)
    assert doc["survey"] == "trivsel" and doc["respondents"] == 90 and doc["by"] == "round"
    overall = doc["overall"]
    assert {"n", "mean", "sd", "ci", "alpha", "alpha_n"} <= set(overall)
    assert isinstance(overall["n"], int) and isinstance(overall["alpha_n"], int)
    assert _is_num(overall["mean"]) and _is_num(overall["sd"]) and _is_pair(overall["ci"]) and _is_num(overall["alpha"])
    assert [d["key"] for d in doc["dimensions"]] == list(LEVELS)
    for dim in doc["dimensions"]:
        assert {"key", "name", "items", "alpha", "alpha_ci", "alpha_n", "groups"} <= set(dim)
        assert dim["items"] == 3 and isinstance(dim["alpha_n"], int)
        assert _is_num(dim["alpha"]) and _is_pair(dim["alpha_ci"])
        assert [g["round"] for g in dim["groups"]] == ["1", "2"]
        for group in dim["groups"]:
            assert {"round", "n", "mean", "sd", "ci"} <= set(group)
            assert isinstance(group["n"], int) and _is_num(group["mean"]) and _is_pair(group["ci"])
    assert len(doc["comparisons"]) == 5
    for comp in doc["comparisons"]:
        assert {"dimension", "by", "test", "statistic", "df", "p", "p_holm", "effect", "nonparametric"} <= set(comp)
        assert comp["by"] == "round" and comp["test"] == "welch_t" and _is_num(comp["df"])
        assert set(comp["effect"]) == {"cohen_d"} and comp["nonparametric"]["test"] == "mann_whitney_u"
        assert _is_num(comp["nonparametric"]["statistic"]) and _is_num(comp["nonparametric"]["p"])
    assert doc["scale"] == {"min": 1, "max": 5} and doc["lang"] == "da" and doc["title"] == "Brugernes oplevelser"


def test_figures_equal_a_second_computation():
    survey = stored_survey(rows=120, seed=3)
    doc = report_of(survey, "round", "da").to_json()
    rounds = np.array([r.round for r in survey.respondents])
    everything = raw_matrix(survey, survey.definition.items)
    whole = overall_scores(everything)
    assert {k: doc["overall"][k] for k in ("n", "mean", "sd", "ci")} == summary_json(whole)
    assert doc["overall"]["alpha"] == approx(cronbach_alpha(everything).alpha)
    assert doc["overall"]["alpha_n"] == cronbach_alpha(everything).n
    expected_p = []
    for dim, d in zip(survey.definition.dimensions, doc["dimensions"]):
        m = raw_matrix(survey, dim.items)
        scores = dimension_scores(m)
        alpha = cronbach_alpha(m)
        assert (d["alpha"], d["alpha_ci"], d["alpha_n"]) == (approx(alpha.alpha), approx(alpha.ci), alpha.n)
        assert {k: d[k] for k in ("n", "mean", "sd", "ci")} == summary_json(scores)
        for g in d["groups"]:
            assert {k: g[k] for k in ("n", "mean", "sd", "ci")} == summary_json(scores[rounds == g["round"]])
            in_group = cronbach_alpha(m[rounds == g["round"]])  # α per round, as a published report gives it
            assert (g["alpha"], g["alpha_ci"], g["alpha_n"]) == (
                approx(in_group.alpha),
                approx(in_group.ci),
                in_group.n,
            )
            assert g["alpha_n"] < d["alpha_n"]
        stats = item_statistics(m, dim.items)
        assert [s["item_total"] for s in d["item_stats"]] == [approx(s.item_total) for s in stats]
        assert [s["alpha_if_deleted"] for s in d["item_stats"]] == [approx(s.alpha_if_deleted) for s in stats]
        c = compare_groups({"1": scores[rounds == "1"], "2": scores[rounds == "2"]})
        assert c is not None
        comp = next(x for x in doc["comparisons"] if x["dimension"] == dim.key)
        assert (comp["statistic"], comp["df"], comp["p"]) == (approx(c.statistic), approx(c.df), approx(c.p))
        assert comp["effect"]["cohen_d"] == approx(c.effect["cohen_d"])
        assert comp["nonparametric"]["p"] == approx(c.nonparametric["p"])
        expected_p.append(c.p)
    assert [c["p_holm"] for c in doc["comparisons"]] == approx(holm(expected_p))


def test_holm_family_is_the_dimensions_and_the_overall_p_stands_alone():
    report = report_of(stored_survey(seed=5, shift={"sociale": 0.9}), "round", "da")
    ps = [c.comparison.p for c in report.comparisons]
    assert [c.p_holm for c in report.comparisons] == approx(holm(ps))
    assert report.overall_comparison is not None
    overall = report.to_json()["overall"]["comparison"]
    assert overall["dimension"] == "overall" and overall["p_holm"] == overall["p"]
    assert all(c.dimension != "overall" for c in report.comparisons)


def test_plain_lines_say_significant_on_the_holm_p():
    report = report_of(stored_survey(rows=200, seed=2, shift={"sociale": 1.0}), "round", "da")
    by_dim = {c.dimension: c for c in report.comparisons}
    assert by_dim["sociale"].p_holm < 0.05  # the shifted dimension differs
    lines = {line.split(":")[0]: line for line in report.lines}
    social = lines["Det sociale"]
    assert social.startswith("Det sociale: statistisk signifikant forskel mellem 1. og 2. runde (Welch t = ")
    assert "Holm-korrigeret p" in social
    for c in report.comparisons:
        line = lines[c.name]
        assert ("ingen statistisk signifikant" in line) == (c.p_holm >= 0.05)
        assert f"Welch t = {format_number(c.comparison.statistic, 2, 'da')}," in line
    assert report.lines[0].startswith("Samlet: ") and "Holm" not in report.lines[0]


def test_ranking_names_three_strongest_and_two_weakest_with_the_group_range():
    report = report_of(stored_survey(rows=300, seed=4), "round", "da")
    means = {d.key: d.summary.mean for d in report.dimensions}
    order = sorted(means, key=lambda k: -means[k])
    assert [r.key for r in report.ranking.strongest] == order[:3]
    assert [r.key for r in report.ranking.weakest] == order[::-1][:2]
    first = report.ranking.strongest[0]
    dim = next(d for d in report.dimensions if d.key == first.key)
    group_means = [g.summary.mean for g in dim.groups]
    low, high = (format_number(x, 2, "da") for x in (min(group_means), max(group_means)))
    assert first.text == f"{dim.name} ({low}–{high})" if low != high else f"{dim.name} ({low})"


@pytest.mark.parametrize(("count", "strong", "weak"), [(1, 1, 0), (2, 1, 1), (3, 2, 1), (4, 2, 2), (5, 3, 2)])
def test_ranking_with_few_dimensions_never_overlaps(count: int, strong: int, weak: int):
    report = report_of(stored_survey(rounds=1, keys=tuple(LEVELS)[:count]), None, "da")
    assert report.by is None
    assert (len(report.ranking.strongest), len(report.ranking.weakest)) == (strong, weak)
    named = [r.key for r in report.ranking.strongest + report.ranking.weakest]
    assert len(named) == len(set(named))


def test_without_rounds_there_are_no_groups_and_the_mean_names_the_dimension():
    report = report_of(stored_survey(rounds=1), None, "da")
    doc = report.to_json()
    assert doc["by"] is None and doc["comparisons"] == [] and doc["lines"] == []
    assert all(d["groups"] == [] for d in doc["dimensions"]) and doc["overall"]["groups"] == []
    top = report.ranking.strongest[0]
    assert top.text == f"{top.name} ({format_number(top.mean, 2, 'da')})"


def test_a_by_with_one_group_is_a_note_not_an_error():
    report = report_of(stored_survey(sites=("Viborg",)), "site", "da")
    assert report.comparisons == [] and report.overall_comparison is None
    assert any("Kun 1 gruppe" in n for n in report.notes)
    assert [g.value for g in report.dimensions[0].groups] == ["Viborg"]


def test_groups_too_small_to_compare_are_a_note():
    survey = stored_survey(rows=3)  # rounds of 2 and 1 respondents: Welch needs two answers a group
    report = report_of(survey, "round", "da")
    assert [g.summary.n for g in report.overall.groups] == [2, 1]
    assert report.comparisons == [] and report.lines == []
    assert any(n.startswith("Grupperne kan ikke sammenlignes (under 2 besvarelser") for n in report.notes)
    assert "Grupperne kan ikke sammenlignes" in str(render_survey_report(report, "table"))


def test_a_score_without_variation_is_named_as_not_compared():
    survey = stored_survey(rows=60, seed=9)
    constant = {f"q4{j}": 3.0 for j in range(3)}  # "sociale" answered 3 by everyone: no test is defined
    respondents = tuple(
        StoredRespondent(r.id, r.label, r.round, r.attributes, {**r.answers, **constant}, None)
        for r in survey.respondents
    )
    survey = StoredSurvey(1, "trivsel", survey.title, survey.definition, None, None, respondents)
    report = report_of(survey, "round", "da")
    assert [c.dimension for c in report.comparisons] == ["tryghed", "orientering", "personale", "interesser"]
    assert [c.p_holm for c in report.comparisons] == approx(holm([c.comparison.p for c in report.comparisons]))
    assert "Kan ikke sammenlignes (under 2 besvarelser i en gruppe eller ingen variation): Det sociale." in report.notes


def test_unknown_by_is_one_clear_error():
    with pytest.raises(TrivselError) as err:
        report_of(stored_survey(), "favourite_colour", "da")
    assert "favourite_colour" in str(err.value) and "age_band" in (err.value.hint or "")


def test_three_groups_get_welch_anova_and_kruskal_wallis():
    survey = stored_survey(rows=150, seed=8)
    report = report_of(survey, "site", "da")
    doc = report.to_json()
    sites = np.array([r.attributes["site"] for r in survey.respondents])
    assert [g["site"] for g in doc["dimensions"][0]["groups"]] == sorted(SITES)
    comp = doc["comparisons"][0]
    assert comp["test"] == "welch_anova" and len(comp["df"]) == 2 and set(comp["effect"]) == {"omega_squared"}
    assert comp["nonparametric"]["test"] == "kruskal_wallis"
    scores = dimension_scores(raw_matrix(survey, survey.definition.dimensions[0].items))
    c = compare_groups({s: scores[sites == s] for s in sorted(SITES)})
    assert c is not None and comp["statistic"] == approx(c.statistic) and comp["p"] == approx(c.p)
    assert report.lines[1].startswith("Tryghed: ") and "Herning, Holstebro og Viborg" in report.lines[1]


def test_age_bands_group_by_the_bounds_given():
    survey = stored_survey(rows=100)
    report = report_of(survey, "age_band", "da", AgeBands((30, 60)))
    assert [g.value for g in report.dimensions[0].groups] == ["under 30", "30–59", "60+"]
    ages = [r.attributes["age"] for r in survey.respondents]
    assert [g.summary.n for g in report.overall.groups] == [
        sum(a < 30 for a in ages),
        sum(30 <= a < 60 for a in ages),
        sum(a >= 60 for a in ages),
    ]


def test_respondents_without_a_group_are_left_out_with_a_note():
    survey = stored_survey(rows=40)
    respondents = list(survey.respondents)
    r0 = respondents[0]
    respondents[0] = StoredRespondent(r0.id, r0.label, None, r0.attributes, r0.answers, None)
    survey = StoredSurvey(1, "trivsel", survey.title, survey.definition, None, None, tuple(respondents))
    report = report_of(survey, "round", "da")
    assert sum(g.summary.n for g in report.overall.groups) == report.overall.summary.n - 1
    assert any(n.startswith("1 respondent uden oplysning om runde") for n in report.notes)


# ---------------------------------------------------------------- the formats


@pytest.fixture(scope="module")
def report() -> SurveyReport:
    return report_of(stored_survey(rows=120, seed=6), "round", "da")


def test_json_format_is_the_document(report: SurveyReport):
    assert json.loads(render_survey_report(report, "json")) == json.loads(json.dumps(report.to_json()))


def test_csv_is_one_table_with_numbers(report: SurveyReport):
    text = render_survey_report(report, "csv")
    assert isinstance(text, str)
    rows = list(csv.reader(io.StringIO(text)))
    head = rows[0]
    assert head[:3] == ["Dimension", "Gruppe", "n"] and "Holm-korrigeret p" in head
    assert all(len(r) == len(head) for r in rows[1:])
    tryghed = next(d for d in report.dimensions if d.key == "tryghed")
    total = next(r for r in rows if r[:2] == ["Tryghed", "I alt"])
    assert float(total[head.index("Gennemsnit")]) == pytest.approx(tryghed.summary.mean)
    assert float(total[head.index("α")]) == pytest.approx(tryghed.alpha.alpha)
    comp = next(c for c in report.comparisons if c.dimension == "tryghed")
    assert float(total[head.index("Holm-korrigeret p")]) == pytest.approx(comp.p_holm)


def test_xlsx_has_a_sheet_per_section_with_numbers(report: SurveyReport):
    from openpyxl import load_workbook

    data = render_survey_report(report, "xlsx")
    assert isinstance(data, bytes)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Sammenfatning", "Dimensioner", "Sammenligning", "Spørgsmål"]
    ws = wb["Dimensioner"]
    head = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Samlet" and r[1] == "I alt")
    assert row[head.index("Gennemsnit")] == pytest.approx(report.overall.summary.mean)
    assert ws.cell(2, head.index("Gennemsnit") + 1).number_format == "0.00"
    lines = [r[0] for r in wb["Sammenfatning"].iter_rows(values_only=True)]
    assert report.lines[0] in lines and any(str(v).startswith("Stærkeste dimensioner: 1. ") for v in lines)


def test_docx_has_the_tables_and_lines(report: SurveyReport):
    from docx import Document

    data = render_survey_report(report, "docx")
    assert isinstance(data, bytes)
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.language == "da-DK" and doc.core_properties.title == "Spørgeskema: Brugernes oplevelser"
    assert len(doc.tables) == 3 and doc.tables[0].cell(0, 0).text == "Dimension"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert all(line in text for line in report.lines)
    assert "Stærkeste dimensioner: 1. " in text


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_text_formats_show_every_section(report: SurveyReport, fmt: str):
    text = render_survey_report(report, fmt)
    assert isinstance(text, str)
    for part in ("Dimensioner", "Sammenligning af grupperne", "Spørgsmålene", "Stærkeste dimensioner", "Cohens d"):
        assert part in text
    assert all(line in text for line in report.lines)
    mean = format_number(report.overall.summary.mean, 2, "da")
    assert mean in text
    if fmt == "md":
        assert text.startswith("# Spørgeskema: ") and "| Dimension | Gruppe |" in text


def test_english_report_has_no_danish_words():
    report = report_of(stored_survey(rows=120, seed=6), "round", "en")
    # The data's own Danish (the survey's title, "kvinde") is not the interface's; the dimensions have English names.
    allowed = frozenset({"brugernes", "oplevelser"})
    for fmt in ("table", "md", "csv", "json"):
        text = render_survey_report(report, fmt)
        assert isinstance(text, str)
        assert danish_leaks(text, allowed) == [], fmt
    assert report.lines[1].startswith("Safety: no statistically significant difference between rounds 1 and 2 (")
    assert "Holm-adjusted p = " in report.lines[1]


def test_danish_report_has_no_english_words(report: SurveyReport):
    text = render_survey_report(report, "table")
    assert english_leaks(str(text)) == []


def test_every_format_is_known():
    assert set(FORMATS) == {"table", "md", "csv", "xlsx", "docx", "json"}


# ---------------------------------------------------------------- an imported survey


def fixture_matrix(rows: list[dict[str, str]], items: tuple[str, ...]) -> np.ndarray:
    """The fixture's cells as numbers: missing texts NaN, q6 turned (6 − x), straight from the CSV rows."""
    from tests.survey_fixtures import REVERSE as FIXTURE_REVERSE

    def cell(text: str) -> float:
        return np.nan if text.strip().casefold() in ("", "ved ikke", "9") else float(text)

    m = np.array([[cell(row[i]) for i in items] for row in rows])
    for j, item in enumerate(items):
        if item in FIXTURE_REVERSE:
            m[:, j] = 6.0 - m[:, j]
    return m


def test_imported_survey_report_equals_the_csvs_figures(tmp_path):
    from tests.survey_fixtures import DIMENSIONS, survey_project, survey_rows
    from trivselkode.analysis.survey_report import build_survey_report

    project = survey_project(tmp_path, rows=80, seed=4)
    try:
        report = build_survey_report(project, lang="da")
        by_site = build_survey_report(project, "responses", by="site", lang="da")
    finally:
        project.dispose()
    rows = survey_rows(rows=80, seed=4)
    rounds = np.array([r["runde"] for r in rows])
    doc = report.to_json()
    assert doc["survey"] == "responses" and doc["by"] == "round" and doc["respondents"] == 80
    all_items = tuple(i for _n, _e, items in DIMENSIONS.values() for i in items)
    everything = fixture_matrix(rows, all_items)
    assert doc["overall"]["alpha"] == approx(cronbach_alpha(everything).alpha)
    ps = []
    for (key, (name, _en, items)), d in zip(DIMENSIONS.items(), doc["dimensions"]):
        m = fixture_matrix(rows, items)
        scores = dimension_scores(m)
        assert (d["key"], d["name"], d["items"]) == (key, name, len(items))
        assert (d["alpha"], d["alpha_n"]) == (approx(cronbach_alpha(m).alpha), cronbach_alpha(m).n)
        assert [{k: g[k] for k in ("n", "mean", "sd", "ci")} for g in d["groups"]] == [
            summary_json(scores[rounds == r]) for r in ("1", "2")
        ]
        c = compare_groups({r: scores[rounds == r] for r in ("1", "2")})
        assert c is not None
        ps.append(c.p)
    assert [c["p_holm"] for c in doc["comparisons"]] == approx(holm(ps))
    assert report.ranking.strongest[0].key == "tryghed" and report.ranking.weakest[0].key == "sociale"
    sites = sorted({r["bibliotek"] for r in rows})
    assert [g["site"] for g in by_site.to_json()["overall"]["groups"]] == sites
    assert by_site.comparisons[0].comparison.test == "welch_anova"


# ---------------------------------------------------------------- any data


@settings(max_examples=25, deadline=None)
@given(
    rows=st.integers(min_value=0, max_value=40),
    rounds=st.integers(min_value=1, max_value=4),
    seed=st.integers(min_value=0, max_value=10_000),
    count=st.integers(min_value=1, max_value=5),
)
def test_any_survey_gives_a_consistent_report(rows: int, rounds: int, seed: int, count: int):
    survey = stored_survey(rows=rows, rounds=rounds, seed=seed, keys=tuple(LEVELS)[:count])
    report = report_of(survey, None, "da")
    doc = json.loads(json.dumps(report.to_json(), allow_nan=False))  # plain JSON, never NaN
    rounds_seen = {r.round for r in survey.respondents}
    assert doc["by"] == ("round" if len(rounds_seen) >= 2 else None)
    assert [c.p_holm for c in report.comparisons] == approx(holm([c.comparison.p for c in report.comparisons]))
    assert all(c.p_holm >= c.comparison.p for c in report.comparisons)
    for dim in [report.overall, *report.dimensions]:
        assert sum(g.summary.n for g in dim.groups) == (dim.summary.n if dim.groups else 0)
    strong, weak = report.ranking.strongest, report.ranking.weakest
    named = [r.key for r in strong + weak]
    assert len(named) == len(set(named)) and len(strong) <= 3 and len(weak) <= 2
    means = [r.mean for r in strong] + [r.mean for r in reversed(weak)]
    assert means == sorted(means, reverse=True)
    assert all(r.low <= r.high for r in strong + weak)
    assert len(report.lines) == len(report.comparisons) + (report.overall_comparison is not None)
