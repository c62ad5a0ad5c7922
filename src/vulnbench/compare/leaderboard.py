"""The comparison of several run folders: one leaderboard row per condition of every run
(its own results.json figures), sorted by one metric, and the paired bootstrap difference of
every two rows on their common tasks, by :mod:`vulnbench.harden.paired` over the per-task
counts the runs' reports score (:func:`vulnbench.harden.compare.folder_counts`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path

from vulnbench.compare.load import LoadedRun, load_runs
from vulnbench.compare.model import Comparison, Diff, Row, RunInfo
from vulnbench.conditions import strategy_name
from vulnbench.errors import VulnbenchError
from vulnbench.harden.paired import PairedDiff, paired_metric_diff, paired_security_rate_diff
from vulnbench.metrics.aggregate import METRICS, Metric, TaskCounts
from vulnbench.report.markdown import HEADLINE

__all__ = ["DEFAULT_DIFF_METRICS", "build", "compare_folders", "parse_metric"]

DEFAULT_DIFF_METRICS = ("security_rate", "secure@1", "pass@1")
LOWER_IS_BETTER = ("vulnerable",)


def parse_metric(name: str) -> tuple[Metric | None, int]:
    """``security_rate`` (pooled, metric None) or ``METRIC@k`` (a per-task mean)."""
    if name == "security_rate":
        return None, 1
    metric, _, k = name.partition("@")
    if metric in METRICS and k.isdigit() and int(k) >= 1:
        return metric, int(k)
    raise VulnbenchError(f"unknown metric {name!r}: use security_rate or METRIC@k with METRIC "
                         f"one of {', '.join(METRICS)} (e.g. secure@1)")


def paired(metric: str, row: Sequence[TaskCounts], column: Sequence[TaskCounts], reps: int,
           seed: int, confidence: float) -> PairedDiff:
    """``row - column`` of ``metric`` on the common tasks."""
    kind, k = parse_metric(metric)
    if kind is None:
        return paired_security_rate_diff(column, row, reps=reps, confidence=confidence,
                                         seed=seed)
    return paired_metric_diff(column, row, kind, k, reps=reps, confidence=confidence,
                              seed=seed)


def _rows(run: LoadedRun) -> list[Row]:
    spec = run.results.run_spec
    styles = {c.label: strategy_name(c.style, c.style_params) for c in spec.conditions}
    return [Row(id=f"{run.name}/{c.condition}", run=run.name, condition=c.condition,
                model=c.model, style=styles.get(c.condition, spec.style),
                temperature=c.temperature, tasks=c.tasks, samples=c.samples,
                metrics={m: c.metrics[m] for m in HEADLINE if m in c.metrics},
                undefined={m: why for m, why in c.undefined.items() if m in HEADLINE})
            for c in run.results.conditions]


def _sort_key(metric: str, descending: bool) -> Callable[[Row], tuple[bool, float]]:
    def key(row: Row) -> tuple[bool, float]:
        entry = row.metrics.get(metric)
        value = None if entry is None else entry.value
        if value is None or math.isnan(value):
            return True, 0.0  # undefined last
        return False, -value if descending else value
    return key


def build(runs: Sequence[LoadedRun], sort: str | None = None,
          metrics: Sequence[str] = (), reps: int = 2000, seed: int = 0,
          confidence: float = 0.95) -> Comparison:
    """The comparison of loaded runs (see :func:`compare_folders`)."""
    rows = [row for run in runs for row in _rows(run)]
    common = [m for m in HEADLINE if all(m in r.metrics for r in rows)]
    if sort is None:
        if not common:
            raise VulnbenchError("no headline metric is in every run; name one with --sort")
        sort = common[0]
    elif not any(sort in r.metrics for r in rows):
        raise VulnbenchError(f"--sort {sort}: no run has it; choose one of "
                             f"{', '.join(common or HEADLINE)}")
    descending = sort.partition("@")[0] not in LOWER_IS_BETTER
    rows.sort(key=_sort_key(sort, descending))
    diff_metrics = list(dict.fromkeys(metrics)) or [m for m in DEFAULT_DIFF_METRICS
                                                    if m in common]
    for m in diff_metrics:
        parse_metric(m)
    counts = {f"{run.name}/{label}": c for run in runs for label, c in run.counts.items()}
    diffs = [Diff.of(m, a.id, b.id, paired(m, counts[a.id], counts[b.id], reps, seed,
                                           confidence))
             for m in diff_metrics for a, b in combinations(rows, 2)]
    first = runs[0].results.run_spec
    infos = [RunInfo(name=r.name, path=str(r.path), dataset=r.results.run_spec.dataset,
                     dataset_hash=r.results.run_spec.dataset_hash,
                     task_count=r.results.run_spec.task_count,
                     models=[m.id for m in r.results.run_spec.models],
                     conditions=len(r.results.conditions),
                     vulnbench_version=r.results.run_spec.vulnbench_version) for r in runs]
    return Comparison(dataset=first.dataset, dataset_hash=first.dataset_hash,
                      task_count=first.task_count, runs=infos,
                      headline=[m for m in HEADLINE if any(m in r.metrics for r in rows)],
                      sort=sort, descending=descending, diff_metrics=diff_metrics, reps=reps,
                      seed=seed, confidence=confidence, rows=rows, diffs=diffs)


def compare_folders(folders: Sequence[Path], sort: str | None = None,
                    metrics: Sequence[str] = (), reps: int = 2000, seed: int = 0,
                    confidence: float = 0.95) -> Comparison:
    """Every condition of ``folders`` (finished runs of one dataset) on one leaderboard,
    sorted by ``sort`` (default: the first headline metric every run has), with the paired
    difference of every two conditions for ``metrics`` (default: security_rate, secure@1,
    pass@1 where every run has them), seeded bootstrap of ``reps`` resamples."""
    for m in metrics:
        parse_metric(m)  # a typo fails before any store is read
    if reps < 1:
        raise VulnbenchError(f"--reps must be >= 1, got {reps}")
    return build(load_runs(folders), sort, metrics, reps, seed, confidence)
