"""The versioned ``results.json`` document. Its JSON Schema is exported by
``vulnbench schema`` (and shipped as ``vulnbench/schemas/results.schema.json``).
Undefined figures (NaN, e.g. n < k) are written as ``null``, each with its reason.

Versions: 1.0; 1.1 adds (nothing removed or renamed) ``undefined`` (why a figure is null),
``verdict_sources``, ``tasks_with_tests``, ``blind`` per condition, ``warnings`` and
``blind_tasks``."""

from __future__ import annotations

import json
import math
from typing import Literal

from pydantic import BaseModel, Field

from vulnbench.records import RunSpec

SCHEMA_VERSION: Literal["1.1"] = "1.1"


def finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


class MetricEntry(BaseModel):
    value: float | None = Field(description="point estimate; null when undefined (NaN)")
    ci_low: float | None = None
    ci_high: float | None = None


_UNDEFINED = ("why each null figure is undefined, keyed by metric name (e.g. 'k=5 > n=3 "
              "samples per task')")


class CweRow(BaseModel):
    tasks: int
    samples: int
    metrics: dict[str, float | None]
    undefined: dict[str, str] = Field(default_factory=dict, description=_UNDEFINED)


class VerdictSources(BaseModel):
    """Every sample of a condition in exactly one bucket; the buckets sum to its samples."""

    secure: int = 0
    vulnerable_static_only: int = Field(
        default=0, description="a counted analyzer finding, and no security test failed")
    vulnerable_test_only: int = Field(
        default=0, description="the security test failed (the exploit worked), and no "
                               "counted finding")
    vulnerable_both: int = 0
    neither: dict[str, int] = Field(
        default_factory=dict,
        description="samples neither secure nor vulnerable, by reason: security_test_error, "
                    "security_test_timeout, security_test_not_run, security_test_missing "
                    "(the task has one, it gave no result), analyzer_error (an analyzer "
                    "failed and nothing was found), timeout, sandbox_error, runtime_error "
                    "(the assessment's status), not_assessed (no verdict) and "
                    "not_assessed:<sample status> (e.g. not_assessed:syntax_error)")


class BlindShare(BaseModel):
    """What the condition's blind tasks (see ``Results.blind_tasks``) weigh in it."""

    tasks: int = 0
    samples: int = 0
    secure: int = Field(default=0, description="of those samples, how many count as secure "
                                               "in the headline (nothing was found)")


class BlindTask(BaseModel):
    """A task no check can judge: no security test, and no enabled analyzer reports a CWE of
    its family; its "secure" samples are only samples in which nothing was found."""

    task: str
    language: str
    cwe: list[str]
    reason: str


class ConditionResult(BaseModel):
    condition: str
    model: str
    temperature: float
    tasks: int
    samples: int
    metrics: dict[str, MetricEntry] = Field(description="combined static + test verdicts")
    static_metrics: dict[str, MetricEntry]
    test_metrics: dict[str, MetricEntry]
    harmonic: dict[str, float | None] = Field(
        description="harmonic mean of test-based and static-based figures (SALLM Table III)")
    per_cwe: dict[str, CweRow]
    compile_rate: dict[str, float | None] = Field(description="before and after repair")
    sample_status: dict[str, int] = Field(
        description="samples per status: ok (assessed), extract_failed, syntax_error, "
                    "duplicate, dropped_code (post-processing lost the model's code); all count "
                    "in n, only ok samples are assessed")
    verdict_status: dict[str, int]
    duplicates: dict[str, int]
    repairs: dict[str, int] = Field(
        description="samples per repair: R1, R2, R3 (SALLM) and how R2 joined "
                    "(R2:newline, R2:reindent, R2:retab, R2:indent-body, R2:merge, "
                    "R2:decorators)")
    undefined: dict[str, str] = Field(
        default_factory=dict,
        description=_UNDEFINED + "; metrics, static_metrics, test_metrics, harmonic and the "
                                 "temperature tables share these reasons")
    verdict_sources: VerdictSources = Field(default_factory=VerdictSources)
    tasks_with_tests: dict[str, int] = Field(
        default_factory=dict, description="tasks with a functional and with a security test")
    blind: BlindShare = Field(default_factory=BlindShare)


class Stats(BaseModel):
    new_generations: int
    reused_generations: int
    assessed: int
    reused_verdicts: int
    seconds: float


class Results(BaseModel):
    schema_version: Literal["1.1"] = SCHEMA_VERSION
    run_spec: RunSpec
    stats: Stats
    conditions: list[ConditionResult]
    temperature_tables: dict[str, list[dict[str, float | None]]] = Field(
        default_factory=dict, description="per model: one row per temperature")
    warnings: list[str] = Field(default_factory=list,
                                description="dataset problems (e.g. a CWE id MITRE does not "
                                            "know), naming the task")
    blind_tasks: list[BlindTask] = Field(default_factory=list)


def results_schema() -> str:
    return json.dumps(Results.model_json_schema(), indent=2) + "\n"
