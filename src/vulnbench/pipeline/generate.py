"""Generation phase: one model call per (condition, task, sample index) that the store lacks.
Each finished completion is committed at once; the model is loaded only if work remains."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
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


def generation_key(model: str, endpoint: str | None, prompt: Prompt, config: GenerationConfig,
                   index: int) -> str:
    """Identity of one generation: anything that changes the model's input or sampling."""
    sampling = config.model_dump(exclude={"n"})
    return stable_hash({"model": model, "endpoint": endpoint, "prompt": prompt.hash,
                        "config": sampling, "index": index})[:32]


def plan(model: str, endpoint: str | None, prompts: list[Prompt],
         config: GenerationConfig) -> list[WorkItem]:
    return [WorkItem(generation_key(model, endpoint, p, config, i), p.task_id, i, p)
            for p in prompts for i in range(config.n)]


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
                completion=completion, seconds=time.perf_counter() - start))
            made += 1
            on_done()

    try:
        async with asyncio.TaskGroup() as group:
            for item in todo:
                group.create_task(one(item))
    except* VulnbenchError as eg:
        raise eg.exceptions[0] from None
    return made
