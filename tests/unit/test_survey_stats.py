"""The questionnaire statistics, each figure proved by a second computation.

Three kinds of proof: published worked examples (raw data and the printed result),
the reference packages on random data (statsmodels), and formulas written
differently here (covariance-matrix alpha, ``np.corrcoef``, rank sums).
"""

from __future__ import annotations

import itertools
import math
import statistics
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.oneway import anova_oneway
from statsmodels.stats.weightstats import DescrStatsW
from statsmodels.stats.weightstats import ttest_ind as sm_ttest_ind

from trivselkode.analysis import survey_stats
from trivselkode.analysis.survey_stats import (
    compare_groups,
    cronbach_alpha,
    dimension_scores,
    holm,
    item_statistics,
    overall_scores,
    summarize,
    welch_anova,
)

# ---------------------------------------------------------------- published worked examples

# Bobbitt, "How to Calculate Cronbach's Alpha in Python", Statology, 17 Aug 2021
# (https://www.statology.org/cronbachs-alpha-in-python/, read at its copy
# https://legaltree.in/cronbachs-alpha-in-python): ten customers, three questions on a 1-3 scale;
# printed result (0.7734375, array([0.336, 0.939])) from pingouin.cronbach_alpha.
STATOLOGY = np.array(
    [
        [1, 2, 2, 3, 2, 2, 3, 3, 2, 3],
        [1, 1, 1, 2, 3, 3, 2, 3, 3, 3],
        [1, 1, 2, 1, 2, 3, 3, 3, 2, 3],
    ],
    dtype=float,
).T

# Denis, "Applied Univariate, Bivariate, and Multivariate Statistics" (Wiley), the SPSS
# RELIABILITY example of Cronbach's alpha: ten persons, five items, the data printed in full
# (https://livelib.biz/read_928329/p38, https://librs.net/lread_928329_p36,
# https://livelib.biz/read_928329/p39). SPSS prints alpha 0.633, each item's mean and SD,
# and "Item-Total Statistics".
DENIS = np.array(
    [
        [10, 12, 15, 11, 12],
        [12, 18, 12, 12, 1],
        [8, 16, 14, 14, 4],
        [6, 8, 16, 8, 6],
        [4, 7, 8, 7, 5],
        [6, 6, 3, 7, 3],
        [3, 4, 6, 5, 8],
        [7, 3, 7, 9, 9],
        [8, 9, 4, 10, 10],
        [9, 5, 6, 11, 12],
    ],
    dtype=float,
)
DENIS_MEANS = (7.3000, 8.8000, 9.1000, 9.4000, 7.0000)
DENIS_SDS = (2.71006, 5.05085, 4.74810, 2.71621, 3.80058)
DENIS_ITEM_TOTAL = (0.712, 0.558, 0.512, 0.796, -0.228)
DENIS_IF_DELETED = (0.478, 0.476, 0.507, 0.445, 0.824)


def test_alpha_matches_statologys_published_example_and_its_interval() -> None:
    """Statology (Bobbitt 2021): α = 0.7734375, 95 % CI [0.336, 0.939] (see STATOLOGY)."""
    result = cronbach_alpha(STATOLOGY)
    assert result.alpha == pytest.approx(0.7734375, abs=5e-8)
    assert result.ci is not None
    assert round(result.ci[0], 3) == 0.336
    assert round(result.ci[1], 3) == 0.939
    assert (result.n, result.items) == (10, 3)


def test_alpha_and_item_statistics_match_denis_spss_output() -> None:
    """Denis (Wiley), SPSS: α = 0.633, α without item 5 = 0.824, and the item-total table (see DENIS)."""
    assert round(cronbach_alpha(DENIS).alpha or 0, 3) == 0.633
    assert round(cronbach_alpha(DENIS[:, :4]).alpha or 0, 3) == 0.824
    rows = item_statistics(DENIS, [f"Item_{i}" for i in range(1, 6)])
    for row, mean, sd, item_total, if_deleted in zip(
        rows, DENIS_MEANS, DENIS_SDS, DENIS_ITEM_TOTAL, DENIS_IF_DELETED, strict=True
    ):
        assert row.n == 10
        assert round(row.mean or 0, 4) == mean
        assert round(row.sd or 0, 5) == sd
        assert round(row.item_total or 0, 3) == item_total
        assert round(row.alpha_if_deleted or 0, 3) == if_deleted


# Welch's t-test in R (t.test, whose default is Welch), both with raw data and printed output:
# Statology's "How to Perform Welch's t-Test in R" (https://stats.arabpsychology.com/st/perform-welchs-t-test-in-r/):
# t = 2.2361, df = 14.354, p-value = 0.04171; and an answer printing R's output for two series of ten
# (https://boxhoidap.com/huong-dan-welchs-t-test-confidence-interval-python-tran-khoang-tin-cay-t-test-cua-welch):
# t = -1.8325, df = 17.9, p-value = 0.08356.
WELCH_EXAMPLES = [
    (
        [90, 85, 88, 89, 94, 91, 79, 83, 87, 88, 91, 90],
        [67, 90, 71, 95, 88, 83, 72, 66, 75, 86, 93, 84],
        (2.2361, 4),
        (14.354, 3),
        (0.04171, 5),
    ),
    (
        [11, 9, 10, 11, 10, 12, 9, 11, 12, 9],
        [11, 13, 10, 13, 12, 9, 11, 12, 12, 11],
        (-1.8325, 4),
        (17.9, 1),
        (0.08356, 5),
    ),
]


@pytest.mark.parametrize(("a", "b", "t", "df", "p"), WELCH_EXAMPLES)
def test_welch_t_matches_published_r_output(
    a: list[int], b: list[int], t: tuple[float, int], df: tuple[float, int], p: tuple[float, int]
) -> None:
    """R's printed Welch two-sample t-tests (sources above WELCH_EXAMPLES)."""
    result = compare_groups({"a": a, "b": b})
    assert result is not None and result.test == "welch_t"
    assert round(result.statistic, t[1]) == t[0]
    assert isinstance(result.df, float) and round(result.df, df[1]) == df[0]
    assert round(result.p, p[1]) == p[0]


# ---------------------------------------------------------------- random data: strategies

LIKERT = st.integers(min_value=1, max_value=5).map(float)
CELLS = (1.0, 2.0, 3.0, 4.0, 5.0)


@st.composite
def matrices(draw: st.DrawFn, missing: bool = False) -> np.ndarray:
    """A respondents × items Likert matrix, correlated through a per-respondent level; NaN = missing."""
    rows = draw(st.integers(min_value=3, max_value=40))
    items = draw(st.integers(min_value=2, max_value=7))
    noise = draw(hnp.arrays(float, (rows, items), elements=st.sampled_from(CELLS)))
    level = draw(hnp.arrays(float, (rows, 1), elements=st.sampled_from(CELLS)))
    m = np.clip(np.round((noise + 2 * level) / 3), 1, 5)
    if missing:
        m[draw(hnp.arrays(bool, (rows, items), elements=st.sampled_from((False, False, False, True))))] = math.nan
    return m


samples = st.lists(
    st.floats(min_value=1, max_value=5, allow_nan=False, allow_infinity=False), min_size=2, max_size=30
).filter(lambda xs: max(xs) - min(xs) > 1e-3)


# ---------------------------------------------------------------- summaries


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(min_value=-100, max_value=100), st.just(math.nan)), max_size=40))
def test_summary_agrees_with_statsmodels(values: list[float]) -> None:
    result = summarize(values)
    kept = [v for v in values if not math.isnan(v)]
    assert result.n == len(kept)
    if not kept:
        assert (result.mean, result.sd, result.ci) == (None, None, None)
        return
    assert result.mean == pytest.approx(statistics.fmean(kept), abs=1e-9)
    if len(kept) < 2:
        assert (result.sd, result.ci) == (None, None)
        return
    assert result.sd == pytest.approx(statistics.stdev(kept), abs=1e-9)
    assert result.ci is not None
    if result.sd == 0:
        assert result.ci == (result.mean, result.mean)
        return
    low, high = DescrStatsW(np.array(kept)).tconfint_mean(alpha=0.05)
    assert result.ci == pytest.approx((low, high), abs=1e-9)


# ---------------------------------------------------------------- reliability


def _alpha_from_covariance(m: np.ndarray) -> float:
    """α = k/(k−1) · (1 − trace(C)/ΣC) from the items' covariance matrix (not the item-variance sum)."""
    c = np.cov(m, rowvar=False)
    k = m.shape[1]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def _feldt_pingouin_style(alpha: float, n: int, k: int) -> tuple[float, float]:
    """Feldt's interval as pingouin writes it: upper-tail quantiles via f.isf."""
    df1, df2 = n - 1, (n - 1) * (k - 1)
    return 1 - (1 - alpha) * stats.f.isf(0.025, df1, df2), 1 - (1 - alpha) * stats.f.isf(0.975, df1, df2)


@settings(max_examples=40, deadline=None)
@given(matrices(missing=True))
def test_alpha_agrees_with_the_covariance_form_on_complete_cases(m: np.ndarray) -> None:
    result = cronbach_alpha(m)
    complete = m[~np.isnan(m).any(axis=1)]
    assert (result.n, result.items) == (complete.shape[0], m.shape[1])
    if complete.shape[0] < 2 or np.ptp(complete.sum(axis=1)) == 0:
        assert (result.alpha, result.ci) == (None, None)
        return
    expected = _alpha_from_covariance(complete)
    assert result.alpha == pytest.approx(expected, abs=1e-9)
    assert result.ci == pytest.approx(_feldt_pingouin_style(expected, *complete.shape), abs=1e-9)
    assert result.ci[0] <= result.alpha <= result.ci[1]


@settings(max_examples=30, deadline=None)
@given(matrices(missing=True))
def test_item_statistics_agree_with_corrcoef_and_alpha_without_the_item(m: np.ndarray) -> None:
    names = [f"q{j}" for j in range(m.shape[1])]
    rows = item_statistics(m, names)
    complete = m[~np.isnan(m).any(axis=1)]
    for j, row in enumerate(rows):
        assert row.item == names[j]
        answered = [float(v) for v in m[:, j] if not math.isnan(v)]
        assert row.n == len(answered)
        if answered:
            assert row.mean == pytest.approx(statistics.fmean(answered), abs=1e-9)
        if len(answered) >= 2:
            assert row.sd == pytest.approx(statistics.stdev(answered), abs=1e-9)
        item = complete[:, j]
        rest = np.delete(complete, j, axis=1).sum(axis=1)
        if len(item) >= 2 and np.ptp(item) > 0 and np.ptp(rest) > 0:
            assert row.item_total == pytest.approx(np.corrcoef(item, rest)[0, 1], abs=1e-9)
        else:
            assert row.item_total is None
        without = np.delete(complete, j, axis=1)
        if without.shape[1] >= 2 and without.shape[0] >= 2 and np.ptp(without.sum(axis=1)) > 0:
            assert row.alpha_if_deleted == pytest.approx(_alpha_from_covariance(without), abs=1e-9)
        else:
            assert row.alpha_if_deleted is None


# ---------------------------------------------------------------- respondents' scores


def _score_by_hand(row: np.ndarray, least_half: bool) -> float:
    answered = [float(v) for v in row if not math.isnan(v)]
    if not answered or (least_half and 2 * len(answered) < len(row)):
        return math.nan
    return sum(answered) / len(answered)


@settings(max_examples=40, deadline=None)
@given(matrices(missing=True))
def test_dimension_and_overall_scores_agree_with_a_loop(m: np.ndarray) -> None:
    expected_dims = [_score_by_hand(row, True) for row in m]
    expected_overall = [_score_by_hand(row, False) for row in m]
    np.testing.assert_allclose(dimension_scores(m), expected_dims, rtol=0, atol=1e-12)
    np.testing.assert_allclose(overall_scores(m), expected_overall, rtol=0, atol=1e-12)


def test_half_the_items_answered_is_enough_fewer_is_not() -> None:
    nan = math.nan
    m = np.array([[1, 2, nan, nan], [1, nan, nan, nan], [4, nan, nan, nan]], dtype=float)
    np.testing.assert_array_equal(dimension_scores(m), [1.5, nan, nan])
    np.testing.assert_array_equal(dimension_scores(m[:, :3]), [1.5, nan, nan])
    np.testing.assert_array_equal(overall_scores(m), [1.5, 1.0, 4.0])
    np.testing.assert_array_equal(dimension_scores(np.array([[nan, 3.0, nan]])), [nan])


# ---------------------------------------------------------------- comparisons


def _mann_whitney_by_ranks(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """U of a from the rank sum, two-sided p by the normal approximation with tie and continuity correction."""
    ranks = stats.rankdata(np.concatenate([a, b]))
    n1, n2 = a.size, b.size
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    _, counts = np.unique(np.concatenate([a, b]), return_counts=True)
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - (counts**3 - counts).sum() / (n * (n - 1))))
    z = (abs(u - n1 * n2 / 2) - 0.5) / sigma
    return float(u), min(1.0, 2 * stats.norm.sf(z))


def _exact_mann_whitney_p(n1: int, n2: int, u: float) -> float:
    """Two-sided exact p without ties: U over every way of choosing the first group's ranks."""
    base = n1 * (n1 + 1) / 2
    all_u = np.array([sum(c) - base for c in itertools.combinations(range(1, n1 + n2 + 1), n1)])
    return min(1.0, 2 * min(float((all_u <= u).mean()), float((all_u >= u).mean())))


def _kruskal_by_ranks(groups: list[np.ndarray]) -> tuple[float, float]:
    """H from the rank sums with the tie correction, p from χ²(k−1)."""
    pooled = np.concatenate(groups)
    ranks = stats.rankdata(pooled)
    n = pooled.size
    bounds = np.cumsum([0] + [g.size for g in groups])
    h = 12 / (n * (n + 1)) * sum(ranks[lo:hi].sum() ** 2 / (hi - lo) for lo, hi in zip(bounds, bounds[1:])) - 3 * (
        n + 1
    )
    _, counts = np.unique(pooled, return_counts=True)
    h /= 1 - (counts**3 - counts).sum() / (n**3 - n)
    return float(h), float(stats.chi2.sf(h, len(groups) - 1))


@settings(max_examples=60, deadline=None)
@given(samples, samples)
def test_two_groups_agree_with_statsmodels_and_rank_formulas(a: list[float], b: list[float]) -> None:
    result = compare_groups({"1": a, "2": b})
    assert result is not None
    x, y = np.array(a), np.array(b)
    t, p, df = sm_ttest_ind(x, y, usevar="unequal")
    assert result.test == "welch_t"
    assert (result.groups, result.n) == (("1", "2"), (len(a), len(b)))
    assert result.statistic == pytest.approx(t, rel=1e-9, abs=1e-9)
    assert result.df == pytest.approx(df, rel=1e-9)
    assert result.p == pytest.approx(p, rel=1e-7, abs=1e-12)
    pooled = math.sqrt(
        (sum((v - x.mean()) ** 2 for v in x) + sum((v - y.mean()) ** 2 for v in y)) / (len(a) + len(b) - 2)
    )
    assert result.effect == {"cohen_d": pytest.approx((x.mean() - y.mean()) / pooled, rel=1e-9, abs=1e-12)}
    u, p_u = _mann_whitney_by_ranks(x, y)
    assert result.nonparametric["test"] == "mann_whitney_u"
    assert result.nonparametric["statistic"] == pytest.approx(u)
    exact = min(len(a), len(b)) <= 8 and len(set(a) | set(b)) == len(a) + len(b)  # scipy's "auto" exact case
    if not exact:
        assert result.nonparametric["p"] == pytest.approx(p_u, rel=1e-7, abs=1e-12)
    elif math.comb(len(a) + len(b), len(a)) <= 5000:
        assert result.nonparametric["p"] == pytest.approx(_exact_mann_whitney_p(len(a), len(b), u), rel=1e-9)


@settings(max_examples=50, deadline=None)
@given(st.lists(samples, min_size=3, max_size=6))
@example([[1.0] * 21 + [2.0]] * 3)  # found by hypothesis: groups alike, Kruskal–Wallis's H came out -2e-13
def test_more_groups_agree_with_statsmodels_anova_oneway(groups: list[list[float]]) -> None:
    result = compare_groups({f"g{i}": g for i, g in enumerate(groups)})
    assert result is not None
    arrays = [np.array(g) for g in groups]
    welch = anova_oneway(arrays, use_var="unequal")
    assert result.test == "welch_anova"
    assert result.statistic == pytest.approx(welch.statistic, rel=1e-9)
    assert result.df == pytest.approx((welch.df_num, welch.df_denom), rel=1e-9)
    assert result.p == pytest.approx(welch.pvalue, rel=1e-7, abs=1e-12)
    # ω² from the classic F: (k−1)(F−1) / ((k−1)(F−1) + N)
    classic = anova_oneway(arrays, use_var="equal")
    k, n = len(groups), sum(len(g) for g in groups)
    omega = (k - 1) * (classic.statistic - 1) / ((k - 1) * (classic.statistic - 1) + n)
    assert result.effect == {"omega_squared": pytest.approx(omega, rel=1e-9, abs=1e-12)}
    h, p_h = _kruskal_by_ranks(arrays)
    assert result.nonparametric["test"] == "kruskal_wallis"
    assert result.nonparametric["statistic"] == pytest.approx(h, rel=1e-9)
    assert result.nonparametric["p"] == pytest.approx(p_h, rel=1e-7, abs=1e-12)
    assert result.nonparametric["epsilon_squared"] == pytest.approx(h / (n - 1), rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(samples, min_size=3, max_size=5))
def test_own_welch_anova_agrees_with_statsmodels(groups: list[list[float]]) -> None:
    """The formula used when scipy is older than 1.15 (no ``f_oneway(equal_var=False)``)."""
    arrays = [np.array(g) for g in groups]
    f_value, (df1, df2), p = welch_anova(arrays)
    reference = anova_oneway(arrays, use_var="unequal")
    assert f_value == pytest.approx(reference.statistic, rel=1e-9)
    assert (df1, df2) == pytest.approx((reference.df_num, reference.df_denom), rel=1e-9)
    assert p == pytest.approx(reference.pvalue, rel=1e-7, abs=1e-12)


def test_older_scipy_gives_the_same_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    groups = {"a": [1.0, 2, 3, 4], "b": [2.0, 3, 5, 9, 1], "c": [5.0, 6, 7, 8, 8, 1]}
    new = compare_groups(groups)
    monkeypatch.setattr(survey_stats, "_scipy_welch", lambda: False)
    old = compare_groups(groups)
    assert new is not None and old is not None
    assert old.statistic == pytest.approx(new.statistic, rel=1e-12)
    assert old.p == pytest.approx(new.p, rel=1e-10)
    assert old.df == new.df


def test_groups_keep_their_order_and_small_groups_are_left_out() -> None:
    result = compare_groups({"2": [4, 5, 4, 3], "tiny": [1], "1": [2, 3, 2, 2, 1], "none": []})
    assert result is not None
    assert (result.groups, result.n) == (("2", "1"), (4, 5))
    assert result.effect["cohen_d"] > 0  # the first group named scores higher


# ---------------------------------------------------------------- multiple testing


def _holm_by_definition(p: list[float]) -> list[float]:
    """Holm: p_(i) adjusted = max over j ≤ i of min(1, (m − j)·p_(j)), ranks from 0, ties in input order."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    for rank, i in enumerate(order):
        out[i] = max(min(1.0, (m - j) * p[order[j]]) for j in range(rank + 1))
    return out


@settings(max_examples=8, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=12))
def test_holm_agrees_with_statsmodels(pvalues: list[float]) -> None:
    """(multipletests runs gc.collect() on every call: a few examples only.)"""
    assert holm(pvalues) == pytest.approx(list(multipletests(pvalues, method="holm")[1]), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), max_size=12))
def test_holm_agrees_with_its_definition(pvalues: list[float]) -> None:
    adjusted = holm(pvalues)
    assert adjusted == pytest.approx(_holm_by_definition(pvalues), abs=1e-12)
    assert all(p <= q <= 1 for p, q in zip(pvalues, adjusted, strict=True))


def test_holm_is_monotone_in_the_order_of_the_p_values() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    with pytest.raises(ValueError):
        holm([0.2, math.nan])


# ---------------------------------------------------------------- degenerate data: no NaN, no warning


def _no_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (tuple, list)):
        return all(_no_nan(v) for v in value)
    if isinstance(value, dict):
        return all(_no_nan(v) for v in value.values())
    if hasattr(value, "__dataclass_fields__"):
        return all(_no_nan(getattr(value, name)) for name in value.__dataclass_fields__)
    return True


@pytest.mark.filterwarnings("error")
def test_degenerate_data_gives_none_not_nan_and_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            assert summarize([]) == survey_stats.Summary(0, None, None, None)
            assert summarize([math.nan, 3.0]) == survey_stats.Summary(1, 3.0, None, None)
            assert summarize([2.0, 2.0, 2.0]) == survey_stats.Summary(3, 2.0, 0.0, (2.0, 2.0))
            assert cronbach_alpha(np.full((6, 3), 4.0)) == survey_stats.Alpha(None, None, 6, 3)
            assert cronbach_alpha(np.ones((6, 1))) == survey_stats.Alpha(None, None, 6, 1)
            assert cronbach_alpha(np.empty((0, 4))) == survey_stats.Alpha(None, None, 0, 4)
            assert cronbach_alpha(np.array([[1.0, math.nan], [2.0, 3.0]])).alpha is None
            # totals constant although the items vary: alpha is 0/0
            assert cronbach_alpha(np.array([[1.0, 5.0], [5.0, 1.0], [3.0, 3.0]])).alpha is None
            constant_item = np.array([[3.0, 1, 2], [3, 2, 2], [3, 4, 5], [3, 5, 4]])
            rows = item_statistics(constant_item, ["a", "b", "c"])
            assert rows[0].item_total is None and rows[0].sd == 0.0
            assert all(_no_nan(r) for r in rows)
            assert item_statistics(np.full((3, 1), math.nan), ["only"]) == [
                survey_stats.ItemStat("only", 0, None, None, None, None)
            ]
            assert item_statistics(np.array([[1.0, 2.0], [2.0, 4.0]]), ["a", "b"])[0].alpha_if_deleted is None
            assert compare_groups({}) is None
            assert compare_groups({"a": [1.0, 2.0]}) is None
            assert compare_groups({"a": [1.0, 2.0], "b": [3.0]}) is None
            assert compare_groups({"a": [3.0, 3.0], "b": [3.0, 3.0, 3.0]}) is None
            assert compare_groups({"a": [3.0, 3.0], "b": [4.0, 4.0]}) is None
            assert compare_groups({"a": [1.0, 2], "b": [3.0, 4], "c": [5.0, 5]}) is None
            one_constant = compare_groups({"a": [3.0, 3.0, 3.0], "b": [1.0, 2.0, 4.0]})
            assert one_constant is not None and _no_nan(one_constant)
            assert dimension_scores(np.empty((0, 3))).shape == (0,)
            assert np.isnan(dimension_scores(np.empty((2, 0)))).all()


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["1", "2", "3", "4"]),
        st.lists(st.one_of(st.sampled_from([1.0, 2.0, 5.0]), st.just(math.nan)), max_size=5),
        max_size=4,
    ),
    matrices(missing=True),
)
def test_small_and_tied_data_never_give_nan_or_warnings(groups: dict[str, list[float]], m: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _no_nan(compare_groups(groups))
        assert _no_nan(cronbach_alpha(m[:3]))
        assert _no_nan(item_statistics(m[:2], [str(j) for j in range(m.shape[1])]))
        for values in groups.values():
            assert _no_nan(summarize(values))


def test_identical_items_give_alpha_one_and_never_more() -> None:
    """Seven identical items: alpha is 1 exactly, and rounding must not carry it or its interval past 1."""
    column = np.array([1.0, 1.0, 2.0, 3.0, 5.0, 4.0, 2.0, 1.0])
    result = cronbach_alpha(np.repeat(column[:, None], 7, axis=1))
    assert result.alpha == 1.0
    assert result.ci == (1.0, 1.0)


def test_groups_alike_differ_by_nothing_rather_than_by_an_undefined_test() -> None:
    """Three libraries answering alike (ties everywhere): F = 0 and H = 0, each with p = 1, not "no test"."""
    alike = [1.0] * 21 + [2.0]  # scipy gave H = -2e-13 here, and p NaN
    result = compare_groups({"Randers": alike, "Viborg": alike, "Holstebro": alike})
    assert result is not None and result.test == "welch_anova"
    assert (result.statistic, result.p) == (pytest.approx(0.0, abs=1e-12), pytest.approx(1.0))
    assert result.nonparametric["statistic"] == 0.0 and result.nonparametric["p"] == 1.0
    assert result.nonparametric["epsilon_squared"] == 0.0
