"""Typed records that cross phase boundaries (dataset -> prompts -> generations -> samples ->
assessments -> verdicts). They are what the run store persists and the reports read."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
)

Language = Literal["python", "c"]
PromptKind = Literal["completion", "chat"]
Rendering = Literal["completion", "chat", "chat-as-completion"]
# dropped_code: post-processing lost code the model wrote (e.g. its function body); the sample
# is flagged and not assessed, never scored secure on a stub
SampleStatus = Literal["ok", "extract_failed", "syntax_error", "duplicate", "dropped_code"]
Severity = Literal["low", "medium", "high"]
TestStatus = Literal["passed", "failed", "error", "timeout", "not_run"]
# runtime_error: the task's own environment could not be built or started (our side, not the
# model's code): neither functional nor vulnerable
AssessmentStatus = Literal["assessed", "not_assessed", "timeout", "sandbox_error",
                           "runtime_error"]
# What a task asks of a model. generate: write code for a prompt (the only kind runs make
# today); repair: fix given vulnerable code; classify: say whether given code is vulnerable;
# utility: functional work with no weakness (HumanEval), so it has no CWE.
TaskKind = Literal["generate", "repair", "classify", "utility"]
# kinds that are about a weakness: their tasks name at least one CWE
CWE_KINDS: frozenset[str] = frozenset({"generate", "repair", "classify"})

_CWE_RE = re.compile(r"^(?:CWE)?[-_ ]?0*(\d+)$", re.IGNORECASE)


def normalize_cwe(value: str | int) -> str:
    """``"cwe089"``, ``"CWE-89"``, ``89`` -> ``"CWE-89"``."""
    match = _CWE_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"not a CWE id: {value!r} (expected e.g. 'CWE-89')")
    return f"CWE-{int(match.group(1))}"


def stable_hash(obj: object) -> str:
    """sha256 of the canonical JSON of ``obj`` (dict keys sorted)."""
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskFile(Record):
    """A file a task's tests need beside the program (an asset, a template, a fixture), laid
    into the sandbox's work dir at ``path``; binary content is base64."""

    path: str = Field(min_length=1)
    content: str
    encoding: Literal["utf-8", "base64"] = "utf-8"

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        parts = value.replace("\\", "/").split("/")
        if value.startswith("/") or ".." in parts or any(p in ("", ".") for p in parts):
            raise ValueError(f"a task file path must be relative and plain, not {value!r}")
        return "/".join(parts)

    def data(self) -> bytes:
        return base64.b64decode(self.content) if self.encoding == "base64" else \
            self.content.encode("utf-8")


class Task(Record):
    """One coding task. ``kind`` says what it asks (default ``generate``, which every task
    file written before kinds existed is); fields a kind does not use stay empty rather than
    holding placeholders (a ``utility`` task has no CWE)."""

    id: str = Field(min_length=1)
    kind: TaskKind = "generate"  # before ``cwe``: its validator reads the kind
    # validated even when absent: a kind about a weakness needs one
    cwe: list[str] = Field(default_factory=list, validate_default=True)
    language: Language = "python"
    entry_point: str | None = None
    code_prompt: str = Field(min_length=1)
    text_prompt: str = ""
    cwe_aware_prompt: str = ""
    insecure_reference: str = ""
    secure_reference: str = ""
    explanation: str = ""
    functional_test: str = ""
    security_test: str = ""
    runtime: list[str] = Field(default_factory=list)  # modules the tests import (preloaded)
    # pip requirement specifiers (``Flask==2.3.3``): the task runs in an environment of its own
    # built from them; empty = the shared task runtime
    requirements: list[str] = Field(default_factory=list)
    files: list[TaskFile] = Field(default_factory=list)
    static_visible: bool = False  # the flaw is visible to static analysis: a rule must flag it
    source: str = ""

    @field_validator("cwe", mode="before")
    @classmethod
    def _norm_cwe(cls, value: object) -> list[str]:
        items = [value] if isinstance(value, str | int) else list(value)  # type: ignore[call-overload]
        return [normalize_cwe(v) for v in items]

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        """The default kind is left out, so a task dumps, and hashes (the dataset hash a run
        folder pins, verdict fingerprints), exactly as it did before kinds existed."""
        data: dict[str, object] = handler(self)
        if data.get("kind") == "generate":
            del data["kind"]
        return data

    @field_validator("cwe")
    @classmethod
    def _cwe_for_kind(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("kind", "generate")
        if not value and kind in CWE_KINDS:
            raise ValueError(f"a {kind} task names at least one CWE (e.g. 'CWE-89'); only a "
                             "utility task has none")
        return value


class Prompt(Record):
    """What a backend is asked: a completion prefix or a chat instruction."""

    task_id: str
    style: str
    kind: PromptKind
    text: str
    system: str | None = None
    prefix: str = ""  # code the completion continues; used by repair rules R2/R3
    # provenance (few-shot example ids, retrieved demonstrations, strategy parameters): kept
    # in the run store's prompts table, not part of the hash, which is what the model is asked
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def hash(self) -> str:
        return stable_hash(self.model_dump(exclude={"meta"}))


class GenerationConfig(Record):
    n: int = Field(default=1, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(default=256, ge=1)
    stop: list[str] = Field(default_factory=list)
    seed: int = 0


class Completion(Record):
    """One raw model output."""

    text: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    rendering: Rendering = "completion"


class Generation(Record):
    """A stored completion for one (condition, task, sample index)."""

    key: str
    condition: str
    model: str
    temperature: float
    task_id: str
    sample_index: int
    prompt_hash: str
    completion: Completion
    seconds: float
    prompt_index: int = 0  # which of the strategy's prompts for the task


class Sample(Record):
    """A generated program after repair and de-duplication; raw text is kept beside it."""

    key: str
    condition: str
    task_id: str
    sample_index: int
    raw: str
    code: str
    status: SampleStatus
    repairs: list[str] = Field(default_factory=list)
    compiles_raw: bool = False
    compiles_repaired: bool = False
    duplicate_of: int | None = None
    duplicate_kind: Literal["exact", "fuzzy"] | None = None
    error: str = ""
    prompt_index: int = 0  # which of the strategy's prompts for the task it answers


class Finding(Record):
    tool: str
    rule_id: str
    cwe: list[str] = Field(default_factory=list)
    line: int | None = None
    severity: Severity = "medium"
    confidence: Severity = "medium"
    message: str = ""


class TestOutcome(Record):
    suite: Literal["functional", "security"]
    name: str
    status: TestStatus
    detail: str = ""


class Verdict(Record):
    """Per-sample verdict with the evidence that produced it (meanings: docs/semantics.md)."""

    key: str
    status: AssessmentStatus
    functional: bool | None = None
    static_vulnerable: bool | None = None
    test_vulnerable: bool | None = None
    vulnerable: bool | None = None
    secure: bool | None = None
    evidence: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    tests: list[TestOutcome] = Field(default_factory=list)


class ModelSpec(Record):
    id: str
    backend: str
    name: str
    params: dict[str, str] = Field(default_factory=dict)
    chat_template: bool = False
    text_rendering: Rendering = "chat"


class EnvironmentSpec(Record):
    """A task environment of the run (sandbox/envs.py): the requirements asked for, the pins
    that did not install on its interpreter and what replaced them, or why it was not built."""

    id: str
    requirements: list[str]
    python: str = ""
    substitutions: dict[str, str] = Field(default_factory=dict)  # pinned -> installed
    tasks: list[str] = Field(default_factory=list)
    error: str = ""


class ConditionRecord(Record):
    """One condition of a run as its run spec records it (vulnbench.conditions.Condition)."""

    label: str
    id: str
    model: str
    spec: str
    temperature: float
    style: str
    style_params: dict[str, str] = Field(default_factory=dict)


class RunSpec(Record):
    """Everything needed to say what a run measured and to reproduce it."""

    vulnbench_version: str
    git_revision: str
    dataset: str
    dataset_hash: str
    task_count: int
    models: list[ModelSpec]
    temperatures: list[float]
    style: str
    generation: GenerationConfig
    seed: int
    policy: Literal["target", "any"]
    dedup: Literal["none", "exact", "fuzzy"]
    analyzers: list[str]
    tools: dict[str, str] = Field(default_factory=dict)
    sandbox: str = ""
    limit: int | None = None
    environments: list[EnvironmentSpec] = Field(default_factory=list)
    # every condition; ``temperatures`` and ``style`` (the first style) stay for old readers
    conditions: list[ConditionRecord] = Field(default_factory=list)
    # retrieval strategies -> content hash of the demonstration store their prompts came from
    retrieval_stores: dict[str, str] = Field(default_factory=dict)
