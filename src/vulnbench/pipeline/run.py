"""Orchestrates one run over models x temperatures, resumable from the run directory. One
process at a time works in a directory (the lock), and a command that would change what the
directory's stored work means is refused (conditions.reconcile)."""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import vulnbench
from vulnbench.analyzers import create_analyzer
from vulnbench.datasets import Dataset, load_dataset
from vulnbench.errors import DatasetError, VulnbenchError
from vulnbench.models import backends, create_model, parse_model
from vulnbench.models.base import ModelBackend
from vulnbench.pipeline.assess import AssessContext, assess
from vulnbench.pipeline.conditions import (
    Condition,
    expand_conditions,
    folder_settings,
    reconcile,
    record,
    replay_changed,
    restrict_to_replay,
)
from vulnbench.pipeline.generate import WorkItem, generate, plan
from vulnbench.pipeline.options import RunOptions, options_to_json
from vulnbench.pipeline.process import process_task
from vulnbench.pipeline.score import blind_tasks, score_condition
from vulnbench.prompts import PromptContext, build_prompt, styles
from vulnbench.records import GenerationConfig, ModelSpec, RunSpec, Sample
from vulnbench.report.markdown import temperature_tables, write_outputs
from vulnbench.report.results import Results, Stats
from vulnbench.sandbox.backends import create_sandbox
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.envs import environment_specs
from vulnbench.sandbox.probe import probe
from vulnbench.store import RunLock, RunStore

# (label, spec, model name, config, items)
_Planned = tuple[str, str, str, GenerationConfig, list[WorkItem]]


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, cwd=Path(vulnbench.__file__).parent, timeout=10,
                             check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.stdout.strip() or "unknown"


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), disable=not enabled, transient=False)
    with progress:
        yield progress


def _select(dataset: Dataset, opts: RunOptions) -> Dataset:
    tasks = dataset.tasks
    if opts.task_ids:
        wanted = set(opts.task_ids)
        missing = wanted - {t.id for t in tasks}
        if missing:
            raise DatasetError(f"dataset {dataset.name!r} has no task(s): {sorted(missing)}")
        tasks = [t for t in tasks if t.id in wanted]
    return Dataset(dataset.name, tasks).limit(opts.limit)


def _validate(opts: RunOptions) -> None:
    """Fail on bad names before any work starts."""
    for spec in opts.models:
        backends.get(parse_model(spec)[0])
    styles.get(opts.style)
    if opts.n < 1 or any(k < 1 for k in opts.ks):
        raise VulnbenchError("--n and every k must be at least 1")


def run(opts: RunOptions, echo: Callable[[str], None] = print, *, wait: bool = False,
        force_options: bool = False) -> Results:
    """``wait``: queue behind another process working in ``opts.out`` instead of refusing;
    ``force_options``: adopt this command's options where the directory's differ."""
    _validate(opts)
    lock = RunLock(opts.out)

    def take_lock() -> float:
        """Seconds spent waiting for another process (not counted as this run's time)."""
        start = time.perf_counter()
        lock.acquire(wait, echo)
        return time.perf_counter() - start

    with lock:  # _run takes it once the input is known good: bad input writes nothing
        return _run(opts, echo, force_options, take_lock)


def _run(opts: RunOptions, echo: Callable[[str], None], force: bool,
         take_lock: Callable[[], float]) -> Results:
    started = time.perf_counter()
    full = load_dataset(opts.dataset)
    dataset = _select(full, opts)
    tasks = {t.id: t for t in dataset.tasks}
    ctx = PromptContext(tasks=full.tasks)
    prompts = [build_prompt(opts.style, t, ctx) for t in dataset.tasks]
    analyzers = []
    for name in opts.analyzers:
        analyzer = create_analyzer(name)
        reason = analyzer.unavailable()
        if reason:  # reported once; the run goes on with the analyzers that can run
            echo(f"warning: analyzer {name} skipped: {reason}")
            continue
        analyzers.append(analyzer)
    sandbox: Sandbox | None = create_sandbox(opts.sandbox) if opts.run_tests else None
    named, notes = expand_conditions(opts.models, opts.temperatures)

    started += take_lock()
    for note in notes:
        echo(f"note: {note}")
    store = RunStore(opts.out / "run.sqlite")
    settings = folder_settings(opts, full.content_hash)
    expanded = reconcile(store, settings, named, force, echo)
    previous = {c.spec: store.get_meta(f"model:{c.spec}") for c in named}
    done = store.generation_keys()
    loaded: dict[str, ModelBackend] = {}

    checked = False  # a model's spec is recorded once the checks passed (it pins a replay)

    def model_for(spec: str) -> Callable[[], ModelBackend]:
        def get() -> ModelBackend:
            if spec not in loaded:
                echo(f"loading model {spec} ...")
                loaded[spec] = create_model(spec, opts.backend)
                if checked:
                    store.set_meta(f"model:{spec}", loaded[spec].spec().model_dump_json())
            return loaded[spec]
        return get

    # a replay folder is one condition per file
    conditions: list[_Planned] = []
    stale: list[str] = []
    for cond in expanded:
        config = GenerationConfig(n=opts.n, temperature=cond.temperature, top_p=opts.top_p,
                                  max_tokens=opts.max_tokens, stop=opts.stop, seed=opts.seed)
        items = plan(cond.spec, opts.backend.base_url, prompts, config)
        if cond not in named:
            items = _held(cond, items, done, echo)
        elif cond.is_replay:
            backend = model_for(cond.spec)()
            stale += replay_changed(backend, previous[cond.spec],
                                    [it.key for it in items if it.key in done], force, echo)
            items = restrict_to_replay(items, backend, opts.n, {t.id for t in full.tasks}, echo)
        conditions.append((cond.label, cond.spec, cond.model, config, items))
    # nothing is written before every check has passed
    store.drop_generations(stale)
    record(store, settings, expanded)
    store.set_meta("options", options_to_json(opts))
    checked = True
    for spec, model in loaded.items():
        store.set_meta(f"model:{spec}", model.spec().model_dump_json())

    total = sum(len(c[4]) for c in conditions)
    new = 0
    assessed = 0
    all_samples: list[list[Sample]] = []
    try:
        with _progress(opts.progress) as progress:
            gen_bar = progress.add_task("generate", total=total)
            done_before = store.generation_keys()
            progress.update(gen_bar, completed=sum(
                1 for c in conditions for it in c[4] if it.key in done_before))
            new = asyncio.run(_generate_all(store, conditions, model_for, loaded,
                                            lambda: progress.advance(gen_bar)))
            for label, _, _, _, items in conditions:
                by_task: dict[str, list[WorkItem]] = {}
                for it in items:
                    by_task.setdefault(it.task_id, []).append(it)
                all_samples.append([s for tid, its in by_task.items()
                                    for s in process_task(store, tasks[tid], its, label,
                                                          opts.dedup)])
            actx = AssessContext(store, tasks, analyzers, sandbox, opts.policy)
            ok = [s for group in all_samples for s in group if s.status == "ok"]
            bar = progress.add_task("assess", total=len(ok))
            assessed = assess(actx, ok, lambda: progress.advance(bar))
            progress.update(bar, completed=len(ok))
    finally:  # models loaded before generation started (a replay file checked in planning)
        for model in loaded.values():
            asyncio.run(model.aclose())

    results_list = []
    blind = blind_tasks(dataset.tasks, [a.name for a in analyzers], sandbox is not None)
    for label, _, name, config, items in conditions:
        keys = {it.key for it in items}
        results_list.append(score_condition(store, label, name, config.temperature, tasks,
                                            keys, opts.ks, opts.bootstrap_reps,
                                            frozenset(b.task for b in blind)))
    temperatures = list(dict.fromkeys(c.temperature for c in expanded))
    run_spec = RunSpec(
        vulnbench_version=vulnbench.__version__, git_revision=git_revision(),
        dataset=dataset.name, dataset_hash=dataset.content_hash, task_count=len(tasks),
        models=[_model_spec(spec, store) for spec in dict.fromkeys(c.spec for c in expanded)],
        temperatures=temperatures, style=opts.style,
        generation=GenerationConfig(n=opts.n, temperature=temperatures[0],
                                    top_p=opts.top_p, max_tokens=opts.max_tokens,
                                    stop=opts.stop, seed=opts.seed),
        seed=opts.seed, policy=opts.policy, dedup=opts.dedup,
        analyzers=[a.name for a in analyzers],
        tools={a.name: a.version() for a in analyzers},
        sandbox=_sandbox_spec(sandbox),
        limit=opts.limit,
        environments=environment_specs(tasks.values()) if sandbox else [],
    )
    store.save_spec(run_spec)
    n_ok = sum(1 for group in all_samples for s in group if s.status == "ok")
    results = Results(
        run_spec=run_spec,
        stats=Stats(new_generations=new, reused_generations=total - new, assessed=assessed,
                    reused_verdicts=n_ok - assessed,
                    seconds=round(time.perf_counter() - started, 2)),
        conditions=results_list, warnings=dataset.warnings, blind_tasks=blind,
    )
    results.temperature_tables = temperature_tables(results)
    write_outputs(opts.out, results, store, {label for label, *_ in conditions},
                  {it.key for c in conditions for it in c[4]})
    store.close()
    return results


async def _generate_all(store: RunStore, conditions: list[_Planned],
                        model_for: Callable[[str], Callable[[], ModelBackend]],
                        loaded: dict[str, ModelBackend], on_done: Callable[[], None]) -> int:
    """Every condition in one event loop, which also closes the models: an API client
    closed from another loop than the one it ran in fails ("Event loop is closed")."""
    made = 0
    try:
        for label, spec, name, config, items in conditions:
            made += await generate(store, items, label, name, config, model_for(spec), on_done)
    finally:
        for model in loaded.values():
            await model.aclose()
        loaded.clear()
    return made


def _held(cond: Condition, items: list[WorkItem], done: set[str],
          echo: Callable[[str], None]) -> list[WorkItem]:
    """A condition the directory holds that this command does not name: listed with what the
    store has for this command's tasks and n, never generated (no call the user did not ask
    for)."""
    kept = [it for it in items if it.key in done]
    if len(kept) < len(items):
        echo(f"note: {cond.label} (in this run directory, not named by this command) has "
             f"{len(kept)} of {len(items)} samples stored; it is scored on those (name it "
             "to generate the rest)")
    return kept


def _sandbox_spec(sandbox: Sandbox | None) -> str:
    """Which backend ran the tests and which protections a probe saw active inside it."""
    if sandbox is None:
        return "tests not run"
    with tempfile.TemporaryDirectory(prefix="vb-probe-") as host_dir:
        report = probe(sandbox, host_dir)
    label = "" if sandbox.isolated else " (NO ISOLATION)"
    return f"{sandbox.name}{label}: {report.summary()}"


def _model_spec(spec: str, store: RunStore) -> ModelSpec:
    """The spec recorded when the model was loaded (it may not be loaded on a full resume)."""
    raw = store.get_meta(f"model:{spec}")
    if raw is not None:
        return ModelSpec.model_validate_json(raw)
    backend, name = parse_model(spec)
    return ModelSpec(id=spec, backend=backend, name=name)
