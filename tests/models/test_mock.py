"""The mock backend (plumbing tests only): scripted outputs, call log, validation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from vulnbench.errors import ModelError
from vulnbench.models import BackendOptions, create_model
from vulnbench.models.mock import MockBackend
from vulnbench.records import GenerationConfig, Prompt

CONFIG = GenerationConfig()


def prompt(task_id: str = "t1", kind: str = "completion") -> Prompt:
    return Prompt(task_id=task_id, style="code", kind=kind, text="def f():\n")  # type: ignore[arg-type]


def complete(backend: MockBackend, p: Prompt, index: int) -> str:
    return asyncio.run(backend.complete(p, CONFIG, index)).text


def script(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "script.json"
    path.write_text(json.dumps(data))
    return path


def test_default_body_and_rendering_follow_the_prompt() -> None:
    backend = create_model("mock", BackendOptions())
    assert isinstance(backend, MockBackend)
    out = asyncio.run(backend.complete(prompt(), CONFIG, 0))
    assert out.text == "    return None\n"
    assert out.rendering == "completion"
    assert out.finish_reason == "stop"
    chat = asyncio.run(backend.complete(prompt(kind="chat"), CONFIG, 0))
    assert chat.rendering == "chat"


def test_script_cycles_through_outputs_per_task(tmp_path: Path) -> None:
    backend = create_model(f"mock:{script(tmp_path, {'a': ['x0', 'x1'], 'b': 'only'})}",
                           BackendOptions())
    assert isinstance(backend, MockBackend)
    assert backend.id == "mock"
    assert [complete(backend, prompt("a"), i) for i in range(5)] == \
        ["x0", "x1", "x0", "x1", "x0"]
    assert [complete(backend, prompt("b"), i) for i in range(2)] == ["only", "only"]
    assert complete(backend, prompt("unscripted"), 3) == "    return None\n"


@pytest.mark.parametrize("data", [["not", "a", "mapping"], {"a": []}, {"a": [1, 2]},
                                  {"a": None}])
def test_malformed_scripts_are_model_errors(tmp_path: Path, data: object) -> None:
    with pytest.raises(ModelError, match="mock script"):
        create_model(f"mock:{script(tmp_path, data)}", BackendOptions())


def test_missing_or_invalid_script_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="mock script"):
        create_model(f"mock:{tmp_path / 'absent.json'}", BackendOptions())
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ModelError, match="mock script"):
        create_model(f"mock:{bad}", BackendOptions())


def test_calls_file_records_each_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("VULNBENCH_MOCK_CALLS", str(calls))
    backend = create_model("mock", BackendOptions())
    assert isinstance(backend, MockBackend)
    complete(backend, prompt("a"), 0)
    complete(backend, prompt("b"), 2)
    assert calls.read_text().splitlines() == ["a\t0", "b\t2"]


def test_bad_delay_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_MOCK_DELAY", "soon")
    with pytest.raises(ModelError, match="VULNBENCH_MOCK_DELAY"):
        create_model("mock", BackendOptions())
