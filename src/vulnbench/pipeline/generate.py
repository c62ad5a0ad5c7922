"""Generation phase: one model call per (condition, task, prompt, sample index) that the store
lacks. Each finished completion is committed at once; the model is loaded only if work
remains."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vulnbench.errors import VulnbenchError
from vulnbench.models.base import ModelBackend
from vulnbench.records import Generation, GenerationConfig, Prompt, stable_hash
from vulnbench.store import RunStore


@dataclass(frozen=True)
class WorkItem:
    key: str
    task_id: str
    sample_index: int
    prompt: Prompt
    prompt_index: int = 0  # which of the strategy's prompts for the task


def generation_key(model: str, prompt: Prompt, config: GenerationConfig, index: int,
                   prompt_index: int = 0, *, endpoint: str | None = None) -> str:
    """Identity of one generation: anything that changes the model's input or sampling, not
    where the model is served (moving it to another host must not regenerate). ``endpoint``
    stays in the hashed payload as None, so keys of runs made without ``--base-url`` read the
    same as before it left; a value gives the key such a run made with one (for migration).
    The prompt index joins only from the second prompt on, for the same reason."""
    sampling = config.model_dump(exclude={"n"})
    payload: dict[str, object] = {"model": model, "endpoint": endpoint, "prompt": prompt.hash,
                                  "config": sampling, "index": index}
    if prompt_index:
        payload["prompt_index"] = prompt_index
    return stable_hash(payload)[:32]


def plan(model: str, prompts: Sequence[Sequence[Prompt]],
         config: GenerationConfig) -> list[WorkItem]:
    """``prompts``: per task, the strategy's prompts; each is sampled ``config.n`` times."""
    return [WorkItem(generation_key(model, p, config, i, j), p.task_id, i, p, j)
            for task_prompts in prompts for j, p in enumerate(task_prompts)
            for i in range(config.n)]


def legacy_keys(model: str, endpoint: str, items: Sequence[WorkItem],
                config: GenerationConfig) -> dict[str, str]:
    """Old key -> current key of ``items``, for a store whose keys held the endpoint."""
    return {generation_key(model, it.prompt, config, it.sample_index, endpoint=endpoint): it.key
            for it in items if it.prompt_index == 0}


async def generate(store: RunStore, items: list[WorkItem], condition: str, model_name: str,
                   config: GenerationConfig, get_model: Callable[[], ModelBackend],
                   on_done: Callable[[], None]) -> int:
    """Run the missing items; returns how many model calls were made."""
    done = store.generation_keys()
    todo = [it for it in items if it.key not in done]
    if not todo:
        return 0
    model = get_model()
    semaphore = asyncio.Semaphore(model.max_concurrency)
    made = 0

    async def one(item: WorkItem) -> None:
        nonlocal made
        async with semaphore:
            start = time.perf_counter()
            completion = await model.complete(item.prompt, config, item.sample_index)
            store.put_generation(Generation(
                key=item.key, condition=condition, model=model_name,
                temperature=config.temperature, task_id=item.task_id,
                sample_index=item.sample_index, prompt_hash=item.prompt.hash,
                completion=completion, seconds=time.perf_counter() - start,
                prompt_index=item.prompt_index))
            made += 1
            on_done()

    try:
        async with asyncio.TaskGroup() as group:
            for item in todo:
                group.create_task(one(item))
    except* VulnbenchError as eg:
        raise eg.exceptions[0] from None
    return made
