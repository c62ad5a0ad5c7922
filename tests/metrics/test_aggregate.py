"""Aggregation tests: inclusion rules, NaN propagation, bootstrap, per-CWE."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vulnbench.metrics.aggregate import (
    METRICS,
    Metric,
    MetricValue,
    TaskCounts,
    bootstrap_ci,
    bootstrap_security_rate_ci,
    mean_metric,
    metric_table,
    per_cwe,
    per_task_estimates,
    security_rate_of,
    undefined_reasons,
)
from vulnbench.metrics.estimators import pass_at_k, secure_at_k


def task(
    task_id: str = "t",
    *,
    cwes: tuple[str, ...] = ("CWE-79",),
    n: int = 5,
    functional: int = 0,
    vulnerable: int = 0,
    secure: int = 0,
    func_secure: int = 0,
    valid: int | None = None,
    tested: bool = True,
    flags: tuple[bool, ...] = (),
) -> TaskCounts:
    return TaskCounts(
        task_id=task_id,
        cwes=cwes,
        n=n,
        functional=functional,
        vulnerable=vulnerable,
        secure=secure,
        func_secure=func_secure,
        valid=n if valid is None else valid,
        has_functional_test=tested,
        first_flags=flags,
    )


@st.composite
def task_counts(draw: st.DrawFn) -> TaskCounts:
    n = draw(st.integers(1, 12))
    functional = draw(st.integers(0, n))
    valid = draw(st.integers(0, n))
    secure = draw(st.integers(0, valid))
    cwe_pool = ["CWE-22", "CWE-78", "CWE-79", "CWE-119"]
    return TaskCounts(
        task_id=draw(st.text(min_size=1, max_size=5)),
        cwes=tuple(draw(st.lists(st.sampled_from(cwe_pool), max_size=3))),
        n=n,
        functional=functional,
        vulnerable=draw(st.integers(0, n)),
        secure=secure,
        func_secure=draw(st.integers(0, min(functional, secure))),
        valid=valid,
        has_functional_test=draw(st.booleans()),
        first_flags=tuple(draw(st.lists(st.booleans(), min_size=n, max_size=n))),
    )


TASK_LISTS = st.lists(task_counts(), min_size=1, max_size=15)


# --- mean_metric ---------------------------------------------------------


def test_pass_skips_tasks_without_functional_test() -> None:
    tasks = [
        task("a", functional=5),
        task("b", functional=0),
        task("c", functional=5, tested=False),  # would pull the mean up
    ]
    assert mean_metric(tasks, "pass", 1) == 0.5
    assert mean_metric(tasks, "func_sec", 1) == 0.0
    # The untested task still counts for the security metrics.
    tasks2 = [task("a", secure=5), task("b", secure=0), task("c", secure=5, tested=False)]
    assert math.isclose(mean_metric(tasks2, "secure", 1), 2 / 3)


def test_each_metric_reads_its_own_count() -> None:
    t = task(
        n=4, functional=4, vulnerable=1, secure=2, func_secure=0, flags=(False, True, False, False)
    )
    assert mean_metric([t], "pass", 1) == 1.0
    assert mean_metric([t], "vulnerable", 1) == 0.25
    assert mean_metric([t], "secure", 1) == 0.5
    assert mean_metric([t], "func_sec", 1) == 0.0
    assert mean_metric([t], "sec", 1) == 0.0
    assert mean_metric([t], "sec", 2) == 1.0


def test_tasks_weigh_equally_regardless_of_n() -> None:
    tasks = [task("a", n=2, functional=2), task("b", n=20, functional=0)]
    assert mean_metric(tasks, "pass", 1) == 0.5


def test_nan_propagates_from_a_short_task() -> None:
    short = task("short", n=2, functional=2, secure=2)
    full = task("full", n=10, functional=10, secure=10)
    assert mean_metric([full], "pass", 5) == 1.0
    assert math.isnan(mean_metric([full, short], "pass", 5))
    assert math.isnan(mean_metric([full, short], "secure", 5))
    assert math.isnan(mean_metric([full, short], "sec", 1))  # short has no flags
    # An excluded task cannot poison the mean.
    untested_short = task("short", n=2, functional=2, tested=False)
    assert mean_metric([full, untested_short], "pass", 5) == 1.0


def test_empty_inputs_give_nan() -> None:
    for metric in METRICS:
        assert math.isnan(mean_metric([], metric, 1))
    assert math.isnan(mean_metric([task(tested=False)], "pass", 1))


def test_bad_metric_or_k_raises() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        mean_metric([task()], "pass@1", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="k must be"):
        mean_metric([], "pass", 0)


@given(tasks=TASK_LISTS, k=st.integers(1, 6))
def test_mean_matches_direct_computation(tasks: list[TaskCounts], k: int) -> None:
    tested = [t for t in tasks if t.has_functional_test]
    expected_pass = [pass_at_k(t.n, t.functional, k) for t in tested]
    expected_sec = [secure_at_k(t.n, t.secure, k) for t in tasks]
    for metric, expected in (("pass", expected_pass), ("secure", expected_sec)):
        got = mean_metric(tasks, metric, k)  # type: ignore[arg-type]
        if not expected or any(math.isnan(x) for x in expected):
            assert math.isnan(got)
        else:
            assert math.isclose(got, sum(expected) / len(expected), rel_tol=1e-9, abs_tol=1e-12)


def test_task_counts_validation() -> None:
    with pytest.raises(ValueError, match="exceeds n"):
        task(n=3, functional=4)
    with pytest.raises(ValueError, match="negative"):
        task(vulnerable=-1)
    with pytest.raises(ValueError, match=r"secure .* exceeds valid"):
        task(n=5, secure=3, valid=2)
    with pytest.raises(ValueError, match="flags"):
        task(n=1, flags=(True, False))


# --- bootstrap -----------------------------------------------------------


@given(
    tasks=TASK_LISTS,
    metric=st.sampled_from(METRICS),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**32),
)
def test_bootstrap_ci_contains_point(
    tasks: list[TaskCounts], metric: Metric, k: int, seed: int
) -> None:
    point = mean_metric(tasks, metric, k)
    low, high = bootstrap_ci(tasks, metric, k, reps=300, seed=seed)
    if math.isnan(point):
        assert math.isnan(low) and math.isnan(high)
        return
    assert low - 1e-9 <= point <= high + 1e-9
    estimates = per_task_estimates(tasks, metric, k)
    # Means of resampled tasks can never leave the range of the tasks.
    assert min(estimates) - 1e-12 <= low <= high <= max(estimates) + 1e-12


def test_bootstrap_is_reproducible_and_seed_dependent() -> None:
    tasks = [task(str(i), n=10, functional=i % 11) for i in range(40)]
    first = bootstrap_ci(tasks, "pass", 1, reps=200, seed=7)
    assert first == bootstrap_ci(tasks, "pass", 1, reps=200, seed=7)
    assert first != bootstrap_ci(tasks, "pass", 1, reps=200, seed=8)
    point = mean_metric(tasks, "pass", 1)
    assert first[0] < point < first[1]  # varied tasks: a real, non-degenerate interval


def test_bootstrap_wider_at_higher_confidence() -> None:
    tasks = [task(str(i), n=10, functional=(3 * i) % 11) for i in range(30)]
    lo90, hi90 = bootstrap_ci(tasks, "pass", 1, confidence=0.90, seed=1)
    lo99, hi99 = bootstrap_ci(tasks, "pass", 1, confidence=0.99, seed=1)
    assert lo99 <= lo90 and hi90 <= hi99
    assert (hi99 - lo99) > (hi90 - lo90)


def test_bootstrap_degenerate_and_nan_cases() -> None:
    one = [task(n=10, functional=3)]
    low, high = bootstrap_ci(one, "pass", 1)
    assert low == high == mean_metric(one, "pass", 1)
    assert math.isclose(low, 0.3)
    assert all(math.isnan(x) for x in bootstrap_ci([], "pass", 1))
    short = [task("a", n=10, functional=3), task("b", n=2, functional=1)]
    assert all(math.isnan(x) for x in bootstrap_ci(short, "pass", 5))
    same = [task(str(i), n=4, functional=2) for i in range(5)]
    low, high = bootstrap_ci(same, "pass", 1)
    assert math.isclose(low, 0.5) and math.isclose(high, 0.5)


def test_bootstrap_argument_checks() -> None:
    with pytest.raises(ValueError, match="reps"):
        bootstrap_ci([task()], "pass", 1, reps=0)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci([task()], "pass", 1, confidence=1.0)


# --- security rate -------------------------------------------------------


def test_security_rate_is_pooled() -> None:
    tasks = [task("a", n=1, secure=1, valid=1), task("b", n=3, secure=0, valid=3)]
    assert security_rate_of(tasks) == 0.25  # a per-task mean would give 0.5
    assert math.isnan(security_rate_of([task(valid=0)]))
    assert math.isnan(security_rate_of([]))


def test_security_rate_ci() -> None:
    tasks = [task(str(i), n=8, secure=i % 9, valid=8) for i in range(25)]
    tasks.append(task("none-valid", n=8, valid=0))
    point = security_rate_of(tasks)
    low, high = bootstrap_security_rate_ci(tasks, reps=500, seed=3)
    assert low < point < high
    assert (low, high) == bootstrap_security_rate_ci(tasks, reps=500, seed=3)
    assert all(math.isnan(x) for x in bootstrap_security_rate_ci([task(valid=0)] * 3))
    assert bootstrap_security_rate_ci([task(n=4, secure=1, valid=4)]) == (0.25, 0.25)


# --- per CWE -------------------------------------------------------------


def test_per_cwe_multi_cwe_tasks_count_in_each_group() -> None:
    tasks = [
        task("a", cwes=("CWE-79", "CWE-89"), functional=5),
        task("b", cwes=("CWE-89",), functional=0),
        task("c", cwes=("CWE-20",), functional=0),
        task("d", cwes=("CWE-79", "CWE-79"), functional=0),  # duplicate tag counts once
    ]
    result = per_cwe(tasks, "pass", 1)
    assert list(result) == ["CWE-20", "CWE-79", "CWE-89"]
    assert result == {"CWE-20": 0.0, "CWE-79": 0.5, "CWE-89": 0.5}


def test_per_cwe_sorted_numerically_and_keeps_nan_groups() -> None:
    tasks = [
        task("a", cwes=("CWE-119",), functional=1),
        task("b", cwes=("CWE-22",), functional=1),
        task("c", cwes=("CWE-78",), functional=1, tested=False),
    ]
    result = per_cwe(tasks, "pass", 1)
    assert list(result) == ["CWE-22", "CWE-78", "CWE-119"]  # not string order
    assert math.isnan(result["CWE-78"])  # no tested task: shown as NaN, not dropped


@given(tasks=TASK_LISTS, k=st.integers(1, 3))
def test_per_cwe_matches_filtered_mean(tasks: list[TaskCounts], k: int) -> None:
    result = per_cwe(tasks, "vulnerable", k)
    assert set(result) == {c for t in tasks for c in t.cwes}
    for cwe, value in result.items():
        expected = mean_metric([t for t in tasks if cwe in t.cwes], "vulnerable", k)
        assert (math.isnan(value) and math.isnan(expected)) or value == expected


# --- metric table --------------------------------------------------------


def test_metric_table_shape_and_values() -> None:
    tasks = [
        task(
            str(i),
            n=6,
            functional=i % 7,
            vulnerable=(i * 2) % 7,
            secure=(i * 3) % 7,
            func_secure=0,
            flags=tuple(j == i % 6 for j in range(6)),
        )
        for i in range(12)
    ]
    table = metric_table(tasks, ks=(1, 3), reps=200)
    expected_keys = [f"{m}@{k}" for m in METRICS for k in (1, 3)] + ["security_rate"]
    assert list(table) == expected_keys
    for m in METRICS:
        for k in (1, 3):
            mv = table[f"{m}@{k}"]
            assert isinstance(mv, MetricValue)
            assert mv.value == mean_metric(tasks, m, k)
            assert (mv.ci_low, mv.ci_high) == bootstrap_ci(tasks, m, k, reps=200)
            assert mv.ci_low <= mv.value <= mv.ci_high
    rate = table["security_rate"]
    assert rate.value == security_rate_of(tasks)
    assert rate.ci_low <= rate.value <= rate.ci_high


def test_metric_table_nan_for_too_large_k() -> None:
    table = metric_table([task("a", n=3, functional=1), task("b", n=3)], ks=(5,), reps=50)
    assert math.isnan(table["pass@5"].value)
    assert math.isnan(table["pass@5"].ci_low)
    assert table["security_rate"].value == 0.0


# --- why a figure is undefined -------------------------------------------


@given(tasks=st.lists(task_counts(), max_size=8), ks=st.lists(st.integers(1, 14), min_size=1,
                                                            max_size=3, unique=True))
def test_every_undefined_figure_has_a_reason_and_only_those(
    tasks: list[TaskCounts], ks: list[int]
) -> None:
    table = metric_table(tasks, ks, reps=20)
    undefined = {name for name, v in table.items() if math.isnan(v.value)}
    reasons = undefined_reasons(tasks, ks)
    assert set(reasons) == undefined
    assert all(reasons.values())


def test_reasons_name_k_and_n() -> None:
    flags = (True, False, True)
    same = [task("a", n=3, flags=flags), task("b", n=3, flags=flags)]
    reasons = undefined_reasons(same, [1, 3, 5])
    assert reasons["pass@5"] == "k=5 > n=3 samples per task"
    assert reasons["sec@5"] == "k=5 > n=3 samples per task"
    assert not any(name.endswith(("@1", "@3")) for name in reasons)
    mixed = [task("a", n=3), task("b", n=6), task("c", n=2)]
    assert undefined_reasons(mixed, [5])["secure@5"] == "k=5 > n for 2 of 3 tasks (n=2, 3)"


def test_reasons_for_missing_functional_tests_and_valid_samples() -> None:
    untested = [task("a", n=5, tested=False, valid=0, flags=(False,) * 5)]
    reasons = undefined_reasons(untested, [1])
    assert reasons["pass@1"] == reasons["func_sec@1"] == reasons["sec@1"] == (
        "no task has a functional test")
    assert "secure@1" not in reasons and "vulnerable@1" not in reasons
    assert reasons["security_rate"].startswith("no valid sample")
    assert undefined_reasons([], [1])["secure@1"] == "no tasks"
