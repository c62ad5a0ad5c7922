"""Sandboxed test throughput: Flask-task samples and C samples (compiled with sanitizers), in the
same run, through

- ``bwrap``: the default engine (samples of a task share one sandbox with a warm interpreter
  that forks per sample and resets the sandbox between samples);
- ``subprocess``: the same engine without isolation (the baseline for the cost of isolation);
- ``bwrap 1/box``: one fresh sandbox and interpreter per sample (the baseline for the gain of
  the warm interpreter).

    python benchmarks/sandbox.py [--flask 200] [--c 100] [--per-task 10] [--repeats 3]

Samples are the built-in tasks' references (secure and insecure alternating), ``--per-task`` per
task as in a run with n samples per task. Prints samples/s per mode (median over repeats, modes
interleaved) and the ratios."""

from __future__ import annotations

import argparse
import os
import statistics

from _load import samples, throughput

from vulnbench.datasets import load_dataset
from vulnbench.sandbox.backends import create_sandbox

os.environ.setdefault("VULNBENCH_ALLOW_UNSANDBOXED", "1")  # the baseline backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--flask", type=int, default=200)
    parser.add_argument("--c", type=int, default=100)
    parser.add_argument("--per-task", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    bwrap, bare = create_sandbox("bwrap"), create_sandbox("subprocess")
    modes = {"bwrap": (bwrap, True), "subprocess": (bare, True), "bwrap 1/box": (bwrap, False)}
    builtin = load_dataset("builtin").tasks
    python = [t for t in builtin if t.language == "python" and "flask" in t.runtime]
    c_tasks = [t for t in builtin if t.language == "c"]
    suites = {"flask": samples(python, args.flask, args.per_task),
              "c (asan+ubsan)": samples(c_tasks, args.c, args.per_task)}
    print(f"workers: {args.workers}, repeats: {args.repeats}, samples per task: {args.per_task}")
    print(f"{'suite':<16}{'samples':>8}" + "".join(f"{m + ' /s':>16}" for m in modes)
          + f"{'isolation cost':>16}{'warm gain':>11}")
    for suite, items in suites.items():
        if not items:
            print(f"{suite:<16}  (no tasks)")
            continue
        rates: dict[str, list[float]] = {name: [] for name in modes}
        for _ in range(args.repeats):
            for name, (sandbox, batched) in modes.items():
                rates[name].append(throughput(sandbox, items, args.workers, batched))
        med = {name: statistics.median(r) for name, r in rates.items()}
        cost = (med["subprocess"] / med["bwrap"] - 1) * 100
        gain = med["bwrap"] / med["bwrap 1/box"]
        print(f"{suite:<16}{len(items):>8}" + "".join(f"{med[m]:>16.2f}" for m in modes)
              + f"{cost:>15.1f}%{gain:>10.2f}x")


if __name__ == "__main__":
    main()
