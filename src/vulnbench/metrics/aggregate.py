"""Aggregation of per-task estimates into benchmark-level figures.

Tasks are the unit of aggregation (each task weighs the same whatever its
sample count), and also the unit of bootstrap resampling, because tasks,
not samples, are the independent draws from the benchmark population.

NaN is never dropped silently: a task whose estimate is undefined (e.g.
``n < k``) turns the whole mean into NaN so the gap shows up in reports.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from vulnbench.metrics.estimators import (
    func_sec_at_k,
    pass_at_k,
    sec_at_k,
    secure_at_k,
    security_rate,
    vulnerable_at_k,
)

__all__ = [
    "METRICS",
    "Metric",
    "MetricValue",
    "TaskCounts",
    "bootstrap_ci",
    "bootstrap_security_rate_ci",
    "mean_metric",
    "metric_table",
    "per_cwe",
    "per_task_estimates",
    "security_rate_of",
    "undefined_reasons",
]

Metric = Literal["pass", "vulnerable", "secure", "func_sec", "sec"]
METRICS: tuple[Metric, ...] = get_args(Metric)
# Metrics that only make sense where a functional test exists.
_NEEDS_TEST: frozenset[str] = frozenset({"pass", "func_sec", "sec"})


@dataclass(frozen=True, slots=True)
class TaskCounts:
    """Sample counts of one task, the input to every aggregate.

    ``first_flags`` holds the per-sample functional-and-secure flags in
    sample order; only SEC@k needs it (it is order dependent).
    """

    task_id: str
    cwes: tuple[str, ...]
    n: int
    functional: int
    vulnerable: int
    secure: int
    func_secure: int
    valid: int
    has_functional_test: bool
    first_flags: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        # Catch inconsistent counts here, where the task id can be named,
        # instead of deep inside an estimator.
        counts = {
            "n": self.n,
            "functional": self.functional,
            "vulnerable": self.vulnerable,
            "secure": self.secure,
            "func_secure": self.func_secure,
            "valid": self.valid,
        }
        for name, value in counts.items():
            if value < 0:
                raise ValueError(f"task {self.task_id!r}: {name} is negative ({value})")
            if value > self.n:
                raise ValueError(f"task {self.task_id!r}: {name} ({value}) exceeds n ({self.n})")
        if self.secure > self.valid:
            raise ValueError(
                f"task {self.task_id!r}: secure ({self.secure}) exceeds valid ({self.valid})"
            )
        if len(self.first_flags) > self.n:
            raise ValueError(f"task {self.task_id!r}: {len(self.first_flags)} flags for n={self.n}")


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A point estimate with its bootstrap confidence interval."""

    value: float
    ci_low: float
    ci_high: float


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {METRICS}")


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")


def _task_estimate(task: TaskCounts, metric: Metric, k: int) -> float:
    if metric == "pass":
        return pass_at_k(task.n, task.functional, k)
    if metric == "vulnerable":
        return vulnerable_at_k(task.n, task.vulnerable, k)
    if metric == "secure":
        return secure_at_k(task.n, task.secure, k)
    if metric == "func_sec":
        return func_sec_at_k(task.n, task.func_secure, k)
    return sec_at_k(task.first_flags, k)


def per_task_estimates(tasks: Iterable[TaskCounts], metric: Metric, k: int) -> list[float]:
    """Estimates of the tasks that count for ``metric``, in input order.

    "pass" and "func_sec" skip tasks without a functional test (their
    functional count is meaningless); every other metric uses all tasks.
    """
    _check_metric(metric)
    _check_k(k)
    return [
        _task_estimate(t, metric, k)
        for t in tasks
        if metric not in _NEEDS_TEST or t.has_functional_test
    ]


def _mean(values: Sequence[float]) -> float:
    if not values or any(math.isnan(v) for v in values):
        return math.nan
    return math.fsum(values) / len(values)


def mean_metric(tasks: Iterable[TaskCounts], metric: Metric, k: int) -> float:
    """Mean per-task estimate; NaN if no task counts or any counted task is NaN."""
    return _mean(per_task_estimates(tasks, metric, k))


def _check_bootstrap(reps: int, confidence: float) -> None:
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _percentiles(stats: npt.NDArray[np.float64], confidence: float) -> tuple[float, float]:
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(stats, [alpha, 1.0 - alpha])
    return float(low), float(high)


def bootstrap_ci(
    tasks: Sequence[TaskCounts],
    metric: Metric,
    k: int,
    *,
    reps: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile-bootstrap interval of :func:`mean_metric`, resampling tasks.

    Per-task estimates are computed once; only indices are resampled, so
    the cost is one ``reps x tasks`` gather. NaN interval when the point
    estimate is NaN; a single task gives the degenerate ``(point, point)``.
    """
    _check_bootstrap(reps, confidence)
    estimates = per_task_estimates(tasks, metric, k)
    point = _mean(estimates)
    if math.isnan(point):
        return math.nan, math.nan
    if len(estimates) == 1:
        return point, point
    values = np.asarray(estimates, dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(reps, len(values)))
    return _percentiles(values[idx].mean(axis=1), confidence)


def security_rate_of(tasks: Iterable[TaskCounts]) -> float:
    """Pooled security rate: sum(secure) / sum(valid) over all tasks.

    Pooled (not a mean of per-task rates) so that tasks with few valid
    samples do not get the same say as tasks with many.
    """
    secure = valid = 0
    for t in tasks:
        secure += t.secure
        valid += t.valid
    return security_rate(secure, valid)


def bootstrap_security_rate_ci(
    tasks: Sequence[TaskCounts],
    *,
    reps: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile-bootstrap interval of :func:`security_rate_of` over tasks.

    A resample whose tasks have no valid sample at all has no rate; such
    resamples are left out of the percentiles (they carry no information).
    """
    _check_bootstrap(reps, confidence)
    point = security_rate_of(tasks)
    if math.isnan(point):
        return math.nan, math.nan
    if len(tasks) == 1:
        return point, point
    secure = np.asarray([t.secure for t in tasks], dtype=np.float64)
    valid = np.asarray([t.valid for t in tasks], dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(tasks), size=(reps, len(tasks)))
    sec_sum = secure[idx].sum(axis=1)
    val_sum = valid[idx].sum(axis=1)
    defined = val_sum > 0
    if not defined.any():
        return math.nan, math.nan
    return _percentiles(sec_sum[defined] / val_sum[defined], confidence)


def _undefined_reason(tasks: Sequence[TaskCounts], metric: Metric, k: int) -> str:
    counted = [t for t in tasks if metric not in _NEEDS_TEST or t.has_functional_test]
    if not counted:
        return "no task has a functional test" if tasks else "no tasks"
    sizes = [len(t.first_flags) if metric == "sec" else t.n for t in counted]
    short = sorted({n for n in sizes if n < k})
    if not short:
        return ""
    if len(set(sizes)) == 1:
        return f"k={k} > n={short[0]} samples per task"
    few = sum(n < k for n in sizes)
    return (f"k={k} > n for {few} of {len(counted)} tasks "
            f"(n={', '.join(str(n) for n in short)})")


def undefined_reasons(tasks: Sequence[TaskCounts], ks: Sequence[int]) -> dict[str, str]:
    """Why each undefined figure of :func:`metric_table` is undefined, in words, keyed like
    it (figures that are defined are absent): a report explains every n/a where it shows."""
    out: dict[str, str] = {}
    for metric in METRICS:
        for k in ks:
            if reason := _undefined_reason(tasks, metric, k):
                out[f"{metric}@{k}"] = reason
    if not any(t.valid for t in tasks):
        out["security_rate"] = "no valid sample (none was assessed)" if tasks else "no tasks"
    return out


_CWE_NUMBER = re.compile(r"(\d+)")


def _cwe_key(cwe: str) -> tuple[int, int, str]:
    """Sort by CWE number ("CWE-22" before "CWE-119"); unnumbered tags last."""
    match = _CWE_NUMBER.search(cwe)
    if match is None:
        return (1, 0, cwe)
    return (0, int(match.group(1)), cwe)


def per_cwe(tasks: Iterable[TaskCounts], metric: Metric, k: int) -> dict[str, float]:
    """:func:`mean_metric` per CWE, keyed by CWE and sorted by CWE number.

    A task tagged with several CWEs counts once in each of their groups,
    since it exercises each weakness.
    """
    _check_metric(metric)
    _check_k(k)
    groups: dict[str, list[TaskCounts]] = {}
    for t in tasks:
        for cwe in dict.fromkeys(t.cwes):  # a repeated tag counts once
            groups.setdefault(cwe, []).append(t)
    return {cwe: mean_metric(groups[cwe], metric, k) for cwe in sorted(groups, key=_cwe_key)}


def metric_table(
    tasks: Sequence[TaskCounts],
    ks: Sequence[int] = (1, 3, 5),
    *,
    reps: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, MetricValue]:
    """All metrics with bootstrap intervals, as one flat dict.

    Keys are ``"<metric>@<k>"`` for every metric in :data:`METRICS` and
    every k (metric-major: "pass@1", "pass@3", ..., "sec@5"), followed by
    ``"security_rate"``.
    """
    table: dict[str, MetricValue] = {}
    for metric in METRICS:
        for k in ks:
            low, high = bootstrap_ci(tasks, metric, k, reps=reps, confidence=confidence, seed=seed)
            table[f"{metric}@{k}"] = MetricValue(mean_metric(tasks, metric, k), low, high)
    low, high = bootstrap_security_rate_ci(tasks, reps=reps, confidence=confidence, seed=seed)
    table["security_rate"] = MetricValue(security_rate_of(tasks), low, high)
    return table
