"""What a sandboxed test run of one sample gave. Shared by the sandbox, which produces it, and
the verdict, which reads it, so neither layer imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field

from vulnbench.records import AssessmentStatus, TestOutcome


@dataclass
class TestRun:
    status: AssessmentStatus
    outcomes: list[TestOutcome] = field(default_factory=list)
    detail: str = ""
