"""The executor seam: assessment as pure functions of names and code (no store, no shared
objects), so a local pool runs them now and a remote one (Ray) can later behind the same
``Executor`` interface. The driver (pipeline/assess.py) submits them and writes the store."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Any, Protocol, TypeVar

from vulnbench.analyzers import AnalysisInput, Analyzer, create_analyzer
from vulnbench.analyzers.runner import InputResult, run_analyzers
from vulnbench.assess.verdict import Policy, decide
from vulnbench.outcomes import TestRun
from vulnbench.records import Task, Verdict
from vulnbench.sandbox.base import Sandbox

R = TypeVar("R")


class Executor(Protocol):
    """What the driver needs of a pool: submit a pure function, get a future; shut down."""

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Future[R]: ...

    def shutdown(self, wait: bool = True) -> None: ...


# A test batch mostly waits (sandbox start, the task's server coming up, its requests): with
# one job per core the cores sat idle most of the time (benchmarks/end_to_end.py: 4 jobs per
# core assessed about twice as many samples per second as 1, verdicts identical).
JOBS_PER_CORE = 4


def cores() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def local_executor(workers: int | None = None) -> ThreadPoolExecutor:
    """Threads: every job's work is in tool and sandbox processes, so the GIL is not the
    limit; ``JOBS_PER_CORE`` jobs per usable core unless ``workers`` says otherwise."""
    return ThreadPoolExecutor(max_workers=workers or JOBS_PER_CORE * cores())


@cache
def _sandbox(name: str) -> Sandbox:
    from vulnbench.sandbox.backends import create_sandbox

    return create_sandbox(name)


@cache
def _analyzer(name: str) -> Analyzer:
    return create_analyzer(name)


def tests_job(task: Task, codes: Sequence[str], sandbox: str | Sandbox | None) -> list[TestRun]:
    """The task's tests against each code, in one sandbox (warm interpreter); a sandbox is
    named, or given where the caller already holds one (a local pool)."""
    from vulnbench.sandbox.tests_runner import run_task_tests_batch

    if sandbox is None:
        return [TestRun("not_assessed") for _ in codes]
    box = _sandbox(sandbox) if isinstance(sandbox, str) else sandbox
    return run_task_tests_batch(box, task, list(codes))


def static_job(inputs: Sequence[AnalysisInput], analyzers: Sequence[str | Analyzer]
               ) -> dict[str, InputResult]:
    """Every analyzer over ``inputs`` (no cache: the driver holds the store)."""
    return run_analyzers(inputs, [_analyzer(a) if isinstance(a, str) else a for a in analyzers])


def analyzer_errors(result: InputResult) -> list[str]:
    return [f"{name}: {error}" for name, error in result.errors]


def assess_job(task: Task, codes: Sequence[str], analyzers: Sequence[str],
               sandbox: str | None, policy: Policy) -> list[Verdict]:
    """The whole assessment of a task's codes: verdicts keyed by position ("0", "1", ...)."""
    static = static_job([AnalysisInput(str(i), c, task.language) for i, c in enumerate(codes)],
                        analyzers)
    runs = tests_job(task, codes, sandbox)
    return [decide(str(i), task, static[str(i)].findings, analyzer_errors(static[str(i)]),
                   run, policy) for i, run in enumerate(runs)]
