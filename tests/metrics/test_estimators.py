"""Estimator tests: brute force over all k-subsets, edge cases, validation."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from itertools import combinations, pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vulnbench.metrics.estimators import (
    func_sec_at_k,
    harmonic_mean,
    pass_at_k,
    sec_at_k,
    secure_at_k,
    security_rate,
    vulnerable_at_k,
)

Estimator = Callable[[int, int, int], float]

AT_LEAST_ONE: list[Estimator] = [pass_at_k, vulnerable_at_k, func_sec_at_k]
ALL_ESTIMATORS: list[Estimator] = [*AT_LEAST_ONE, secure_at_k]


@st.composite
def n_c_k(draw: st.DrawFn, max_n: int = 10) -> tuple[int, int, int]:
    n = draw(st.integers(1, max_n))
    return n, draw(st.integers(0, n)), draw(st.integers(1, n))


def _subsets(n: int, c: int, k: int) -> list[tuple[bool, ...]]:
    pool = [True] * c + [False] * (n - c)
    return list(combinations(pool, k))


def brute_any(n: int, c: int, k: int) -> float:
    subsets = _subsets(n, c, k)
    return sum(any(s) for s in subsets) / len(subsets)


def brute_all(n: int, c: int, k: int) -> float:
    subsets = _subsets(n, c, k)
    return sum(all(s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("fn", AT_LEAST_ONE)
@given(args=n_c_k())
def test_at_least_one_matches_enumeration(fn: Estimator, args: tuple[int, int, int]) -> None:
    n, c, k = args
    assert math.isclose(fn(n, c, k), brute_any(n, c, k), rel_tol=1e-9, abs_tol=1e-12)


@given(args=n_c_k())
def test_secure_matches_enumeration(args: tuple[int, int, int]) -> None:
    n, s, k = args
    assert math.isclose(secure_at_k(n, s, k), brute_all(n, s, k), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [(10, 0, 1, 0.0), (10, 3, 1, 0.3), (5, 1, 5, 1.0), (4, 2, 2, 5 / 6), (200, 1, 100, 0.5)],
)
def test_pass_at_k_known_values(n: int, c: int, k: int, expected: float) -> None:
    assert math.isclose(pass_at_k(n, c, k), expected, rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize(
    ("n", "s", "k", "expected"),
    [(10, 3, 1, 0.3), (4, 2, 2, 1 / 6), (5, 5, 5, 1.0), (5, 4, 5, 0.0), (10, 0, 1, 0.0)],
)
def test_secure_at_k_known_values(n: int, s: int, k: int, expected: float) -> None:
    assert math.isclose(secure_at_k(n, s, k), expected, rel_tol=1e-9, abs_tol=1e-12)


def test_large_n_is_stable_and_exact() -> None:
    # Binomials this large overflow float; the term-by-term product must not.
    n, c, k = 2000, 37, 150
    exact_any = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
    exact_all = Fraction(math.comb(n - c, k), math.comb(n, k))
    assert math.isclose(pass_at_k(n, c, k), float(exact_any), rel_tol=1e-9)
    assert math.isclose(secure_at_k(n, n - c, k), float(exact_all), rel_tol=1e-9)


@pytest.mark.parametrize("fn", ALL_ESTIMATORS)
@given(n=st.integers(0, 20), data=st.data())
def test_nan_when_fewer_samples_than_k(fn: Estimator, n: int, data: st.DataObject) -> None:
    c = data.draw(st.integers(0, n))
    k = data.draw(st.integers(n + 1, n + 30))
    assert math.isnan(fn(n, c, k))


@pytest.mark.parametrize("fn", ALL_ESTIMATORS)
@pytest.mark.parametrize(
    ("n", "c", "k", "match"),
    [
        (-1, 0, 1, "n must be"),
        (5, -1, 1, "non-negative"),
        (5, 6, 1, "exceed"),
        (5, 2, 0, "k must be"),
        (5, 2, -3, "k must be"),
        (3, 4, 5, "exceed"),
    ],
)
def test_invalid_arguments_raise(fn: Estimator, n: int, c: int, k: int, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        fn(n, c, k)


@pytest.mark.parametrize("fn", ALL_ESTIMATORS)
def test_non_integer_counts_rejected(fn: Estimator) -> None:
    with pytest.raises(TypeError):
        fn(5.0, 2, 1)  # type: ignore[arg-type]


@given(args=n_c_k(max_n=30))
def test_monotone_in_k(args: tuple[int, int, int]) -> None:
    n, c, _ = args
    anys = [pass_at_k(n, c, k) for k in range(1, n + 1)]
    alls = [secure_at_k(n, c, k) for k in range(1, n + 1)]
    assert all(b >= a - 1e-12 for a, b in pairwise(anys))
    assert all(b <= a + 1e-12 for a, b in pairwise(alls))
    assert all(0.0 <= x <= 1.0 for x in anys + alls)


@given(args=n_c_k(max_n=30))
def test_monotone_in_count(args: tuple[int, int, int]) -> None:
    n, c, k = args
    if c < n:
        assert pass_at_k(n, c + 1, k) >= pass_at_k(n, c, k) - 1e-12
        assert secure_at_k(n, c + 1, k) >= secure_at_k(n, c, k) - 1e-12


def test_k_equals_one_is_plain_rate() -> None:
    for n in range(1, 12):
        for c in range(n + 1):
            assert math.isclose(pass_at_k(n, c, 1), c / n, abs_tol=1e-12)
            assert math.isclose(secure_at_k(n, c, 1), c / n, abs_tol=1e-12)


def test_security_rate() -> None:
    assert security_rate(3, 4) == 0.75
    assert security_rate(0, 5) == 0.0
    assert math.isnan(security_rate(0, 0))
    with pytest.raises(ValueError, match="exceed"):
        security_rate(5, 4)
    with pytest.raises(ValueError, match="non-negative"):
        security_rate(-1, 4)


def test_sec_at_k_is_order_dependent() -> None:
    flags = (False, False, True, False)
    assert sec_at_k(flags, 1) == 0.0
    assert sec_at_k(flags, 2) == 0.0
    assert sec_at_k(flags, 3) == 1.0
    assert sec_at_k(flags, 4) == 1.0
    assert sec_at_k((True, False, False, False), 1) == 1.0
    assert math.isnan(sec_at_k(flags, 5))
    assert math.isnan(sec_at_k((), 1))
    with pytest.raises(ValueError, match="k must be"):
        sec_at_k(flags, 0)


@given(flags=st.lists(st.booleans(), max_size=12), k=st.integers(1, 12))
def test_sec_at_k_properties(flags: list[bool], k: int) -> None:
    value = sec_at_k(flags, k)
    if len(flags) < k:
        assert math.isnan(value)
    else:
        assert value in (0.0, 1.0)
        # Positives past position k must not count.
        assert sec_at_k(flags[:k] + [True] * 3, k) == value


def test_harmonic_mean_values() -> None:
    assert harmonic_mean(0.5, 0.5) == 0.5
    assert math.isclose(harmonic_mean(1.0, 0.5), 2 / 3)
    assert harmonic_mean(0.0, 0.9) == 0.0
    assert harmonic_mean(0.9, 0.0) == 0.0
    assert math.isnan(harmonic_mean(math.nan, 0.5))
    assert math.isnan(harmonic_mean(0.0, math.nan))
    with pytest.raises(ValueError):
        harmonic_mean(-0.1, 0.5)


@given(a=st.floats(0.0, 1.0), b=st.floats(0.0, 1.0))
def test_harmonic_mean_bounds(a: float, b: float) -> None:
    h = harmonic_mean(a, b)
    assert min(a, b) - 1e-12 <= h <= (a + b) / 2 + 1e-12
    assert math.isclose(h, harmonic_mean(b, a))
