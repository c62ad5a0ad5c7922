"""Assessment phase, the driver: static analyzers over the whole batch of valid samples
(cached by code hash and tool version) and sandboxed tests per task batch run as pure jobs on
an executor (assess/executor.py), overlapping; verdicts are decided and every store write is
made here, on the caller's thread, as the two halves of a sample arrive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from vulnbench.analyzers import AnalysisInput, Analyzer
from vulnbench.analyzers.runner import code_hash, run_analyzers
from vulnbench.assess import decide
from vulnbench.assess.executor import (
    Executor,
    analyzer_errors,
    cores,
    local_executor,
    tests_job,
)
from vulnbench.assess.verdict import Policy
from vulnbench.outcomes import TestRun
from vulnbench.records import Finding, Sample, Task, stable_hash
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import plan_batches
from vulnbench.store import RunStore

__all__ = ["AssessContext", "assess", "code_hash", "static_findings"]


@dataclass
class AssessContext:
    store: RunStore
    tasks: dict[str, Task]
    analyzers: Sequence[Analyzer]
    sandbox: Sandbox | None
    policy: Policy
    executor: Executor | None = None  # None: a local pool, one worker per core
    overlap: bool = True  # False: the former serial order (static, then tests), a baseline
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds (busy time)

    @cached_property
    def analyzer_versions(self) -> dict[str, str]:
        return {a.name: a.version() for a in self.analyzers}

    def fingerprint(self, sample: Sample) -> str:
        task = self.tasks[sample.task_id]
        return stable_hash({
            "code": code_hash(sample.code), "task": stable_hash(task.model_dump()),
            "analyzers": self.analyzer_versions,
            "policy": self.policy, "sandbox": self.sandbox.name if self.sandbox else None,
        })


def static_findings(ctx: AssessContext, samples: Sequence[Sample]
                    ) -> dict[str, tuple[list[Finding], list[str]]]:
    """Findings and analyzer errors (``name: message``) per sample key."""
    start = time.perf_counter()
    results = run_analyzers(
        [AnalysisInput(s.key, s.code, ctx.tasks[s.task_id].language) for s in samples],
        ctx.analyzers, ctx.store, ctx.analyzer_versions)
    _add(ctx, "static", time.perf_counter() - start)
    return {k: (r.findings, analyzer_errors(r)) for k, r in results.items()}


def assess(ctx: AssessContext, samples: Sequence[Sample], on_done: Callable[[], None]) -> int:
    """Assess ``ok`` samples whose stored verdict is missing or stale; returns how many."""
    known = ctx.store.verdict_fingerprints()
    todo = [(s, ctx.fingerprint(s)) for s in samples if s.status == "ok"]
    todo = [(s, fp) for s, fp in todo if known.get(s.key) != fp]
    if not todo:
        return 0
    # the serial baseline keeps its former pool: one job per core
    pool = ctx.executor or local_executor(None if ctx.overlap else cores())
    workers = getattr(pool, "_max_workers", None) or 1
    try:
        return _drive(ctx, pool, workers, todo, on_done)
    finally:
        if ctx.executor is None:
            pool.shutdown()


def _drive(ctx: AssessContext, pool: Executor, workers: int,
           todo: list[tuple[Sample, str]], on_done: Callable[[], None]) -> int:
    fingerprints = {s.key: fp for s, fp in todo}
    ready: dict[str, tuple[list[Finding], list[str]]] = {}
    static: Future[dict[str, tuple[list[Finding], list[str]]]] | None = None
    if ctx.overlap:  # static analysis alongside the tests: its tools idle the sandboxes' cores
        static = pool.submit(static_findings, ctx, [s for s, _ in todo])
    else:
        ready = static_findings(ctx, [s for s, _ in todo])
    batches = plan_batches([s for s, _ in todo], lambda s: s.task_id, workers)
    box: Sandbox | str | None = ctx.sandbox
    running = {pool.submit(_timed, ctx, ctx.tasks[b[0].task_id], [s.code for s in b], box): b
               for b in batches}
    waiting: dict[str, tuple[Sample, TestRun]] = {}
    pending: set[Future[Any]] = set(running)
    if static is not None:
        pending.add(static)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            if future is static:
                ready = static.result()
                continue
            runs: list[TestRun] = future.result()
            for sample, run in zip(running[future], runs, strict=True):
                waiting[sample.key] = (sample, run)
        if static is None or static.done():
            for sample, run in waiting.values():
                _commit(ctx, sample, run, ready[sample.key], fingerprints[sample.key])
                on_done()
            waiting.clear()
    return len(todo)


def _timed(ctx: AssessContext, task: Task, codes: list[str], box: Sandbox | str | None
           ) -> list[TestRun]:
    start = time.perf_counter()
    runs = tests_job(task, codes, box)
    _add(ctx, "tests", time.perf_counter() - start)
    return runs


def _commit(ctx: AssessContext, sample: Sample, run: TestRun,
            static: tuple[list[Finding], list[str]], fingerprint: str) -> None:
    start = time.perf_counter()
    findings, errors = static
    verdict = decide(sample.key, ctx.tasks[sample.task_id], findings, errors, run, ctx.policy)
    # an environment that could not be built is tried again by the next run
    ctx.store.put_verdict(verdict, "" if verdict.status == "runtime_error" else fingerprint)
    _add(ctx, "store", time.perf_counter() - start)


_CLOCK = threading.Lock()


def _add(ctx: AssessContext, phase: str, seconds: float) -> None:
    with _CLOCK:
        ctx.timings[phase] = ctx.timings.get(phase, 0.0) + seconds
