"""The counting under the agreement coefficients: the coders × units table read and
encoded, and the exact formulas from sufficient statistics that the general
coefficients and :func:`~trivselkode.analysis.kappa.binary_agreement` share.

See :mod:`trivselkode.analysis.agreement` for the data layout and the references.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from trivselkode.i18n import N_, gettext_for

LEVELS = ("nominal", "ordinal", "interval", "ratio")

# Reasons, shared so that the general functions and binary_agreement agree.
NO_PAIRABLE = "fewer than two pairable values: no unit was coded by at least two coders"
NO_VARIATION = "no variation: every value is the same, so expected disagreement is 0"
NO_UNITS = "no units to compare"
COHEN_NO_VARIATION = "no variation: both coders used one and the same label throughout, so chance agreement is 1"
FLEISS_NO_VARIATION = "no variation: every rating falls in one category, so chance agreement is 1"
FEW_CATEGORIES = "fewer than two categories (q < 2), so agreement by chance is certain"
FEW_RATERS = "each unit needs at least two ratings"

# The reasons as the interface says them (Danish message ids; the English above is the library's own).
REASON_TEXT = {
    NO_PAIRABLE: N_("færre end to værdier at parre: ingen enhed er kodet af mindst to kodere"),
    NO_VARIATION: N_("ingen variation: alle værdier er ens, så den forventede uenighed er 0"),
    NO_UNITS: N_("ingen enheder at sammenligne"),
    COHEN_NO_VARIATION: N_(
        "ingen variation: begge kodere brugte én og samme værdi hele vejen, så enigheden ved tilfældighed er 1"
    ),
    FLEISS_NO_VARIATION: N_(
        "ingen variation: alle vurderinger falder i én kategori, så enigheden ved tilfældighed er 1"
    ),
    FEW_CATEGORIES: N_("færre end to kategorier (q < 2), så enighed ved tilfældighed er sikker"),
    FEW_RATERS: N_("hver enhed skal have mindst to vurderinger"),
}


def reason_text(reason: str, lang: str | None = None) -> str:
    """Why a coefficient is undefined, in the interface's language (or ``lang``)."""
    return gettext_for(lang)(REASON_TEXT.get(reason, reason))


class AgreementUndefined(Exception):
    """A coefficient is undefined for these data; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(value != value)
    return False


def check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")


def table_rows(data: Any) -> list[list[Any]]:
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


def encode_numeric_array(arr: np.ndarray, level: str) -> tuple[np.ndarray, np.ndarray]:
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


def encode(data: Any, level: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Codes (coders × units, int64, -1 missing) and, for numeric levels, values.

    For numeric levels the codes index the sorted array of distinct values.
    """
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        if data.ndim != 2:
            raise ValueError("data must be a 2-D coders × units array")
        codes, values = encode_numeric_array(data, level)
        return codes, (values.astype(np.float64) if level != "nominal" else None)
    rows = table_rows(data)
    n_units = len(rows[0]) if rows else 0
    if level != "nominal":
        arr = np.empty((len(rows), n_units), dtype=np.float64)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if is_missing(v):
                    arr[i, j] = np.nan
                elif isinstance(v, (numbers.Real, np.bool_)) and not isinstance(v, (str, bytes)):
                    arr[i, j] = float(v)
                else:
                    raise ValueError(f"{level} level needs numbers, got {v!r}")
        codes, values = encode_numeric_array(arr, level)
        return codes, values
    index: dict[Any, int] = {}
    codes = np.full((len(rows), n_units), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if not is_missing(v):
                codes[i, j] = index.setdefault(v, len(index))
    return codes, None


def agreeing_pairs(codes: np.ndarray) -> np.ndarray:
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


def group_sums(mu: np.ndarray, values: np.ndarray) -> dict[int, int]:
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


def observed_agreement(units: int, pairs_by_m: dict[int, int], agree_by_m: dict[int, int]) -> Fraction:
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


def nominal_alpha(n: int, sum_nc2: int, pairs_by_m: dict[int, int], agree_by_m: dict[int, int]) -> float:
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


def cohen_from_counts(n: int, agree: int, chance: int) -> float:
    """kappa = (p_o - p_e)/(1 - p_e) = (n*agree - chance)/(n^2 - chance).

    ``chance`` is sum_k a_k * b_k over each coder's own label counts.
    """
    if n == 0:
        raise AgreementUndefined(NO_UNITS)
    denominator = n * n - chance
    if denominator == 0:
        raise AgreementUndefined(COHEN_NO_VARIATION)
    return float(Fraction(n * agree - chance, denominator))


def free_marginal(p_o: Fraction, q: int) -> float:
    return float((q * p_o - 1) / (q - 1))
