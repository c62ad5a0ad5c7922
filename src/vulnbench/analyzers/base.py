"""The analyzer interface: a batch of programs in, normalized findings per program out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from vulnbench.records import Finding


@dataclass(frozen=True)
class AnalysisInput:
    id: str
    code: str
    language: str = "python"


@dataclass
class AnalysisResult:
    """Findings for one program, or an error that kept the tool from judging it."""

    id: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""


class Analyzer(ABC):
    name: str = ""
    languages: frozenset[str] = frozenset({"python"})

    @classmethod
    def informational(cls, finding: Finding) -> bool:
        """A finding this tool reports on safe code too (a reminder): kept as evidence, never
        counted as a vulnerability. The tool knows its rules; the verdict asks."""
        return False

    @abstractmethod
    def version(self) -> str:
        """Tool version, recorded in the run spec and part of the cache key."""

    @abstractmethod
    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        """Analyze every program of ``batch`` in as few tool processes as possible."""

    def unavailable(self) -> str:
        """Why the tool cannot run here and how to install it; empty when it can run."""
        return ""

    def missing(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        """One error result per program, for a tool that is not installed."""
        reason = self.unavailable()
        return [AnalysisResult(item.id, error=reason) for item in batch]
