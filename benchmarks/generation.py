"""Generation throughput of the model backends on the embedded model (Gemma 3 270M, CPU).

(a) ``local`` backend vs raw ``llama_cpp.Llama.create_completion``: same model file, same
    settings, same prompts (the demo tasks' code prompts), greedy with a fixed seed; the two are
    interleaved prompt by prompt (alternating which goes first) and each repeat's tokens/s is
    total completion tokens / total seconds. Overhead = raw_tps / local_tps - 1.
(b) ``openai`` backend against a ``llama_cpp.server`` this script starts (and stops) on
    127.0.0.1: completion tokens/s and requests/s at concurrency 1, 4 and 8, levels interleaved
    per repeat, medians over repeats, each relative to concurrency 1.

    python benchmarks/generation.py [--repeats 3] [--max-tokens 64] [--prompts 4]
                                    [--requests 8] [--server-max-tokens 32]

(b) uses its own, smaller token budget by default so the whole run stays near 3 minutes on
2 cores (it sends repeats x 3 levels x requests completions).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from vulnbench.datasets import load_dataset
from vulnbench.models import BackendOptions, create_model
from vulnbench.models.local import LocalBackend
from vulnbench.models.weights import embedded_model_path
from vulnbench.records import Completion, GenerationConfig, Prompt

console = Console(width=110)
SEED = 1234
LEVELS = (1, 4, 8)


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def demo_prompts(count: int) -> list[Prompt]:
    tasks = load_dataset("demo").tasks[:count]
    return [Prompt(task_id=t.id, style="code", kind="completion", text=t.code_prompt)
            for t in tasks]


# --- (a) local backend vs raw llama-cpp-python ---------------------------------------------


@dataclass
class Tally:
    tokens: int = 0
    seconds: float = 0.0

    @property
    def tps(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def bench_local(prompts: list[Prompt], repeats: int, max_tokens: int) -> dict[str, Any]:
    from llama_cpp import Llama

    options = BackendOptions()  # the defaults a user gets: n_ctx 4096, all usable cores
    threads = options.n_threads or usable_cpus()
    backend = create_model("local", options)
    assert isinstance(backend, LocalBackend)
    raw = Llama(model_path=str(embedded_model_path()), n_ctx=options.n_ctx, n_threads=threads,
                verbose=False, seed=0)
    config = GenerationConfig(temperature=0.0, max_tokens=max_tokens, seed=SEED)
    # exactly the arguments LocalBackend passes for a completion prompt
    raw_kwargs: dict[str, Any] = {"max_tokens": config.max_tokens, "temperature":
                                  config.temperature, "top_p": config.top_p, "seed": config.seed}

    async def via_backend(p: Prompt) -> int:
        out: Completion = await backend.complete(p, config, 0)
        return out.completion_tokens or 0

    def via_raw(p: Prompt) -> int:
        resp = raw.create_completion(prompt=p.text, stop=None, **raw_kwargs)
        return int(resp["usage"]["completion_tokens"])

    async def main() -> tuple[list[Tally], list[Tally], bool]:
        same_text = True
        for p in prompts[:1]:  # warm-up, untimed
            await via_backend(p)
            via_raw(p)
        local_runs, raw_runs = [], []
        for r in range(repeats):
            lt, rt = Tally(), Tally()
            for i, p in enumerate(prompts):
                order = ("local", "raw") if (r + i) % 2 == 0 else ("raw", "local")
                for which in order:
                    t0 = time.perf_counter()
                    if which == "local":
                        lt.tokens += await via_backend(p)
                        lt.seconds += time.perf_counter() - t0
                    else:
                        rt.tokens += via_raw(p)
                        rt.seconds += time.perf_counter() - t0
            local_runs.append(lt)
            raw_runs.append(rt)
        # greedy decoding: both paths must produce the same text
        for p in prompts:
            a = (await backend.complete(p, config, 0)).text
            b = raw.create_completion(prompt=p.text, stop=None, **raw_kwargs)["choices"][0]["text"]
            same_text &= a == b
        return local_runs, raw_runs, same_text

    local_runs, raw_runs, same = asyncio.run(main())
    local_tps = statistics.median(t.tps for t in local_runs)
    raw_tps = statistics.median(t.tps for t in raw_runs)
    return {"local": local_runs, "raw": raw_runs, "local_tps": local_tps, "raw_tps": raw_tps,
            "overhead": raw_tps / local_tps - 1 if local_tps else float("nan"),
            "same_text": same, "threads": threads}


# --- (b) openai backend against llama_cpp.server -------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(threads: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path()),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
             "--n_threads", str(threads)],
            stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"llama_cpp.server not up after 120 s:\n{log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bench_server(prompts: list[Prompt], repeats: int, max_tokens: int, requests: int,
                 threads: int) -> dict[int, dict[str, Any]]:
    config = GenerationConfig(temperature=0.0, max_tokens=max_tokens, seed=SEED)
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(threads, Path(tmp) / "server.log")
        try:
            backends = {c: create_model("openai:gemma-3-270m",
                                        BackendOptions(base_url=base, concurrency=c))
                        for c in LEVELS}

            async def level(c: int) -> tuple[int, float]:
                b = backends[c]
                t0 = time.perf_counter()
                outs = await asyncio.gather(*(b.complete(prompts[i % len(prompts)], config, i)
                                              for i in range(requests)))
                return sum(o.completion_tokens or 0 for o in outs), time.perf_counter() - t0

            async def main() -> dict[int, list[tuple[int, float]]]:
                await level(1)  # warm-up, untimed
                runs: dict[int, list[tuple[int, float]]] = {c: [] for c in LEVELS}
                for r in range(repeats):
                    order = LEVELS if r % 2 == 0 else tuple(reversed(LEVELS))
                    for c in order:
                        runs[c].append(await level(c))
                for b in backends.values():
                    await b.aclose()
                return runs

            runs = asyncio.run(main())
        finally:
            stop_server(proc)
    return {c: {"tps": statistics.median(t / s for t, s in rs),
                "rps": statistics.median(requests / s for _, s in rs),
                "tokens": statistics.median(t for t, _ in rs),
                "runs": [t / s for t, s in rs]}
            for c, rs in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--prompts", type=int, default=4, help="demo code prompts to use")
    ap.add_argument("--requests", type=int, default=8,
                    help="requests per concurrency level and repeat in (b)")
    ap.add_argument("--server-max-tokens", type=int, default=32,
                    help="max_tokens per request in (b)")
    args = ap.parse_args()
    prompts = demo_prompts(args.prompts)
    started = time.perf_counter()
    import llama_cpp

    console.print(f"[bold]vulnbench generation benchmark[/] - {platform.python_version()}, "
                  f"llama-cpp-python {llama_cpp.__version__}, {usable_cpus()} usable cores, "
                  f"model {embedded_model_path().name}")
    console.print(f"{len(prompts)} demo code prompts, max_tokens={args.max_tokens}, "
                  f"temperature=0, seed={SEED}, repeats={args.repeats}; "
                  f"load average at start {os.getloadavg()[0]:.2f}\n")

    a = bench_local(prompts, args.repeats, args.max_tokens)
    t = Table(title="(a) local backend vs raw llama_cpp.Llama.create_completion")
    for col in ("path", "tokens/repeat", "tok/s per repeat", "median tok/s"):
        t.add_column(col, justify="right" if col != "path" else "left")
    for name, key in (("raw Llama.create_completion", "raw"), ("local backend (complete)",
                                                                 "local")):
        runs = a[key]
        t.add_row(name, str(runs[0].tokens), ", ".join(f"{r.tps:.1f}" for r in runs),
                  f"{a[key + '_tps']:.1f}")
    console.print(t)
    console.print(f"overhead = raw_tps / local_tps - 1 = [bold]{a['overhead'] * 100:+.1f}%[/]"
                  f"  (n_threads={a['threads']}; identical greedy text: {a['same_text']})\n")

    b = bench_server(prompts, args.repeats, args.server_max_tokens, args.requests, a["threads"])
    t = Table(title=f"(b) openai backend -> llama_cpp.server (n_threads={a['threads']}), "
                    f"{args.requests} requests per level, max_tokens={args.server_max_tokens}")
    for col in ("concurrency", "tok/s per repeat", "median tok/s", "median req/s",
                "tok/s vs c=1", "req/s vs c=1"):
        t.add_column(col, justify="right")
    for c in LEVELS:
        row = b[c]
        t.add_row(str(c), ", ".join(f"{x:.1f}" for x in row["runs"]), f"{row['tps']:.1f}",
                  f"{row['rps']:.2f}", f"{row['tps'] / b[1]['tps']:.2f}x",
                  f"{row['rps'] / b[1]['rps']:.2f}x")
    console.print(t)
    spread = max((max(b[c]["runs"]) - min(b[c]["runs"])) / b[c]["tps"] for c in LEVELS)
    console.print("llama_cpp.server runs one model instance and answers one request at a time, "
                  "so ratios near 1x are expected; the largest per-repeat spread was "
                  f"{spread * 100:.0f}% of the median, and differences within it are noise.")
    console.print(f"\ntotal {time.perf_counter() - started:.0f} s; "
                  f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
