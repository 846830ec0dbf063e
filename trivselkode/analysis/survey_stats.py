"""The statistics of a questionnaire's scores: summaries, reliability and group comparisons.

Pure numpy and scipy: no database, no text. Every function takes plain
numbers (``NaN`` = no answer) and returns plain numbers, so a report, a chart
or a test can check them against a second computation.

What each function promises on degenerate data (never a warning, never an
exception, never a ``NaN`` in a result):

- :func:`summarize`: no values → ``n=0`` and everything else ``None``; one
  value → its mean, ``sd`` and ``ci`` ``None``; all values equal → ``sd=0``
  and the interval ``(mean, mean)``.
- :func:`cronbach_alpha`: fewer than 2 items or 2 complete cases, or no
  variation in the respondents' totals → ``alpha`` and ``ci`` ``None`` (with
  ``n`` and ``items`` still told). Alpha may be negative (items that disagree).
- :func:`item_statistics`: an item nobody answered → ``n=0`` and ``None``
  figures; a constant item (or constant rest of the scale) → ``item_total``
  ``None``; "alpha if deleted" is ``None`` when fewer than 2 items would remain
  or that alpha is undefined.
- :func:`compare_groups`: groups with fewer than 2 values are left out;
  ``None`` when fewer than 2 groups remain, or when the parametric test is
  undefined: two groups that both have no variation, or (3+ groups) any group
  without variation, whose Welch weight n/s² would be infinite.
- :func:`holm`: an empty family gives ``[]``; a p-value that is not a number in
  [0, 1] is a programming error (``ValueError``).
"""

from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "CONFIDENCE",
    "Alpha",
    "Comparison",
    "ItemStat",
    "Summary",
    "compare_groups",
    "cronbach_alpha",
    "dimension_scores",
    "holm",
    "item_statistics",
    "overall_scores",
    "summarize",
    "welch_anova",
]

#: The confidence level of every interval.
CONFIDENCE = 0.95
_TAIL = (1 - CONFIDENCE) / 2


def _stats() -> Any:
    """``scipy.stats``, imported when a figure first needs it (the import takes about a second)."""
    from scipy import stats  # type: ignore[import-untyped]

    return stats


def _scipy_welch() -> bool:
    """Whether scipy runs Welch's ANOVA itself (``f_oneway(equal_var=False)``, scipy >= 1.15)."""
    return "equal_var" in inspect.signature(_stats().f_oneway).parameters


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's floating-point warnings and scipy's warnings (degenerate data is handled by the caller)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _finite(value: Any) -> float | None:
    """``value`` as a float, or None when it is not a finite number."""
    x = float(value)
    return x if math.isfinite(x) else None


def _values(values: ArrayLike) -> np.ndarray:
    """The finite values of ``values`` as a flat float array (NaN and ±inf dropped)."""
    a = np.asarray(values, dtype=float).ravel()
    return a[np.isfinite(a)]


def _matrix(matrix: ArrayLike) -> np.ndarray:
    """``matrix`` as a 2-D float array (respondents × items); ±inf counts as missing."""
    m = np.asarray(matrix, dtype=float)
    if m.ndim == 1:
        m = m.reshape(-1, 1)
    if m.ndim != 2:
        raise ValueError(f"expected respondents x items, got an array of {m.ndim} dimensions")
    return np.where(np.isfinite(m), m, np.nan)


# ---------------------------------------------------------------- summaries


@dataclass(frozen=True)
class Summary:
    """n, mean, SD (n−1 in the denominator) and the t-based 95 % confidence interval of the mean."""

    n: int
    mean: float | None
    sd: float | None
    ci: tuple[float, float] | None


def summarize(values: ArrayLike) -> Summary:
    """The summary of the finite values of ``values`` (NaN = missing, dropped).

    The interval is mean ± t(0.975, n−1)·SD/√n; with n < 2 there is no SD and no interval.
    """
    a = _values(values)
    n = int(a.size)
    if n == 0:
        return Summary(0, None, None, None)
    mean = float(a.mean())
    if n < 2:
        return Summary(n, mean, None, None)
    sd = float(a.std(ddof=1))
    half = float(_stats().t.ppf(1 - _TAIL, n - 1)) * sd / math.sqrt(n)
    return Summary(n, mean, sd, (mean - half, mean + half))


# ---------------------------------------------------------------- reliability


@dataclass(frozen=True)
class Alpha:
    """Cronbach's alpha over the complete cases, with Feldt's 95 % interval.

    ``n`` is the number of complete cases used, ``items`` the number of items.
    """

    alpha: float | None
    ci: tuple[float, float] | None
    n: int
    items: int


def _complete(m: np.ndarray) -> np.ndarray:
    """The rows of ``m`` without a missing value."""
    return m[~np.isnan(m).any(axis=1)]


def _alpha_of(complete: np.ndarray) -> float | None:
    """Alpha of a matrix without missing values: k/(k−1)·(1 − Σ item variances / variance of the totals)."""
    n, k = complete.shape
    if k < 2 or n < 2:
        return None
    totals = complete.sum(axis=1)
    if np.ptp(totals) == 0:  # every respondent has the same total: alpha is 0/0
        return None
    with _quiet():
        item_var = complete.var(axis=0, ddof=1).sum()
        total_var = totals.var(ddof=1)
        alpha = _finite(k / (k - 1) * (1 - item_var / total_var))
    # Alpha is at most 1 (identical items); rounding must not carry it, or its interval, past it.
    return None if alpha is None else min(alpha, 1.0)


def _feldt(alpha: float, n: int, k: int) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987): 1 − (1 − α)·F quantiles with (n−1, (n−1)(k−1)) degrees of freedom.

    The lower bound takes the upper quantile F(0.975), the upper bound the lower quantile F(0.025),
    as pingouin.cronbach_alpha and R's psychometric::alpha.CI do.
    """
    df1, df2 = n - 1, (n - 1) * (k - 1)
    f_dist = _stats().f
    upper_q = float(f_dist.ppf(1 - _TAIL, df1, df2))
    lower_q = float(f_dist.ppf(_TAIL, df1, df2))
    return (min(1 - (1 - alpha) * upper_q, 1.0), min(1 - (1 - alpha) * lower_q, 1.0))


def cronbach_alpha(matrix: ArrayLike) -> Alpha:
    """Cronbach's alpha of ``matrix`` (respondents × items, NaN = missing) over its complete cases."""
    m = _matrix(matrix)
    complete = _complete(m)
    n, k = complete.shape
    alpha = _alpha_of(complete)
    if alpha is None:
        return Alpha(None, None, n, k)
    return Alpha(alpha, _feldt(alpha, n, k), n, k)


@dataclass(frozen=True)
class ItemStat:
    """One item: its answers' n, mean and SD, and how it fits its scale.

    ``item_total`` is the corrected item–total correlation (the item against the sum of
    the scale's other items) and ``alpha_if_deleted`` the scale's alpha without the item,
    both over the complete cases of the whole scale (the cases :func:`cronbach_alpha` uses).
    """

    item: str
    n: int
    mean: float | None
    sd: float | None
    item_total: float | None
    alpha_if_deleted: float | None


def _clip_r(r: float) -> float | None:
    """A correlation kept within [−1, 1] (rounding), or None when it is not finite."""
    value = _finite(r)
    return None if value is None else max(-1.0, min(1.0, value))


def item_statistics(matrix: ArrayLike, items: Sequence[str]) -> list[ItemStat]:
    """Every item's statistics, in the order of ``items`` (the columns of ``matrix``).

    n, mean and SD count every answer to the item; the item–total correlation and
    "alpha if deleted" use the complete cases of all the items, both taken from their
    covariance matrix C: without item j the scale's variance is ΣC − 2ΣC[j] + C[j, j]
    and the item's covariance with the rest ΣC[j] − C[j, j].
    """
    m = _matrix(matrix)
    k = m.shape[1]
    if k != len(items):
        raise ValueError(f"{len(items)} item names for {k} columns")
    complete = _complete(m)
    n = complete.shape[0]
    totals = complete.sum(axis=1)
    with _quiet():
        cov = np.cov(complete, rowvar=False).reshape(k, k) if n >= 2 else np.zeros((k, k))
    out = []
    for j, item in enumerate(items):
        own = summarize(m[:, j])
        rest = totals - complete[:, j]
        varies = n >= 2 and k >= 2 and np.ptp(rest) > 0
        row_sum = float(cov[j].sum())
        item_var = float(cov[j, j])
        rest_var = float(cov.sum()) - 2 * row_sum + item_var
        varies = varies and rest_var > 0
        item_total = None
        if varies and item_var > 0 and np.ptp(complete[:, j]) > 0:
            item_total = _clip_r((row_sum - item_var) / math.sqrt(item_var * rest_var))
        if_deleted = None
        if varies and k >= 3:
            if_deleted = _finite((k - 1) / (k - 2) * (1 - (float(np.trace(cov)) - item_var) / rest_var))
        out.append(ItemStat(item, own.n, own.mean, own.sd, item_total, if_deleted))
    return out


# ---------------------------------------------------------------- respondents' scores


def _row_means(m: np.ndarray, least: int) -> np.ndarray:
    """Each row's mean over its answered cells; NaN where fewer than ``least`` (and at least 1) are answered."""
    answered = ~np.isnan(m)
    count = answered.sum(axis=1)
    sums = np.where(answered, m, 0.0).sum(axis=1)
    ok = (count >= least) & (count > 0)
    out = np.full(m.shape[0], np.nan)
    np.divide(sums, count, out=out, where=ok)
    return out


def dimension_scores(matrix: ArrayLike) -> np.ndarray:
    """Each respondent's dimension score: the mean of their answered items of it.

    NaN when fewer than half of the k items are answered (answered < k/2), so 2 of 4 counts.
    """
    m = _matrix(matrix)
    k = m.shape[1]
    return _row_means(m, math.ceil(k / 2))


def overall_scores(matrix: ArrayLike) -> np.ndarray:
    """Each respondent's overall score: the mean of all their answered items (NaN when none)."""
    return _row_means(_matrix(matrix), 1)


# ---------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class Comparison:
    """A comparison of two or more groups' scores.

    Two groups: Welch's t-test (``df`` a float, Welch–Satterthwaite), Cohen's d with the
    pooled SD (first group minus second, in the order given) and the two-sided
    Mann–Whitney U (U of the first group). Three or more: Welch's ANOVA (``df`` =
    (k−1, Welch's denominator df)), ω² from the classic one-way sums of squares (may be
    slightly negative when F < 1) and Kruskal–Wallis H with ε² = H/(n−1).
    ``groups`` and ``n`` name the groups compared (those with at least 2 values).
    """

    test: str
    statistic: float
    df: float | tuple[float, float]
    p: float
    effect: dict[str, float]
    nonparametric: dict[str, Any]
    groups: tuple[str, ...]
    n: tuple[int, ...]


def welch_anova(samples: Sequence[np.ndarray]) -> tuple[float, tuple[float, float], float]:
    """Welch's (1951) one-way ANOVA: ``(F, (df1, df2), p)``; every sample needs n ≥ 2 and variance > 0.

    With weights wᵢ = nᵢ/sᵢ², W = Σwᵢ, the weighted mean m = Σwᵢx̄ᵢ/W and
    Λ = Σ(1 − wᵢ/W)²/(nᵢ − 1): F = [Σwᵢ(x̄ᵢ − m)²/(k−1)] / [1 + 2(k−2)Λ/(k²−1)],
    df1 = k − 1, df2 = (k² − 1)/(3Λ).
    """
    k = len(samples)
    n = np.array([s.size for s in samples], dtype=float)
    means = np.array([s.mean() for s in samples])
    var = np.array([s.var(ddof=1) for s in samples])
    w = n / var
    big_w = w.sum()
    centre = (w * means).sum() / big_w
    lam = ((1 - w / big_w) ** 2 / (n - 1)).sum()
    f_value = (w * (means - centre) ** 2).sum() / (k - 1) / (1 + 2 * (k - 2) * lam / (k * k - 1))
    df2 = (k * k - 1) / (3 * lam)
    return float(f_value), (float(k - 1), float(df2)), float(_stats().f.sf(f_value, k - 1, df2))


def _cohen_d(a: np.ndarray, b: np.ndarray) -> float:
    """(mean a − mean b) / pooled SD, the pooled variance weighting each group's by n − 1."""
    pooled = ((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2)
    return float((a.mean() - b.mean()) / math.sqrt(pooled))


def _omega_squared(samples: Sequence[np.ndarray]) -> float:
    """ω² = (SS_between − (k−1)·MS_within) / (SS_total + MS_within), classic one-way ANOVA."""
    k = len(samples)
    total = sum(s.size for s in samples)
    grand = sum(s.sum() for s in samples) / total
    ss_between = sum(s.size * (s.mean() - grand) ** 2 for s in samples)
    ss_within = sum(((s - s.mean()) ** 2).sum() for s in samples)
    ms_within = ss_within / (total - k)
    return float((ss_between - (k - 1) * ms_within) / (ss_between + ss_within + ms_within))


def _two_groups(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, dict[str, float], dict[str, Any]]:
    """Welch's t (scipy), Cohen's d and the two-sided Mann–Whitney U (scipy, exact for small untied samples)."""
    stats = _stats()
    welch = stats.ttest_ind(a, b, equal_var=False)
    mwu = stats.mannwhitneyu(a, b, alternative="two-sided")
    nonparametric = {"test": "mann_whitney_u", "statistic": float(mwu.statistic), "p": float(mwu.pvalue)}
    return float(welch.statistic), float(welch.df), float(welch.pvalue), {"cohen_d": _cohen_d(a, b)}, nonparametric


def _more_groups(
    samples: list[np.ndarray],
) -> tuple[float, tuple[float, float], float, dict[str, float], dict[str, Any]]:
    """Welch's ANOVA (scipy's where it has one, the same formula otherwise), ω², Kruskal–Wallis and ε²."""
    f_value, df, p = welch_anova(samples)
    stats = _stats()
    if _scipy_welch():
        scipy_result = stats.f_oneway(*samples, equal_var=False)
        f_value, p = float(scipy_result.statistic), float(scipy_result.pvalue)
    h = stats.kruskal(*samples)
    statistic, p_h = float(h.statistic), float(h.pvalue)
    if statistic < 0:  # H is never negative; groups alike to the last tie come out as -2e-13, and p as NaN
        statistic, p_h = 0.0, 1.0
    total = sum(s.size for s in samples)
    nonparametric = {
        "test": "kruskal_wallis",
        "statistic": statistic,
        "p": p_h,
        "epsilon_squared": statistic / (total - 1),
    }
    return f_value, df, p, {"omega_squared": _omega_squared(samples)}, nonparametric


def _all_finite(*values: Any) -> bool:
    """True when every number in ``values`` (nested in tuples and dicts) is finite."""
    for value in values:
        if isinstance(value, dict):
            if not _all_finite(*value.values()):
                return False
        elif isinstance(value, tuple):
            if not _all_finite(*value):
                return False
        elif isinstance(value, (int, float)) and not math.isfinite(value):
            return False
    return True


def compare_groups(groups: Mapping[str, ArrayLike]) -> Comparison | None:
    """Compare the groups' values (NaN dropped); see :class:`Comparison` for the tests.

    Groups with fewer than 2 values are left out. None when fewer than 2 groups remain
    or the test is undefined (see the module's notes on degenerate data).
    """
    kept = {str(name): _values(values) for name, values in groups.items()}
    kept = {name: a for name, a in kept.items() if a.size >= 2}
    if len(kept) < 2:
        return None
    samples = list(kept.values())
    varies = [bool(np.ptp(s) > 0) for s in samples]
    if (len(samples) == 2 and not any(varies)) or (len(samples) > 2 and not all(varies)):
        return None
    df: float | tuple[float, float]
    with _quiet():
        if len(samples) == 2:
            test = "welch_t"
            statistic, df, p, effect, nonparametric = _two_groups(samples[0], samples[1])
        else:
            test = "welch_anova"
            statistic, df, p, effect, nonparametric = _more_groups(samples)
    if not _all_finite(statistic, df, p, effect, nonparametric):
        return None
    return Comparison(
        test=test,
        statistic=statistic,
        df=df,
        p=min(1.0, max(0.0, p)),
        effect=effect,
        nonparametric=nonparametric,
        groups=tuple(kept),
        n=tuple(int(s.size) for s in samples),
    )


# ---------------------------------------------------------------- multiple testing


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values, in the order given.

    The i-th smallest p (from 0) is multiplied by (m − i), then made non-decreasing in
    that order and capped at 1. Every p must be a number in [0, 1].
    """
    p = np.asarray(list(pvalues), dtype=float)
    if p.size == 0:
        return []
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError(f"p-values must lie in [0, 1], got {list(pvalues)}")
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate(p[order] * (m - np.arange(m)))
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(x) for x in adjusted]
