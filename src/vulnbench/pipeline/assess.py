"""Assessment phase: static analyzers over the whole batch of valid samples (cached by code
hash and tool version), sandboxed tests in parallel, one verdict committed per sample."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cached_property

from vulnbench.analyzers import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.assess import decide
from vulnbench.assess.verdict import Policy
from vulnbench.records import Finding, Sample, Task, stable_hash
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import TestRun, plan_batches, run_task_tests_batch
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
    """Findings and analyzer errors per sample key. Cached programs cost a lookup; each
    analyzer runs once per chunk of the others, analyzers in parallel (each is its own tool
    process, so threads suffice)."""
    out: dict[str, tuple[list[Finding], list[str]]] = {s.key: ([], []) for s in samples}
    pending: dict[str, dict[str, list[Sample]]] = {}
    for analyzer in ctx.analyzers:
        version = ctx.analyzer_versions[analyzer.name]
        todo = pending[analyzer.name] = {}
        for sample in samples:
            if ctx.tasks[sample.task_id].language not in analyzer.languages:
                continue
            h = code_hash(sample.code)
            cached = ctx.store.cached_findings(h, analyzer.name, version)
            if cached is None:
                todo.setdefault(h, []).append(sample)
            else:
                out[sample.key][0].extend(cached)

    def run(analyzer: Analyzer) -> list[AnalysisResult]:
        todo = pending[analyzer.name]
        hashes = list(todo)
        results: list[AnalysisResult] = []
        for start in range(0, len(hashes), CHUNK):
            results.extend(analyzer.analyze([
                AnalysisInput(h, todo[h][0].code, ctx.tasks[todo[h][0].task_id].language)
                for h in hashes[start:start + CHUNK]]))
        return results

    busy = [a for a in ctx.analyzers if pending[a.name]]
    with ThreadPoolExecutor(max_workers=max(1, len(busy))) as pool:
        for analyzer, results in zip(busy, pool.map(run, busy), strict=True):
            version = ctx.analyzer_versions[analyzer.name]
            for result in results:
                if not result.error:
                    ctx.store.cache_findings(result.id, analyzer.name, version,
                                             result.findings)
                for sample in pending[analyzer.name][result.id]:
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

    workers = max(1, len(os.sched_getaffinity(0)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_tests_for, ctx, batch): batch
                   for batch in plan_batches([s for s, _ in todo], lambda s: s.task_id,
                                             workers)}
        fingerprints = dict((s.key, fp) for s, fp in todo)
        for future in as_completed(futures):
            for sample, run in zip(futures[future], future.result(), strict=True):
                findings, errors = static[sample.key]
                verdict = decide(sample.key, ctx.tasks[sample.task_id], findings, errors, run,
                                 ctx.policy)
                # an environment that could not be built is tried again by the next run
                ctx.store.put_verdict(verdict, "" if verdict.status == "runtime_error"
                                      else fingerprints[sample.key])
                on_done()
    return len(todo)


def _tests_for(ctx: AssessContext, batch: list[Sample]) -> list[TestRun]:
    if ctx.sandbox is None:
        return [TestRun("not_assessed") for _ in batch]
    return run_task_tests_batch(ctx.sandbox, ctx.tasks[batch[0].task_id],
                                [s.code for s in batch])
