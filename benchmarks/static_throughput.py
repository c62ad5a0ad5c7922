"""Static-analysis throughput: the batched engine (each tool once per chunk of programs) against
the naive way (each tool once per program), measured in the same run, and a fully cached
re-run through the pipeline's static phase (findings cached by code hash, tool, version).

    python benchmarks/static_throughput.py [--samples 1000] [--naive 20] [--repeats 3]
                                           [--analyzer semgrep --analyzer bandit]

The naive rate is measured on ``--naive`` programs (default 20; one tool process each, so all
1,000 would take hours) and reported as samples/s; the ratio is batched / naive. Each figure is
the median over ``--repeats`` rounds (a fresh store per round, the naive and batched ways
interleaved)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from vulnbench.analyzers import AnalysisInput, create_analyzer
from vulnbench.analyzers.runner import run_analyzers
from vulnbench.datasets import load_dataset
from vulnbench.pipeline.assess import AssessContext, static_findings
from vulnbench.records import Finding, Sample
from vulnbench.store import RunStore


def corpus(n: int) -> tuple[list[Sample], dict[str, object]]:
    """``n`` distinct Python programs: the built-in references, each made unique by a
    trailing comment (so no two share a code hash)."""
    tasks = [t for t in load_dataset("builtin").tasks if t.language == "python"]
    refs = [(t, code) for t in tasks for code in (t.insecure_reference, t.secure_reference)
            if code.strip()]
    samples = []
    for i in range(n):
        task, code = refs[i % len(refs)]
        samples.append(Sample(key=f"k{i}", condition="bench", task_id=task.id, sample_index=i,
                              raw=code, code=f"{code}\n# variant {i}\n", status="ok"))
    return samples, {t.id: t for t in tasks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--naive", type=int, default=20)
    parser.add_argument("--analyzer", action="append", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    analyzers = [create_analyzer(a) for a in (args.analyzer or ["semgrep", "bandit"])]
    for a in analyzers:
        if why := a.unavailable():
            raise SystemExit(f"{a.name}: {why}")
    samples, tasks = corpus(args.samples)
    print(f"analyzers: {', '.join(a.name for a in analyzers)}; samples: {len(samples)}")

    naive_n = min(args.naive, len(samples))
    rates: dict[str, list[float]] = {"naive": [], "batched": [], "cached": []}
    first: dict[str, tuple[list[Finding], list[str]]] = {}
    for _ in range(args.repeats):
        start = time.perf_counter()
        for s in samples[:naive_n]:
            for a in analyzers:
                run_analyzers([AnalysisInput(s.key, s.code)], [a])
        rates["naive"].append(naive_n / (time.perf_counter() - start))
        with tempfile.TemporaryDirectory() as tmp:
            store = RunStore(Path(tmp) / "run.sqlite")
            ctx = AssessContext(store=store, tasks=tasks,  # type: ignore[arg-type]
                                analyzers=analyzers, sandbox=None, policy="target")
            start = time.perf_counter()
            first = static_findings(ctx, samples)
            rates["batched"].append(len(samples) / (time.perf_counter() - start))
            start = time.perf_counter()
            again = static_findings(ctx, samples)
            rates["cached"].append(len(samples) / (time.perf_counter() - start))
            store.close()
        assert {k: [f.rule_id for f in v[0]] for k, v in first.items()} == {
            k: [f.rule_id for f in v[0]] for k, v in again.items()}, "cache changed the findings"
    naive, batched, cached = (statistics.median(rates[k]) for k in ("naive", "batched", "cached"))
    print(f"repeats: {args.repeats} (medians)")
    flagged = sum(bool(v[0]) for v in first.values())
    print(f"naive (one process per tool per sample, {naive_n} samples): {naive:8.2f} samples/s")
    print(f"batched ({len(samples)} samples):{'':22}{batched:8.2f} samples/s")
    print(f"speed-up batched / naive:{'':27}{batched / naive:8.1f}x")
    print(f"fully cached re-run:{'':32}{cached:8.0f} samples/s")
    print(f"({flagged} of {len(samples)} samples have findings)")


if __name__ == "__main__":
    main()
