"""Scoring phase: stream a condition's samples and verdicts from the store into per-task
counts for three views (combined, static-based, test-based), which the registered metric
families (``pipeline.scorers``) turn into figures with what explains them: why a figure is
undefined, which evidence made samples vulnerable, why others are neither secure nor
vulnerable, and which tasks no check can judge."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from vulnbench.analyzers.coverage import analyzer_cwes, covers, unenumerated
from vulnbench.cwe import is_known
from vulnbench.metrics import TaskCounts
from vulnbench.pipeline.scorers import VIEWS, ConditionCounts, ScoreParams, run_scorers
from vulnbench.records import Sample, Task, Verdict
from vulnbench.results import BlindTask, ConditionResult
from vulnbench.store import RunStore


@dataclass
class _Tally:
    n: int = 0
    functional: int = 0
    vulnerable: int = 0
    secure: int = 0
    func_secure: int = 0
    valid: int = 0
    flags: list[bool] = field(default_factory=list)

    def add(self, functional: bool, vulnerable: bool, secure: bool, *, valid: bool) -> None:
        self.n += 1
        self.valid += valid
        self.functional += functional
        self.vulnerable += vulnerable
        self.secure += secure
        self.func_secure += functional and secure
        self.flags.append(functional and secure)

    def counts(self, task: Task) -> TaskCounts:
        return TaskCounts(task.id, tuple(task.cwe), self.n, self.functional, self.vulnerable,
                          self.secure, self.func_secure, self.valid,
                          bool(task.functional_test.strip()), tuple(self.flags))


def _view(sample: Sample, verdict: Verdict | None, view: str) -> tuple[bool, bool, bool]:
    """(functional, vulnerable, secure) of one sample under one view."""
    if sample.status != "ok" or verdict is None:
        return False, False, False
    functional = verdict.functional is True
    if view == "combined":
        return functional, verdict.vulnerable is True, verdict.secure is True
    if view == "static":
        return (functional, verdict.static_vulnerable is True,
                verdict.static_vulnerable is False)
    security = [o for o in verdict.tests if o.suite == "security"]
    passed = bool(security) and all(o.status == "passed" for o in security)
    return functional, verdict.test_vulnerable is True, passed


def verdict_bucket(sample: Sample, verdict: Verdict | None, task: Task) -> str:
    """The one bucket of ``VerdictSources`` a sample falls in (combined view): ``secure``,
    ``vulnerable_static_only`` / ``_test_only`` / ``_both``, or the reason it is neither.
    A failed test outranks a failed analyzer: it is the likelier thing to look at first."""
    if sample.status != "ok":
        return f"not_assessed:{sample.status}"
    if verdict is None:
        return "not_assessed"
    if verdict.vulnerable:
        static, test = verdict.static_vulnerable is True, verdict.test_vulnerable is True
        return ("vulnerable_both" if static and test else
                "vulnerable_test_only" if test else "vulnerable_static_only")
    if verdict.secure:
        return "secure"
    if verdict.status != "assessed":
        return verdict.status  # timeout, sandbox_error, runtime_error
    security = {o.status for o in verdict.tests if o.suite == "security"}
    for status in ("error", "timeout", "not_run"):
        if status in security:
            return f"security_test_{status}"
    if verdict.static_vulnerable is None:
        return "analyzer_error"
    if task.security_test.strip() and not security:
        return "security_test_missing"
    return "unexplained"


def blind_tasks(tasks: Iterable[Task], analyzers: Sequence[str],
                tests_run: bool) -> list[BlindTask]:
    """Tasks that no security test and no enabled analyzer can judge: their "secure" only
    means that nothing was found. ``analyzers`` are those that ran."""
    out: list[BlindTask] = []
    for task in tasks:
        has_test = bool(task.security_test.strip())
        if (has_test and tests_run) or covers(analyzers, task):
            continue
        test = "security tests not run" if has_test else "no security test"
        unknown = [c for c in task.cwe if is_known(c) is False]
        if not task.cwe:
            static = f"no CWE (a {task.kind} task), so no finding can be in its family"
        elif unknown:
            static = f"{', '.join(unknown)} not in MITRE's CWE list"
        elif not analyzers:
            static = "no analyzer ran"
        else:
            readers = [a for a in analyzers if analyzer_cwes(a, task.language)]
            static = (f"no enabled analyzer ({', '.join(readers)}) reports "
                      f"{' or '.join(task.cwe)} or a CWE of its family in {task.language}"
                      if readers else f"no enabled analyzer has rules for {task.language}")
            if odd := unenumerated(analyzers):
                static += f" ({', '.join(odd)}: rules not enumerated)"
        out.append(BlindTask(task=task.id, language=task.language, cwe=list(task.cwe),
                             reason=f"{test}; {static}"))
    return out


def _samples(store: RunStore, condition: str, keys: set[str]) -> Iterator[Sample]:
    return (s for s in store.iter_samples(condition) if s.key in keys)


def score_condition(store: RunStore, condition: str, model: str, temperature: float,
                    tasks: dict[str, Task], keys: set[str], ks: Sequence[int],
                    reps: int, blind: frozenset[str] = frozenset()) -> ConditionResult:
    """One condition's results: its samples counted once, then scored by the registered
    families of its tasks' kinds. ``blind``: ids of the tasks no check can judge (see
    :func:`blind_tasks`)."""
    counts = count_condition(store, condition, tasks, keys, blind)
    return ConditionResult(condition=condition, model=model, temperature=temperature,
                           tasks=len(counts.tasks), samples=counts.total,
                           **run_scorers(counts, ScoreParams(ks, reps)))


def count_condition(store: RunStore, condition: str, tasks: dict[str, Task], keys: set[str],
                    blind: frozenset[str] = frozenset()) -> ConditionCounts:
    """Stream the condition's samples (those of ``keys``) and their verdicts into counts."""
    counts = ConditionCounts()
    for task_id, group in groupby(_samples(store, condition, keys), key=lambda s: s.task_id):
        task = tasks[task_id]
        tallies = {v: _Tally() for v in VIEWS}
        for sample in group:
            counts.total += 1
            counts.status[sample.status] += 1
            counts.compiled_raw += sample.compiles_raw
            counts.compiled += sample.compiles_repaired
            counts.repairs.update(sample.repairs)
            if sample.duplicate_kind:
                counts.duplicates[sample.duplicate_kind] += 1
            verdict = store.get_verdict(sample.key) if sample.status == "ok" else None
            counts.verdict_status[verdict.status if verdict else "not_assessed"] += 1
            bucket = verdict_bucket(sample, verdict, task)
            counts.buckets[bucket] += 1
            if task_id in blind:
                counts.blind.samples += 1
                counts.blind.secure += bucket == "secure"
            for view, tally in tallies.items():
                tally.add(*_view(sample, verdict, view), valid=sample.status == "ok")
        for view, tally in tallies.items():
            counts.per_view[view].append(tally.counts(task))
        counts.tasks.append(task)
        counts.blind.tasks += task_id in blind
    return counts
