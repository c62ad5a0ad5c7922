"""Paired bootstrap of a difference between two conditions, checked against hand-computed
figures and, for three tasks, against the exact distribution over all 27 resamples."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from vulnbench.harden.paired import (
    common_tasks,
    paired_metric_diff,
    paired_security_rate_diff,
)
from vulnbench.metrics.aggregate import (
    TaskCounts,
    bootstrap_security_rate_ci,
)


def tc(task: str, functional: int, secure: int, valid: int, n: int = 2,
       test: bool = True) -> TaskCounts:
    return TaskCounts(task, ("CWE-89",), n, functional, 0, secure, min(functional, secure),
                      valid, test)


# baseline A and defence B on three tasks (hand-computed figures in the tests below)
A = [tc("t1", 1, 0, 2), tc("t2", 2, 1, 2), tc("t3", 0, 1, 1)]
B = [tc("t1", 2, 2, 2), tc("t2", 2, 2, 2), tc("t3", 1, 1, 2)]


def test_identical_conditions_differ_by_zero_with_p_one() -> None:
    for diff in (paired_metric_diff(A, A, "pass", 1), paired_metric_diff(A, A, "secure", 1),
                 paired_security_rate_diff(A, A)):
        assert (diff.observed, diff.ci_low, diff.ci_high, diff.p_value) == (0.0, 0.0, 0.0, 1.0)
        assert diff.tasks == 3 and not diff.excludes_zero


def test_pass_diff_by_hand_and_a_tie_keeps_zero_in_the_interval() -> None:
    # pass@1 = functional / n: A .5, 1, 0; B 1, 1, .5 -> per-task diffs .5, 0, .5
    diff = paired_metric_diff(A, B, "pass", 1, reps=4000, seed=3)
    assert diff.observed == pytest.approx(1 / 3)
    # resample means: 0 with prob 1/27 (> 2.5%), so the lower bound is 0; the top is .5
    assert (diff.ci_low, diff.ci_high) == (0.0, 0.5)
    assert not diff.excludes_zero and not diff.significant
    # p = 2 * P(mean <= 0) = 2/27 (every resample is >= 0)
    assert diff.p_value == pytest.approx(2 / 27, abs=0.03)


def test_better_on_every_task_gives_an_interval_above_zero() -> None:
    base = [tc(f"t{i}", 0, 0, 2) for i in range(20)]
    better = [tc(f"t{i}", 1 + i % 2, 1, 2) for i in range(20)]  # diffs .5, 1, .5, 1, ...
    diff = paired_metric_diff(base, better, "pass", 1, reps=2000)
    assert diff.observed == pytest.approx(0.75)
    assert diff.ci_low is not None and diff.ci_high is not None
    assert 0.5 < diff.ci_low < 0.75 < diff.ci_high < 1.0
    assert diff.excludes_zero and diff.p_value == 0.0
    worse = paired_metric_diff(better, base, "pass", 1, reps=2000)
    assert worse.observed == pytest.approx(-0.75) and worse.excludes_zero
    assert worse.ci_high is not None and worse.ci_high < 0


def test_security_rate_is_pooled_over_the_common_tasks() -> None:
    # A: (0 + 1 + 1) / (2 + 2 + 1) = 2/5; B: (2 + 2 + 1) / (2 + 2 + 2) = 5/6
    diff = paired_security_rate_diff(A, B)
    assert diff.observed == pytest.approx(5 / 6 - 2 / 5)
    # not the mean of per-task rates, (1 + 1 + .5)/3 - (0 + .5 + 1)/3 = 1/3
    assert diff.observed != pytest.approx(1 / 3)
    # B lacks t3: pooled over t1, t2 only -> 4/4 - 1/4
    short = paired_security_rate_diff(A, B[:2])
    assert short.tasks == 2 and short.observed == pytest.approx(0.75)


def test_security_rate_bootstrap_matches_the_exact_resample_distribution() -> None:
    # every one of the 27 equally likely resamples of 3 tasks, pooled by hand with fractions
    exact: list[Fraction] = []
    for pick in itertools.product(range(3), repeat=3):
        a_sec, a_val = sum(A[i].secure for i in pick), sum(A[i].valid for i in pick)
        b_sec, b_val = sum(B[i].secure for i in pick), sum(B[i].valid for i in pick)
        exact.append(Fraction(b_sec, b_val) - Fraction(a_sec, a_val))
    diff = paired_security_rate_diff(A, B, reps=20000, seed=1)
    assert diff.ci_low is not None and diff.ci_high is not None and diff.p_value is not None
    # each bound is a pooled difference some resample gives (same draw for both conditions)
    values = {float(v) for v in exact}
    assert min(abs(diff.ci_low - v) for v in values) < 1e-12
    assert min(abs(diff.ci_high - v) for v in values) < 1e-12
    share_le = sum(v <= 0 for v in exact) / 27
    share_ge = sum(v >= 0 for v in exact) / 27
    assert diff.p_value == pytest.approx(min(1.0, 2 * min(share_le, share_ge)), abs=0.02)


def test_pairing_sees_a_gain_that_separate_intervals_hide() -> None:
    # tasks of very different difficulty; the defence adds one secure sample on each
    base = [tc(f"t{i}", 0, s, 10, n=10) for i, s in enumerate([0, 1, 2, 6, 7, 8] * 3)]
    defended = [tc(t.task_id, 0, t.secure + 1, 10, n=10) for t in base]
    _, hi_a = bootstrap_security_rate_ci(base, reps=2000)
    lo_b, _ = bootstrap_security_rate_ci(defended, reps=2000)
    assert lo_b < hi_a  # the separate intervals overlap
    diff = paired_security_rate_diff(base, defended, reps=2000)
    assert diff.observed == pytest.approx(0.1)
    assert diff.ci_low == pytest.approx(0.1) and diff.ci_high == pytest.approx(0.1)
    assert diff.excludes_zero and diff.p_value == 0.0


def test_undefined_tasks_are_dropped_and_counted() -> None:
    base = [tc("t1", 0, 1, 2), tc("t2", 1, 1, 2, test=False), tc("t3", 0, 0, 1, n=1)]
    other = [tc("t1", 2, 2, 2), tc("t2", 2, 2, 2), tc("t3", 1, 1, 2)]
    diff = paired_metric_diff(base, other, "pass", 2)
    # t2: no functional test in the baseline; t3: n=1 < k=2 in the baseline
    assert (diff.tasks, diff.dropped) == (1, 2)
    assert diff.observed == 1.0  # pass@2 on t1: 0 functional of 2 -> 0; 2 of 2 -> 1
    assert diff.p_value is None  # one pair: no variation to resample
    none = paired_metric_diff(base[1:], other[1:], "pass", 2)
    assert (none.tasks, none.dropped, none.observed, none.excludes_zero) == (0, 2, None, False)


def test_no_valid_sample_leaves_the_rate_difference_undefined() -> None:
    empty = [tc("t1", 0, 0, 0), tc("t2", 0, 0, 0)]
    diff = paired_security_rate_diff(empty, B)
    assert (diff.observed, diff.p_value, diff.tasks) == (None, None, 2)


def test_resamples_without_valid_samples_are_left_out_and_counted() -> None:
    base = [tc("t1", 0, 1, 2), tc("t2", 0, 0, 0)]
    other = [tc("t1", 0, 2, 2), tc("t2", 0, 0, 0)]
    diff = paired_security_rate_diff(base, other, reps=1000)
    # a resample of t2 only (prob 1/4) has no valid sample in either condition
    assert 150 < diff.undefined_reps < 350
    assert diff.ci_low == pytest.approx(0.5) and diff.ci_high == pytest.approx(0.5)


def test_deterministic_for_a_seed_and_paired_on_common_tasks_only() -> None:
    one = paired_security_rate_diff(A, B, reps=500, seed=7)
    assert one == paired_security_rate_diff(A, B, reps=500, seed=7)
    assert [(a.task_id, b.task_id) for a, b in common_tasks(A, list(reversed(B[1:])))] == [
        ("t2", "t2"), ("t3", "t3")]
    with pytest.raises(ValueError):
        paired_metric_diff(A, B, "pass", 1, reps=0)
    with pytest.raises(ValueError):
        paired_security_rate_diff(A, B, confidence=1.0)
