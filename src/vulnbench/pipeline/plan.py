"""Load and plan phases of a run: what the command asks for (checked before anything is
written), then every condition's work items against what the run folder already holds. Nothing
is written to the store before every check of the plan has passed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from vulnbench.analyzers import Analyzer, create_analyzer
from vulnbench.conditions import Condition
from vulnbench.datasets import Dataset, load_dataset
from vulnbench.models import create_model
from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.pipeline.conditions import (
    expand_conditions,
    folder_settings,
    reconcile,
    record,
    recorded_settings,
    replay_changed,
    restrict_to_replay,
)
from vulnbench.pipeline.generate import WorkItem, legacy_keys, plan
from vulnbench.pipeline.options import RunOptions, options_to_json
from vulnbench.prompts import PromptContext, build_prompts
from vulnbench.records import GenerationConfig, Prompt, Task
from vulnbench.sandbox.backends import create_sandbox
from vulnbench.sandbox.base import Sandbox
from vulnbench.store import RunStore

# meta key of the work-key scheme; absent: keys may hold the endpoint (see legacy_keys)
KEY_SCHEME = ("work_keys", "2")


@dataclass
class Inputs:
    """What the command asks for, loaded and checked before the run folder is touched."""

    full: Dataset  # every task (one-shot examples come from any of them)
    dataset: Dataset  # the tasks this command runs
    named: list[Condition]
    notes: list[str]
    analyzers: list[Analyzer]
    sandbox: Sandbox | None
    prompts: dict[str, list[list[Prompt]]] = field(default_factory=dict)  # by strategy

    @property
    def tasks(self) -> dict[str, Task]:
        return {t.id: t for t in self.dataset.tasks}

    def prompts_for(self, cond: Condition) -> list[list[Prompt]]:
        """Per task, the prompts of the condition's strategy (made once per strategy)."""
        if cond.strategy not in self.prompts:
            ctx = PromptContext(tasks=self.full.tasks, params=cond.style_params)
            self.prompts[cond.strategy] = [build_prompts(cond.style, t, ctx)
                                           for t in self.dataset.tasks]
        return self.prompts[cond.strategy]


@dataclass
class Planned:
    """One condition's work: its sampling config and the items this command covers."""

    condition: Condition
    config: GenerationConfig
    items: list[WorkItem]


def load(opts: RunOptions, echo: Callable[[str], None]) -> Inputs:
    """Dataset, prompts of the named strategies, analyzers, sandbox and conditions."""
    full = load_dataset(opts.dataset)
    analyzers = []
    for name in opts.analyzers:
        analyzer = create_analyzer(name)
        reason = analyzer.unavailable()
        if reason:  # reported once; the run goes on with the analyzers that can run
            echo(f"warning: analyzer {name} skipped: {reason}")
            continue
        analyzers.append(analyzer)
    sandbox = create_sandbox(opts.sandbox) if opts.run_tests else None
    named, notes = expand_conditions(opts.models, opts.temperatures, opts.styles,
                                     opts.style_params)
    inputs = Inputs(full, full.select(opts.task_ids, opts.limit), named, notes, analyzers, sandbox)
    for cond in named:  # a style that cannot prompt a task fails before anything is written
        inputs.prompts_for(cond)
    return inputs


class Models:
    """The run's model backends, loaded on first use. A model's spec is recorded in the store
    once the plan's checks passed (it pins a replay file and says where a model was served)."""

    def __init__(self, store: RunStore, options: BackendOptions,
                 echo: Callable[[str], None]) -> None:
        self.store, self.options, self.echo = store, options, echo
        self.loaded: dict[str, ModelBackend] = {}
        self.checked = False

    def get(self, spec: str) -> ModelBackend:
        if spec not in self.loaded:
            self.echo(f"loading model {spec} ...")
            self.loaded[spec] = create_model(spec, self.options)
            if self.checked:
                self._record(spec)
        return self.loaded[spec]

    def getter(self, spec: str) -> Callable[[], ModelBackend]:
        return lambda: self.get(spec)

    def record_all(self) -> None:
        self.checked = True
        for spec in self.loaded:
            self._record(spec)

    def _record(self, spec: str) -> None:
        self.store.set_meta(f"model:{spec}", self.loaded[spec].spec().model_dump_json())

    async def aclose(self) -> None:
        """Close in the loop the models ran in: an API client closed from another loop
        fails ("Event loop is closed")."""
        for model in self.loaded.values():
            await model.aclose()
        self.loaded.clear()

    def close(self) -> None:
        """Models loaded but never run (a replay file checked in planning)."""
        for model in self.loaded.values():
            asyncio.run(model.aclose())
        self.loaded.clear()


def _legacy_endpoint(store: RunStore) -> str | None:
    """The endpoint a store's keys may hold: one written before keys left it out."""
    if store.get_meta(KEY_SCHEME[0]) == KEY_SCHEME[1]:
        return None
    old = recorded_settings(store)
    url = old.get("base_url") if old else None
    return url if isinstance(url, str) else None


def plan_conditions(store: RunStore, opts: RunOptions, inputs: Inputs, models: Models,
                    force: bool, echo: Callable[[str], None]) -> list[Planned]:
    """Every condition's work items; then (all checks passed) the folder's record."""
    settings = folder_settings(opts, inputs.full.content_hash)
    expanded = reconcile(store, settings, inputs.named, force, echo)
    previous = {c.spec: store.get_meta(f"model:{c.spec}") for c in inputs.named}
    planned = [Planned(c, _config(opts, c), []) for c in expanded]
    for p in planned:
        p.items = plan(p.condition.spec, inputs.prompts_for(p.condition), p.config)
    done = store.generation_keys()
    moved = _moved_keys(store, planned, done)
    done = (done - moved.keys()) | set(moved.values())
    stale: list[str] = []
    named = {c.ident for c in inputs.named}
    for p in planned:
        cond = p.condition
        if cond.ident not in named:
            p.items = _held(cond, p.items, done, echo)
        elif cond.is_replay:
            backend = models.get(cond.spec)
            stale += replay_changed(backend, previous[cond.spec],
                                    [it.key for it in p.items if it.key in done], force, echo)
            p.items = restrict_to_replay(p.items, backend, opts.n,
                                         {t.id for t in inputs.full.tasks}, echo)
    # nothing is written before every check has passed
    store.rekey(moved)
    store.drop_generations(stale)
    record(store, settings, expanded)
    store.set_meta(*KEY_SCHEME)
    store.put_prompts({it.prompt.hash: it.prompt for p in planned for it in p.items}.values())
    store.set_meta("options", options_to_json(opts))
    models.record_all()
    return planned


def _config(opts: RunOptions, cond: Condition) -> GenerationConfig:
    return GenerationConfig(n=opts.n, temperature=cond.temperature, top_p=opts.top_p,
                            max_tokens=opts.max_tokens, stop=opts.stop, seed=opts.seed)


def _moved_keys(store: RunStore, planned: list[Planned], done: set[str]) -> dict[str, str]:
    """Stored work under a key that held the endpoint -> its key now (reused, not remade)."""
    endpoint = _legacy_endpoint(store)
    if endpoint is None:
        return {}
    moved: dict[str, str] = {}
    for p in planned:
        for old, new in legacy_keys(p.condition.spec, endpoint, p.items, p.config).items():
            if old in done and new not in done:
                moved[old] = new
    return moved


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
