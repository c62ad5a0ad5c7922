"""Read task files (TOML, JSON array, JSON Lines) into validated ``Task`` records.

Errors name the file, the line or task, and the field, so a user can fix the input. A CWE id
that MITRE's list does not hold is a warning (logged at load, carried by ``Dataset.warnings``
into the report): the task loads, but no analyzer finding can ever fall in its family."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vulnbench.cwe import is_known
from vulnbench.errors import DatasetError
from vulnbench.jsonl import parse_jsonl
from vulnbench.records import Task, stable_hash

log = logging.getLogger("vulnbench.datasets")


@dataclass
class Dataset:
    name: str
    tasks: list[Task]

    @property
    def content_hash(self) -> str:
        return stable_hash([t.model_dump() for t in self.tasks])

    def limit(self, n: int | None) -> Dataset:
        return self if n is None else Dataset(self.name, self.tasks[:n])

    def select(self, task_ids: Iterable[str] = (), limit: int | None = None) -> Dataset:
        """What ``--task`` and ``--limit`` select: the named tasks in dataset order (an
        unknown id is an error naming it), then the first ``limit``."""
        wanted = set(task_ids)
        tasks = self.tasks
        if wanted:
            missing = wanted - {t.id for t in tasks}
            if missing:
                raise DatasetError(f"dataset {self.name!r} has no task(s): {sorted(missing)}")
            tasks = [t for t in tasks if t.id in wanted]
        return Dataset(self.name, tasks).limit(limit)

    @property
    def warnings(self) -> list[str]:
        """Problems of these tasks that do not stop a run but weaken what it says."""
        return [f"task {task.id!r}: {w}" for task in self.tasks for w in cwe_warnings(task)]


def cwe_warnings(task: Task) -> list[str]:
    """One line per CWE of ``task`` that is not an id in MITRE's CWE list (a typo, or an id
    from another scheme). Silent when the list is not installed, and for the ``CWE-0`` marker
    of tasks that have no weakness on purpose (HumanEval)."""
    from vulnbench.datasets.public import NO_CWE  # late: the public loaders import this module

    return [f"{cwe} is not in MITRE's CWE list: no analyzer finding can match it, so only "
            "a security test can judge the task" for cwe in task.cwe
            if cwe != NO_CWE and is_known(cwe) is False]


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(record)"
        parts.append(f"field {loc!r}: {e['msg']}")
    return "; ".join(parts)


def _task(data: Any, where: str, source: str) -> Task:
    if not isinstance(data, dict):
        raise DatasetError(
            f"{where}: expected an object with task fields, got {type(data).__name__}"
        )
    data = {"source": source, **data}
    try:
        return Task.model_validate(data)
    except ValidationError as err:
        ident = data.get("id", "?")
        raise DatasetError(f"{where} (task {ident!r}): {_describe(err)}") from None


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    if path.suffix not in {".toml", ".json", ".jsonl"}:
        raise DatasetError(f"{path}: unsupported task file type (use .toml, .json or .jsonl)")
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except UnicodeDecodeError as err:
        raise DatasetError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise DatasetError(f"{path}: cannot read ({err.strerror})") from None
    if not text.strip():
        raise DatasetError(f"{path}: empty file, no tasks in it")
    if path.suffix == ".toml":
        try:
            yield str(path), tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise DatasetError(f"{path}: invalid TOML: {err}") from None
    elif path.suffix == ".jsonl":
        yield from parse_jsonl(text, path)  # the reader public sources and replay files use
    else:  # .json
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DatasetError(f"{path}:{err.lineno}: invalid JSON: {err.msg}") from None
        items = data if isinstance(data, list) else [data]
        if not items:
            raise DatasetError(f"{path}: the JSON array holds no tasks")
        for i, item in enumerate(items):
            yield f"{path}[{i}]", item


def load_task_file(path: Path, source: str) -> list[Task]:
    return load_task_files([path], source)


def load_task_files(paths: Iterable[Path], source: str) -> list[Task]:
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for path in paths:
        for where, data in _records(path):
            task = _task(data, where, source)
            if task.id in seen:
                raise DatasetError(f"{where}: field 'id': duplicate task id {task.id!r} "
                                   f"(first in {seen[task.id]})")
            seen[task.id] = where
            for warning in cwe_warnings(task):
                log.warning("%s (task %r): %s", where, task.id, warning)
            tasks.append(task)
    if not tasks:
        raise DatasetError(f"dataset {source!r} holds no tasks")
    return tasks
