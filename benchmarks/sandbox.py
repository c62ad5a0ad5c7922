"""Sandboxed test throughput: Flask-task samples and C samples (compiled with sanitizers)
through the ``bwrap`` backend against the bare ``subprocess`` backend, in the same run.

    python benchmarks/sandbox.py [--flask 200] [--c 100] [--repeats 3] [--workers N]

Prints samples/s per backend (median over repeats, backends interleaved) and the cost of
isolation as a ratio."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from vulnbench.datasets import load_dataset
from vulnbench.datasets.loader import load_task_files
from vulnbench.records import Task
from vulnbench.sandbox.backends import create_sandbox
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.tests_runner import run_task_tests

os.environ.setdefault("VULNBENCH_ALLOW_UNSANDBOXED", "1")  # the baseline backend


def flask_samples(count: int) -> list[tuple[Task, str]]:
    tasks = [t for t in load_dataset("demo").tasks if "flask" in t.runtime]
    refs = [(t, code) for t in tasks for code in (t.secure_reference, t.insecure_reference)]
    return [refs[i % len(refs)] for i in range(count)]


def c_samples(count: int) -> list[tuple[Task, str]]:
    folder = Path(__file__).resolve().parents[1] / "src/vulnbench/datasets/builtin/c"
    files = sorted(folder.glob("*.toml"))
    if not files:
        return []
    tasks = load_task_files(files, source="builtin-c")
    refs = [(t, code) for t in tasks for code in (t.secure_reference, t.insecure_reference)]
    return [refs[i % len(refs)] for i in range(count)]


def throughput(sandbox: Sandbox, samples: list[tuple[Task, str]], workers: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(lambda s: run_task_tests(sandbox, s[0], s[1]), samples))
    elapsed = time.perf_counter() - start
    bad = [r for r in runs if r.status != "assessed"]
    if bad:
        print(f"  warning: {len(bad)} runs ended {bad[0].status}: {bad[0].detail[:120]}")
    return len(samples) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flask", type=int, default=200)
    parser.add_argument("--c", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    backends = {name: create_sandbox(name) for name in ("bwrap", "subprocess")}
    suites = {"flask": flask_samples(args.flask), "c (asan+ubsan)": c_samples(args.c)}
    print(f"workers: {args.workers}, repeats: {args.repeats}")
    print(f"{'suite':<16}{'samples':>8}{'bwrap /s':>12}{'subprocess /s':>16}"
          f"{'isolation cost':>16}")
    for suite, samples in suites.items():
        if not samples:
            print(f"{suite:<16}  (no tasks)")
            continue
        rates: dict[str, list[float]] = {name: [] for name in backends}
        for _ in range(args.repeats):
            for name, sandbox in backends.items():
                rates[name].append(throughput(sandbox, samples, args.workers))
        bw = statistics.median(rates["bwrap"])
        sp = statistics.median(rates["subprocess"])
        print(f"{suite:<16}{len(samples):>8}{bw:>12.2f}{sp:>16.2f}{(sp / bw - 1) * 100:>15.1f}%")


if __name__ == "__main__":
    main()
