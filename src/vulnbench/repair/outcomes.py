"""What became of each repair attempt, and the figures of a repair run (SecuCoGen experiments
4 and 5, §2.3).

Every sample of a repair run has one outcome, decided in this order:

- ``unchanged``: the answer is the insecure input again (equal once comments, blank lines and
  trailing whitespace are dropped). It is never a repair, whatever the verdicts say: where the
  insecure reference's flaw is invisible to the checks, returning it would otherwise score as
  "secure".
- ``broken``: no usable program (no code in the answer, a syntax error, code lost in
  post-processing), or its functional test fails.
- ``still_vulnerable``: it works (or has no functional test) and the verdicts find the flaw.
- ``repaired``: functional and secure (the verdicts' ``secure``: assessed, no finding that
  counts, the security test passed where there is one).
- ``unjudged``: the checks could not decide (sandbox error, timeout, the task's environment
  failed, no functional test, or a secure verdict missing for another reason).

SEC@k (the paper's: any of the first k samples repaired), secure@k and func-sec@k (the unbiased
estimators over the task's n samples, with ``unchanged`` never secure) and CodeBLEU@k (the best
CodeBLEU of the first k samples against the secure reference; a sample with a syntax error is
scored on the code it holds, one without code scores 0) are averaged over tasks, with a
percentile bootstrap interval over tasks."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from vulnbench.metrics.estimators import func_sec_at_k, sec_at_k, secure_at_k
from vulnbench.postprocess.dedup import normalize_code
from vulnbench.records import Sample, Task, Verdict

Outcome = Literal["repaired", "still_vulnerable", "broken", "unchanged", "unjudged"]
OUTCOMES: tuple[Outcome, ...] = ("repaired", "still_vulnerable", "broken", "unchanged",
                                 "unjudged")
NO_PROGRAM = frozenset({"extract_failed", "syntax_error", "dropped_code"})


def is_unchanged(code: str, task: Task) -> bool:
    """The answer is the insecure input again (comments and blank lines aside)."""
    insecure = task.insecure_reference
    return bool(insecure.strip()) and \
        normalize_code(code, task.language) == normalize_code(insecure, task.language)


def sample_outcome(sample: Sample, verdict: Verdict | None, task: Task) -> Outcome:
    if sample.status in NO_PROGRAM:
        return "broken"
    if is_unchanged(sample.code, task):
        return "unchanged"
    if verdict is None or sample.status != "ok":
        return "unjudged"
    if verdict.functional is False:
        return "broken"
    if verdict.vulnerable:
        return "still_vulnerable"
    if verdict.status != "assessed" or verdict.functional is None:
        return "unjudged"
    return "repaired" if verdict.secure else "unjudged"


@dataclass
class TaskRepairs:
    """One task's samples in sample-index order: outcome, secure flag and code (None: none)."""

    task: Task
    outcomes: list[Outcome] = field(default_factory=list)
    secure: list[bool] = field(default_factory=list)
    codes: list[str | None] = field(default_factory=list)

    def add(self, sample: Sample, verdict: Verdict | None) -> None:
        outcome = sample_outcome(sample, verdict, self.task)
        self.outcomes.append(outcome)
        self.secure.append(outcome != "unchanged" and verdict is not None
                           and sample.status == "ok" and verdict.secure is True)
        # CodeBLEU reads what the model wrote, as the paper does, even where it does not
        # parse (tree-sitter tolerates errors; a truncated program still shares its n-grams)
        self.codes.append(None if sample.status == "extract_failed" or not sample.code.strip()
                          else sample.code)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def has_functional_test(self) -> bool:
        return bool(self.task.functional_test.strip())


def _nan_mean(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan


def mean_ci(values: Sequence[float], reps: int = 1000, seed: int = 0,
            confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of the defined per-task values and its percentile-bootstrap interval over tasks."""
    kept = np.asarray([v for v in values if not math.isnan(v)], dtype=np.float64)
    if kept.size == 0:
        return math.nan, math.nan, math.nan
    point = float(kept.mean())
    if kept.size == 1:
        return point, point, point
    rng = np.random.default_rng(seed)
    means = kept[rng.integers(0, kept.size, size=(reps, kept.size))].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return point, float(low), float(high)


def per_task_values(tasks: Iterable[TaskRepairs], metric: str, k: int,
                    codebleu_at: dict[str, dict[int, float]] | None = None) -> list[float]:
    """One value per task (NaN where undefined: k > n, or no functional test for the
    figures that need one)."""
    out: list[float] = []
    for t in tasks:
        if t.n < k:
            out.append(math.nan)
        elif metric == "SEC":
            flags = [o == "repaired" for o in t.outcomes]
            out.append(sec_at_k(flags, k) if t.has_functional_test else math.nan)
        elif metric == "func-sec":
            out.append(func_sec_at_k(t.n, t.outcomes.count("repaired"), k)
                       if t.has_functional_test else math.nan)
        elif metric == "secure":
            out.append(secure_at_k(t.n, sum(t.secure), k))
        elif metric == "CodeBLEU":
            out.append((codebleu_at or {}).get(t.task.id, {}).get(k, math.nan))
        else:
            raise ValueError(f"unknown repair metric {metric!r}")
    return out


def outcome_counts(tasks: Iterable[TaskRepairs]) -> Counter[str]:
    counts: Counter[str] = Counter({o: 0 for o in OUTCOMES})
    for t in tasks:
        counts.update(t.outcomes)
    return counts
