"""The style interface returns a list of prompts: each built-in style makes one per task, a
style may make several, none is an error, and provenance rides in ``meta`` without changing
the prompt's hash."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.errors import DatasetError
from vulnbench.prompts import PromptContext, build_prompt, build_prompts, styles
from vulnbench.records import Prompt, Task

DEMO = load_dataset("demo").tasks
CTX = PromptContext(tasks=DEMO)


@pytest.mark.parametrize("style", ["code", "text", "cwe-aware", "secure-instruction",
                                   "one-shot"])
def test_each_builtin_style_makes_one_prompt(style: str) -> None:
    task = next(t for t in DEMO if t.language == "python")
    prompts = build_prompts(style, task, CTX)
    assert len(prompts) == 1 and prompts[0] == build_prompt(style, task, CTX)
    assert prompts[0].style == style and prompts[0].task_id == task.id


def test_one_shot_records_its_example() -> None:
    for task in DEMO:
        (prompt,) = build_prompts("one-shot", task, CTX)
        (example,) = prompt.meta["examples"]
        shown = next(t for t in DEMO if t.id == example)
        assert example != task.id and shown.text_prompt.strip() in prompt.text
        assert prompt.hash == prompt.model_copy(update={"meta": {}}).hash


@pytest.fixture
def empty_style() -> Iterator[str]:
    name = "test-no-prompts"

    def none(task: Task, ctx: PromptContext) -> list[Prompt]:
        return []

    styles.register(name)(none)
    yield name
    styles._entries.pop(name)


def test_a_style_that_makes_no_prompt_is_an_error(empty_style: str) -> None:
    with pytest.raises(DatasetError, match=f"style '{empty_style}' made no prompt for task"):
        build_prompts(empty_style, DEMO[0], CTX)
