"""The backend helpers every API backend shares: stop merging under an API's cap, key masking
in error lines, and ``complete_batch``'s default fan-out (order kept, concurrency bounded)."""

from __future__ import annotations

import asyncio

from vulnbench.models.base import BackendOptions, ModelBackend, mask_secret, merge_stops
from vulnbench.records import Completion, GenerationConfig, Prompt


def test_merge_stops_keeps_the_fence_first_and_caps() -> None:
    assert merge_stops(["```"], ["\n\n", "```", "END"]) == ["```", "\n\n", "END"]
    assert merge_stops(["```"], ["a", "b", "c", "d"], 4) == ["```", "a", "b", "c"]
    assert merge_stops([], []) == []


def test_mask_secret_masks_the_key_on_one_bounded_line() -> None:
    assert mask_secret("bad key sk-123\n  for sk-123", "sk-123", 100) == "bad key *** for ***"
    assert mask_secret("x" * 50, "not-needed", 10) == "x" * 10
    assert mask_secret("not-needed here", "not-needed", 100) == "not-needed here"


class Slow(ModelBackend):
    backend = "slow"

    def __init__(self) -> None:
        super().__init__("m", BackendOptions(concurrency=2))
        self.running = self.most = 0

    async def complete(self, prompt: Prompt, config: GenerationConfig, sample_index: int
                       ) -> Completion:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.01 * (5 - sample_index % 5))  # later requests finish first
        self.running -= 1
        return Completion(text=f"{prompt.task_id}:{sample_index}")


def test_complete_batch_fans_out_in_order_within_the_limit() -> None:
    model = Slow()
    config = GenerationConfig()
    requests = [(Prompt(task_id=f"t{i}", style="code", kind="chat", text="-"), config, i)
                for i in range(7)]
    got = asyncio.run(model.complete_batch(requests))
    assert [c.text for c in got] == [f"t{i}:{i}" for i in range(7)]
    assert model.most == 2
