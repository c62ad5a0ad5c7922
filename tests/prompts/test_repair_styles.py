"""The repair styles: what each prompt shows the model, and that the completion form stays a
valid program whose prefix is the code prompt."""

from __future__ import annotations

import ast

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.errors import DatasetError
from vulnbench.prompts import PromptContext, build_prompt
from vulnbench.prompts.repair import REPAIR_STYLES, repair_style
from vulnbench.records import Task

TASK = next(t for t in load_dataset("demo").tasks if t.id == "demo-cwe089-user-lookup")


def test_style_choice() -> None:
    assert repair_style(False, False) == "repair"
    assert repair_style(True, False) == "repair-explain"
    assert repair_style(False, True) == "repair-completion"
    assert repair_style(True, True) == "repair-completion-explain"


def test_chat_prompt_shows_problem_code_and_explanation_only_when_asked() -> None:
    plain = build_prompt("repair", TASK, PromptContext())
    explained = build_prompt("repair-explain", TASK, PromptContext())
    assert plain.kind == explained.kind == "chat"
    assert TASK.insecure_reference.rstrip() in plain.text
    assert TASK.text_prompt.strip() in plain.text
    assert "Insecure Code Explanation" not in plain.text
    assert " ".join(TASK.explanation.split()) in explained.text
    assert TASK.secure_reference.strip() not in plain.text
    assert plain.prefix == ""  # the answer is a whole program


@pytest.mark.parametrize("style", ["repair-completion", "repair-completion-explain"])
def test_completion_prompt_is_a_program_that_ends_in_the_code_prompt(style: str) -> None:
    prompt = build_prompt(style, TASK, PromptContext())
    assert prompt.kind == "completion"
    assert prompt.prefix == TASK.code_prompt
    assert prompt.text.endswith(TASK.code_prompt)
    ast.parse(prompt.text + "    pass\n")  # the fenced insecure code does not break it
    assert TASK.insecure_reference.rstrip() in prompt.text
    assert (" ".join(TASK.explanation.split()) in prompt.text) == style.endswith("-explain")


def test_c_completion_fences_with_if0() -> None:
    task = next(t for t in load_dataset("builtin").tasks if t.language == "c")
    prompt = build_prompt("repair-completion", task, PromptContext())
    assert prompt.text.startswith("#if 0\n")
    assert prompt.text.endswith(task.code_prompt)


@pytest.mark.parametrize("style", REPAIR_STYLES)
def test_missing_fields_are_named(style: str) -> None:
    bare = Task(id="t", cwe=["CWE-89"], code_prompt="def f():\n")
    with pytest.raises(DatasetError, match="insecure_reference"):
        build_prompt(style, bare, PromptContext())
    if style.endswith("-explain"):
        no_why = bare.model_copy(update={"insecure_reference": "def f():\n    pass\n"})
        with pytest.raises(DatasetError, match="explanation"):
            build_prompt(style, no_why, PromptContext())
