"""Assessment phase: static analyzers over the whole batch of valid samples (cached by code
hash and tool version), sandboxed tests in parallel, one verdict committed per sample."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cached_property

from vulnbench.analyzers import AnalysisInput, Analyzer
from vulnbench.assess import decide
from vulnbench.assess.verdict import Policy
from vulnbench.records import Finding, Sample, Task, stable_hash
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import TestRun, run_task_tests
from vulnbench.store import RunStore

CHUNK = 500


@dataclass
class AssessContext:
    store: RunStore
    tasks: dict[str, Task]
    analyzers: Sequence[Analyzer]
    sandbox: Sandbox | None
    policy: Policy

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


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def static_findings(ctx: AssessContext, samples: Sequence[Sample]
                    ) -> dict[str, tuple[list[Finding], list[str]]]:
    """Findings and analyzer errors per sample key; each analyzer runs once per chunk of
    uncached programs."""
    out: dict[str, tuple[list[Finding], list[str]]] = {s.key: ([], []) for s in samples}
    for analyzer in ctx.analyzers:
        version = ctx.analyzer_versions[analyzer.name]
        pending: dict[str, list[Sample]] = {}
        for sample in samples:
            lang = ctx.tasks[sample.task_id].language
            if lang not in analyzer.languages:
                continue
            h = code_hash(sample.code)
            cached = ctx.store.cached_findings(h, analyzer.name, version)
            if cached is None:
                pending.setdefault(h, []).append(sample)
            else:
                out[sample.key][0].extend(cached)
        hashes = list(pending)
        for start in range(0, len(hashes), CHUNK):
            chunk = hashes[start:start + CHUNK]
            batch = [AnalysisInput(h, pending[h][0].code,
                                   ctx.tasks[pending[h][0].task_id].language) for h in chunk]
            for result in analyzer.analyze(batch):
                if not result.error:
                    ctx.store.cache_findings(result.id, analyzer.name, version,
                                             result.findings)
                for sample in pending[result.id]:
                    out[sample.key][0].extend(result.findings)
                    if result.error:
                        out[sample.key][1].append(f"{analyzer.name}: {result.error}")
    return out


def assess(ctx: AssessContext, samples: Sequence[Sample], on_done: Callable[[], None]) -> int:
    """Assess ``ok`` samples whose stored verdict is missing or stale; returns how many."""
    known = ctx.store.verdict_fingerprints()
    todo = [(s, ctx.fingerprint(s)) for s in samples if s.status == "ok"]
    todo = [(s, fp) for s, fp in todo if known.get(s.key) != fp]
    if not todo:
        return 0
    static = static_findings(ctx, [s for s, _ in todo])

    def tests_for(sample: Sample) -> TestRun:
        if ctx.sandbox is None:
            return TestRun("not_assessed")
        return run_task_tests(ctx.sandbox, ctx.tasks[sample.task_id], sample.code)

    workers = max(1, len(os.sched_getaffinity(0)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(tests_for, s): (s, fp) for s, fp in todo}
        for future in as_completed(futures):
            sample, fp = futures[future]
            findings, errors = static[sample.key]
            verdict = decide(sample.key, ctx.tasks[sample.task_id], findings, errors,
                             future.result(), ctx.policy)
            ctx.store.put_verdict(verdict, fp)
            on_done()
    return len(todo)
