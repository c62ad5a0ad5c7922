"""One run, as its phases: load (the inputs, checked before anything is written), plan
conditions, generate, process, assess, score, write outputs. It resumes from the run directory;
one process at a time works in a directory (the lock), and a command that would change what the
directory's stored work means is refused (conditions.reconcile)."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import vulnbench
from vulnbench.conditions import Condition
from vulnbench.errors import VulnbenchError
from vulnbench.models import backends, parse_model
from vulnbench.pipeline.assess import AssessContext, assess
from vulnbench.pipeline.generate import WorkItem, generate
from vulnbench.pipeline.health import check_verdicts, sandbox_spec
from vulnbench.pipeline.options import RunOptions
from vulnbench.pipeline.plan import Inputs, Models, Planned, load, plan_conditions
from vulnbench.pipeline.process import process_task
from vulnbench.pipeline.rescore import (
    ScoredCondition,
    ScoreOptions,
    ScoringRecord,
    results_of,
    save_scoring,
)
from vulnbench.prompts import styles
from vulnbench.records import ConditionRecord, GenerationConfig, ModelSpec, RunSpec, Sample
from vulnbench.report.markdown import write_outputs
from vulnbench.results import Results, Stats
from vulnbench.sandbox.envs import environment_specs
from vulnbench.store import RunLock, RunStore


def run(opts: RunOptions, echo: Callable[[str], None] = print, *, wait: bool = False,
        force_options: bool = False) -> Results:
    """``wait``: queue behind another process working in ``opts.out`` instead of refusing;
    ``force_options``: adopt this command's options where the directory's differ."""
    _validate(opts)
    started = time.perf_counter()
    inputs = load(opts, echo)
    sandbox = sandbox_spec(inputs.sandbox)  # a sandbox that cannot test fails before any call
    with RunLock(opts.out) as lock:  # taken once the input is known good: bad input writes nothing
        waited = time.perf_counter()
        lock.acquire(wait, echo)
        started += time.perf_counter() - waited  # waiting is not this run's time
        for note in inputs.notes:
            echo(f"note: {note}")
        store = RunStore(opts.out / "run.sqlite")
        try:
            results, planned = _phases(store, opts, inputs, sandbox, force_options, echo)
            results.stats.seconds = round(time.perf_counter() - started, 2)
            write_outputs(opts.out, results, store, {p.condition.label for p in planned},
                          {it.key for p in planned for it in p.items})
        finally:
            store.close()
    check_verdicts(results.conditions, opts.run_tests)
    return results


def _phases(store: RunStore, opts: RunOptions, inputs: Inputs, sandbox: str, force: bool,
            echo: Callable[[str], None]) -> tuple[Results, list[Planned]]:
    models = Models(store, opts.backend, echo)
    try:
        planned = plan_conditions(store, opts, inputs, models, force, echo)
        with progress_bars(opts.progress) as progress:
            new = _generate(store, planned, models, progress)
            samples = _process(store, inputs, planned, opts.dedup)
            assessed = _assess(store, opts, inputs, samples, progress)
    finally:  # models loaded but never run (a replay file checked in planning)
        models.close()
    spec = _run_spec(store, opts, inputs, planned, sandbox)
    store.save_spec(spec)
    total = sum(len(p.items) for p in planned)
    n_ok = sum(1 for s in samples if s.status == "ok")
    stats = Stats(new_generations=new, reused_generations=total - new, assessed=assessed,
                  reused_verdicts=n_ok - assessed, seconds=0.0)
    return _score(store, opts, inputs, planned, spec, stats), planned


# phases ----------------------------------------------------------------------------------
def _generate(store: RunStore, planned: list[Planned], models: Models,
              progress: Progress) -> int:
    bar = progress.add_task("generate", total=sum(len(p.items) for p in planned))
    done = store.generation_keys()
    progress.update(bar, completed=sum(it.key in done for p in planned for it in p.items))
    return asyncio.run(_generate_all(store, planned, models, lambda: progress.advance(bar)))


async def _generate_all(store: RunStore, planned: list[Planned], models: Models,
                        on_done: Callable[[], None]) -> int:
    """Every condition in one event loop, which also closes the models."""
    made = 0
    try:
        for p in planned:
            cond = p.condition
            made += await generate(store, p.items, cond.label, cond.model, p.config,
                                   models.getter(cond.spec), on_done)
    finally:
        await models.aclose()
    return made


def _process(store: RunStore, inputs: Inputs, planned: list[Planned],
             dedup: str) -> list[Sample]:
    tasks = inputs.tasks
    samples: list[Sample] = []
    for p in planned:
        by_task: dict[str, list[WorkItem]] = {}
        for it in p.items:
            by_task.setdefault(it.task_id, []).append(it)
        for task_id, items in by_task.items():
            samples += process_task(store, tasks[task_id], items, p.condition.label, dedup)
    return samples


def _assess(store: RunStore, opts: RunOptions, inputs: Inputs, samples: list[Sample],
            progress: Progress) -> int:
    """Through the assessment phase's one entry point."""
    ok = [s for s in samples if s.status == "ok"]
    bar = progress.add_task("assess", total=len(ok))
    ctx = AssessContext(store, inputs.tasks, inputs.analyzers, inputs.sandbox, opts.policy)
    assessed = assess(ctx, ok, lambda: progress.advance(bar))
    progress.update(bar, completed=len(ok))
    return assessed


def _score(store: RunStore, opts: RunOptions, inputs: Inputs, planned: list[Planned],
           spec: RunSpec, stats: Stats) -> Results:
    """Score, after recording in the store what is scored, so that ``vulnbench report``
    re-scores it from the store alone."""
    record = ScoringRecord(
        dataset=inputs.dataset.name,
        conditions=[ScoredCondition(condition=c, keys=[it.key for it in p.items])
                    for c, p in zip(spec.conditions, planned, strict=True)],
        options=ScoreOptions(ks=list(opts.ks), bootstrap_reps=opts.bootstrap_reps,
                             analyzers=[a.name for a in inputs.analyzers],
                             tests_run=inputs.sandbox is not None))
    save_scoring(store, inputs.dataset.tasks, record)
    return results_of(store, record, inputs.dataset.tasks, spec, stats)


# helpers ---------------------------------------------------------------------------------
def _run_spec(store: RunStore, opts: RunOptions, inputs: Inputs, planned: list[Planned],
              sandbox: str) -> RunSpec:
    conds = [p.condition for p in planned]
    temperatures = list(dict.fromkeys(c.temperature for c in conds))
    return RunSpec(
        vulnbench_version=vulnbench.__version__, git_revision=git_revision(),
        dataset=inputs.dataset.name, dataset_hash=inputs.dataset.content_hash,
        task_count=len(inputs.dataset.tasks),
        models=[_model_spec(spec, store) for spec in dict.fromkeys(c.spec for c in conds)],
        temperatures=temperatures, style=conds[0].style,
        generation=GenerationConfig(n=opts.n, temperature=temperatures[0], top_p=opts.top_p,
                                    max_tokens=opts.max_tokens, stop=opts.stop,
                                    seed=opts.seed),
        seed=opts.seed, policy=opts.policy, dedup=opts.dedup,
        analyzers=[a.name for a in inputs.analyzers],
        tools={a.name: a.version() for a in inputs.analyzers}, sandbox=sandbox,
        limit=opts.limit,
        environments=environment_specs(inputs.tasks.values()) if inputs.sandbox else [],
        conditions=[ConditionRecord(label=c.label, id=c.id, model=c.model, spec=c.spec,
                                    temperature=c.temperature, style=c.style,
                                    style_params=dict(c.style_params)) for c in conds],
        retrieval_stores=_retrieval_stores(inputs, conds))


def _retrieval_stores(inputs: Inputs, conds: list[Condition]) -> dict[str, str]:
    """Which store (by content hash) each retrieval strategy's prompts were made from."""
    stores: dict[str, str] = {}
    for cond in conds:
        for prompts in inputs.prompts_for(cond):
            for prompt in prompts:
                if "store" in prompt.meta:
                    stores[cond.strategy] = str(prompt.meta["store"])
    return stores


def _model_spec(spec: str, store: RunStore) -> ModelSpec:
    """The spec recorded when the model was loaded (it may not be loaded on a full resume)."""
    raw = store.get_meta(f"model:{spec}")
    if raw is not None:
        return ModelSpec.model_validate_json(raw)
    backend, name = parse_model(spec)
    return ModelSpec(id=spec, backend=backend, name=name)


def _validate(opts: RunOptions) -> None:
    """Fail on bad names before any work starts."""
    for spec in opts.models:
        backends.get(parse_model(spec)[0])
    for style in opts.styles:
        styles.get(style)
    if opts.n < 1 or any(k < 1 for k in opts.ks):
        raise VulnbenchError("--n and every k must be at least 1")


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=Path(vulnbench.__file__).parent, timeout=10,
                             check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Progress]:
    """Rich progress bars that stay on screen; off (silent) when ``enabled`` is false."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), disable=not enabled, transient=False)
    with progress:
        yield progress
