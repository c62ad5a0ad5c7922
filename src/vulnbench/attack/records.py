"""Records of a model-inversion attack that cross its phases (examples -> few-shot prompts ->
non-secure prompts -> codes -> scores) and are kept in the run store."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vulnbench.records import Language

# fs-code: demonstrations of vulnerable code then its prompt; fs-prompt: prompts only;
# os-prompt: one prompt; cve-prompt: the baseline, the examples' own prompts completed as is
Method = Literal["fs-code", "fs-prompt", "os-prompt", "cve-prompt"]
METHODS: tuple[str, ...] = ("fs-code", "fs-prompt", "os-prompt")
BASELINE: Method = "cve-prompt"
CodeStatus = Literal["ok", "syntax_error", "duplicate", "empty"]


class AttackRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InversionExample(AttackRecord):
    """One vulnerable program split in two: ``prompt`` (its first lines, free of the flaw:
    the non-secure prompt) and ``vulnerable`` (the rest, which holds the flaw)."""

    id: str = Field(min_length=1)
    cwe: str
    language: Language
    prompt: str = Field(min_length=1)
    vulnerable: str = Field(min_length=1)
    source: str = ""

    @property
    def code(self) -> str:
        return self.prompt + self.vulnerable


class FewShotPrompt(AttackRecord):
    """The input of phase 1: what the model continues to produce non-secure prompts.
    ``primer`` (the target's import lines) ends ``text`` and starts every prompt sampled."""

    id: str  # "fs-code/CWE-89/python/s3/p0"
    method: Method
    cwe: str
    language: Language
    shots: int  # demonstrations before the target
    permutation: int
    example_ids: list[str]  # demonstrations in order, then the target
    target_id: str
    primer: str
    text: str
    instruction: str = ""  # the chat instruction (§V-A1) when the model is prompted as chat


class Condition(AttackRecord):
    """One setting the attack is run under; a sweep makes several."""

    method: Method
    shots: int
    prompt_temperature: float
    code_temperature: float

    @property
    def label(self) -> str:
        return (f"{self.method}/s{self.shots}/Tp{self.prompt_temperature:g}"
                f"/Tc{self.code_temperature:g}")


class NonSecurePrompt(AttackRecord):
    """A phase-1 sample: primer + the model's continuation, cut at the example separator."""

    id: str  # f"{condition.label}/{cwe}/p{permutation}/q{index}"
    condition: Condition
    fewshot_id: str
    cwe: str
    language: Language
    permutation: int
    index: int
    text: str
    raw: str = ""
    tokens: int | None = None


class ScoredCode(AttackRecord):
    """A phase-2 code (non-secure prompt + completion) and its static verdict under the
    ``any`` policy; only ``ok`` codes are scored."""

    id: str  # f"{prompt.id}/c{index}"
    prompt_id: str
    condition: Condition
    cwe: str  # the targeted CWE
    language: Language
    permutation: int
    prompt_index: int
    index: int
    order: int  # position in the sampling order (growth curves read codes in this order)
    code: str
    status: CodeStatus
    trimmed: bool = False  # cut back to its last complete statement (hit the token limit)
    duplicate_of: str | None = None
    duplicate_kind: Literal["exact", "fuzzy"] | None = None
    found: list[str] = Field(default_factory=list)  # CWEs of counted findings, normalized
    vulnerable: bool | None = None  # None: not scored, or an analyzer could not judge it
    evidence: list[str] = Field(default_factory=list)
    analyzer_errors: list[str] = Field(default_factory=list)
    completion_tokens: int | None = None
    # exploit confirmation (attack/confirm.py): the built-in task whose security test applies
    # (the code defines its entry point) and whether the exploit worked (None: not run)
    confirmed_by: str = ""
    confirmed: bool | None = None
