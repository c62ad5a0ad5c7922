"""The versioned ``results.json`` document. Its JSON Schema is exported by
``vulnbench schema`` (and shipped as ``vulnbench/schemas/results.schema.json``).
Undefined figures (NaN, e.g. n < k) are written as ``null``."""

from __future__ import annotations

import json
import math
from typing import Literal

from pydantic import BaseModel, Field

from vulnbench.records import RunSpec

SCHEMA_VERSION: Literal["1.0"] = "1.0"


def finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 6)


class MetricEntry(BaseModel):
    value: float | None = Field(description="point estimate; null when undefined (NaN)")
    ci_low: float | None = None
    ci_high: float | None = None


class CweRow(BaseModel):
    tasks: int
    samples: int
    metrics: dict[str, float | None]


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


class Stats(BaseModel):
    new_generations: int
    reused_generations: int
    assessed: int
    reused_verdicts: int
    seconds: float


class Results(BaseModel):
    schema_version: Literal["1.0"] = SCHEMA_VERSION
    run_spec: RunSpec
    stats: Stats
    conditions: list[ConditionResult]
    temperature_tables: dict[str, list[dict[str, float | None]]] = Field(
        default_factory=dict, description="per model: one row per temperature")


def results_schema() -> str:
    return json.dumps(Results.model_json_schema(), indent=2) + "\n"
