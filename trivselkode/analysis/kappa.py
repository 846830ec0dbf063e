"""Cohen's and Fleiss' kappa, percent agreement, Brennan–Prediger, and all of them at
once for present/absent data (:func:`binary_agreement`).

See :mod:`trivselkode.analysis.agreement` for the data layout, the exactness and the references.
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, SupportsInt, cast

import numpy as np

from trivselkode.analysis.agreement_counts import (
    FEW_CATEGORIES,
    FEW_RATERS,
    FLEISS_NO_VARIATION,
    NO_UNITS,
    AgreementUndefined,
    agreeing_pairs,
    cohen_from_counts,
    encode,
    free_marginal,
    group_sums,
    is_missing,
    nominal_alpha,
    observed_agreement,
)

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
    if any(is_missing(v) for v in a) or any(is_missing(v) for v in b):
        raise ValueError("Cohen's kappa takes no missing values; leave out units a coder did not code")
    n = len(a)
    agree = sum(1 for x, y in zip(a, b) if x == y)
    count_a = Counter(a)
    count_b = Counter(b)
    chance = sum(c * count_b.get(label, 0) for label, c in count_a.items())
    return cohen_from_counts(n, agree, chance)


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
    codes, _ = encode(data, "nominal")
    distinct = int(codes.max()) + 1 if codes.size and codes.max() >= 0 else 0
    mu = (codes >= 0).sum(axis=0).astype(np.int64)
    pairable = mu >= 2
    codes = codes[:, pairable]
    mu = mu[pairable]
    agree = agreeing_pairs(codes)
    pairs = mu * (mu - 1) // 2
    return int(pairable.sum()), group_sums(mu, pairs), group_sums(mu, agree), distinct


def percent_agreement(data: Any) -> float:
    """Observed agreement, a fraction 0-1.

    The mean over units with at least two values of the share of agreeing
    coder pairs in the unit (for two coders: the share of units on which they
    agree). ``data`` is coders × units, None/NaN missing. Raises
    AgreementUndefined when no unit has two values.
    """
    units, pairs_by_m, agree_by_m, _ = _nominal_pair_counts(data)
    return float(observed_agreement(units, pairs_by_m, agree_by_m))


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
    return free_marginal(observed_agreement(units, pairs_by_m, agree_by_m), q)


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


@dataclass(frozen=True)
class BinaryCounts:
    """The sufficient statistics of present/absent data: what :func:`binary_agreement` needs.

    ``table[a, b]`` is the number of units with ``a`` values 1 and ``b`` values 0 (the rest missing);
    ``cohen`` (two coders only): over the units both coded, how many the first coder coded 1, how
    many the second did and on how many they agree. Counts of units side by side add up (``+``), so
    the pooled figures of several codes need not put their matrices together.
    """

    table: np.ndarray
    cohen: tuple[int, int, int] | None

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        if self.table.shape != other.table.shape:
            raise ValueError("counts of different numbers of coders do not add up")
        cohen = None
        if self.cohen is not None and other.cohen is not None:
            cohen = (self.cohen[0] + other.cohen[0], self.cohen[1] + other.cohen[1], self.cohen[2] + other.cohen[2])
        return BinaryCounts(self.table + other.table, cohen)


_CHUNK = 1 << 16  # units counted at a time: the temporary arrays stay small whatever the data's size


def binary_counts(matrix: Any) -> BinaryCounts:
    """The :class:`BinaryCounts` of coders × units present (1) / absent (0) data; -1 or NaN is missing."""
    x = np.asarray(matrix)
    if x.ndim != 2:
        raise ValueError("matrix must be a 2-D coders × units array")
    if x.dtype.kind not in "biuf":
        try:
            x = x.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError("matrix must hold 1, 0, -1 or NaN") from exc
    coders = x.shape[0]
    side = coders + 1
    table = np.zeros(side * side, dtype=np.int64)
    a1 = b1 = same = 0
    for start in range(0, x.shape[1], _CHUNK):
        part = x[:, start : start + _CHUNK]
        ones = part == 1
        zeros = part == 0
        missing = part == -1
        if part.dtype.kind == "f":
            missing |= np.isnan(part)
        if not np.all(ones | zeros | missing):
            raise ValueError("matrix must hold 1 (present), 0 (absent), -1 or NaN (missing)")
        key = ones.sum(axis=0, dtype=np.int64) * side + zeros.sum(axis=0, dtype=np.int64)
        table += np.bincount(key, minlength=side * side)
        if coders == 2:
            both = ~missing[0] & ~missing[1]  # with two coders, a pairable unit is one both coded
            a1 += int(np.count_nonzero(ones[0] & both))
            b1 += int(np.count_nonzero(ones[1] & both))
            same += int(np.count_nonzero((ones[0] == ones[1]) & both))
    return BinaryCounts(table.reshape(side, side), (a1, b1, same) if coders == 2 else None)


def binary_agreement(matrix: Any) -> BinaryAgreement:
    """All §7 coefficients for coders × units present (1) / absent (0) data.

    -1 or NaN is missing. Vectorised over units; the results are exactly
    (bit for bit) those of percent_agreement, cohen_kappa,
    krippendorff_alpha(level="nominal") and brennan_prediger(q=2) on the
    same data, because all go through the same exact rational formulas.
    """
    return agreement_of_counts(binary_counts(matrix))


def agreement_of_counts(counts: BinaryCounts) -> BinaryAgreement:
    """:func:`binary_agreement` from the data's :class:`BinaryCounts` (e.g. the sum of several codes')."""
    side = counts.table.shape[0]
    n_one, n_zero = np.indices((side, side))
    mu = n_one + n_zero
    pairable = (mu >= 2) & (counts.table > 0)
    cells = [(int(a), int(b), int(c)) for a, b, c in zip(n_one[pairable], n_zero[pairable], counts.table[pairable])]
    units = sum(c for _a, _b, c in cells)
    disagreements = sum(c for a, b, c in cells if a > 0 and b > 0)
    pairs_by_m: dict[int, int] = {}
    agree_by_m: dict[int, int] = {}
    for a, b, c in sorted(cells, key=lambda cell: cell[0] + cell[1]):
        g = a + b
        pairs_by_m[g] = pairs_by_m.get(g, 0) + c * (g * (g - 1) // 2)
        agree_by_m[g] = agree_by_m.get(g, 0) + c * (a * (a - 1) // 2 + b * (b - 1) // 2)
    n_1 = sum(a * c for a, _b, c in cells)
    n_0 = sum(b * c for _a, b, c in cells)

    undefined: dict[str, str] = {}
    results: dict[str, float | None] = {
        "agreement": None,
        "cohen_kappa": None,
        "krippendorff_alpha": None,
        "brennan_prediger": None,
    }
    try:
        p_o = observed_agreement(units, pairs_by_m, agree_by_m)
        results["agreement"] = float(p_o)
        results["brennan_prediger"] = free_marginal(p_o, 2)
    except AgreementUndefined as exc:
        undefined["agreement"] = exc.reason
        undefined["brennan_prediger"] = exc.reason
    try:
        results["krippendorff_alpha"] = nominal_alpha(n_1 + n_0, n_1 * n_1 + n_0 * n_0, pairs_by_m, agree_by_m)
    except AgreementUndefined as exc:
        undefined["krippendorff_alpha"] = exc.reason
    if counts.cohen is not None:
        a1, b1, same = counts.cohen
        a0 = units - a1
        b0 = units - b1
        try:
            results["cohen_kappa"] = cohen_from_counts(units, same, a1 * b1 + a0 * b0)
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
