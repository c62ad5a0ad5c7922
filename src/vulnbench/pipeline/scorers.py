"""The scorer registry. One pass over a condition's samples gathers :class:`ConditionCounts`;
each registered metric family turns them into named fields of the condition's results
(``ConditionResult``), and each task kind names the families that score it. A new kind (repair,
classify) or family (a confusion matrix, precision/recall) registers here instead of growing
an if-chain in the scoring loop."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vulnbench.metrics import (
    Metric,
    TaskCounts,
    harmonic_mean,
    mean_metric,
    metric_table,
    per_cwe,
    undefined_reasons,
)
from vulnbench.records import Task
from vulnbench.registry import Registry
from vulnbench.results import BlindShare, CweRow, MetricEntry, VerdictSources, finite

VIEWS = ("combined", "static", "test")


@dataclass
class ConditionCounts:
    """Everything the families read about one condition, gathered in one pass."""

    tasks: list[Task] = field(default_factory=list)  # the judged tasks, in sample order
    per_view: dict[str, list[TaskCounts]] = field(
        default_factory=lambda: {v: [] for v in VIEWS})
    buckets: Counter[str] = field(default_factory=Counter)  # see score.verdict_bucket
    blind: BlindShare = field(default_factory=BlindShare)
    status: Counter[str] = field(default_factory=Counter)
    verdict_status: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)
    compiled_raw: int = 0
    compiled: int = 0
    total: int = 0


@dataclass(frozen=True)
class ScoreParams:
    ks: Sequence[int]
    reps: int


# a family returns ConditionResult fields by name
Scorer = Callable[[ConditionCounts, ScoreParams], dict[str, Any]]
scorers: Registry[Scorer] = Registry("scorer")
# task kind -> the families that score it, in order
kinds: Registry[tuple[str, ...]] = Registry("task kind scorer")


def _table(tasks: Sequence[TaskCounts], params: ScoreParams) -> dict[str, MetricEntry]:
    rows = metric_table(tasks, params.ks, reps=params.reps)
    return {name: MetricEntry(value=finite(v.value), ci_low=finite(v.ci_low),
                              ci_high=finite(v.ci_high)) for name, v in rows.items()}


@scorers.register("estimators")
def estimators(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """pass@k, vulnerable@k, secure@k, func-sec@k, SEC@k and security rate with bootstrap
    intervals, in the combined, static-based and test-based views, and why any is n/a."""
    return {"metrics": _table(counts.per_view["combined"], params),
            "static_metrics": _table(counts.per_view["static"], params),
            "test_metrics": _table(counts.per_view["test"], params),
            "undefined": undefined_reasons(counts.per_view["combined"], params.ks)}


@scorers.register("harmonic")
def harmonic(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """Harmonic mean of the test-based and static-based figures (SALLM Table III)."""
    out: dict[str, float | None] = {}
    for k in params.ks:
        for metric in ("vulnerable", "secure"):
            test_v = mean_metric(counts.per_view["test"], metric, k)
            static_v = mean_metric(counts.per_view["static"], metric, k)
            out[f"{metric}@{k}"] = finite(harmonic_mean(test_v, static_v))
    return {"harmonic": out}


@scorers.register("per_cwe")
def cwe_rows(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """pass, vulnerable and secure at the smallest k per CWE (tasks without one: no row)."""
    combined = counts.per_view["combined"]
    k1 = min(params.ks)
    metrics: tuple[Metric, ...] = ("pass", "vulnerable", "secure")
    figures = {f"{m}@{k1}": per_cwe(combined, m, k1) for m in metrics}
    rows: dict[str, CweRow] = {}
    for cwe in next(iter(figures.values()), {}):
        members = [t for t in combined if cwe in t.cwes]
        why = undefined_reasons(members, [k1])
        rows[cwe] = CweRow(tasks=len(members), samples=sum(t.n for t in members),
                           metrics={name: finite(values[cwe])
                                    for name, values in figures.items()},
                           undefined={n: why[n] for n in figures if n in why})
    return {"per_cwe": rows}


@scorers.register("verdict_sources")
def verdict_sources(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """Each sample in one bucket: secure, vulnerable by which evidence, or why neither."""
    rest = Counter(counts.buckets)
    return {"verdict_sources": VerdictSources(
        secure=rest.pop("secure", 0),
        vulnerable_static_only=rest.pop("vulnerable_static_only", 0),
        vulnerable_test_only=rest.pop("vulnerable_test_only", 0),
        vulnerable_both=rest.pop("vulnerable_both", 0), neither=dict(sorted(rest.items())))}


@scorers.register("samples")
def sample_counts(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """Compile rates before and after repair, sample and verdict statuses, duplicates,
    repairs."""
    total = counts.total
    return {"compile_rate": {"raw": finite(counts.compiled_raw / total) if total else None,
                             "repaired": finite(counts.compiled / total) if total else None},
            "sample_status": dict(counts.status),
            "verdict_status": dict(counts.verdict_status),
            "duplicates": dict(counts.duplicates), "repairs": dict(counts.repairs)}


@scorers.register("tests")
def tests_present(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """How many judged tasks have a functional and a security test."""
    return {"tasks_with_tests": {
        "functional": sum(bool(t.functional_test.strip()) for t in counts.tasks),
        "security": sum(bool(t.security_test.strip()) for t in counts.tasks)}}


@scorers.register("blind")
def blind_share(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """What the tasks no check can judge weigh in the condition."""
    return {"blind": counts.blind}


GENERATION_FAMILIES = ("estimators", "harmonic", "per_cwe", "verdict_sources", "samples",
                       "tests", "blind")
kinds.register("generate")(GENERATION_FAMILIES)
kinds.register("utility")(GENERATION_FAMILIES)  # the same figures; it has no per-CWE row


def families_for(task_kinds: Sequence[str]) -> list[str]:
    """The families scoring a condition whose tasks are of ``task_kinds`` (each once, in
    order); a condition with no task gets the generation families (all n/a)."""
    names: dict[str, None] = {}
    for kind in dict.fromkeys(task_kinds) or ["generate"]:
        names.update(dict.fromkeys(kinds.get(kind)))
    return list(names)


def run_scorers(counts: ConditionCounts, params: ScoreParams) -> dict[str, Any]:
    """Every family that scores the counted tasks' kinds, merged into one set of fields."""
    fields: dict[str, Any] = {}
    for name in families_for([t.kind for t in counts.tasks]):
        fields.update(scorers.get(name)(counts, params))
    return fields
