"""Which conditions (model at a temperature with a prompt strategy) a run has. A model is swept
over the run's ``--temperature`` values and ``--style`` strategies; a replay file already holds
outputs sampled at one temperature, so a file named like SALLM's
``dataset_{model}_{temperature}.jsonl`` is one condition per strategy named after its model at
the temperature in its name, and ``replay:DIR`` is that for each file.

A run directory holds one set of settings (what is generated and how it is assessed: one
generation config, one policy) and any number of conditions. A later
command on it may add conditions, but not change the settings, remake a condition from another
source, or replay a file that changed since its outputs were stored: those are refused with
the way out (``--force-options``), so a results.json never mixes two settings silently."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from vulnbench.conditions import DEFAULT_STYLE, Condition, labelled
from vulnbench.errors import ModelError, RunStoreError, VulnbenchError
from vulnbench.models import parse_model
from vulnbench.models.base import ModelBackend
from vulnbench.models.replay import ReplayBackend, replay_sources
from vulnbench.pipeline.generate import WorkItem
from vulnbench.pipeline.options import RunOptions, options_from_json
from vulnbench.records import ModelSpec
from vulnbench.store import RunStore

# used when no --temperature is given (a replay file without one in its name is an error then)
DEFAULT_TEMPERATURE = 0.2


def expand_conditions(models: Sequence[str], temperatures: Sequence[float],
                      styles: Sequence[str] = (DEFAULT_STYLE,),
                      style_params: Callable[[str], dict[str, str]] | None = None,
                      ) -> tuple[list[Condition], list[str]]:
    """The run's conditions (labelled) and notes for the user; an empty ``temperatures``
    means none was given; ``style_params`` gives a style's parameters (none by default). Two
    conditions that are one (the same model, temperature and strategy twice) are an error:
    their samples would be scored as one."""
    conditions: list[Condition] = []
    notes: list[str] = []
    for spec in models:
        for model, file, temps in _sources(spec, temperatures, notes):
            conditions += [Condition(file, model, t, style,
                                     style_params(style) if style_params else {})
                           for t in temps for style in styles]
    if not conditions:
        raise VulnbenchError("no --model given")
    conditions = labelled(conditions)
    seen: dict[tuple[str, float, str], Condition] = {}
    for cond in conditions:
        if cond.ident in seen:
            first = seen[cond.ident]
            where = f"{first.spec} and {cond.spec}" if first.spec != cond.spec else cond.spec
            raise VulnbenchError(f"condition {cond.label} comes twice (from {where}); run them "
                                 "in separate run directories")
        seen[cond.ident] = cond
    return conditions, notes


def _sources(spec: str, temperatures: Sequence[float], notes: list[str]
             ) -> list[tuple[str, str, Sequence[float]]]:
    """(name results show, spec to load, temperatures) for one ``--model``."""
    backend, name = parse_model(spec)
    if backend != "replay":
        return [(spec, spec, temperatures or [DEFAULT_TEMPERATURE])]
    out: list[tuple[str, str, Sequence[float]]] = []
    for source in replay_sources(name):
        if source.model is not None and source.temperature is not None:
            t = source.temperature
            if temperatures and t not in temperatures:
                notes.append(f"replay {source.path}: temperature {t:g} from the file name "
                             "(--temperature does not apply to it)")
            out.append((source.model, source.spec, [t]))
        elif not temperatures:
            raise VulnbenchError(
                f"replay {source.path}: the file name carries no temperature (SALLM names "
                "them dataset_{model}_{temperature}.jsonl); give the one its outputs were "
                "sampled at with --temperature")
        else:
            out.append((source.spec, source.spec, temperatures))
    return out


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
# (--style makes conditions; --base-url is where a model is served, kept in its model spec)
GENERATION_SETTINGS = ("dataset_hash", "top_p", "max_tokens", "stop", "seed", "chat")
# settings that change how samples are assessed: every condition is re-assessed under them
ASSESSMENT_SETTINGS = ("policy", "dedup", "analyzer", "tests")
FORCE = "--force-options"
_PLAIN = re.compile(r"[\w.:/+-]+")


def folder_settings(opts: RunOptions, dataset_hash: str | None) -> dict[str, Any]:
    """The options a run directory keeps for all its conditions. ``style`` and ``base_url``
    are recorded, not compared: older folders' conditions take their style from it, and keys
    made before the endpoint left them are found with it. Conditions (--model, --temperature,
    --style), where a model is served (--base-url), the view (--n, --limit, --task, --k) and
    the plumbing (--concurrency,
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
        style = data["settings"].get("style", DEFAULT_STYLE)
        return data["settings"], [Condition.from_json(c, style) for c in data["conditions"]]
    old = store.get_meta("options")
    if old is None:
        return None, []
    opts = options_from_json(old, store.path.parent)
    try:
        conditions = expand_conditions(opts.models, opts.temperatures, opts.styles,
                                       opts.style_params)[0]
    except VulnbenchError:
        conditions = []
    return folder_settings(opts, None), conditions


def recorded_settings(store: RunStore) -> dict[str, Any] | None:
    """The settings the run directory keeps (None for a new one)."""
    return _recorded(store)[0]


def reconcile(store: RunStore, settings: dict[str, Any], named: list[Condition],
              force: bool, echo: Callable[[str], None]) -> list[Condition]:
    """Every condition this command's outputs list (labelled together): those the directory
    already holds (in their order), then the new ones it names. Refuses changed settings and a
    condition remade from another source (``force``: adopt this command's)."""
    where = store.path.parent
    old, held = _recorded(store)
    if old is None:
        return labelled(named)
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
    by_ident = {c.ident: c for c in held}
    for cond in named:
        before = by_ident.get(cond.ident)
        if before is None or before.source == cond.source:
            continue
        if not force:
            raise RunStoreError(
                f"{where} holds condition {cond.label} made from {before.spec}; this command "
                f"makes it from {cond.spec}: use another --out, or {FORCE} to replace it")
        echo(f"note: {FORCE}: condition {cond.label} is now made from {cond.spec}")
    mine = {c.ident: c for c in named}
    return labelled([mine.get(c.ident, c) for c in held]
                    + [c for c in named if c.ident not in by_ident])


def record(store: RunStore, settings: dict[str, Any], conditions: list[Condition]) -> None:
    store.set_meta("settings", json.dumps(
        {"settings": settings, "conditions": [c.to_json() for c in conditions]}))


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
