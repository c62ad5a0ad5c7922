"""Read task files (TOML, JSON array, JSON Lines) into validated ``Task`` records.

Errors name the file, the line or task, and the field, so a user can fix the input."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vulnbench.errors import DatasetError
from vulnbench.jsonl import parse_jsonl
from vulnbench.records import Task, stable_hash


@dataclass
class Dataset:
    name: str
    tasks: list[Task]

    @property
    def content_hash(self) -> str:
        return stable_hash([t.model_dump() for t in self.tasks])

    def limit(self, n: int | None) -> Dataset:
        return self if n is None else Dataset(self.name, self.tasks[:n])


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
            tasks.append(task)
    if not tasks:
        raise DatasetError(f"dataset {source!r} holds no tasks")
    return tasks
