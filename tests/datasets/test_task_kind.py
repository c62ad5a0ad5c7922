"""Task kinds: every existing task is a ``generate`` task with a CWE; a ``utility`` task has
none instead of a placeholder, and the run's blind-task reason says so."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vulnbench.pipeline.score import blind_tasks
from vulnbench.records import Task


def test_default_kind_is_generate_and_needs_a_cwe() -> None:
    task = Task(id="t", cwe="cwe089", code_prompt="x")
    assert (task.kind, task.cwe) == ("generate", ["CWE-89"])
    with pytest.raises(ValidationError, match=r"(?s)cwe.*a generate task names at least one CWE"):
        Task(id="t", code_prompt="x")
    for kind in ("repair", "classify"):
        with pytest.raises(ValidationError, match=f"a {kind} task"):
            Task(id="t", kind=kind, cwe=[], code_prompt="x")


def test_utility_task_has_no_cwe() -> None:
    task = Task(id="u", kind="utility", code_prompt="def f():\n")
    assert task.cwe == []
    assert Task.model_validate_json(task.model_dump_json()) == task
    with pytest.raises(ValidationError):
        Task(id="u", kind="summarize", cwe=["CWE-89"], code_prompt="x")


def test_utility_task_is_blind_for_having_no_cwe() -> None:
    task = Task(id="u", kind="utility", code_prompt="def f():\n", functional_test="x")
    (blind,) = blind_tasks([task], ["bandit"], tests_run=True)
    assert blind.cwe == [] and "no CWE (a utility task)" in blind.reason


def test_default_kind_dumps_as_before() -> None:
    """Dataset hashes and verdict fingerprints hash the dump: a generate task's must not grow
    a field, or every existing run folder would see its dataset as changed."""
    task = Task(id="t", cwe=["CWE-89"], code_prompt="x")
    assert "kind" not in task.model_dump() and '"kind"' not in task.model_dump_json()
    assert Task(id="u", kind="utility", code_prompt="x").model_dump()["kind"] == "utility"
