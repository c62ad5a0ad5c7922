from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.datasets.loader import load_task_file, load_task_files
from vulnbench.errors import DatasetError

GOOD = {
    "id": "t-1",
    "cwe": ["CWE-89"],
    "code_prompt": "def f(x):\n    \"\"\"Doc.\"\"\"\n",
    "text_prompt": "Write f.",
}
GOOD_TOML = '''id = "t-1"
cwe = ["cwe089"]
code_prompt = """
def f(x):
    pass
"""
'''


def _jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- the shipped demo ------------------------------------------------------------------------

def test_demo_loads_twelve_tasks_over_five_or_more_cwes() -> None:
    dataset = load_dataset("demo")
    assert dataset.name == "demo"
    assert len(dataset.tasks) == 12
    assert len({c for t in dataset.tasks for c in t.cwe}) >= 5
    assert len({t.id for t in dataset.tasks}) == 12
    assert all(t.source == "demo" for t in dataset.tasks)


@pytest.mark.parametrize("task", load_dataset("demo").tasks, ids=lambda t: t.id)
def test_demo_references_start_with_the_code_prompt(task: object) -> None:
    from vulnbench.records import Task

    assert isinstance(task, Task)
    for ref in (task.secure_reference, task.insecure_reference):
        assert ref.startswith(task.code_prompt)
    assert task.functional_test.strip() and task.security_test.strip()
    assert task.text_prompt.strip() and task.cwe_aware_prompt.strip()


def test_demo_hash_is_stable() -> None:
    assert load_dataset("demo").content_hash == load_dataset("demo").content_hash
    assert load_dataset("demo").limit(3).tasks == load_dataset("demo").tasks[:3]


# --- formats ----------------------------------------------------------------------------------

def test_toml_file_loads_and_normalizes_cwe(tmp_path: Path) -> None:
    path = tmp_path / "one.toml"
    path.write_text(GOOD_TOML, encoding="utf-8")
    [task] = load_task_file(path, source="mine")
    assert task.cwe == ["CWE-89"]
    assert task.code_prompt == "def f(x):\n    pass\n"
    assert task.source == "mine"


def test_json_array_loads(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([GOOD, {**GOOD, "id": "t-2", "cwe": "CWE-78"}]), "utf-8")
    tasks = load_dataset(str(path)).tasks
    assert [t.id for t in tasks] == ["t-1", "t-2"]
    assert tasks[1].cwe == ["CWE-78"]


def test_json_single_object_loads(tmp_path: Path) -> None:
    path = tmp_path / "task.json"
    path.write_text(json.dumps(GOOD), "utf-8")
    assert [t.id for t in load_task_file(path, "x")] == ["t-1"]


def test_jsonl_loads_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + json.dumps({**GOOD, "id": "t-2"}) + "\n",
                    "utf-8")
    assert [t.id for t in load_task_file(path, "x")] == ["t-1", "t-2"]


def test_jsonl_keeps_a_raw_line_separator_inside_a_string(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    record = {**GOOD, "text_prompt": "one\u2028two"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    [task] = load_task_file(path, "x")
    assert task.text_prompt == "one\u2028two"


def test_folder_of_mixed_files(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD_TOML, "utf-8")
    _jsonl(tmp_path / "b.jsonl", [{**GOOD, "id": "t-2"}])
    (tmp_path / "notes.txt").write_text("ignored", "utf-8")
    assert [t.id for t in load_dataset(str(tmp_path)).tasks] == ["t-1", "t-2"]


# --- malformed inputs --------------------------------------------------------------------------

def _error(path: Path) -> str:
    with pytest.raises(DatasetError) as info:
        load_task_file(path, source="x")
    message = str(info.value)
    assert str(path) in message, message
    return message


def test_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('cwe = ["CWE-89"]\nid = t-1\ncode_prompt = "x"\n', "utf-8")
    message = _error(path)
    assert "invalid TOML" in message and "line 2" in message


def test_bad_json_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + '{"id": "t-2", \n', "utf-8")
    message = _error(path)
    assert f"{path}:2:" in message and "invalid JSON" in message


def test_bad_json_array(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[\n" + json.dumps(GOOD) + ",\n]\n", "utf-8")
    assert "invalid JSON" in _error(path)


def test_missing_required_field(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [GOOD, {"id": "t-2", "cwe": ["CWE-89"]}])
    message = _error(path)
    assert f"{path}:2" in message
    assert "'code_prompt'" in message and "t-2" in message


def test_bad_cwe_id(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [{**GOOD, "cwe": ["SQL injection"]}])
    message = _error(path)
    assert f"{path}:1" in message
    assert "'cwe'" in message and "SQL injection" in message


def test_duplicate_id(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [GOOD, {**GOOD, "cwe": ["CWE-78"]}])
    message = _error(path)
    assert f"{path}:2" in message and "'id'" in message and "duplicate" in message
    assert f"{path}:1" in message  # where the first one is


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    first = tmp_path / "a.toml"
    first.write_text(GOOD_TOML, "utf-8")
    second = _jsonl(tmp_path / "b.jsonl", [GOOD])
    with pytest.raises(DatasetError, match="duplicate task id") as info:
        load_task_files([first, second], source="x")
    assert str(second) in str(info.value) and str(first) in str(info.value)


def test_unknown_extra_field(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [{**GOOD, "severity": "high"}])
    message = _error(path)
    assert "'severity'" in message and "not permitted" in message


def test_bad_field_in_toml_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(GOOD_TOML + 'language = "rust"\n', "utf-8")
    assert "'language'" in _error(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD_TOML.replace("def f", "def caf\xe9").encode("latin-1"))
    assert "not UTF-8" in _error(path)


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert [t.id for t in load_task_file(path, "x")] == ["t-1"]


@pytest.mark.parametrize("name", ["empty.toml", "empty.json", "empty.jsonl"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("\n  \n", "utf-8")
    assert "empty" in _error(path)


def test_empty_json_array(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text("[]", "utf-8")
    assert "no tasks" in _error(path)


def test_record_that_is_not_an_object(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "t.jsonl", [GOOD, [1, 2]])
    assert f"{path}:2" in _error(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "tasks.yaml"
    path.write_bytes(b"\xff\xfe binary")
    assert "unsupported" in _error(path)


def test_missing_path_lists_known_datasets(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as info:
        load_dataset(str(tmp_path / "nope.toml"))
    message = str(info.value)
    assert "nope.toml" in message and "known datasets" in message and "demo" in message


def test_folder_without_task_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="holds no"):
        load_dataset(str(tmp_path))


# --- CWE ids MITRE does not know ---------------------------------------------------------------

def test_unknown_cwe_warns_naming_the_task_and_its_line(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    odd = {**GOOD, "id": "t-odd", "cwe": ["CWE-89", "CWE-99999"]}
    path = _jsonl(tmp_path / "t.jsonl", [GOOD, odd])
    with caplog.at_level(logging.WARNING, logger="vulnbench.datasets"):
        dataset = load_dataset(str(path))
    assert [t.id for t in dataset.tasks] == ["t-1", "t-odd"]  # a warning, not an error
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 1
    assert f"{path}:2" in logged[0] and "'t-odd'" in logged[0] and "CWE-99999" in logged[0]
    assert len(dataset.warnings) == 1
    assert dataset.warnings[0].startswith("task 't-odd': CWE-99999 is not in MITRE's CWE list")


@pytest.mark.parametrize("cwe", ["CWE-89", "CWE-310", "CWE-0"])
def test_known_cwes_categories_and_the_no_weakness_marker_do_not_warn(
        tmp_path: Path, cwe: str, caplog: pytest.LogCaptureFixture) -> None:
    # CWE-310 is a category (not in the CWE-1000 view), still a real id; CWE-0 marks HumanEval
    path = _jsonl(tmp_path / "t.jsonl", [{**GOOD, "cwe": [cwe]}])
    with caplog.at_level(logging.WARNING, logger="vulnbench.datasets"):
        dataset = load_dataset(str(path))
    assert not caplog.records and dataset.warnings == []


def test_shipped_datasets_use_known_cwes() -> None:
    assert load_dataset("builtin").warnings == []
