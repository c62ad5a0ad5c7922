"""The replay backend: JSONL and CSV files of outputs produced elsewhere."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.models.sallm_shapes import (
    IDS,
    PROMPTS,
    SAFE,
    UNSAFE,
    chat_completion,
    generation_record,
    text_list,
)
from vulnbench.datasets.loader import load_task_file
from vulnbench.datasets.public._common import read_jsonl
from vulnbench.errors import DatasetError, ModelError
from vulnbench.models import BackendOptions, create_model
from vulnbench.models.replay import ReplayBackend, parse_sallm_name, replay_sources
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
    assert backend.params() == {"file": str(path),
                                "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


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
    ([["a", "list"]], r"out\.jsonl:1: expected a JSON object, got list"),
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



# --- the JSON Lines reader is the task loader's (vulnbench.jsonl) ---

# characters str.splitlines() breaks at but JSON allows raw inside strings (controls below
# U+0020, which splitlines() also breaks at, must be escaped in JSON)
LINE_BREAKS = ["\u2028", "\u2029", "\x85"]


@pytest.mark.parametrize("char", LINE_BREAKS, ids=lambda c: f"U+{ord(c):04X}")
def test_line_breaks_inside_strings_are_text(tmp_path: Path, char: str) -> None:
    """A raw U+2028 (or NEL, ...) inside a string is text, as the task loader reads it; a BOM
    and CRLF line ends are what Windows tools write."""
    rows = [{"task_id": "a", "text": f"x = '{char}'\n"},
            {"task_id": "a", "text": f"# {char}{char} two"},
            {"task_id": "b", "text": "plain"}]
    body = "\r\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r\n"
    assert char in body  # written raw, not as an escape
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    backend = load(path)
    assert backend.outputs == {"a": {0: rows[0]["text"], 1: rows[1]["text"]},
                               "b": {0: "plain"}}
    # the public-benchmark loaders' reader sees the same records at the same lines
    assert [(w, r) for w, r in read_jsonl(path)] == [
        (f"{path}:{i}", row) for i, row in enumerate(rows, 1)]


@pytest.mark.parametrize(("body", "message"), [
    ('\n\n{broken\n', r"\.jsonl:3: invalid JSON: Expecting property name"),
    ('\r\n[1, 2]\r\n', r"\.jsonl:2: expected a JSON object, got list"),
    ('"a\u2028string"\n', r"\.jsonl:1: expected a JSON object, got str"),
])
def test_errors_are_the_task_loaders(tmp_path: Path, body: str, message: str) -> None:
    """The replay file and a task file with the same bad line fail with the same message."""
    replay_file = tmp_path / "out.jsonl"
    replay_file.write_text(body, "utf-8")
    with pytest.raises(DatasetError, match=message) as replayed:
        load(replay_file)
    task_file = tmp_path / "tasks.jsonl"
    task_file.write_text(body, "utf-8")
    with pytest.raises(DatasetError) as loaded:
        load_task_file(task_file, source="x")
    assert str(replayed.value).replace(str(replay_file), "FILE") == str(
        loaded.value).replace(str(task_file), "FILE")


def test_empty_and_non_utf8_files_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("\n \n")
    with pytest.raises(DatasetError, match=r"out\.jsonl: empty file"):
        load(path)
    path.write_bytes(b'{"task_id": "a", "text": "caf\xe9"}\n')  # Latin-1, not UTF-8
    with pytest.raises(DatasetError, match=r"out\.jsonl: not UTF-8 text"):
        load(path)


def test_csv_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_bytes(b"\xef\xbb\xbftask_id,text\r\na,x = 1\r\n")
    assert load(path).outputs == {"a": {0: "x = 1"}}

# --- SALLM's published generation files (Generation/Output/dataset_{model}_{T}.jsonl) ---

def test_sallm_chat_completion_samples_in_choice_order(tmp_path: Path) -> None:
    a, b = IDS[0], IDS[1]
    answers = [UNSAFE[a], SAFE[a], "    pass\n"]
    path = jsonl(tmp_path, [
        generation_record(a, chat_completion(answers)),
        generation_record(b, chat_completion([SAFE[b]], finish="length")),
    ], name="dataset_gpt-4_0.0.jsonl")
    backend = load(path)
    assert backend.outputs[a] == dict(enumerate(answers))
    first = get(backend, a, 1)
    assert first.text == SAFE[a]  # the body only, exactly as published
    assert (first.finish_reason, first.rendering) == ("stop", "chat")
    # the request's prompt tokens hold for every choice; its completion tokens count all
    # three choices together, so they are per sample only where there is one choice
    assert (first.prompt_tokens, first.completion_tokens) == (61, None)
    single = get(backend, b, 0)
    assert (single.finish_reason, single.prompt_tokens, single.completion_tokens) == \
        ("length", 61, 40)
    assert backend.params()["model"] == "gpt-4"
    assert backend.params()["temperature"] == "0"


def test_sallm_choice_index_wins_over_position(tmp_path: Path) -> None:
    obj = chat_completion(["zero", "one"])
    obj["choices"].reverse()  # listed 1, 0: the index field says which sample each is
    backend = load(jsonl(tmp_path, [generation_record(IDS[0], obj)]))
    assert backend.outputs[IDS[0]] == {0: "zero", 1: "one"}
    no_index = chat_completion(["p0", "p1"], with_index=False)
    backend = load(jsonl(tmp_path, [generation_record(IDS[0], no_index)]))
    assert backend.outputs[IDS[0]] == {0: "p0", 1: "p1"}


def test_sallm_completion_list_is_prompt_plus_completion(tmp_path: Path) -> None:
    task = IDS[2]
    bodies = [SAFE[task], UNSAFE[task]]
    backend = load(jsonl(tmp_path, [generation_record(task, text_list(task, bodies))],
                         name="dataset_Salesforce_codegen25-7b-mono_0.8.jsonl"))
    for i, body in enumerate(bodies):
        out = get(backend, task, i)
        assert out.text == PROMPTS[task] + "\n" + body
        assert (out.finish_reason, out.rendering) == ("replay", "completion")
    assert backend.params()["model"] == "Salesforce_codegen25-7b-mono"
    assert backend.params()["temperature"] == "0.8"


def test_shapes_are_detected_per_record(tmp_path: Path) -> None:
    backend = load(jsonl(tmp_path, [
        generation_record(IDS[0], chat_completion(["chat"])),
        generation_record(IDS[1], [{"text": "listed"}]),
        {"task_id": IDS[2], "sample_index": 0, "text": "plain"},
    ]))
    assert backend.outputs == {IDS[0]: {0: "chat"}, IDS[1]: {0: "listed"},
                               IDS[2]: {0: "plain"}}


def test_null_content_is_an_empty_output(tmp_path: Path) -> None:
    obj = chat_completion([SAFE[IDS[0]], None], finish="content_filter")
    out = get(load(jsonl(tmp_path, [generation_record(IDS[0], obj)])), IDS[0], 1)
    assert (out.text, out.finish_reason) == ("", "content_filter")


@pytest.mark.parametrize(("output", "message"), [
    (chat_completion(["ok", 3]), r":2: output\.choices\[1\]\.message\.content must be a "
                                 r"string or null, got 3"),
    (chat_completion([["a", "list"]]), r":2: output\.choices\[0\]\.message\.content"),
    ({"object": "chat.completion", "choices": "none"}, r":2: output\.choices must be a list"),
    ({"object": "chat.completion", "choices": [{"index": 0}]}, r":2: .*has no message"),
    ({"object": "chat.completion", "choices": [{"index": -1, "message": {"content": "x"}}]},
     r":2: .*index: sample_index must be >= 0"),
    (chat_completion(["a", "b"]) | {"choices": [{"index": 0, "message": {"content": "a"}}] * 2},
     r":2: task .* has sample 0 more than once"),
    ([{"text": None}], r":2: output\[0\] must be \{\"text\": string\}, got \{\"text\": null\}"),
    ([{"code": "x"}], r":2: output\[0\] must be"),
    ([7], r":2: output\[0\] must be .*got 7"),
    ({"unexpected": "object"}, r":2: the output is neither text"),
])
def test_malformed_sallm_outputs_name_file_and_line(
    tmp_path: Path, output: object, message: str
) -> None:
    path = jsonl(tmp_path, [generation_record(IDS[1], chat_completion(["fine"])),
                            generation_record(IDS[0], output)])
    with pytest.raises(DatasetError, match=re.escape(str(path)) + message):
        load(path)


@pytest.mark.parametrize(("name", "parsed"), [
    ("dataset_gpt-4_0.0.jsonl", ("gpt-4", 0.0)),
    ("dataset_gpt-3.5-turbo_1.0.jsonl", ("gpt-3.5-turbo", 1.0)),
    ("dataset_Salesforce_codegen-2B-mono_0.2.jsonl", ("Salesforce_codegen-2B-mono", 0.2)),
    ("dataset_Salesforce_codegen25-7b-mono_0.8.jsonl", ("Salesforce_codegen25-7b-mono", 0.8)),
    ("dataset_bigcode_starcoder_0.4.jsonl", ("bigcode_starcoder", 0.4)),
    ("dataset_gpt-4.jsonl", None),
    ("outputs_gpt-4_0.2.jsonl", None),
    ("dataset_gpt-4_0.2.csv", None),
    ("dataset_gpt-4_hot.jsonl", None),
])
def test_sallm_file_names(name: str, parsed: tuple[str, float] | None) -> None:
    assert parse_sallm_name(name) == parsed


def test_folder_sources_skip_other_files(tmp_path: Path) -> None:
    for name in ("dataset_gpt-4_0.0.jsonl", "mine.csv", "plain.jsonl", "README.md",
                 ".hidden.jsonl"):
        (tmp_path / name).write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "dataset_gpt-4_0.2.jsonl").write_text("")
    sources = replay_sources(str(tmp_path))
    assert [(s.path.name, s.model, s.temperature) for s in sources] == [
        ("dataset_gpt-4_0.0.jsonl", "gpt-4", 0.0), ("mine.csv", None, None),
        ("plain.jsonl", None, None)]
    assert sources[0].spec == f"replay:{tmp_path / 'dataset_gpt-4_0.0.jsonl'}"
    assert replay_sources(str(tmp_path / "plain.jsonl")) == [sources[2]]
    with pytest.raises(ModelError, match=r"holds no \.jsonl or \.csv files"):
        replay_sources(str(_empty(tmp_path)))
    with pytest.raises(ModelError, match="not found"):
        replay_sources(str(tmp_path / "absent"))
    with pytest.raises(ModelError, match="a folder"):
        create_model(f"replay:{tmp_path}", BackendOptions())


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("")
    return folder


def test_coverage_names_missing_short_and_unknown_tasks(tmp_path: Path) -> None:
    backend = load(jsonl(tmp_path, [
        generation_record(IDS[0], chat_completion(["a", "b"])),
        generation_record(IDS[1], chat_completion(["only one"])),
        {"task_id": "Matching_Author_A_cwe999_0.py", "text": "stray"},
    ]))
    notes = backend.coverage([IDS[0], IDS[1], IDS[2]], 2, set(IDS))
    assert notes == [
        f"replay {backend.path}: no outputs for 1 of 3 task(s), not scored in this "
        f"condition: {IDS[2]}",
        f"replay {backend.path}: fewer than 2 samples for 1 task(s) (samples there): "
        f"{IDS[1]} (1)",
        f"replay {backend.path}: outputs for 1 task(s) the dataset does not have, ignored: "
        "Matching_Author_A_cwe999_0.py",
    ]
    assert backend.coverage([IDS[0]], 2, {*IDS, "Matching_Author_A_cwe999_0.py"}) == []
    many = [f"t{i:02d}" for i in range(25)]
    assert backend.coverage(many, 1, many + list(backend.outputs))[0].endswith(
        "t19, ... and 5 more")
    assert backend.has(IDS[0], 1) and not backend.has(IDS[1], 1)
