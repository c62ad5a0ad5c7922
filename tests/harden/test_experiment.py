"""The comparison's plan: task selection, the defences each run gets, matching options."""

from __future__ import annotations

from pathlib import Path

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.harden.experiment import (
    DEFENCES,
    CompareOptions,
    humaneval_options,
    one_per_cwe,
    security_options,
)
from vulnbench.pipeline.options import OptionError


def test_one_per_cwe_takes_the_first_task_of_each_cwe_with_two() -> None:
    tasks = load_dataset("builtin").tasks
    chosen = one_per_cwe(tasks)
    keys = [(t.language, t.cwe[0]) for t in chosen]
    assert len(keys) == len(set(keys))  # one per language and CWE
    for task in chosen:
        same = [t for t in tasks if (t.language, t.cwe[0]) == (task.language, task.cwe[0])]
        assert len(same) >= 2 and same[0].id == task.id
    singles = {(t.language, t.cwe[0]) for t in tasks} - set(keys)
    for key in singles:
        assert sum((t.language, t.cwe[0]) == key for t in tasks) == 1


def test_runs_get_their_defences_and_settings(tmp_path: Path) -> None:
    opts = CompareOptions(out=tmp_path, one_per_cwe=True)
    sec = security_options(opts)
    assert sec.styles == list(DEFENCES) and sec.dedup == "exact"
    assert sec.temperatures == [0.4] and len(sec.task_ids) == len(one_per_cwe(
        load_dataset("builtin").tasks))
    util = humaneval_options(opts)
    assert util is not None and util.dataset == "humaneval" and util.limit == 50
    assert util.styles == ["code", "secure-instruction", "retrieval:random", "retrieval:bm25",
                           "retrieval:dense"]
    assert humaneval_options(CompareOptions(out=tmp_path, humaneval=None)) is None


def test_bad_options(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="--baseline"):
        CompareOptions(out=tmp_path, defences=["code"], baseline="one-shot")
    with pytest.raises(OptionError, match="one model"):
        CompareOptions(out=tmp_path, models=["local", "mock"])
