"""Model-inversion sampling on the embedded model: the engine's prefix-sharing call order
against the interleaved one, measured in the same run.

``prefix`` runs every sample of one few-shot prompt back to back (and every completion of one
non-secure prompt), so llama.cpp reuses the prompt it has already evaluated; ``interleaved``
(sample index major) makes consecutive calls differ in their prompt. Each repeat runs the two
sampling phases (``engine.sample``) once per order on a fresh run store; the order of the two
alternates across repeats. One model is loaded before timing and shared by every run; before
each measured run a short unrelated completion replaces llama.cpp's evaluated tokens, so no
run starts on a prefix left by the one before. Figures are medians over ``--repeats``; the
ratio is prefix / interleaved codes per second (and CPU seconds per code, which other
processes on the machine disturb less than wall time). With fixed seeds both orders ask the
same phase-1 calls (same content-addressed keys); a sampled text can still differ where
llama.cpp reused a prefix (its logits are computed in another batch shape), and a differing
non-secure prompt gives different phase-2 calls. The script prints whether each order
reproduced itself, which shared calls differ between the orders, and the work per run (calls,
codes, generated and prompt tokens) so the comparison can be judged fair.

    python benchmarks/inversion.py [--cwe CWE-89 --cwe CWE-78] [--language python]
                                   [--method fs-code] [--k 3] [--k2 2] [--permutations 1]
                                   [--code-tokens 150] [--repeats 3] [--baseline]

The defaults (2 CWEs, 6 phase-1 and 12 phase-2 calls per run, 6 runs) take about 10 minutes
on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vulnbench.attack.config import InversionConfig, Order
from vulnbench.attack.engine import (
    CODES_PHASE,
    PROMPTS_PHASE,
    Attack,
    LazyModel,
    example_sets,
    resolve_chat,
    sample,
)
from vulnbench.attack.records import InversionExample
from vulnbench.models import BackendOptions, ModelBackend
from vulnbench.records import GenerationConfig, Prompt
from vulnbench.store import RunStore

console = Console(width=120)
ORDERS: tuple[Order, Order] = ("prefix", "interleaved")
FLUSH = Prompt(task_id="flush", style="bench", kind="completion",
               text="A short note about the weather in spring:")


@dataclass
class Run:
    """One measured sampling run: what it asked and how long it took."""

    order: str
    seconds: float  # wall time of engine.sample (both phases, store writes included)
    cpu_seconds: float  # this process's CPU time over the same span (llama.cpp threads too)
    phase_seconds: dict[str, float]  # model time per phase, summed over its calls
    calls: int
    codes: int
    tokens: int  # completion tokens of all calls
    prompt_tokens: int
    outputs: dict[str, str]  # key -> generated text
    where: dict[str, str]  # key -> "phase N sample I"

    @property
    def codes_per_s(self) -> float:
        return self.codes / self.seconds if self.seconds else 0.0


def flush(get_model: Callable[[], ModelBackend]) -> None:
    """A short completion unrelated to the attack: llama.cpp's evaluated tokens become this
    prompt's, so the next run cannot reuse a prefix the previous run left behind."""
    config = GenerationConfig(temperature=0.0, max_tokens=4, seed=0)
    asyncio.run(get_model().complete(FLUSH, config, 0))


def measure(config: InversionConfig, examples: dict[tuple[str, str], list[InversionExample]],
            chat: bool, get_model: LazyModel) -> Run:
    """Both sampling phases of ``config`` on a fresh store, timed."""
    with tempfile.TemporaryDirectory(prefix="vulnbench-inv-") as tmp:
        store = RunStore(Path(tmp) / "run.sqlite")
        try:
            attack = Attack(config, store, examples, chat, get_model, echo=lambda _: None)
            flush(get_model)
            start, cpu = time.perf_counter(), time.process_time()
            sample(attack)
            seconds = time.perf_counter() - start
            cpu_seconds = time.process_time() - cpu
            gens = [store.get_generation(k) for k in store.generation_keys()]
        finally:
            store.close()
    phase_seconds = {PROMPTS_PHASE: 0.0, CODES_PHASE: 0.0}
    outputs: dict[str, str] = {}
    where: dict[str, str] = {}
    tokens = prompt_tokens = codes = 0
    for gen in gens:
        assert gen is not None
        phase_seconds[gen.condition] = phase_seconds.get(gen.condition, 0.0) + gen.seconds
        tokens += gen.completion.completion_tokens or 0
        prompt_tokens += gen.completion.prompt_tokens or 0
        codes += gen.condition == CODES_PHASE
        outputs[gen.key] = gen.completion.text
        where[gen.key] = (f"phase {1 if gen.condition == PROMPTS_PHASE else 2} "
                          f"sample {gen.sample_index}")
    return Run(config.order, seconds, cpu_seconds, phase_seconds, len(gens), codes, tokens,
               prompt_tokens, outputs, where)


def build_config(args: argparse.Namespace) -> InversionConfig:
    return InversionConfig(
        model=args.model, cwes=args.cwe or ["CWE-89", "CWE-78"],
        languages=args.language or ["python"], methods=args.method or ["fs-code"],
        baseline=args.baseline, k=args.k, k2=args.k2, permutations=args.permutations,
        shots=args.shots, temperature=args.temperature, prompt_tokens=args.prompt_tokens,
        code_tokens=args.code_tokens, seed=args.seed, chat=args.chat)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--model", default="local", help="model spec (default: embedded model)")
    ap.add_argument("--cwe", action="append", help="attacked CWE (repeatable; default "
                    "CWE-89 and CWE-78)")
    ap.add_argument("--language", action="append", choices=["python", "c"],
                    help="repeatable; default python")
    ap.add_argument("--method", action="append", choices=["fs-code", "fs-prompt", "os-prompt"],
                    help="repeatable; default fs-code")
    ap.add_argument("--baseline", action="store_true",
                    help="also complete the examples' own prompts (CVE-prompt baseline)")
    ap.add_argument("--k", type=int, default=3, help="non-secure prompts per few-shot prompt")
    ap.add_argument("--k2", type=int, default=2, help="codes per non-secure prompt")
    ap.add_argument("--permutations", type=int, default=1)
    ap.add_argument("--shots", type=int, default=3)
    ap.add_argument("--temperature", type=float, default=0.6)
    ap.add_argument("--prompt-tokens", type=int, default=25)
    ap.add_argument("--code-tokens", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chat", choices=["auto", "chat", "completion"], default="auto")
    ap.add_argument("--repeats", type=int, default=3)
    return ap.parse_args()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(runs: dict[str, list[Run]], repeats: int) -> None:
    table = Table(title=f"engine.sample per call order, medians over {repeats} repeat(s)")
    for col in ("order", "model calls", "codes", "tokens generated", "s per repeat",
                "median s", "CPU s", "phase 1 s", "phase 2 s", "codes/s"):
        table.add_column(col, justify="left" if col == "order" else "right")
    for order in ORDERS:
        rs = runs[order]
        table.add_row(
            order, f"{median([r.calls for r in rs]):g}", f"{median([r.codes for r in rs]):g}",
            f"{median([r.tokens for r in rs]):g}", ", ".join(f"{r.seconds:.1f}" for r in rs),
            f"{median([r.seconds for r in rs]):.1f}", f"{median([r.cpu_seconds for r in rs]):.1f}",
            f"{median([r.phase_seconds[PROMPTS_PHASE] for r in rs]):.1f}",
            f"{median([r.phase_seconds[CODES_PHASE] for r in rs]):.1f}",
            f"{median([r.codes_per_s for r in rs]):.3f}")
    console.print(table)
    fast, base = (median([r.codes_per_s for r in runs[o]]) for o in ORDERS)
    per_repeat = [p.codes_per_s / i.codes_per_s for p, i in zip(*(runs[o] for o in ORDERS),
                                                                 strict=True) if i.codes_per_s]
    console.print(f"codes/s prefix / interleaved = [bold]{fast / base:.2f}x[/] (ratio of "
                  f"medians; per repeat: {', '.join(f'{x:.2f}x' for x in per_repeat)})"
                  if base else "interleaved made no code: no ratio")
    cpu_fast, cpu_base = (median([r.cpu_seconds / r.codes for r in runs[o] if r.codes])
                          for o in ORDERS)
    if cpu_fast:
        console.print(f"CPU seconds per code interleaved / prefix = {cpu_base / cpu_fast:.2f}x "
                      "(less sensitive than wall time to other processes on the machine)")
    p1 = [r.phase_seconds[PROMPTS_PHASE] for r in runs["interleaved"]]
    p1_fast = [r.phase_seconds[PROMPTS_PHASE] for r in runs["prefix"]]
    if median(p1_fast):
        console.print(f"phase 1 (few-shot prompts) model time interleaved / prefix = "
                      f"{median(p1) / median(p1_fast):.2f}x")
    same_calls(runs)


def same_calls(runs: dict[str, list[Run]]) -> None:
    """Whether each order reproduced itself across repeats, and whether the two orders made
    the same calls (keys) with the same outputs. A phase-1 text that differs gives its
    non-secure prompt different phase-2 keys, so only equal phase-1 texts give equal key sets."""
    for order in ORDERS:
        first, *rest = runs[order]
        same = all(r.outputs == first.outputs for r in rest)
        console.print(f"{order}: every repeat made the same calls with identical output text: "
                      f"{same}")
    for r, (p, i) in enumerate(zip(*(runs[o] for o in ORDERS), strict=True)):
        pk, ik = set(p.outputs), set(i.outputs)
        shared = pk & ik
        differ = sorted(p.where[k] for k in shared if p.outputs[k] != i.outputs[k])
        verdict = "the same set of" if pk == ik else "DIFFERENT sets of"
        console.print(f"repeat {r + 1}: prefix and interleaved made {verdict} calls "
                      f"({len(pk)} / {len(ik)} keys, {len(shared)} shared); output text differs "
                      f"for {len(differ)} shared call(s){': ' if differ else ''}"
                      f"{', '.join(differ)}")
    work = {o: (runs[o][0].calls, runs[o][0].codes, runs[o][0].tokens, runs[o][0].prompt_tokens)
            for o in ORDERS}
    console.print("work per run (calls, codes, generated tokens, prompt tokens): "
                  + "; ".join(f"{o} {w}" for o, w in work.items()))


def main() -> None:
    args = parse_args()
    base = build_config(args)
    examples = example_sets(base, lambda line: console.print(line))
    get_model = LazyModel(base.model, BackendOptions())
    started = time.perf_counter()
    try:
        t0 = time.perf_counter()
        chat = resolve_chat(base.chat, get_model)
        flush(get_model)  # loads the model (and warms it up) before anything is timed
        load = time.perf_counter() - t0
        import llama_cpp

        console.print(f"[bold]vulnbench inversion sampling benchmark[/] - "
                      f"{platform.python_version()}, llama-cpp-python {llama_cpp.__version__}, "
                      f"model {get_model().id} ({'chat' if chat else 'completion'} prompting, "
                      f"loaded in {load:.1f} s, untimed)")
        console.print(f"{', '.join(base.cwes)} ({'/'.join(base.languages)}), methods "
                      f"{', '.join(base.methods)}, baseline {base.baseline}, k={base.k}, "
                      f"k2={base.k2}, permutations={base.permutations}, shots={base.shots}, "
                      f"T={base.temperature}, prompt/code tokens {base.prompt_tokens}/"
                      f"{base.code_tokens}, seed={base.seed}, repeats={args.repeats}; "
                      f"load average at start {os.getloadavg()[0]:.2f}\n")
        runs: dict[str, list[Run]] = {o: [] for o in ORDERS}
        for r in range(args.repeats):
            for order in ORDERS if r % 2 == 0 else ORDERS[::-1]:
                run = measure(base.model_copy(update={"order": order}), examples, chat,
                              get_model)
                runs[order].append(run)
                console.print(f"  repeat {r + 1} {order:<11} {run.calls} calls, {run.codes} "
                              f"codes, {run.tokens} tokens, {run.seconds:.1f} s")
        console.print()
        report(runs, args.repeats)
    finally:
        get_model.close()
    console.print(f"\ntotal {time.perf_counter() - started:.0f} s; "
                  f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
