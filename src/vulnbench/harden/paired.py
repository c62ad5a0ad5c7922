"""Paired bootstrap over tasks: is one condition's gain over another real?

Two conditions of one run answer the same tasks, so their per-task figures are paired. Resampling
tasks (the independent draws from the benchmark population, as in
:mod:`vulnbench.metrics.aggregate`) and recomputing BOTH conditions on the same resample cancels
the task-to-task variation they share, which two separate intervals cannot do: two overlapping
intervals can still hide a difference that is consistent on every task.

The difference is always ``other - baseline``. p-value: two-sided bootstrap p =
``2 * min(share of resampled diffs <= 0, share >= 0)``, capped at 1. A resampled diff of exactly 0
counts in BOTH shares (conservative: identical conditions give p = 1, never a spurious 0). Its
resolution is ``2 / reps``; a reported 0 means "below 2 / reps", not "impossible".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from vulnbench.metrics.aggregate import Metric, TaskCounts, per_task_estimates
from vulnbench.records import Record

__all__ = ["PairedDiff", "common_tasks", "paired_metric_diff", "paired_security_rate_diff"]


class PairedDiff(Record):
    """``other - baseline`` on the common tasks, with its percentile interval and p-value.

    ``tasks`` are the pairs used; ``dropped`` the common tasks left out because the metric is
    undefined for either condition there (no functional test for pass/func-sec, NaN when
    ``n < k``). ``None`` for a figure that is undefined (no pair, no valid sample); p is ``None``
    with fewer than two tasks (a bootstrap of one task says nothing about variation)."""

    observed: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    tasks: int
    dropped: int = 0
    undefined_reps: int = 0  # resamples without a defined figure (pooled rate: no valid sample)
    excludes_zero: bool = False

    @property
    def significant(self) -> bool:
        """The interval excludes 0: the difference is not explained by which tasks were drawn."""
        return self.excludes_zero


def common_tasks(baseline: Sequence[TaskCounts],
                 other: Sequence[TaskCounts]) -> list[tuple[TaskCounts, TaskCounts]]:
    """(baseline, other) counts of the tasks both conditions have, in the baseline's order."""
    by_id = {t.task_id: t for t in other}
    return [(t, by_id[t.task_id]) for t in baseline if t.task_id in by_id]


def _check(reps: int, confidence: float) -> None:
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _summarise(observed: float, boot: npt.NDArray[np.float64], tasks: int, dropped: int,
               undefined: int, confidence: float) -> PairedDiff:
    if tasks < 2 or boot.size == 0:
        return PairedDiff(observed=observed, ci_low=observed, ci_high=observed, p_value=None,
                          tasks=tasks, dropped=dropped, undefined_reps=undefined)
    alpha = (1.0 - confidence) / 2.0
    low, high = (float(v) for v in np.quantile(boot, [alpha, 1.0 - alpha]))
    p = min(1.0, 2.0 * min(float(np.mean(boot <= 0.0)), float(np.mean(boot >= 0.0))))
    return PairedDiff(observed=observed, ci_low=low, ci_high=high, p_value=p, tasks=tasks,
                      dropped=dropped, undefined_reps=undefined,
                      excludes_zero=low > 0.0 or high < 0.0)


def _undefined(tasks: int, dropped: int = 0) -> PairedDiff:
    return PairedDiff(observed=None, ci_low=None, ci_high=None, p_value=None, tasks=tasks,
                      dropped=dropped)


def _estimate(task: TaskCounts, metric: Metric, k: int) -> float:
    """The task's estimate, NaN where the metric does not count it (no functional test)."""
    values = per_task_estimates([task], metric, k)
    return values[0] if values else math.nan


def paired_metric_diff(baseline: Sequence[TaskCounts], other: Sequence[TaskCounts],
                       metric: Metric, k: int, *, reps: int = 2000, confidence: float = 0.95,
                       seed: int = 0) -> PairedDiff:
    """Difference of the mean per-task estimate (pass@k, secure@k, func-sec@k, ...) on the
    common tasks where it is defined for both conditions; the per-task differences are
    resampled, which is the same as recomputing both means on each resample."""
    _check(reps, confidence)
    pairs = common_tasks(baseline, other)
    diffs = [b - a for a, b in ((_estimate(x, metric, k), _estimate(y, metric, k))
                                for x, y in pairs)
             if not (math.isnan(a) or math.isnan(b))]
    dropped = len(pairs) - len(diffs)
    if not diffs:
        return _undefined(0, dropped)
    values = np.asarray(diffs, dtype=np.float64)
    observed = math.fsum(diffs) / len(diffs)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(reps, len(values)))
    return _summarise(observed, values[idx].mean(axis=1), len(diffs), dropped, 0, confidence)


def paired_security_rate_diff(baseline: Sequence[TaskCounts], other: Sequence[TaskCounts], *,
                              reps: int = 2000, confidence: float = 0.95,
                              seed: int = 0) -> PairedDiff:
    """Difference of the pooled security rate (sum secure / sum valid) on the common tasks.
    Each resample recomputes both pooled rates on the same drawn tasks; a resample where
    either condition has no valid sample has no difference and is left out (counted in
    ``undefined_reps``). No task is dropped: a task without valid samples adds 0 / 0 to a pool,
    which is what pooling means."""
    _check(reps, confidence)
    pairs = common_tasks(baseline, other)
    if not pairs:
        return _undefined(0)
    counts = np.asarray([[a.secure, a.valid, b.secure, b.valid] for a, b in pairs],
                        dtype=np.float64)
    total = counts.sum(axis=0)
    if total[1] == 0 or total[3] == 0:
        return _undefined(len(pairs))
    observed = float(total[2] / total[3] - total[0] / total[1])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(pairs), size=(reps, len(pairs)))
    sums = counts[idx].sum(axis=1)  # reps x 4
    defined = (sums[:, 1] > 0) & (sums[:, 3] > 0)
    boot = sums[defined, 2] / sums[defined, 3] - sums[defined, 0] / sums[defined, 1]
    return _summarise(observed, boot, len(pairs), 0, int((~defined).sum()), confidence)
