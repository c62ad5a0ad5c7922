"""Replay completions produced elsewhere (published model outputs, a colleague's run).

The file is JSON Lines with ``task_id``, ``sample_index`` (or ``index``) and ``text`` (or
``output``/``completion``); a CSV with the same columns works too. Records without an index
are numbered in file order per task."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from vulnbench.errors import DatasetError, ModelError
from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.records import Completion, GenerationConfig, Prompt

_TEXT_KEYS = ("text", "output", "completion")
_TASK_KEYS = ("task_id", "id")
_INDEX_KEYS = ("sample_index", "index")


def _first(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in row and row[key] is not None:
            return row[key]
    return None


class ReplayBackend(ModelBackend):
    backend = "replay"

    def __init__(self, name: str, options: BackendOptions) -> None:
        super().__init__(name, options)
        if not name:
            raise ModelError("the replay backend needs a file: --model replay:PATH.jsonl")
        self.path = Path(name)
        if not self.path.is_file():
            raise ModelError(f"replay file not found: {self.path}")
        self.outputs: dict[str, dict[int, str]] = defaultdict(dict)
        for where, row in self._rows():
            if not isinstance(row, dict):
                raise DatasetError(f"{where}: a replay record must be a JSON object")
            task_id, text = _first(row, _TASK_KEYS), _first(row, _TEXT_KEYS)
            if task_id is None or str(task_id).strip() == "" or text is None:
                raise DatasetError(f"{where}: a replay record needs 'task_id' and 'text'")
            index = _first(row, _INDEX_KEYS)
            per_task = self.outputs[str(task_id)]
            if index is None or index == "":
                # numbered in file order: the next index not yet taken for this task
                slot = max(per_task) + 1 if per_task else 0
            else:
                try:
                    slot = int(index)
                except (TypeError, ValueError):
                    raise DatasetError(
                        f"{where}: sample_index must be an integer, not {index!r}") from None
                if slot < 0:
                    raise DatasetError(f"{where}: sample_index must be >= 0, not {slot}")
            if slot in per_task:
                raise DatasetError(
                    f"{where}: task {str(task_id)!r} has sample {slot} more than once")
            per_task[slot] = str(text)

    def _rows(self) -> list[tuple[str, Any]]:
        try:
            if self.path.suffix.lower() == ".csv":
                # newline="" keeps newlines inside quoted fields (multi-line code) intact
                with self.path.open(encoding="utf-8", errors="replace", newline="") as fh:
                    reader = csv.DictReader(fh)
                    rows: list[tuple[str, Any]] = []
                    start = 2
                    for row in reader:
                        rows.append((f"{self.path}:{start}", row))
                        start = reader.line_num + 1
                    return rows
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except (OSError, csv.Error) as err:
            raise DatasetError(f"{self.path}: cannot read replay file: {err}") from None
        rows = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append((f"{self.path}:{lineno}", json.loads(line)))
            except json.JSONDecodeError as err:
                raise DatasetError(f"{self.path}:{lineno}: invalid JSON: {err.msg}") from None
        return rows

    @property
    def chat_template(self) -> bool:
        return True

    def params(self) -> dict[str, str]:
        return {"file": str(self.path)}

    async def complete(
        self, prompt: Prompt, config: GenerationConfig, sample_index: int
    ) -> Completion:
        per_task = self.outputs.get(prompt.task_id)
        if per_task is None:
            raise ModelError(f"replay file {self.path} has no outputs for task {prompt.task_id!r}")
        if sample_index not in per_task:
            raise ModelError(
                f"replay file {self.path} has no sample {sample_index} for task {prompt.task_id!r}"
            )
        return Completion(text=per_task[sample_index], finish_reason="replay",
                          rendering=self.rendering(prompt))
