"""End-to-end assessment throughput: a replay of the built-in tasks' references (secure and
insecure, each copy made distinct by a trailing comment so no cache or de-duplication helps)
through generation (a scripted replay), processing, static analysis, sandboxed tests, store
writes and scoring, in a fresh run store per round.

    python benchmarks/end_to_end.py [--copies 1] [--repeats 3] [--sandbox bwrap]
                                    [--no-baseline] [--workers N]

Compared in the same run, rounds interleaved: ``serial`` is the former order (all static
analysis, then the tests) and ``overlap`` the executor's (static analysis as one job beside
the test batches, verdicts written by the driver as both halves arrive). Every figure is the
median over ``--repeats`` rounds; the verdicts of both ways are compared sample by sample.
Phase seconds are busy time: overlapped phases add up to more than the wall time."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from vulnbench.analyzers import create_analyzer
from vulnbench.analyzers.runner import default_analyzers
from vulnbench.datasets import load_dataset
from vulnbench.models.base import BackendOptions
from vulnbench.models.mock import MockBackend
from vulnbench.pipeline.assess import AssessContext, assess
from vulnbench.pipeline.generate import WorkItem, generate, plan
from vulnbench.pipeline.process import process_task
from vulnbench.pipeline.score import score_condition
from vulnbench.records import GenerationConfig, Prompt, Task, Verdict
from vulnbench.sandbox.backends import create_sandbox
from vulnbench.store import RunStore

COMMENT = {"python": "#", "c": "//"}


def replay_script(tasks: list[Task], copies: int, path: Path) -> int:
    """The scripted outputs: per task its references, ``copies`` times; returns n per task."""
    script = {t.id: [f"{ref}\n{COMMENT[t.language]} replay {j}\n" for j in range(copies)
                     for ref in (t.secure_reference, t.insecure_reference)] for t in tasks}
    path.write_text(json.dumps(script), encoding="utf-8")
    return 2 * copies


def decision(verdict: Verdict) -> object:
    """What a verdict decides, without the test output's free text (ports, timings)."""
    return (verdict.status, verdict.functional, verdict.static_vulnerable,
            verdict.test_vulnerable, verdict.vulnerable, verdict.secure,
            [f.model_dump() for f in verdict.findings],
            [(o.suite, o.name, o.status) for o in verdict.tests])


def one_round(tasks: list[Task], script: Path, n: int, sandbox_name: str, overlap: bool,
              workers: int | None) -> tuple[int, dict[str, float], dict[str, object]]:
    from concurrent.futures import ThreadPoolExecutor

    phases: dict[str, float] = {}
    by_id = {t.id: t for t in tasks}
    with tempfile.TemporaryDirectory(prefix="vb-e2e-") as tmp:
        store = RunStore(Path(tmp) / "run.sqlite")
        config = GenerationConfig(n=n, temperature=0.0)
        prompts = [Prompt(task_id=t.id, style="replay", kind="chat", text=t.id) for t in tasks]
        items = plan("mock", [[p] for p in prompts], config)
        model = MockBackend(str(script), BackendOptions(concurrency=64))
        start = time.perf_counter()
        asyncio.run(generate(store, items, "replay", "mock", config, lambda: model,
                             lambda: None))
        phases["generation"] = time.perf_counter() - start
        start = time.perf_counter()
        by_task: dict[str, list[WorkItem]] = {}
        for it in items:
            by_task.setdefault(it.task_id, []).append(it)
        samples = [s for tid, its in by_task.items()
                   for s in process_task(store, by_id[tid], its, "replay", "none")]
        phases["process"] = time.perf_counter() - start
        ok = [s for s in samples if s.status == "ok"]
        start = time.perf_counter()  # start-up costs (tool versions, sandbox) count here
        analyzers = [create_analyzer(a) for a in default_analyzers(t.language for t in tasks)]
        analyzers = [a for a in analyzers if not a.unavailable()]
        pool = ThreadPoolExecutor(max_workers=workers) if workers else None
        ctx = AssessContext(store, by_id, analyzers, create_sandbox(sandbox_name), "target",
                            executor=pool, overlap=overlap)
        assess(ctx, ok, lambda: None)
        if pool:
            pool.shutdown()
        phases["assess"] = time.perf_counter() - start
        phases.update(ctx.timings)
        start = time.perf_counter()
        score_condition(store, "replay", "mock", 0.0, by_id, {it.key for it in items}, [1],
                        200)
        phases["score"] = time.perf_counter() - start
        verdicts = {s.key: decision(v) for s in ok if (v := store.get_verdict(s.key))}
        store.close()
    return len(ok), phases, verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=1, help="replays of every reference")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sandbox", default="bwrap")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--no-baseline", action="store_true", help="skip the serial way")
    args = parser.parse_args()
    tasks = [t for t in load_dataset("builtin").tasks
             if t.secure_reference.strip() and t.insecure_reference.strip()]
    ways = ["overlap"] if args.no_baseline else ["serial", "overlap"]
    rates: dict[str, list[float]] = {w: [] for w in ways}
    phases: dict[str, dict[str, list[float]]] = {w: {} for w in ways}
    verdicts: dict[str, dict[str, object]] = {}
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "replay.json"
        n = replay_script(tasks, args.copies, script)
        for _ in range(args.repeats):
            for way in ways:
                start = time.perf_counter()
                count, took, verdicts[way] = one_round(tasks, script, n, args.sandbox,
                                                       way == "overlap", args.workers)
                total = time.perf_counter() - start
                rates[way].append(count / took["assess"])
                for phase, seconds in {**took, "total": total}.items():
                    phases[way].setdefault(phase, []).append(seconds)
    if not args.no_baseline and verdicts["serial"] != verdicts["overlap"]:
        differ = [k for k in verdicts["serial"] if verdicts["serial"][k] != verdicts[
            "overlap"].get(k)]
        for key in differ[:3]:
            print(f"  {key}: serial {verdicts['serial'][key]}")
            print(f"  {key}: overlap {verdicts['overlap'][key]}")
        raise SystemExit(f"the two ways gave different verdicts for {len(differ)} samples")
    order = ["generation", "process", "static", "tests", "store", "assess", "score", "total"]
    print(f"{count} samples ({len(tasks)} tasks x 2 references x {args.copies}), sandbox "
          f"{args.sandbox}, medians of {args.repeats} rounds; seconds per phase")
    print(f"{'way':<9}" + "".join(f"{p:>11}" for p in order) + f"{'samples/s':>11}")
    for way in ways:
        cells = [statistics.median(phases[way].get(p, [0.0])) for p in order]
        print(f"{way:<9}" + "".join(f"{c:>11.2f}" for c in cells)
              + f"{statistics.median(rates[way]):>11.2f}")
    if not args.no_baseline:
        ratio = statistics.median(rates["overlap"]) / statistics.median(rates["serial"])
        print(f"assessment samples/s, overlap / serial: {ratio:.2f}x; verdicts identical")


if __name__ == "__main__":
    main()
