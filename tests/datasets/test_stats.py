"""Dataset figures and task selection live in datasets/, not the CLI: figures from the tasks
themselves, and an unknown task id is an error naming it with its close matches."""

from __future__ import annotations

import pytest

from vulnbench.datasets.loader import Dataset
from vulnbench.datasets.stats import dataset_stats, select_tasks
from vulnbench.errors import DatasetError
from vulnbench.records import Task


def _ds() -> Dataset:
    return Dataset("t", [
        Task(id="py-sqli", cwe=["CWE-89"], code_prompt="-", functional_test="x",
             security_test="y"),
        Task(id="py-xss", cwe=["CWE-79", "CWE-89"], code_prompt="-"),
        Task(id="c-overflow", cwe=["CWE-787"], language="c", code_prompt="-"),
    ])


def test_stats_count_the_tasks() -> None:
    stats = dataset_stats(_ds())
    assert stats["tasks"] == 3 and stats["languages"] == {"python": 2, "c": 1}
    assert stats["tasks_per_cwe"] == {"CWE-79": 1, "CWE-89": 2, "CWE-787": 1}
    assert stats["cwes_by_language"] == {"python": 2, "c": 1}
    assert stats["with_tests"] == 1 and stats["cwes"] == 3


def test_select_keeps_dataset_order_and_all_when_none_named() -> None:
    assert [t.id for t in select_tasks(_ds(), ["c-overflow", "py-sqli"])] == [
        "py-sqli", "c-overflow"]
    assert len(select_tasks(_ds(), [])) == 3


def test_an_unknown_id_is_an_error_with_close_matches() -> None:
    with pytest.raises(DatasetError) as err:
        select_tasks(_ds(), ["py-sqli", "py-sqlj", "zzz"])
    text = str(err.value)
    assert "py-sqlj (did you mean py-sqli" in text and "; zzz" in text
    assert "zzz (did you mean" not in text
