"""A scripted fake model FOR UNIT TESTS OF PLUMBING ONLY: it returns canned text and never
stands in for a real model in a demonstration."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from vulnbench.errors import ModelError
from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.records import Completion, GenerationConfig, Prompt


def _load_script(path: Path) -> dict[str, list[str]]:
    """``{"task": ["out0", "out1"], "other": "single output"}``; every list non-empty."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"mock script {path}: {err}") from None
    if not isinstance(raw, dict):
        raise ModelError(f"mock script {path}: expected an object mapping task ids to outputs")
    script: dict[str, list[str]] = {}
    for task_id, outputs in raw.items():
        items = [outputs] if isinstance(outputs, str) else outputs
        if not isinstance(items, list) or not items or not all(isinstance(o, str) for o in items):
            raise ModelError(
                f"mock script {path}: task {task_id!r} needs a string or a non-empty list of "
                "strings")
        script[task_id] = items
    return script


class MockBackend(ModelBackend):
    """``mock`` echoes a fixed body; ``mock:FILE.json`` maps task ids to lists of outputs
    (sample i gets item i modulo the list). ``VULNBENCH_MOCK_DELAY`` seconds per call and
    ``VULNBENCH_MOCK_CALLS`` (a file that gets one line per call) let tests observe calls."""

    backend = "mock"

    def __init__(self, name: str, options: BackendOptions) -> None:
        super().__init__(name, options)
        self.script: dict[str, list[str]] = _load_script(Path(name)) if name else {}
        try:
            self.delay = float(os.environ.get("VULNBENCH_MOCK_DELAY") or "0")
        except ValueError:
            raise ModelError("VULNBENCH_MOCK_DELAY must be a number of seconds") from None
        self.calls_file = os.environ.get("VULNBENCH_MOCK_CALLS")

    @property
    def id(self) -> str:
        return "mock"

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.calls_file:
            with open(self.calls_file, "a", encoding="utf-8") as fh:
                fh.write(f"{prompt.task_id}\t{sample_index}\n")
        outputs = self.script.get(prompt.task_id) or ["    return None\n"]
        text = outputs[sample_index % len(outputs)]
        return Completion(text=text, finish_reason="stop", completion_tokens=len(text.split()),
                          rendering=self.rendering(prompt))
