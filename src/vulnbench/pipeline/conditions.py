"""Which conditions (model at a temperature) a run has. A model is swept over the run's
``--temperature`` values; a replay file already holds outputs sampled at one temperature, so
a file named like SALLM's ``dataset_{model}_{temperature}.jsonl`` is one condition named after
its model at the temperature in its name, and ``replay:DIR`` is one condition per file.

A run directory holds one set of settings (what is generated and how it is assessed: the run
spec has one style, one generation config, one policy) and any number of conditions. A later
command on it may add conditions, but not change the settings, remake a condition from another
source, or replay a file that changed since its outputs were stored: those are refused with
the way out (``--force-options``), so a results.json never mixes two settings silently."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from vulnbench.errors import ModelError, RunStoreError, VulnbenchError
from vulnbench.models import parse_model
from vulnbench.models.base import ModelBackend
from vulnbench.models.replay import ReplayBackend, replay_sources
from vulnbench.pipeline.generate import WorkItem
from vulnbench.pipeline.options import RunOptions, condition_label, options_from_json
from vulnbench.records import ModelSpec
from vulnbench.store import RunStore

# used when no --temperature is given (a replay file without one in its name is an error then)
DEFAULT_TEMPERATURE = 0.2


@dataclass(frozen=True)
class Condition:
    label: str
    spec: str  # what the backend loads (one file for a replay folder)
    model: str  # the name results show: the spec, or the model a replay file name gives
    temperature: float
    # what it is made from, independent of the working directory (fixed when first made)
    source: str = ""

    def __post_init__(self) -> None:
        if not self.source:
            backend, name = parse_model(self.spec)
            object.__setattr__(self, "source", f"replay:{Path(name).resolve()}"
                               if backend == "replay" else self.spec)

    @property
    def is_replay(self) -> bool:
        return parse_model(self.spec)[0] == "replay"


def expand_conditions(models: Sequence[str], temperatures: Sequence[float]
                      ) -> tuple[list[Condition], list[str]]:
    """The run's conditions and notes for the user; an empty ``temperatures`` means none was
    given. Two conditions with one label (the same model and temperature twice) are an error:
    their samples would be scored as one."""
    conditions: list[Condition] = []
    notes: list[str] = []
    for spec in models:
        backend, name = parse_model(spec)
        if backend != "replay":
            conditions += [Condition(condition_label(spec, t), spec, spec, t)
                           for t in temperatures or [DEFAULT_TEMPERATURE]]
            continue
        for source in replay_sources(name):
            if source.model is not None and source.temperature is not None:
                t = source.temperature
                if temperatures and t not in temperatures:
                    notes.append(f"replay {source.path}: temperature {t:g} from the file name "
                                 "(--temperature does not apply to it)")
                conditions.append(Condition(condition_label(source.model, t), source.spec,
                                            source.model, t))
            elif not temperatures:
                raise VulnbenchError(
                    f"replay {source.path}: the file name carries no temperature (SALLM names "
                    "them dataset_{model}_{temperature}.jsonl); give the one its outputs were "
                    "sampled at with --temperature")
            else:
                conditions += [Condition(condition_label(source.spec, t), source.spec,
                                         source.spec, t) for t in temperatures]
    if not conditions:
        raise VulnbenchError("no --model given")
    seen: dict[str, Condition] = {}
    for cond in conditions:
        if cond.label in seen:
            first = seen[cond.label]
            where = f"{first.spec} and {cond.spec}" if first.spec != cond.spec else cond.spec
            raise VulnbenchError(f"condition {cond.label} comes twice (from {where}); run them "
                                 "in separate run directories")
        seen[cond.label] = cond
    return conditions, notes


def restrict_to_replay(items: list[WorkItem], backend: ModelBackend, n: int,
                       known: set[str], echo: Callable[[str], None]) -> list[WorkItem]:
    """The items a replay file has outputs for; says which tasks it lacks (and which it has
    that the dataset does not) instead of failing mid-run or dropping them silently."""
    if not isinstance(backend, ReplayBackend):
        return items
    wanted = list(dict.fromkeys(it.task_id for it in items))
    for note in backend.coverage(wanted, n, known):
        echo(f"warning: {note}")
    kept = [it for it in items if backend.has(it.task_id, it.sample_index)]
    if items and not kept:
        raise ModelError(f"replay {backend.path} has no outputs for any of the {len(wanted)} "
                         "task(s) of this run: is it for another dataset?")
    return kept


# the run directory's record ------------------------------------------------------------
# settings that change what is generated: outputs made under other values are other things
GENERATION_SETTINGS = ("dataset_hash", "style", "top_p", "max_tokens", "stop", "seed",
                       "base_url", "chat")
# settings that change how samples are assessed: every condition is re-assessed under them
ASSESSMENT_SETTINGS = ("policy", "dedup", "analyzer", "tests")
FORCE = "--force-options"
_PLAIN = re.compile(r"[\w.:/+-]+")


def folder_settings(opts: RunOptions, dataset_hash: str | None) -> dict[str, Any]:
    """The options a run directory keeps for all its conditions. Conditions (--model,
    --temperature), the view (--n, --limit, --task, --k) and the plumbing (--concurrency,
    --progress, ...) are free to change between commands."""
    settings: dict[str, Any] = {
        "dataset": opts.dataset, "dataset_hash": dataset_hash, "style": opts.style,
        "top_p": opts.top_p, "max_tokens": opts.max_tokens, "stop": list(opts.stop),
        "seed": opts.seed, "base_url": opts.backend.base_url,
        "chat": opts.backend.extra.get("chat", "true").strip().lower() != "false",
        "policy": opts.policy, "dedup": opts.dedup, "analyzer": sorted(opts.analyzers),
        "tests": opts.sandbox if opts.run_tests else None}
    if dataset_hash is None:  # a store from before settings were recorded: not comparable
        del settings["dataset_hash"]
    return settings


def _shown(key: str, settings: dict[str, Any]) -> str:
    value = settings[key]
    if key == "dataset_hash":
        return f"--dataset {settings.get('dataset')} (content {str(value)[:12]})"
    if key == "tests":
        return "--no-tests" if value is None else f"--sandbox {value}"
    if key == "chat":
        return "chat prompts" if value else "--no-chat"
    flag = "--" + key.replace("_", "-")
    if value is None or value == []:
        return f"no {flag}"
    if isinstance(value, list):  # a stop sequence shows its newlines and spaces escaped
        return " ".join(f"{flag} {v if _PLAIN.fullmatch(v) else json.dumps(v)}" for v in value)
    return f"{flag} {value}"


def _recorded(store: RunStore) -> tuple[dict[str, Any] | None, list[Condition]]:
    """The directory's settings and conditions; derived from the options of a store written
    before they were recorded (its dataset hash then is unknown)."""
    raw = store.get_meta("settings")
    if raw is not None:
        data = json.loads(raw)
        return data["settings"], [Condition(**c) for c in data["conditions"]]
    old = store.get_meta("options")
    if old is None:
        return None, []
    opts = options_from_json(old, store.path.parent)
    try:
        conditions = expand_conditions(opts.models, opts.temperatures)[0]
    except VulnbenchError:
        conditions = []
    return folder_settings(opts, None), conditions


def reconcile(store: RunStore, settings: dict[str, Any], named: list[Condition],
              force: bool, echo: Callable[[str], None]) -> list[Condition]:
    """Every condition this command's outputs list: those the directory already holds (in
    their order), then the new ones it names. Refuses changed settings and a condition
    remade from another source (``force``: adopt this command's)."""
    where = store.path.parent
    old, held = _recorded(store)
    if old is None:
        return named
    changed = [k for k in (*GENERATION_SETTINGS, *ASSESSMENT_SETTINGS)
               if k in old and old[k] != settings[k]]
    if changed:
        was = ", ".join(_shown(k, old) for k in changed)
        now = ", ".join(_shown(k, settings) for k in changed)
        regenerate = any(k in GENERATION_SETTINGS for k in changed)
        effect = ("conditions made with the old ones then leave its outputs; their "
                  "generations stay in the store" if regenerate else
                  "every condition it holds is then re-assessed with them")
        if not force:
            raise RunStoreError(f"{where} was run with {was}; this command asks for {now}: use "
                                f"another --out, or {FORCE} to run with the new options there "
                                f"({effect})")
        echo(f"note: {FORCE}: {where} now runs with {now} instead of {was}; {effect}")
        if regenerate:
            held = []
    by_label = {c.label: c for c in held}
    for cond in named:
        before = by_label.get(cond.label)
        if before is None or before.source == cond.source:
            continue
        if not force:
            raise RunStoreError(
                f"{where} holds condition {cond.label} made from {before.spec}; this command "
                f"makes it from {cond.spec}: use another --out, or {FORCE} to replace it")
        echo(f"note: {FORCE}: condition {cond.label} is now made from {cond.spec}")
    mine = {c.label: c for c in named}
    held_labels = {c.label for c in held}
    return ([mine.get(c.label, c) for c in held]
            + [c for c in named if c.label not in held_labels])


def record(store: RunStore, settings: dict[str, Any], conditions: list[Condition]) -> None:
    store.set_meta("settings", json.dumps(
        {"settings": settings, "conditions": [asdict(c) for c in conditions]}))


def replay_changed(backend: ModelBackend, before: str | None, stored: list[str],
                   force: bool, echo: Callable[[str], None]) -> list[str]:
    """Generations replayed from a file that has changed since they were stored (``before``:
    the spec recorded when they were): refused, or with ``force`` returned to be dropped."""
    if not isinstance(backend, ReplayBackend) or before is None or not stored:
        return []
    then = ModelSpec.model_validate_json(before).params.get("sha256")
    if then is None or then == backend.sha256:
        return []
    if not force:
        raise RunStoreError(
            f"replay file {backend.path} changed since its {len(stored)} generation(s) in this "
            f"run directory were stored (sha256 {then} then, {backend.sha256} now): restore "
            f"it, use another --out, or {FORCE} to drop them and replay the file as it is now")
    echo(f"note: {FORCE}: replay file {backend.path} changed (sha256 {then[:12]} -> "
         f"{backend.sha256[:12]}); its {len(stored)} stored generation(s) are replayed again")
    return stored
