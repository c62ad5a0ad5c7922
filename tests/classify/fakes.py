"""Scripted FAKE model backends and tasks for the classification tests (plumbing only: no
real model), in one module so that every test file counts calls on the same classes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from vulnbench.errors import ModelError
from vulnbench.models import backends
from vulnbench.models.base import BackendOptions, ModelBackend
from vulnbench.records import Completion, GenerationConfig, Prompt

# the code of each reference holds a marker; the fakes answer by marker and prompt style
SCRIPT = {
    ("detect", "SQL_BAD"): "Yes, the query concatenates user input.",
    ("detect", "SQL_GOOD"): "No. It uses a parameterized query.",
    ("detect", "PATH_BAD"): "Yes.",
    ("detect", "PATH_GOOD"): "Yes, it is still vulnerable.",  # wrong on purpose
    ("cwe-type", "SQL_BAD"): "cwe_089, because the query is built from input.",
    ("cwe-type", "PATH_BAD"): "This is CWE-23 (relative path traversal).",  # alias of CWE-22
    ("cwe-type", "CMD_BAD"): "The answer is OS command injection.",  # a name, no id
    ("cwe-type", "XSS_BAD"): "CWE-89",  # wrong on purpose
}


class FakeScripted(ModelBackend):
    """FAKE model: answers SCRIPT by the marker in the prompt; counts loads and calls."""

    backend = "fake-scripted"
    loads: ClassVar[int] = 0
    calls: ClassVar[list[Prompt]] = []
    fail_at: ClassVar[int | None] = None  # the call (1-based) that fails, once

    def __init__(self, name: str, options: BackendOptions) -> None:
        super().__init__(name, options)
        type(self).loads += 1

    @property
    def chat_template(self) -> bool:
        return self.options.extra.get("chat") != "false"

    def answer(self, prompt: Prompt) -> str:
        for (style, marker), text in SCRIPT.items():
            if style == prompt.style and marker in prompt.text:
                return text
        raise AssertionError(f"unscripted prompt: {prompt.text}")

    async def complete(self, prompt: Prompt, config: GenerationConfig,
                       sample_index: int) -> Completion:
        cls = type(self)
        if cls.fail_at is not None and len(cls.calls) + 1 == cls.fail_at:
            cls.fail_at = None
            raise ModelError("fake endpoint went away")
        cls.calls.append(prompt)
        return Completion(text=self.answer(prompt), rendering=self.rendering(prompt))


class FakeAlwaysVulnerable(FakeScripted):
    """FAKE classifier that flags everything."""

    def answer(self, prompt: Prompt) -> str:
        return "Yes, this code is vulnerable."


class FakeGarbage(FakeScripted):
    """FAKE model whose answers say nothing readable."""

    def answer(self, prompt: Prompt) -> str:
        return "lorem ipsum dolor sit amet"


FAKES = {"fake-scripted": FakeScripted, "fake-always-vulnerable": FakeAlwaysVulnerable,
         "fake-garbage": FakeGarbage}


def use_fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the fakes for one test only (the model registry is global: a fake left in it
    would show in every other test's list of backends), and reset their counters."""
    for name, cls in FAKES.items():
        monkeypatch.setitem(backends._entries, name, cls)
    FakeScripted.loads, FakeScripted.calls, FakeScripted.fail_at = 0, [], None


def _task(tid: str, cwe: list[str], bad: str = "", good: str = "",
          kind: str = "generate") -> dict[str, Any]:
    body = "def f(x):\n    return x  # {}\n"
    return {"id": tid, "kind": kind, "cwe": cwe, "code_prompt": "def f(x):\n",
            "insecure_reference": body.format(bad) if bad else "",
            "secure_reference": body.format(good) if good else ""}


TASKS = [
    _task("sql", ["CWE-89"], "SQL_BAD", "SQL_GOOD"),
    _task("path", ["CWE-22", "CWE-23"], "PATH_BAD", "PATH_GOOD"),
    _task("cmd", ["CWE-78"], "CMD_BAD"),  # no secure reference: no detection
    _task("xss", ["CWE-79"], "XSS_BAD"),
    _task("util", [], kind="utility"),
]


def write_tasks(path: Path) -> Path:
    """TASKS as a JSONL dataset file."""
    path.write_text("".join(json.dumps(t) + "\n" for t in TASKS))
    return path
