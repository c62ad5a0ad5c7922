"""What one inversion attack asks for, and the conditions (method x shots x temperatures) it
runs. The config is stored in the run folder; every sample's key is content-addressed, so a
resumed or enlarged attack (more CWEs, larger k) reuses what is stored and adds the rest."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vulnbench.attack.records import BASELINE, METHODS, Condition, Method
from vulnbench.records import Language, normalize_cwe

# the paper's settings (§V-A): four examples per few-shot prompt (three demonstrations and the
# target), five permuted orders, k = k' = 5, T = 0.6, 25 tokens per non-secure prompt (App. H
# uses 45 for Python and 65 for C when prompts must be longer) and 150 per code
DEFAULT_SHOTS = 3
DEFAULT_TEMPERATURE = 0.6
PROMPT_TOKENS = 25
CODE_TOKENS = 150
Order = Literal["prefix", "interleaved"]
ChatMode = Literal["auto", "chat", "completion"]


class InversionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = "local"
    cwes: list[str] = Field(min_length=1)
    languages: list[Language] = Field(default_factory=lambda: list[Language](["python"]))
    methods: list[Method] = Field(default_factory=lambda: list(METHODS))  # type: ignore[arg-type]
    baseline: bool = True  # also complete the examples' own prompts (the paper's CVE-prompt)
    k: int = Field(default=5, ge=1)  # non-secure prompts per few-shot prompt
    k2: int = Field(default=5, ge=1)  # codes per non-secure prompt
    permutations: int = Field(default=5, ge=1)
    shots: int = Field(default=DEFAULT_SHOTS, ge=1)
    temperature: float = Field(default=DEFAULT_TEMPERATURE, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    prompt_tokens: int = Field(default=PROMPT_TOKENS, ge=1)
    code_tokens: int = Field(default=CODE_TOKENS, ge=1)
    # sweeps (App. D: number of shots; App. J: prompt x code temperature); run for
    # ``sweep_method`` on ``sweep_cwes`` (all attacked CWEs when empty)
    sweep_shots: list[int] = Field(default_factory=list)
    sweep_prompt_temperatures: list[float] = Field(default_factory=list)
    sweep_code_temperatures: list[float] = Field(default_factory=list)
    sweep_method: Method = "fs-code"
    sweep_cwes: list[str] = Field(default_factory=list)
    seed: int = 0
    chat: ChatMode = "auto"
    order: Order = "prefix"
    trim: bool = True  # cut a code that hit the token limit back to its last whole statement
    examples_file: str = ""
    analyzers: list[str] = Field(default_factory=list)  # empty: the default set
    # run a built-in task's exploit test on the codes that define its entry point
    confirm: bool = True
    sandbox: str = "bwrap"

    @field_validator("cwes", "sweep_cwes", mode="before")
    @classmethod
    def _norm(cls, value: object) -> list[str]:
        items = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        out: list[str] = []
        for item in items:
            cwe = normalize_cwe(item)
            if cwe not in out:
                out.append(cwe)
        return out

    @field_validator("methods")
    @classmethod
    def _methods(cls, value: list[Method]) -> list[Method]:
        if BASELINE in value:
            raise ValueError(f"{BASELINE} is the baseline (--baseline/--no-baseline), "
                             "not a method")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _sweep_method_runs(self) -> InversionConfig:
        sweeping = (self.sweep_shots or self.sweep_prompt_temperatures
                    or self.sweep_code_temperatures)
        if sweeping and self.sweep_method not in self.methods:
            raise ValueError(f"the sweeps run {self.sweep_method}, which is not among the "
                             "methods: add it with --method or choose --sweep-method")
        return self

    def main_condition(self, method: Method) -> Condition:
        shots = 1 if method == "os-prompt" else 0 if method == BASELINE else self.shots
        return Condition(method=method, shots=shots, prompt_temperature=self.temperature,
                         code_temperature=self.temperature)

    def sweep_conditions(self) -> list[Condition]:
        """The conditions a sweep adds beside the main one of ``sweep_method``."""
        main = self.main_condition(self.sweep_method)
        out: list[Condition] = []
        if self.sweep_method in ("fs-code", "fs-prompt"):
            out += [main.model_copy(update={"shots": s}) for s in self.sweep_shots]
        tps = self.sweep_prompt_temperatures or [self.temperature]
        tcs = self.sweep_code_temperatures or [self.temperature]
        if self.sweep_prompt_temperatures or self.sweep_code_temperatures:
            out += [main.model_copy(update={"prompt_temperature": tp, "code_temperature": tc})
                    for tp in tps for tc in tcs]
        seen = {main.label}
        unique: list[Condition] = []
        for cond in out:
            if cond.label not in seen:
                seen.add(cond.label)
                unique.append(cond)
        return unique

    def conditions(self) -> list[tuple[Condition, list[str] | None]]:
        """Every condition with the CWEs it covers (None: all attacked ones)."""
        out: list[tuple[Condition, list[str] | None]] = [
            (self.main_condition(m), None) for m in self.methods]
        if self.baseline:
            out.append((self.main_condition(BASELINE), None))
        sweep_cwes = self.sweep_cwes or None
        out += [(c, sweep_cwes) for c in self.sweep_conditions()]
        return out
