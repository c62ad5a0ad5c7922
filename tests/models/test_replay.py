"""The replay backend: JSONL and CSV files of outputs produced elsewhere."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from vulnbench.errors import DatasetError, ModelError
from vulnbench.models import BackendOptions, create_model
from vulnbench.models.replay import ReplayBackend
from vulnbench.records import Completion, GenerationConfig, Prompt


def prompt(task_id: str, kind: str = "completion") -> Prompt:
    return Prompt(task_id=task_id, style="code", kind=kind, text="x")  # type: ignore[arg-type]


def jsonl(tmp_path: Path, rows: list[object], name: str = "out.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def load(path: Path) -> ReplayBackend:
    backend = create_model(f"replay:{path}", BackendOptions())
    assert isinstance(backend, ReplayBackend)
    return backend


def get(backend: ReplayBackend, task_id: str, index: int, kind: str = "completion") -> Completion:
    return asyncio.run(backend.complete(prompt(task_id, kind), GenerationConfig(), index))


def test_jsonl_indices_aliases_and_file_order(tmp_path: Path) -> None:
    path = jsonl(tmp_path, [
        {"task_id": "a", "sample_index": 1, "text": "a1"},
        {"task_id": "a", "sample_index": 0, "output": "a0"},
        {"id": "b", "completion": "b0"},
        {"task_id": "b", "text": "b1"},
        {"task_id": 7, "index": "2", "text": "seven"},
    ])
    backend = load(path)
    assert get(backend, "a", 0).text == "a0"
    assert get(backend, "a", 1).text == "a1"
    assert get(backend, "b", 0).text == "b0"
    assert get(backend, "b", 1).text == "b1"
    assert get(backend, "7", 2).text == "seven"
    out = get(backend, "a", 0, kind="chat")
    assert out.finish_reason == "replay"
    assert out.rendering == "chat"
    assert backend.params() == {"file": str(path)}


def test_unindexed_records_never_overwrite_indexed_ones(tmp_path: Path) -> None:
    backend = load(jsonl(tmp_path, [
        {"task_id": "a", "sample_index": 1, "text": "explicit"},
        {"task_id": "a", "text": "implicit"},
    ]))
    assert backend.outputs["a"] == {1: "explicit", 2: "implicit"}


def test_csv_keeps_multiline_code(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text('task_id,sample_index,text\n'
                    'a,0,"def f():\n    return 1\n"\n'
                    'a,1,"x = 1"\n')
    backend = load(path)
    assert get(backend, "a", 0).text == "def f():\n    return 1\n"
    assert get(backend, "a", 1).text == "x = 1"


def test_csv_errors_point_at_the_right_line(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text('task_id,sample_index,text\n'
                    'a,0,"two\nlines"\n'
                    ',1,no task\n')
    with pytest.raises(DatasetError, match=r"out\.csv:4: a replay record needs"):
        load(path)


def test_missing_samples_and_tasks_are_model_errors(tmp_path: Path) -> None:
    backend = load(jsonl(tmp_path, [{"task_id": "a", "text": "a0"}]))
    with pytest.raises(ModelError, match="no sample 1 for task 'a'"):
        get(backend, "a", 1)
    with pytest.raises(ModelError, match="no outputs for task 'zzz'"):
        get(backend, "zzz", 0)
    assert "zzz" not in backend.outputs


@pytest.mark.parametrize(("rows", "message"), [
    ([{"task_id": "a"}], "needs 'task_id' and 'text'"),
    ([{"text": "orphan"}], "needs 'task_id' and 'text'"),
    ([{"task_id": " ", "text": "blank task"}], "needs 'task_id' and 'text'"),
    ([["a", "list"]], "must be a JSON object"),
    ([{"task_id": "a", "sample_index": "first", "text": "x"}], "must be an integer"),
    ([{"task_id": "a", "sample_index": -1, "text": "x"}], "must be >= 0"),
    ([{"task_id": "a", "sample_index": 0, "text": "x"},
      {"task_id": "a", "sample_index": 0, "text": "y"}], "sample 0 more than once"),
])
def test_bad_records_are_dataset_errors(
    tmp_path: Path, rows: list[object], message: str
) -> None:
    with pytest.raises(DatasetError, match=message):
        load(jsonl(tmp_path, rows))


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text('{"task_id": "a", "text": "ok"}\n\n{broken\n')
    with pytest.raises(DatasetError, match=r"out\.jsonl:3: invalid JSON"):
        load(path)


def test_file_is_required(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="needs a file"):
        create_model("replay", BackendOptions())
    with pytest.raises(ModelError, match="not found"):
        create_model(f"replay:{tmp_path / 'absent.jsonl'}", BackendOptions())
