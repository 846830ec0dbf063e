"""Inter-coder agreement coefficients (SPEC §7).

Pure functions over plain data: no database, no user interface. Each
coefficient returns a plain Python ``float`` and never NaN; where a
coefficient is undefined (no units to compare, no variation, ...) the
function raises :class:`AgreementUndefined`, whose ``reason`` says why in a
short English sentence that the caller can show instead of a number.

Data layout
    ``data`` is coders × units: one row per coder, one column per unit (a
    sequence of equal-length sequences, or a 2-D numpy array). ``None`` and
    float NaN are missing values. Nominal values may be any hashable (Python
    equality decides which values are the same, so ``1``, ``1.0`` and
    ``True`` are one value); the ordinal, interval and ratio levels need real
    numbers (ratio: non-negative ones).

Exactness
    Wherever the inputs are counts (nominal and ordinal alpha, Cohen's,
    Fleiss', Brennan–Prediger kappa, percent agreement) the coefficient is
    computed in exact rational arithmetic and rounded once to the nearest
    float. The interval and ratio levels of alpha sum floating-point
    disagreements with :func:`math.fsum` and combine the sums exactly, so
    they are accurate to a few units in the last place.

References
    Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability.
    Hayes, A. F. & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. Communication Methods and Measures
    1(1), 77–89 (and Hayes' KALPHA macro, version 3.0, 2011).
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Brennan, R. L. & Prediger, D. J. (1981). Coefficient kappa: some uses,
    misuses, and alternatives; Randolph, J. J. (2005). Free-marginal
    multirater kappa.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, SupportsInt, cast

import numpy as np

__all__ = [
    "AgreementUndefined",
    "BinaryAgreement",
    "binary_agreement",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "krippendorff_alpha_ci",
    "percent_agreement",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Reasons, shared so that the general functions and binary_agreement agree.
NO_PAIRABLE = "fewer than two pairable values: no unit was coded by at least two coders"
NO_VARIATION = "no variation: every value is the same, so expected disagreement is 0"
NO_UNITS = "no units to compare"
COHEN_NO_VARIATION = "no variation: both coders used one and the same label throughout, so chance agreement is 1"
FLEISS_NO_VARIATION = "no variation: every rating falls in one category, so chance agreement is 1"
FEW_CATEGORIES = "fewer than two categories (q < 2), so agreement by chance is certain"
FEW_RATERS = "each unit needs at least two ratings"


class AgreementUndefined(Exception):
    """A coefficient is undefined for these data; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(value != value)
    return False


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")


def _rows(data: Any) -> list[list[Any]]:
    """The coders × units table as a list of equal-length lists."""
    if isinstance(data, (str, bytes)):
        raise ValueError("data must be coders × units: a sequence of sequences")
    rows = []
    for row in data:
        if isinstance(row, (str, bytes)) or not isinstance(row, (Sequence, np.ndarray)):
            raise ValueError("data must be coders × units: a sequence of sequences")
        rows.append(list(row))
    if rows and any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("every coder's row must have the same number of units")
    return rows


def _encode_numeric_array(arr: np.ndarray, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Codes (coders × units, -1 missing) and the sorted distinct values."""
    if arr.dtype.kind in "biu":
        present = np.ones(arr.shape, dtype=bool)
    else:
        present = ~np.isnan(arr)
    observed = arr[present]
    if level != "nominal":
        observed = observed.astype(np.float64)
        if not np.all(np.isfinite(observed)):
            raise ValueError(f"{level} level needs finite numbers")
        if level == "ratio" and np.any(observed < 0):
            raise ValueError("ratio level needs non-negative numbers")
    values, inverse = np.unique(observed, return_inverse=True)
    codes = np.full(arr.shape, -1, dtype=np.int64)
    codes[present] = inverse.reshape(-1)
    return codes, values


def _encode(data: Any, level: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Codes (coders × units, int64, -1 missing) and, for numeric levels, values.

    For numeric levels the codes index the sorted array of distinct values.
    """
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        if data.ndim != 2:
            raise ValueError("data must be a 2-D coders × units array")
        codes, values = _encode_numeric_array(data, level)
        return codes, (values.astype(np.float64) if level != "nominal" else None)
    rows = _rows(data)
    n_units = len(rows[0]) if rows else 0
    if level != "nominal":
        arr = np.empty((len(rows), n_units), dtype=np.float64)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if _is_missing(v):
                    arr[i, j] = np.nan
                elif isinstance(v, (numbers.Real, np.bool_)) and not isinstance(v, (str, bytes)):
                    arr[i, j] = float(v)
                else:
                    raise ValueError(f"{level} level needs numbers, got {v!r}")
        codes, values = _encode_numeric_array(arr, level)
        return codes, values
    index: dict[Any, int] = {}
    codes = np.full((len(rows), n_units), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if not _is_missing(v):
                codes[i, j] = index.setdefault(v, len(index))
    return codes, None


def _agreeing_pairs(codes: np.ndarray) -> np.ndarray:
    """Per unit, the number of unordered coder pairs with equal values.

    Equals sum over values c of C(n_uc, 2); computed by sorting each column
    and counting, for every value, how many equal values precede it.
    """
    m = codes.shape[0]
    if m < 2 or codes.shape[1] == 0:
        return np.zeros(codes.shape[1], dtype=np.int64)
    s = np.sort(codes, axis=0)
    r = np.arange(m, dtype=np.int64)[:, None]
    new_run = np.ones(s.shape, dtype=bool)
    new_run[1:] = s[1:] != s[:-1]
    start = np.maximum.accumulate(np.where(new_run, r, 0), axis=0)
    before = r - start
    before[s < 0] = 0
    return before.sum(axis=0)


def _group_sums(mu: np.ndarray, values: np.ndarray) -> dict[int, int]:
    """Integer sums of ``values`` grouped by the number of values in a unit."""
    out: dict[int, int] = {}
    if mu.size == 0:
        return out
    totals = np.bincount(mu, weights=values.astype(np.float64))
    for g in np.nonzero(np.bincount(mu))[0]:
        out[int(g)] = int(round(totals[g]))
    return out


# --------------------------------------------------------------------------
# Exact formulas from sufficient statistics (shared with binary_agreement)
# --------------------------------------------------------------------------


def _observed_agreement(units: int, pairs_by_m: dict[int, int], agree_by_m: dict[int, int]) -> Fraction:
    """Mean over units of the share of agreeing coder pairs.

    Units with the same number m of values have m(m-1)/2 pairs each, so the
    mean is sum over m of (agreeing pairs in those units) / (m(m-1)/2) / units.
    """
    if units == 0:
        raise AgreementUndefined(NO_PAIRABLE)
    total = Fraction(0)
    for g, agree in agree_by_m.items():
        total += Fraction(agree, g * (g - 1) // 2)
    return total / units


def _nominal_alpha(n: int, sum_nc2: int, pairs_by_m: dict[int, int], agree_by_m: dict[int, int]) -> float:
    """Nominal alpha = 1 - (n-1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck.

    With the nominal metric, sum_ck o_ck d_ck = sum_u 2*(disagreeing pairs in
    u)/(m_u - 1) and sum_ck n_c n_k d_ck = n^2 - sum_c n_c^2.
    """
    if n < 2:
        raise AgreementUndefined(NO_PAIRABLE)
    expected = n * n - sum_nc2
    if expected == 0:
        raise AgreementUndefined(NO_VARIATION)
    observed = Fraction(0)
    for g, pairs in pairs_by_m.items():
        observed += Fraction(2 * (pairs - agree_by_m.get(g, 0)), g - 1)
    return float(1 - (n - 1) * observed / expected)


def _cohen_from_counts(n: int, agree: int, chance: int) -> float:
    """kappa = (p_o - p_e)/(1 - p_e) = (n*agree - chance)/(n^2 - chance).

    ``chance`` is sum_k a_k * b_k over each coder's own label counts.
    """
    if n == 0:
        raise AgreementUndefined(NO_UNITS)
    denominator = n * n - chance
    if denominator == 0:
        raise AgreementUndefined(COHEN_NO_VARIATION)
    return float(Fraction(n * agree - chance, denominator))


def _free_marginal(p_o: Fraction, q: int) -> float:
    return float((q * p_o - 1) / (q - 1))


# --------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------


@dataclass
class _Prepared:
    level: str
    codes: np.ndarray  # coders × pairable units, re-encoded 0..K-1, -1 missing
    mu: np.ndarray  # values per pairable unit (all >= 2)
    values: np.ndarray | None  # sorted distinct pairable values (numeric levels)
    n_c: np.ndarray  # marginals of the coincidence matrix (integers)
    n: int  # number of pairable values

    @property
    def k(self) -> int:
        return int(self.n_c.size)


def _prepare(data: Any, level: str) -> _Prepared:
    _check_level(level)
    codes, values = _encode(data, level)
    mu_all = (codes >= 0).sum(axis=0)
    pairable = mu_all >= 2
    codes = codes[:, pairable]
    mu = mu_all[pairable].astype(np.int64)
    used = np.unique(codes[codes >= 0])
    remap = np.full(int(codes.max()) + 2 if codes.size else 1, -1, dtype=np.int64)
    remap[used] = np.arange(used.size)
    codes = np.where(codes >= 0, remap[codes], -1)
    if values is not None:
        values = values[used]
    n_c = np.bincount(codes[codes >= 0], minlength=used.size).astype(np.int64)
    n = int(n_c.sum())
    if n < 2:
        raise AgreementUndefined(NO_PAIRABLE)
    return _Prepared(level, codes, mu, values, n_c, n)


def _midranks_twice(p: _Prepared) -> np.ndarray:
    """Twice each value's mid-rank, 2*(sum_{g<=c} n_g) - n_c (exact integers).

    Krippendorff's ordinal metric, for c <= k,
    (sum_{g=c..k} n_g - (n_c + n_k)/2)^2, equals (t_k - t_c)^2 with
    t_c = sum_{g<=c} n_g - n_c/2: the interval metric on mid-ranks.
    """
    return 2 * np.cumsum(p.n_c) - p.n_c


def _delta2(p: _Prepared, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared metric difference between value codes a and b (broadcasting)."""
    if p.level == "nominal":
        return (a != b).astype(np.float64)
    if p.level == "ordinal":
        twice = _midranks_twice(p)
        return (twice[a] - twice[b]).astype(np.float64) ** 2 / 4.0
    assert p.values is not None
    va = p.values[a]
    vb = p.values[b]
    if p.level == "interval":
        return (va - vb) ** 2
    total = va + vb  # ratio; values are non-negative, so 0 only when both are 0
    ratio = np.divide(va - vb, total, out=np.zeros(np.broadcast(va, vb).shape), where=total != 0)
    return ratio**2


def _pairs(p: _Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All unordered coder pairs within units: (low code, high code, m_u)."""
    codes = p.codes
    present = codes >= 0
    los, his, ms = [], [], []
    m = codes.shape[0]
    for i in range(m - 1):
        for j in range(i + 1, m):
            both = present[i] & present[j]
            if not both.any():
                continue
            a = codes[i, both]
            b = codes[j, both]
            los.append(np.minimum(a, b))
            his.append(np.maximum(a, b))
            ms.append(p.mu[both])
    if not los:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(los), np.concatenate(his), np.concatenate(ms)


def _expected_sum(p: _Prepared) -> Fraction:
    """sum over c, k of n_c n_k delta^2_ck, the numerator of n(n-1) D_e."""
    if p.level == "nominal":
        return Fraction(p.n * p.n - int(np.dot(p.n_c, p.n_c)))
    if p.level == "ordinal":
        # sum n_c n_k (t_c - t_k)^2 = 2n sum n_c t_c^2 - 2 (sum n_c t_c)^2, t = twice/2
        twice = [int(v) for v in _midranks_twice(p)]
        counts = [int(v) for v in p.n_c]
        s1 = sum(c * t for c, t in zip(counts, twice))
        s2 = sum(c * t * t for c, t in zip(counts, twice))
        return Fraction(2 * p.n * s2 - 2 * s1 * s1, 4)
    n_c = p.n_c.astype(np.float64)
    assert p.values is not None
    if p.level == "interval":
        mean = math.fsum(n_c * p.values) / p.n
        return Fraction(2.0 * p.n * math.fsum(n_c * (p.values - mean) ** 2))
    # ratio: no closed form; sum the upper triangle (c < k) in blocks, twice.
    k = p.k
    idx = np.arange(k)
    block = max(1, 4_000_000 // max(k, 1))
    parts = []
    for start in range(0, k, block):
        rows = idx[start : start + block, None]
        cols = idx[None, start:]
        d2 = _delta2(p, rows, cols)
        d2 *= n_c[start : start + block, None]
        d2 *= n_c[None, start:]
        parts.append(float(np.sum(np.triu(d2, k=1))))
    return Fraction(2.0 * math.fsum(parts))


def _alpha(p: _Prepared, expected: Fraction | None = None) -> float:
    """Alpha of prepared data; ``expected`` is _expected_sum(p) if known."""
    if p.level == "nominal":
        agree = _agreeing_pairs(p.codes)
        pairs = p.mu * (p.mu - 1) // 2
        return _nominal_alpha(
            p.n,
            int(np.dot(p.n_c, p.n_c)),
            _group_sums(p.mu, pairs),
            _group_sums(p.mu, agree),
        )
    if expected is None:
        expected = _expected_sum(p)
    if not expected > 0:
        raise AgreementUndefined(NO_VARIATION)
    lo, hi, ms = _pairs(p)
    d2 = _delta2(p, lo, hi)
    observed = Fraction(0)
    for g in np.unique(ms):
        # each unordered pair stands for two ordered pairs, each weighing 1/(m_u - 1)
        observed += Fraction(math.fsum(d2[ms == g])) * 2 / (int(g) - 1)
    return float(1 - (p.n - 1) * observed / expected)


def krippendorff_alpha(data: Any, level: str = "nominal") -> float:
    """Krippendorff's alpha by the coincidence-matrix method (Krippendorff 2011).

    ``data`` is coders × units; ``None``/NaN are missing. Only pairable
    values count: units with fewer than two values are left out. With o_ck
    the coincidences, n_c their marginals and n the number of pairable
    values, alpha = 1 - (n - 1) * sum o_ck d2_ck / sum n_c n_k d2_ck, where
    d2 is the level's metric: nominal 0/1; ordinal
    (sum_{g=c..k} n_g - (n_c + n_k)/2)^2 over the ranked values; interval
    (c - k)^2; ratio ((c - k)/(c + k))^2.

    Cost is linear in the number of values, except at the ratio level, whose
    expected disagreement sums over all pairs of distinct values (quadratic
    in their number: seconds for tens of thousands of distinct values).

    Raises AgreementUndefined when there are fewer than two pairable values
    or no variation (expected disagreement 0); ValueError for a ragged table,
    an unknown level, non-numbers at a numeric level or negative ratio values.
    """
    return _alpha(_prepare(data, level))


def _bootstrap_by_cells(
    rng: np.random.Generator,
    samples: int,
    m_pairs: int,
    prob: np.ndarray,
    d2: np.ndarray,
    diagonal: np.ndarray,
    d_e: float,
) -> np.ndarray:
    """Per-cell counts of each sample's M draws, drawn multinomially."""
    alphas = np.empty(samples, dtype=np.float64)
    chunk = max(1, 4_000_000 // max(prob.size, 1))
    for start in range(0, samples, chunk):
        size = min(chunk, samples - start)
        counts = rng.multinomial(m_pairs, prob, size=size)
        a = 1.0 - (counts @ d2) / (m_pairs * d_e)
        top = counts.argmax(axis=1)
        a[(counts[np.arange(size), top] == m_pairs) & diagonal[top]] = np.nan
        alphas[start : start + size] = a
    return alphas


def _bootstrap_by_pairs(
    rng: np.random.Generator,
    samples: int,
    ms: np.ndarray,
    pair_d2: np.ndarray,
    pair_cell: np.ndarray,
    diagonal: np.ndarray,
    d_e: float,
) -> np.ndarray:
    """Each sample's M draws as pair indices (for data with very many cells).

    Pairs in units with the same m_u weigh the same, so a draw picks a group
    of m_u with probability proportional to its total weight, then a pair
    uniformly within the group: the same distribution as the cell draws.
    """
    order = np.argsort(ms, kind="stable")
    ms = ms[order]
    pair_d2 = pair_d2[order]
    pair_cell = pair_cell[order]
    m_pairs = int(ms.size)
    groups, first, sizes = np.unique(ms, return_index=True, return_counts=True)
    group_weight = sizes * (2.0 / (groups - 1))
    group_prob = group_weight / group_weight.sum()
    alphas = np.empty(samples, dtype=np.float64)
    chunk = max(1, 4_000_000 // max(m_pairs, 1))
    for start in range(0, samples, chunk):
        size = min(chunk, samples - start)
        if groups.size == 1:
            idx = rng.integers(0, m_pairs, size=(size, m_pairs))
        else:
            g = rng.choice(groups.size, size=(size, m_pairs), p=group_prob)
            idx = first[g] + (rng.random((size, m_pairs)) * sizes[g]).astype(np.int64)
        s = pair_d2[idx].sum(axis=1)
        a = 1.0 - s / (m_pairs * d_e)
        for r in np.nonzero(s == 0)[0]:  # only all-diagonal samples can lack variation
            cells = pair_cell[idx[r]]
            if cells.min() == cells.max() and diagonal[cells[0]]:
                a[r] = np.nan
        alphas[start : start + size] = a
    return alphas


def _bootstrap_distribution(
    p: _Prepared,
    expected: Fraction,
    samples: int,
    rng: np.random.Generator,
    method: str | None = None,
) -> np.ndarray:
    """The sorted bootstrap alphas (see krippendorff_alpha_ci).

    ``method`` "cells" draws per-cell multinomial counts, "pairs" draws pair
    indices; by default cells when there are few distinct cells (at most an
    eighth of the pairs), pairs otherwise. Both draw the same distribution.
    """
    d_e = float(expected / (p.n * (p.n - 1)))
    lo, hi, ms = _pairs(p)
    m_pairs = int(lo.size)
    cells, pair_cell = np.unique(lo * p.k + hi, return_inverse=True)
    pair_cell = pair_cell.reshape(-1)
    cell_lo = cells // p.k
    cell_hi = cells % p.k
    diagonal = cell_lo == cell_hi
    if method is None:
        method = "cells" if cells.size * 8 <= m_pairs else "pairs"
    if method == "cells":
        weight = np.bincount(pair_cell, weights=2.0 / (ms - 1), minlength=cells.size)
        prob = weight / weight.sum()
        d2 = _delta2(p, cell_lo, cell_hi)
        alphas = _bootstrap_by_cells(rng, samples, m_pairs, prob, d2, diagonal, d_e)
    else:
        pair_d2 = _delta2(p, lo, hi)
        alphas = _bootstrap_by_pairs(rng, samples, ms, pair_d2, pair_cell, diagonal, d_e)
    np.maximum(alphas, -1.0, out=alphas)  # NaN (no variation) stays NaN here
    alphas[np.isnan(alphas)] = 0.0
    alphas.sort()
    return alphas


def krippendorff_alpha_ci(
    data: Any,
    level: str = "nominal",
    samples: int = 1000,
    seed: int | None = None,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Bootstrap confidence interval for alpha, after Hayes & Krippendorff (2007).

    What is resampled (the KALPHA procedure): the observed coincidence matrix
    and the expected disagreement D_e of the data are held fixed. Each
    bootstrap sample draws, with replacement, M pairs of values, M being the
    number of pairable pairs in the data (sum over units of m_u(m_u-1)/2; 239
    in H&K's example), from the data's pairs weighted by 1/(m_u - 1) -- that
    is, cell c-k of the coincidence matrix is drawn with probability o_ck/n
    (off-diagonal cells together with their mirror image). The sample's alpha
    is 1 - mean(d2 of the drawn pairs)/D_e, set to -1 if below -1. A sample
    whose pairs all fall in one and the same diagonal cell has no variation;
    KALPHA scores such samples 0 and estimates their number as
    round(samples * sum_c (o_cc/n)^M); we know each sample's draws and so find
    those samples exactly, and score them 0. The bounds are KALPHA's order
    statistics: with t = (1 - confidence)/2, the floor(t*samples)-th and the
    (floor((1-t)*samples)+1)-th smallest value (1-based, clipped to
    1..samples); for 1000 samples at 95 %, the 25th and the 976th.

    Deviation from KALPHA 3.0 (2011): that macro caps the number of draws at
    min(25 * non-empty cells, (coders - 1) * n / 2) for speed. We draw all M
    pairs as the 2007 article describes, which costs little here (per-cell
    multinomial counts) and keeps the interval shrinking as units are added.

    Reproducible for a given ``seed`` (numpy.random.default_rng). Raises as
    krippendorff_alpha does; ValueError for samples < 1 or a confidence
    outside (0, 1).
    """
    if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 1:
        raise ValueError("samples must be a positive integer")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    p = _prepare(data, level)
    expected = _expected_sum(p)
    _alpha(p, expected)  # raises AgreementUndefined exactly where alpha is undefined
    alphas = _bootstrap_distribution(p, expected, int(samples), np.random.default_rng(seed))
    tail = (1.0 - confidence) / 2.0
    low_rank = max(1, math.floor(tail * samples + 1e-9))
    high_rank = min(samples, math.floor((1.0 - tail) * samples + 1e-9) + 1)
    return float(alphas[low_rank - 1]), float(alphas[high_rank - 1])


# --------------------------------------------------------------------------
# Kappas and percent agreement
# --------------------------------------------------------------------------


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's (1960) kappa for two coders' labels on the same units.

    p_o is the share of units with equal labels; the chance term
    p_e = sum_k p_a(k) * p_b(k) uses each coder's OWN label distribution
    (not the pooled one). Labels may be any hashables; there is no missing
    value (drop units a coder did not code first), so None/NaN raise
    ValueError, as do sequences of different lengths. Raises
    AgreementUndefined for empty sequences or p_e == 1 (both coders used a
    single, identical label throughout).
    """
    a = list(a)
    b = list(b)
    if len(a) != len(b):
        raise ValueError(f"the two coders' sequences differ in length ({len(a)} vs {len(b)})")
    if any(_is_missing(v) for v in a) or any(_is_missing(v) for v in b):
        raise ValueError("Cohen's kappa takes no missing values; leave out units a coder did not code")
    n = len(a)
    agree = sum(1 for x, y in zip(a, b) if x == y)
    count_a = Counter(a)
    count_b = Counter(b)
    chance = sum(c * count_b.get(label, 0) for label, c in count_a.items())
    return _cohen_from_counts(n, agree, chance)


def fleiss_kappa(counts: Any) -> float:
    """Fleiss' (1971) kappa from a units × categories table of rating counts.

    Every row must sum to the same number of raters n. P_i =
    (sum_j n_ij^2 - n)/(n(n-1)), P-bar their mean, p_j the category shares,
    P-bar_e = sum_j p_j^2, kappa = (P-bar - P-bar_e)/(1 - P-bar_e).
    Raises AgreementUndefined when there are no units, n < 2, or
    P-bar_e == 1; ValueError for negative, non-integer or unequal row sums.
    """
    table = [list(row) for row in counts]
    if not table or not table[0]:
        raise AgreementUndefined(NO_UNITS)
    if any(len(row) != len(table[0]) for row in table):
        raise ValueError("every unit's row must have the same number of categories")
    ints: list[list[int]] = []
    for row in table:
        out = []
        for v in row:
            if isinstance(v, (str, bytes)) or not isinstance(v, (numbers.Real, np.bool_)):
                raise ValueError(f"counts must be non-negative integers, got {v!r}")
            if v != v or v < 0 or int(cast(SupportsInt, v)) != v:
                raise ValueError(f"counts must be non-negative integers, got {v!r}")
            out.append(int(cast(SupportsInt, v)))
        ints.append(out)
    sums = {sum(row) for row in ints}
    if len(sums) != 1:
        raise ValueError("every unit must have the same number of ratings (row sums differ)")
    raters = sums.pop()
    if raters < 2:
        raise AgreementUndefined(FEW_RATERS)
    units = len(ints)
    total = units * raters
    squares = sum(v * v for row in ints for v in row)
    p_bar = Fraction(squares - total, total * (raters - 1))
    columns = [sum(col) for col in zip(*ints)]
    p_e = Fraction(sum(c * c for c in columns), total * total)
    if p_e == 1:
        raise AgreementUndefined(FLEISS_NO_VARIATION)
    return float((p_bar - p_e) / (1 - p_e))


def _nominal_pair_counts(data: Any) -> tuple[int, dict[int, int], dict[int, int], int]:
    """(pairable units, pairs by m, agreeing pairs by m, distinct values seen)."""
    codes, _ = _encode(data, "nominal")
    distinct = int(codes.max()) + 1 if codes.size and codes.max() >= 0 else 0
    mu = (codes >= 0).sum(axis=0).astype(np.int64)
    pairable = mu >= 2
    codes = codes[:, pairable]
    mu = mu[pairable]
    agree = _agreeing_pairs(codes)
    pairs = mu * (mu - 1) // 2
    return int(pairable.sum()), _group_sums(mu, pairs), _group_sums(mu, agree), distinct


def percent_agreement(data: Any) -> float:
    """Observed agreement, a fraction 0-1.

    The mean over units with at least two values of the share of agreeing
    coder pairs in the unit (for two coders: the share of units on which they
    agree). ``data`` is coders × units, None/NaN missing. Raises
    AgreementUndefined when no unit has two values.
    """
    units, pairs_by_m, agree_by_m, _ = _nominal_pair_counts(data)
    return float(_observed_agreement(units, pairs_by_m, agree_by_m))


def brennan_prediger(data: Any, q: int | None = None) -> float:
    """Brennan–Prediger free-marginal kappa (Randolph's multirater kappa_free).

    kappa = (P_o - 1/q)/(1 - 1/q), with P_o the percent agreement above (the
    mean over units with at least two values of the share of agreeing coder
    pairs) and q the number of categories. By default q is the number of
    distinct non-missing values anywhere in ``data``, but at least 2 (so one
    value throughout counts as a binary scale). Callers with binary
    present/absent data should pass q=2 explicitly. Raises AgreementUndefined
    when q < 2 or no unit has two values; ValueError when q is not an integer
    or fewer than the distinct values observed.
    """
    units, pairs_by_m, agree_by_m, distinct = _nominal_pair_counts(data)
    if q is None:
        q = max(2, distinct)
    else:
        if isinstance(q, bool) or not isinstance(q, numbers.Integral):
            raise ValueError(f"q must be an integer number of categories, got {q!r}")
        q = int(q)
        if q < 2:
            raise AgreementUndefined(FEW_CATEGORIES)
        if q < distinct:
            raise ValueError(f"q={q} but the data hold {distinct} distinct values")
    return _free_marginal(_observed_agreement(units, pairs_by_m, agree_by_m), q)


# --------------------------------------------------------------------------
# Fast path for present/absent coding
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class BinaryAgreement:
    """Agreement on one code's present/absent values.

    ``units``: units with at least two non-missing values; ``disagreements``:
    those of them where the values are not all the same. A coefficient that is
    undefined is None and ``undefined`` maps its field name to the reason.
    ``cohen_kappa`` is None (and not listed as undefined) unless there are
    exactly two coders; it uses the units both coded.
    """

    units: int
    agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None
    brennan_prediger: float | None
    disagreements: int
    undefined: dict[str, str] = field(default_factory=dict, hash=False)


def binary_agreement(matrix: Any) -> BinaryAgreement:
    """All §7 coefficients for coders × units present (1) / absent (0) data.

    -1 or NaN is missing. Vectorised over units; the results are exactly
    (bit for bit) those of percent_agreement, cohen_kappa,
    krippendorff_alpha(level="nominal") and brennan_prediger(q=2) on the
    same data, because all go through the same exact rational formulas.
    """
    x = np.asarray(matrix)
    if x.ndim != 2:
        raise ValueError("matrix must be a 2-D coders × units array")
    if x.dtype.kind not in "biuf":
        try:
            x = x.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError("matrix must hold 1, 0, -1 or NaN") from exc
    ones = x == 1
    zeros = x == 0
    missing = x == -1
    if x.dtype.kind == "f":
        missing |= np.isnan(x)
    if not np.all(ones | zeros | missing):
        raise ValueError("matrix must hold 1 (present), 0 (absent), -1 or NaN (missing)")
    n_one = ones.sum(axis=0, dtype=np.int64)
    n_zero = zeros.sum(axis=0, dtype=np.int64)
    mu = n_one + n_zero
    pairable = mu >= 2
    units = int(pairable.sum())
    n_one = n_one[pairable]
    n_zero = n_zero[pairable]
    mu = mu[pairable]
    disagreements = int(np.count_nonzero((n_one > 0) & (n_zero > 0)))
    agree = n_one * (n_one - 1) // 2 + n_zero * (n_zero - 1) // 2
    pairs = mu * (mu - 1) // 2
    pairs_by_m = _group_sums(mu, pairs)
    agree_by_m = _group_sums(mu, agree)

    undefined: dict[str, str] = {}
    results: dict[str, float | None] = {
        "agreement": None,
        "cohen_kappa": None,
        "krippendorff_alpha": None,
        "brennan_prediger": None,
    }
    try:
        p_o = _observed_agreement(units, pairs_by_m, agree_by_m)
        results["agreement"] = float(p_o)
        results["brennan_prediger"] = _free_marginal(p_o, 2)
    except AgreementUndefined as exc:
        undefined["agreement"] = exc.reason
        undefined["brennan_prediger"] = exc.reason
    try:
        n_1 = int(n_one.sum())
        n_0 = int(n_zero.sum())
        results["krippendorff_alpha"] = _nominal_alpha(n_1 + n_0, n_1 * n_1 + n_0 * n_0, pairs_by_m, agree_by_m)
    except AgreementUndefined as exc:
        undefined["krippendorff_alpha"] = exc.reason
    if x.shape[0] == 2:
        both = pairable  # with two coders, a pairable unit is one both coded
        a1 = int(ones[0, both].sum())
        b1 = int(ones[1, both].sum())
        a0 = units - a1
        b0 = units - b1
        same = int(np.count_nonzero(ones[0, both] == ones[1, both]))
        try:
            results["cohen_kappa"] = _cohen_from_counts(units, same, a1 * b1 + a0 * b0)
        except AgreementUndefined as exc:
            undefined["cohen_kappa"] = exc.reason
    return BinaryAgreement(
        units=units,
        agreement=results["agreement"],
        cohen_kappa=results["cohen_kappa"],
        krippendorff_alpha=results["krippendorff_alpha"],
        brennan_prediger=results["brennan_prediger"],
        disagreements=disagreements,
        undefined=undefined,
    )
