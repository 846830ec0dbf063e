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
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from trivselkode.analysis.agreement_counts import (
    COHEN_NO_VARIATION,
    FEW_CATEGORIES,
    FEW_RATERS,
    FLEISS_NO_VARIATION,
    LEVELS,
    NO_PAIRABLE,
    NO_UNITS,
    NO_VARIATION,
    AgreementUndefined,
    agreeing_pairs,
    check_level,
    encode,
    group_sums,
    nominal_alpha,
)
from trivselkode.analysis.kappa import (
    BinaryAgreement,
    binary_agreement,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    percent_agreement,
)

__all__ = [
    "COHEN_NO_VARIATION",
    "FEW_CATEGORIES",
    "FEW_RATERS",
    "FLEISS_NO_VARIATION",
    "LEVELS",
    "NO_PAIRABLE",
    "NO_UNITS",
    "NO_VARIATION",
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
    check_level(level)
    codes, values = encode(data, level)
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
        agree = agreeing_pairs(p.codes)
        pairs = p.mu * (p.mu - 1) // 2
        return nominal_alpha(
            p.n,
            int(np.dot(p.n_c, p.n_c)),
            group_sums(p.mu, pairs),
            group_sums(p.mu, agree),
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
