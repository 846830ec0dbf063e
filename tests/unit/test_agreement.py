"""Inter-coder agreement coefficients (SPEC §7): published worked examples,
reference packages, an exact rational re-implementation, undefined cases and
the bootstrap interval."""

from __future__ import annotations

import math
from fractions import Fraction

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from trivselkode.analysis import agreement as agreement_module
from trivselkode.analysis.agreement import (
    AgreementUndefined,
    BinaryAgreement,
    binary_agreement,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    krippendorff_alpha_ci,
    percent_agreement,
)

PUBLISHED = 5e-4  # published values are printed to three decimals
REFERENCE = 1e-9
LEVELS = ("nominal", "ordinal", "interval", "ratio")
HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section A:
# two observers, binary data, ten units.
KRIPP_BINARY = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]

# Krippendorff (2011), section C: four observers, twelve units, values 1-5,
# missing values. Published: nominal .743, ordinal .815, interval .849,
# ratio .797.
KRIPP_FOUR = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
KRIPP_FOUR_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}

# Hayes & Krippendorff (2007), Table 1: 40 units, 5 observers, values 0-3;
# published ordinal alpha .7598 (with 239 pairable pairs).
HK_UNITS = """
1 1 1 2 . 2 | 2 1 1 0 1 . | 3 2 3 3 3 . | 4 . 0 0 . 0 | 5 0 0 0 . 0
6 0 0 0 . 0 | 7 1 0 2 . 1 | 8 1 . 2 0 . | 9 2 2 2 . 2 | 10 2 1 1 1 .
11 . 1 0 0 . | 12 0 0 0 0 . | 13 1 2 2 2 . | 14 3 3 2 2 3 | 15 1 1 1 . 1
16 1 1 1 . 1 | 17 2 1 2 . 2 | 18 1 2 3 3 . | 19 1 1 0 1 . | 20 0 0 0 . 0
21 0 0 1 1 . | 22 0 0 . 0 0 | 23 2 3 3 3 . | 24 0 0 0 0 . | 25 1 2 . 2 2
26 0 1 1 1 . | 27 0 0 0 1 0 | 28 1 2 1 2 . | 29 1 1 2 2 . | 30 1 1 2 . 2
31 1 1 0 . 0 | 32 2 1 2 1 . | 33 2 2 . 2 2 | 34 3 2 2 2 . | 35 2 2 2 . 2
36 2 2 3 . 2 | 37 2 2 2 . 2 | 38 2 2 . 1 2 | 39 2 2 2 2 . | 40 1 1 1 . 1
"""


def _hayes_krippendorff_data() -> list[list[int | None]]:
    units = [u.split() for line in HK_UNITS.strip().splitlines() for u in line.split("|")]
    assert [int(u[0]) for u in units] == list(range(1, 41))
    by_unit = [[None if v == "." else int(v) for v in u[1:]] for u in units]
    return [list(coder) for coder in zip(*by_unit)]


def _as_nan_array(data) -> np.ndarray:
    return np.array([[np.nan if v is None else float(v) for v in row] for row in data])


# --------------------------------------------------------------------------
# An independent, literal rational implementation of Krippendorff (2011)
# --------------------------------------------------------------------------


def _reference_alpha(data, level: str) -> Fraction:
    """Coincidence matrix, marginals and metric exactly as the paper writes them."""
    n_units = len(data[0])
    coincidence: dict[tuple, Fraction] = {}
    for u in range(n_units):
        values = [row[u] for row in data if row[u] is not None]
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidence[(c, k)] = coincidence.get((c, k), Fraction(0)) + Fraction(1, m - 1)
    marg: dict = {}
    for (c, _k), o in coincidence.items():
        marg[c] = marg.get(c, Fraction(0)) + o
    n = sum(marg.values())
    ranked = sorted(marg) if level == "ordinal" else []

    def d2(c, k) -> Fraction:
        if level == "nominal":
            return Fraction(int(c != k))
        if level == "ordinal":
            lo, hi = sorted((ranked.index(c), ranked.index(k)))
            between = sum(marg[ranked[g]] for g in range(lo, hi + 1))
            return (between - (marg[c] + marg[k]) / 2) ** 2
        fc, fk = Fraction(c), Fraction(k)
        if level == "interval":
            return (fc - fk) ** 2
        return ((fc - fk) / (fc + fk)) ** 2 if fc + fk else Fraction(0)

    observed = sum(o * d2(c, k) for (c, k), o in coincidence.items())
    expected = sum(marg[c] * marg[k] * d2(c, k) for c in marg for k in marg)
    return 1 - (n - 1) * observed / expected


def _defined(data) -> bool:
    """Alpha is defined iff the pairable values exist and are not all the same."""
    pairable = []
    for u in range(len(data[0]) if data else 0):
        values = [row[u] for row in data if row[u] is not None]
        if len(values) >= 2:
            pairable.extend(values)
    return len(set(pairable)) >= 2


@st.composite
def reliability_data(draw, values=st.integers(0, 4), min_coders=1, max_coders=5, max_units=20):  # noqa: B008 - a strategy is immutable
    m = draw(st.integers(min_coders, max_coders))
    n_units = draw(st.integers(0, max_units))
    cell = st.one_of(st.none(), values)
    flat = draw(st.lists(cell, min_size=m * n_units, max_size=m * n_units))
    return [flat[i * n_units : (i + 1) * n_units] for i in range(m)]


NUMERIC_VALUES = st.sampled_from([0, 1, 2, 3, 5, 0.5, 2.25, 10])


# --------------------------------------------------------------------------
# Published worked examples
# --------------------------------------------------------------------------


def test_krippendorff_2011_binary_example():
    alpha = krippendorff_alpha(KRIPP_BINARY)
    assert abs(alpha - 0.095) < PUBLISHED
    # o_00 = 10, o_11 = 2, o_01 = o_10 = 4; n_0 = 14, n_1 = 6, n = 20:
    # alpha = 1 - 19 * 8 / (2 * 14 * 6) = 2/21
    assert alpha == float(Fraction(2, 21))
    package = krippendorff.alpha(reliability_data=np.array(KRIPP_BINARY, float), level_of_measurement="nominal")
    assert abs(alpha - package) < REFERENCE
    assert type(alpha) is float


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_four_coder_example(level):
    alpha = krippendorff_alpha(KRIPP_FOUR, level)
    assert abs(alpha - KRIPP_FOUR_PUBLISHED[level]) < PUBLISHED
    package = krippendorff.alpha(reliability_data=_as_nan_array(KRIPP_FOUR), level_of_measurement=level)
    assert abs(alpha - package) < REFERENCE
    exact = _reference_alpha(KRIPP_FOUR, level)
    if level in ("nominal", "ordinal"):
        assert alpha == float(exact)  # counts: exactly rounded
    else:
        assert abs(alpha - float(exact)) < 1e-14
    # the same result from a numpy array with NaN
    assert krippendorff_alpha(_as_nan_array(KRIPP_FOUR), level) == alpha


def test_hayes_krippendorff_2007_example():
    data = _hayes_krippendorff_data()
    alpha = krippendorff_alpha(data, "ordinal")
    assert abs(alpha - 0.7598) < 5e-5
    for level in LEVELS:
        package = krippendorff.alpha(reliability_data=_as_nan_array(data), level_of_measurement=level)
        assert abs(krippendorff_alpha(data, level) - package) < REFERENCE


def test_cohen_1960_example():
    # Cohen (1960), Table 1: 200 items, three categories, proportions
    #               judge A: 1     2     3   | judge B total
    #   judge B 1:         .44   .07   .09  | .60
    #   judge B 2:         .05   .20   .05  | .30
    #   judge B 3:         .01   .03   .06  | .10
    #   judge A total:     .50   .30   .20
    # p_o = .44 + .20 + .06 = .70, p_e = .5*.6 + .3*.3 + .2*.1 = .41,
    # kappa = .29/.59 = .4915 (printed .492). Kappa depends only on the
    # diagonal and the marginals, which the printed p_o and p_e pin down.
    table = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]  # rows: judge B, columns: judge A
    a, b = [], []
    for row, line in enumerate(table):
        for col, count in enumerate(line):
            a += [f"cat{col + 1}"] * count
            b += [f"cat{row + 1}"] * count
    assert len(a) == 200
    kappa = cohen_kappa(a, b)
    assert abs(kappa - 0.492) < PUBLISHED
    assert kappa == float(Fraction(29, 59))
    assert abs(kappa - cohen_kappa_score(a, b)) < REFERENCE


def test_cohen_uses_each_coders_own_marginals():
    # Coder a says "yes" 8 times of 10, coder b 2 times; they agree on 4 units.
    a = ["yes"] * 8 + ["no"] * 2
    b = ["yes"] * 2 + ["no"] * 8
    # p_o = 4/10; own marginals: p_e = .8*.2 + .2*.8 = .32 -> kappa = .08/.68
    assert cohen_kappa(a, b) == float(Fraction(8, 68))
    # pooled marginals (yes = .5) would give p_e = .5 and kappa = -.2
    assert cohen_kappa(a, b) != pytest.approx(-0.2)


FLEISS_WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_1971_wikipedia_example():
    # 10 subjects, 14 raters, 5 categories (Wikipedia "Fleiss' kappa"):
    # P-bar = 688/1820 = .378, P-bar_e = .213, kappa = .210
    kappa = fleiss_kappa(FLEISS_WIKIPEDIA)
    assert abs(kappa - 0.210) < PUBLISHED
    p_bar = Fraction(688, 1820)
    columns = [sum(c) for c in zip(*FLEISS_WIKIPEDIA)]
    p_e = sum(Fraction(c, 140) ** 2 for c in columns)
    assert abs(float(p_e) - 0.213) < PUBLISHED
    assert kappa == float((p_bar - p_e) / (1 - p_e))
    assert abs(kappa - sm_fleiss_kappa(np.array(FLEISS_WIKIPEDIA), method="fleiss")) < REFERENCE


def _table_to_coders(table) -> list[list[int]]:
    """A units × categories count table as a raters × units matrix.

    Which rater gives which rating inside a unit does not matter to the
    free-marginal kappa or to percent agreement, so rater r takes the r-th
    rating of each unit.
    """
    units = [[cat for cat, count in enumerate(row) for _ in range(count)] for row in table]
    return [list(rater) for rater in zip(*units)]


def test_free_marginal_hand_checked_example():
    # The Fleiss table above as 14 raters × 10 units. Per unit
    # P_i = (sum_j n_ij^2 - 14)/(14*13) = (182, 46, 56, 80, 60, 84, 44, 32,
    # 52, 52)/182, so P_o = 688/1820. With q = 5 categories,
    # kappa_free = (688/1820 - 1/5)/(1 - 1/5) = (688 - 364)/1820 * 5/4 = 81/364.
    data = _table_to_coders(FLEISS_WIKIPEDIA)
    assert percent_agreement(data) == float(Fraction(688, 1820))
    assert brennan_prediger(data) == float(Fraction(81, 364))  # q = 5 observed values
    assert brennan_prediger(data, q=5) == float(Fraction(81, 364))
    assert abs(brennan_prediger(data) - 0.2225) < 5e-5
    assert abs(brennan_prediger(data) - sm_fleiss_kappa(np.array(FLEISS_WIKIPEDIA), method="randolph")) < REFERENCE
    # Krippendorff's binary example: the coders agree on 6 units of 10, so
    # P_o = .6 and with q = 2, kappa = (.6 - .5)/.5 = .2.
    assert percent_agreement(KRIPP_BINARY) == 0.6
    assert brennan_prediger(KRIPP_BINARY, q=2) == 0.2
    # q = 3 for the same data (one category never used): (.6 - 1/3)/(2/3) = .4
    assert brennan_prediger(KRIPP_BINARY, q=3) == pytest.approx(0.4, abs=1e-15)


def test_percent_agreement_with_missing_values():
    # Krippendorff's four-coder data: unit 12 has one value and is left out;
    # shares of agreeing pairs in units 1-11: 1, 1/2, 1, 1, 1, 0, 1, 1/2, 1, 1, 1.
    assert percent_agreement(KRIPP_FOUR) == float(Fraction(9, 11))


# --------------------------------------------------------------------------
# Reference packages and the exact re-implementation on random data
# --------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@HYPOTHESIS
@given(data=st.data())
def test_alpha_matches_krippendorff_package(level, data):
    values = st.integers(0, 4) if level in ("nominal", "ordinal") else NUMERIC_VALUES
    table = data.draw(reliability_data(values=values))
    if not _defined(table):
        with pytest.raises(AgreementUndefined) as info:
            krippendorff_alpha(table, level)
        assert info.value.reason
        return
    ours = krippendorff_alpha(table, level)
    package = krippendorff.alpha(reliability_data=_as_nan_array(table), level_of_measurement=level)
    assert type(ours) is float and not math.isnan(ours)
    assert abs(ours - package) < REFERENCE
    exact = _reference_alpha(table, level)
    if level in ("nominal", "ordinal"):
        assert ours == float(exact)
    else:
        assert abs(ours - float(exact)) < 1e-12


@HYPOTHESIS
@given(table=reliability_data(values=st.sampled_from(["a", "b", "c", 7, True, 2.5])))
def test_alpha_nominal_takes_any_hashable(table):
    if not _defined(table):
        with pytest.raises(AgreementUndefined):
            krippendorff_alpha(table)
        return
    assert krippendorff_alpha(table) == float(_reference_alpha(table, "nominal"))


@HYPOTHESIS
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["x", "y", "z", 3]), st.sampled_from(["x", "y", "z", 3])),
        min_size=1,
        max_size=40,
    )
)
def test_cohen_matches_sklearn(pairs):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    if len(set(a)) == 1 and set(a) == set(b):
        with pytest.raises(AgreementUndefined) as info:
            cohen_kappa(a, b)
        assert "no variation" in info.value.reason
        return
    ours = cohen_kappa(a, b)
    assert type(ours) is float
    assert abs(ours - cohen_kappa_score([str(v) for v in a], [str(v) for v in b])) < REFERENCE


@st.composite
def count_tables(draw):
    units = draw(st.integers(1, 15))
    categories = draw(st.integers(1, 5))
    raters = draw(st.integers(2, 7))
    rows = []
    for _ in range(units):
        ratings = draw(st.lists(st.integers(0, categories - 1), min_size=raters, max_size=raters))
        rows.append([ratings.count(c) for c in range(categories)])
    return rows


@HYPOTHESIS
@given(table=count_tables())
def test_fleiss_matches_statsmodels(table):
    used = [c for c in zip(*table) if sum(c)]
    if len(used) < 2:
        with pytest.raises(AgreementUndefined) as info:
            fleiss_kappa(table)
        assert "no variation" in info.value.reason
        return
    ours = fleiss_kappa(table)
    assert type(ours) is float
    assert abs(ours - sm_fleiss_kappa(np.array(table), method="fleiss")) < REFERENCE


@HYPOTHESIS
@given(
    table=st.integers(2, 5).flatmap(
        lambda m: st.integers(1, 20).flatmap(
            lambda n: st.lists(st.lists(st.integers(0, 3), min_size=n, max_size=n), min_size=m, max_size=m)
        )
    )
)
def test_brennan_prediger_matches_statsmodels_randolph(table):
    # statsmodels' Randolph kappa uses q = number of columns of the count
    # table, and aggregate_raters makes one column per distinct value seen:
    # the same convention as our default q.
    counts, categories = aggregate_raters(np.array(table).T)
    ours = brennan_prediger(table)
    assert type(ours) is float
    if len(categories) < 2:
        assert ours == 1.0  # one value throughout: q defaults to 2, P_o = 1
        return
    assert abs(ours - sm_fleiss_kappa(counts, method="randolph")) < REFERENCE
    assert brennan_prediger(table, q=len(categories)) == ours


@HYPOTHESIS
@given(table=reliability_data(values=st.integers(0, 2)))
def test_percent_agreement_is_mean_share_of_agreeing_pairs(table):
    shares = []
    for u in range(len(table[0]) if table else 0):
        values = [row[u] for row in table if row[u] is not None]
        if len(values) >= 2:
            pairs = [(x, y) for i, x in enumerate(values) for y in values[i + 1 :]]
            shares.append(Fraction(sum(x == y for x, y in pairs), len(pairs)))
    if not shares:
        with pytest.raises(AgreementUndefined):
            percent_agreement(table)
        return
    expected = sum(shares) / len(shares)
    assert percent_agreement(table) == float(expected)
    assert brennan_prediger(table, q=3) == float((3 * expected - 1) / 2)


# --------------------------------------------------------------------------
# binary_agreement against the general functions
# --------------------------------------------------------------------------


@st.composite
def binary_matrices(draw):
    m = draw(st.integers(1, 4))
    n_units = draw(st.integers(0, 30))
    flat = draw(st.lists(st.sampled_from([1, 0, -1, "nan"]), min_size=m * n_units, max_size=m * n_units))
    matrix = np.array([np.nan if v == "nan" else float(v) for v in flat]).reshape(m, n_units)
    return matrix


def _general(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs), None
    except AgreementUndefined as exc:
        return None, exc.reason


@HYPOTHESIS
@given(matrix=binary_matrices())
def test_binary_agreement_equals_general_functions(matrix):
    result = binary_agreement(matrix)
    assert isinstance(result, BinaryAgreement)
    data = [[None if (np.isnan(v) or v == -1) else int(v) for v in row] for row in matrix]
    columns = [[v for v in col if v is not None] for col in zip(*data)] if data[0] else []
    pairable = [c for c in columns if len(c) >= 2]
    assert result.units == len(pairable)
    assert result.disagreements == sum(len(set(c)) > 1 for c in pairable)

    expected = {
        "agreement": _general(percent_agreement, data),
        "krippendorff_alpha": _general(krippendorff_alpha, data, "nominal"),
        "brennan_prediger": _general(brennan_prediger, data, q=2),
    }
    if matrix.shape[0] == 2:
        both = [u for u in range(matrix.shape[1]) if data[0][u] is not None and data[1][u] is not None]
        expected["cohen_kappa"] = _general(cohen_kappa, [data[0][u] for u in both], [data[1][u] for u in both])
    else:
        assert result.cohen_kappa is None
        assert "cohen_kappa" not in result.undefined
    for name, (value, reason) in expected.items():
        got = getattr(result, name)
        assert got == value, name  # bit for bit, not approximately
        if value is None:
            assert result.undefined[name] == reason
        else:
            assert type(got) is float and name not in result.undefined
    # -1 and NaN are both missing
    as_int = np.where(np.isnan(matrix), -1, matrix).astype(np.int64)
    assert binary_agreement(as_int) == result


def test_binary_agreement_example_and_rejects_other_values():
    result = binary_agreement(np.array(KRIPP_BINARY))
    assert result == BinaryAgreement(
        units=10,
        agreement=0.6,
        cohen_kappa=float(Fraction(1, 11)),  # p_o = .6, p_e = .8*.6 + .2*.4 = .56
        krippendorff_alpha=float(Fraction(2, 21)),
        brennan_prediger=0.2,
        disagreements=4,
        undefined={},
    )
    with pytest.raises(ValueError):
        binary_agreement(np.array([[0, 2], [1, 1]]))
    with pytest.raises(ValueError):
        binary_agreement(np.array([0, 1]))


def test_binary_agreement_undefined_cases():
    absent = binary_agreement(np.zeros((3, 50)))
    assert absent.units == 50 and absent.disagreements == 0
    assert absent.agreement == 1.0 and absent.brennan_prediger == 1.0
    assert absent.krippendorff_alpha is None
    assert "no variation" in absent.undefined["krippendorff_alpha"]
    assert absent.cohen_kappa is None and "cohen_kappa" not in absent.undefined  # three coders

    two = binary_agreement(np.zeros((2, 5)))
    assert two.cohen_kappa is None and "no variation" in two.undefined["cohen_kappa"]

    lonely = binary_agreement(np.array([[1, -1, 0], [-1, 1, -1]]))
    assert lonely.units == 0
    assert set(lonely.undefined) == {"agreement", "krippendorff_alpha", "brennan_prediger", "cohen_kappa"}
    assert all(getattr(lonely, f) is None for f in lonely.undefined)

    empty = binary_agreement(np.zeros((2, 0)))
    assert empty.units == 0 and empty.agreement is None and empty.undefined["agreement"]


# --------------------------------------------------------------------------
# Undefined cases and bad input
# --------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_undefined_cases(level):
    cases = {
        "no variation": [[0, 0, 0], [0, 0, 0], [0, None, 0]],
        "pairable": [[1, None], [None, 2]],  # a single value per unit
        "no unit": [[], []],
    }
    for expected, data in cases.items():
        with pytest.raises(AgreementUndefined) as info:
            krippendorff_alpha(data, level)
        assert expected in info.value.reason
        with pytest.raises(AgreementUndefined):
            krippendorff_alpha_ci(data, level, seed=1)
    with pytest.raises(AgreementUndefined):
        krippendorff_alpha([], level)


def test_other_undefined_cases():
    for fn in (percent_agreement, brennan_prediger):
        for data in ([[1, None], [None, 2]], [], [[], []], [[1, 2, 3]]):
            with pytest.raises(AgreementUndefined) as info:
                fn(data)
            assert info.value.reason
    with pytest.raises(AgreementUndefined) as info:
        cohen_kappa([], [])
    assert info.value.reason
    with pytest.raises(AgreementUndefined):
        cohen_kappa(["a"] * 4, ["a"] * 4)
    assert cohen_kappa(["a"] * 4, ["b"] * 4) == 0.0  # constant but different: p_e = 0
    with pytest.raises(AgreementUndefined) as info:
        fleiss_kappa([[3, 0], [3, 0]])
    assert "no variation" in info.value.reason
    with pytest.raises(AgreementUndefined):
        fleiss_kappa([])
    with pytest.raises(AgreementUndefined):
        fleiss_kappa([[1, 0], [0, 1]])  # one rating per unit
    for q in (1, 0):
        with pytest.raises(AgreementUndefined) as info:
            brennan_prediger(KRIPP_BINARY, q=q)
        assert "q < 2" in info.value.reason
    assert brennan_prediger([[0, 0, 0], [0, 0, 0]]) == 1.0  # q defaults to at least 2
    assert percent_agreement([[0, 0, 0], [0, 0, 0]]) == 1.0


def test_bad_input_raises_value_error():
    with pytest.raises(ValueError):
        cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(ValueError):
        cohen_kappa([1, None], [1, 2])
    with pytest.raises(ValueError):
        krippendorff_alpha([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError):
        krippendorff_alpha(KRIPP_FOUR, "cardinal")
    with pytest.raises(ValueError):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(ValueError):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")
    with pytest.raises(ValueError):
        fleiss_kappa([[2, 1], [1, 1]])  # unequal numbers of raters
    with pytest.raises(ValueError):
        fleiss_kappa([[1.5, 1.5], [2, 1]])
    with pytest.raises(ValueError):
        brennan_prediger([[0, 1, 2], [0, 1, 2]], q=2)  # three values seen
    with pytest.raises(ValueError):
        krippendorff_alpha_ci(KRIPP_FOUR, samples=0)
    with pytest.raises(ValueError):
        krippendorff_alpha_ci(KRIPP_FOUR, confidence=1.0)


def test_nan_is_missing_and_nominal_values_use_python_equality():
    with_nan = [[1, float("nan"), 2, 2], [1, 3, 2, 1]]
    with_none = [[1, None, 2, 2], [1, 3, 2, 1]]
    assert krippendorff_alpha(with_nan) == krippendorff_alpha(with_none)
    assert percent_agreement(with_nan) == percent_agreement(with_none) == float(Fraction(2, 3))
    labels = [["yes", "no", "no", "yes"], ["yes", "no", "yes", "yes"]]
    numbers = [[1, 0, 0, 1], [1.0, False, True, 1]]
    assert krippendorff_alpha(labels) == krippendorff_alpha(numbers)


# --------------------------------------------------------------------------
# Bootstrap confidence interval
# --------------------------------------------------------------------------


def _synthetic(units: int, seed: int, coders: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, size=units)
    noise = rng.random((coders, units)) < 0.2
    data = np.where(noise, rng.integers(0, 3, size=(coders, units)), truth).astype(float)
    data[rng.random((coders, units)) < 0.1] = np.nan
    return data


def test_ci_is_reproducible_with_a_seed():
    data = _hayes_krippendorff_data()
    first = krippendorff_alpha_ci(data, "ordinal", seed=42)
    assert first == krippendorff_alpha_ci(data, "ordinal", seed=42)
    assert all(type(v) is float for v in first)
    assert first != krippendorff_alpha_ci(data, "ordinal", seed=43)


@pytest.mark.parametrize("level", LEVELS)
def test_ci_contains_the_point_estimate(level):
    for data in (_hayes_krippendorff_data(), KRIPP_FOUR, _synthetic(300, seed=5)):
        alpha = krippendorff_alpha(data, level)
        low, high = krippendorff_alpha_ci(data, level, seed=7)
        assert -1.0 <= low < alpha < high <= 1.0


def test_ci_narrows_with_more_units():
    small = _synthetic(100, seed=1)
    large = np.tile(small, 10)  # the same agreement, ten times the units
    assert krippendorff_alpha(large) == pytest.approx(krippendorff_alpha(small), abs=0.01)
    low_s, high_s = krippendorff_alpha_ci(small, seed=3)
    low_l, high_l = krippendorff_alpha_ci(large, seed=3)
    assert high_l - low_l < 0.5 * (high_s - low_s)


def test_ci_order_statistics_and_kalpha_rules():
    # Perfect agreement over two values: every resample agrees perfectly...
    assert krippendorff_alpha_ci([[0, 1] * 30, [0, 1] * 30], seed=1) == (1.0, 1.0)
    # ...unless all its pairs fall in one diagonal cell (no variation), which
    # KALPHA scores 0: with two units, half the resamples of M = 2 pairs do.
    assert krippendorff_alpha_ci([[0, 1], [0, 1]], seed=1) == (0.0, 1.0)
    # Resampled alphas below -1 are set to -1: here n = 6, D_e = 1/3, M = 3,
    # and with probability 1/27 all three pairs disagree (alpha 1 - 3 = -2).
    data = [[0, 0, 0], [1, 0, 0]]
    assert krippendorff_alpha(data) == 0.0
    assert krippendorff_alpha_ci(data, seed=1)[0] == -1.0
    # One resample: both bounds are that resample.
    low, high = krippendorff_alpha_ci(KRIPP_FOUR, samples=1, seed=2)
    assert low == high


def test_ci_cell_and_pair_samplers_agree():
    # Few distinct pairs of values are drawn as per-cell multinomial counts,
    # many as individual pairs; both must give the same distribution, centred
    # on alpha (a resample's expected mean disagreement is D_o when pairs are
    # drawn with weight 1/(m_u - 1), as the coincidence matrix weighs them).
    prepared = agreement_module._prepare(_hayes_krippendorff_data(), "ordinal")
    expected = agreement_module._expected_sum(prepared)
    alpha = agreement_module._alpha(prepared)
    assert agreement_module._pairs(prepared)[0].size == 239  # H&K's number of pairs
    draws = {
        method: agreement_module._bootstrap_distribution(
            prepared, expected, 20000, np.random.default_rng(1), method=method
        )
        for method in ("cells", "pairs")
    }
    for sample in draws.values():
        assert abs(sample.mean() - alpha) < 0.003
    q = [2.5, 50, 97.5]
    assert np.allclose(np.percentile(draws["cells"], q), np.percentile(draws["pairs"], q), atol=0.01)


def test_ci_on_many_distinct_values():
    rng = np.random.default_rng(11)
    truth = rng.normal(50, 10, size=80)
    data = np.abs(truth + rng.normal(0, 3, size=(3, 80)))  # ~240 distinct values
    for level in ("interval", "ratio", "ordinal"):
        alpha = krippendorff_alpha(data, level)
        package = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        assert abs(alpha - package) < REFERENCE
        low, high = krippendorff_alpha_ci(data, level, seed=4)
        assert low < alpha < high
