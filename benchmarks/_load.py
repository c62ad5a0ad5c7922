"""Shared by the sandbox benchmarks: samples made of the built-in tasks' references, and the
throughput of running them through the sandboxed test runner."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle, islice

from vulnbench.records import Task
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import plan_batches, run_task_tests_batch

Sample = tuple[Task, str]


def samples(tasks: list[Task], count: int, per_task: int) -> list[Sample]:
    """``count`` samples, ``per_task`` per task, secure and insecure references alternating."""
    refs = ((t, (t.secure_reference, t.insecure_reference)[i % 2])
            for t in cycle(tasks) for i in range(per_task))
    return list(islice(refs, count))


def throughput(sandbox: Sandbox, items: list[Sample], workers: int,
               batched: bool = True) -> float:
    """Samples per second; ``batched``: samples of a task share a sandbox (as in a run)."""
    batches = (plan_batches(items, lambda s: s[0].id, workers) if batched
               else [[s] for s in items])
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = [r for rs in pool.map(
            lambda b: run_task_tests_batch(sandbox, b[0][0], [code for _, code in b]), batches)
            for r in rs]
    elapsed = time.perf_counter() - start
    bad = [r for r in runs if r.status != "assessed"]
    if bad:
        print(f"  warning: {len(bad)} runs ended {bad[0].status}: {bad[0].detail[:120]}")
    return len(items) / elapsed
