"""Shared fixtures: a scripted mock model built from the demo tasks' own references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vulnbench.datasets import load_dataset


def reference_bodies(task_ids: list[str] | None = None) -> dict[str, list[str]]:
    """For each demo task: [insecure body, secure body], i.e. what a completion model would
    have to write after the code prompt to produce each reference."""
    out = {}
    for task in load_dataset("demo").tasks:
        if task_ids and task.id not in task_ids:
            continue
        out[task.id] = [task.insecure_reference[len(task.code_prompt):],
                        task.secure_reference[len(task.code_prompt):]]
    return out


@pytest.fixture
def mock_script(tmp_path: Path) -> Path:
    """A MOCK model script (plumbing tests only): sample 0 insecure, sample 1 secure."""
    path = tmp_path / "mock_script.json"
    path.write_text(json.dumps(reference_bodies()))
    return path
