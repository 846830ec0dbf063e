"""bench/run.py's arithmetic: how a figure is judged, the spread it prints, and the growth exponent."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# bench/run.py is a script beside the package, loaded under a name of its own
_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).resolve().parents[2] / "bench" / "run.py")
assert _spec and _spec.loader
run = sys.modules["bench_run"] = importlib.util.module_from_spec(_spec)  # dataclasses look it up
_spec.loader.exec_module(run)


def test_a_ratio_is_judged_on_the_medians_of_both_sides() -> None:
    fig = run.Figure("x", [1.0, 9.0, 2.0], 1.2, "<=", "ratio", [1.0, 0.1, 5.0], "floor")
    assert fig.value() == pytest.approx(2.0)  # median 2 over median 1: the outliers do not count
    assert not fig.ok()
    assert "judged on ratio: 2.00" in fig.line() and "MISS" in fig.line()


def test_an_inverse_ratio_and_a_lower_bound() -> None:
    fig = run.Figure("import", [4.0, 4.0, 5.0], 0.5, ">=", "inverse", [2.2, 2.0, 2.1], "nlp.pipe")
    assert fig.value() == pytest.approx(2.1 / 4.0)
    assert fig.ok()


def test_an_absolute_figure_can_be_judged_at_p95() -> None:
    samples = [0.5] * 18 + [3.0, 3.0]  # the 19th of 20 in order is the 95th percentile
    assert run.Figure("start", samples, 2.0).ok()  # the median
    assert not run.Figure("start", samples, 2.0, stat="p95").ok()


def test_added_is_a_difference_of_medians_in_the_unit() -> None:
    fig = run.Figure("key", [0.020, 0.021, 0.090], 0.015, "<=", "added", [0.004, 0.005, 0.006], "empty", unit="ms")
    assert fig.value() == pytest.approx(0.016)
    assert "+16.0 ms" in fig.line() and "MISS" in fig.line()


def test_spread_prints_median_and_range() -> None:
    assert run.spread([0.2, 0.1, 0.4]) == "0.20 s (0.10–0.40)"
    assert run.spread([0.012, 0.010, 0.020], "ms") == "12 ms (10–20)"


@pytest.mark.parametrize("b", [0.5, 1.0, 1.3])
def test_the_exponent_of_a_power_law_is_found(b: float) -> None:
    sizes = [100_000, 1_000_000, 4_000_000]
    assert run.exponent(sizes, [3e-6 * n**b for n in sizes]) == pytest.approx(b)
