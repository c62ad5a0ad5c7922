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
            task_id, text = _first(row, _TASK_KEYS), _first(row, _TEXT_KEYS)
            if task_id is None or text is None:
                raise DatasetError(f"{where}: a replay record needs 'task_id' and 'text'")
            index = row.get("sample_index", row.get("index"))
            per_task = self.outputs[str(task_id)]
            per_task[int(index) if index not in (None, "") else len(per_task)] = str(text)

    def _rows(self) -> list[tuple[str, dict[str, Any]]]:
        text = self.path.read_text(encoding="utf-8", errors="replace")
        if self.path.suffix == ".csv":
            return [(f"{self.path}:{i + 2}", row)
                    for i, row in enumerate(csv.DictReader(text.splitlines()))]
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
        per_task = self.outputs.get(prompt.task_id, {})
        if sample_index not in per_task:
            raise ModelError(
                f"replay file {self.path} has no sample {sample_index} for task {prompt.task_id!r}"
            )
        return Completion(text=per_task[sample_index], finish_reason="replay",
                          rendering=self.rendering(prompt))
