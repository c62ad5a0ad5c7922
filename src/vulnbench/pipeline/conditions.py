"""Which conditions (model at a temperature) a run has. A model is swept over the run's
``--temperature`` values; a replay file already holds outputs sampled at one temperature, so
a file named like SALLM's ``dataset_{model}_{temperature}.jsonl`` is one condition named after
its model at the temperature in its name, and ``replay:DIR`` is one condition per file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vulnbench.errors import ModelError, VulnbenchError
from vulnbench.models import parse_model
from vulnbench.models.base import ModelBackend
from vulnbench.models.replay import ReplayBackend, replay_sources
from vulnbench.pipeline.generate import WorkItem
from vulnbench.pipeline.options import condition_label

# used when no --temperature is given (a replay file without one in its name is an error then)
DEFAULT_TEMPERATURE = 0.2


@dataclass(frozen=True)
class Condition:
    label: str
    spec: str  # what the backend loads (one file for a replay folder)
    model: str  # the name results show: the spec, or the model a replay file name gives
    temperature: float

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
