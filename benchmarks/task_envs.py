"""Per-task environments (``vulnbench/sandbox/envs.py``): what they cost, in one run.

    python benchmarks/task_envs.py [--repeats 5] [--flask 120] [--per-task 10]

- build, cold: a new, empty environment cache each repeat; uv's own download and wheel cache
  stays warm (one untimed build fills it first), so this is venv + install from uv's cache +
  bytecode compilation, not downloads;
- build, cached: the same requirement set asked again by a new cache object over the built
  cache, as a second run would (the interpreter probe, a hash and a metadata read, no
  installer); both timings include the interpreter probe;
- throughput: the built-in Flask tasks' references (secure and insecure alternating,
  ``--per-task`` per task) through the bwrap sandbox, in the shared runtime and in a per-task
  environment built from the shared runtime's own requirement list (so the same tests pass in
  both and only the environment differs); modes interleaved, samples/s median over repeats,
  and the ratio per-task / shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _load import samples, throughput

from vulnbench.datasets import load_dataset
from vulnbench.sandbox.backends import create_sandbox
from vulnbench.sandbox.envs import EnvCache, base_interpreter, default_cache

RUNTIME_REQUIREMENTS = Path(__file__).resolve().parents[1] / "scripts" / \
    "runtime-requirements.txt"
SETS = {
    "flask2 + ext": ["Flask==2.3.3", "Flask-SQLAlchemy==3.0.5", "pycryptodome==3.19.0"],
    "runtime set": RUNTIME_REQUIREMENTS.read_text("utf-8").splitlines(),
}


def open_dir() -> Path:
    """A cache folder the sandbox's unprivileged user can traverse (when run as root)."""
    path = Path(tempfile.mkdtemp(prefix="vb-bench-envs-"))
    os.chmod(path, 0o755)
    return path


def timed(fn: Callable[[list[str]], object], reqs: list[str]) -> float:
    """Seconds, including the probe of the interpreter that a new run pays once."""
    base_interpreter.cache_clear()
    start = time.perf_counter()
    fn(reqs)
    return time.perf_counter() - start


def build_times(reqs: list[str], repeats: int) -> tuple[float, float]:
    """Median seconds of a cold build (empty cache) and of a cached one."""
    cold: list[float] = []
    cached: list[float] = []
    for _ in range(repeats):
        root = open_dir()
        try:
            cold.append(timed(EnvCache(root).ensure, reqs))
            cached.append(timed(EnvCache(root).ensure, reqs))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return statistics.median(cold), statistics.median(cached)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--flask", type=int, default=120, help="samples per throughput run")
    parser.add_argument("--per-task", type=int, default=10)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    root = open_dir()
    os.environ["VULNBENCH_ENV_CACHE"] = str(root)  # the per-task mode's cache
    try:
        for reqs in SETS.values():  # fills uv's download cache: the cold builds skip downloads
            EnvCache(open_dir()).ensure(reqs)
        print(f"repeats: {args.repeats}, workers: {args.workers}; cold = empty environment "
              "cache, uv download/wheel cache warm")
        print(f"{'environment build':<20}{'cold s':>10}{'cached s':>12}{'cold/cached':>14}")
        for name, reqs in SETS.items():
            cold, cached = build_times(reqs, args.repeats)
            print(f"{name:<20}{cold:>10.2f}{cached:>12.4f}{cold / cached:>13.0f}x")

        sandbox = create_sandbox("bwrap")
        flask = [t for t in load_dataset("builtin").tasks
                 if t.language == "python" and "flask" in t.runtime]
        shared = samples(flask, args.flask, args.per_task)
        own_reqs = SETS["runtime set"]
        default_cache().ensure(own_reqs)  # built before timing, as a second run finds it
        own = [(t.model_copy(update={"requirements": own_reqs}), code) for t, code in shared]
        rates: dict[str, list[float]] = {"shared runtime": [], "per-task env": []}
        for _ in range(args.repeats):
            rates["shared runtime"].append(throughput(sandbox, shared, args.workers))
            rates["per-task env"].append(throughput(sandbox, own, args.workers))
        med = {name: statistics.median(r) for name, r in rates.items()}
        print(f"\n{'throughput':<20}{'samples':>10}{'shared /s':>12}{'per-task /s':>14}"
              f"{'per-task/shared':>17}")
        print(f"{'flask tasks, bwrap':<20}{len(shared):>10}{med['shared runtime']:>12.2f}"
              f"{med['per-task env']:>14.2f}"
              f"{med['per-task env'] / med['shared runtime']:>16.2f}x")
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for leftover in Path(tempfile.gettempdir()).glob("vb-bench-envs-*"):
            shutil.rmtree(leftover, ignore_errors=True)


if __name__ == "__main__":
    main()
