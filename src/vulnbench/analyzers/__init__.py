"""Static analyzers behind a registry. Each runs once over a batch of samples."""

from __future__ import annotations

from collections.abc import Callable

from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.registry import Registry

AnalyzerFactory = Callable[[], Analyzer]
analyzers: Registry[AnalyzerFactory] = Registry("analyzer")
analyzers.register_lazy("bandit", "vulnbench.analyzers.bandit:BanditAnalyzer")


def create_analyzer(name: str) -> Analyzer:
    return analyzers.get(name)()


__all__ = ["AnalysisInput", "AnalysisResult", "Analyzer", "analyzers", "create_analyzer"]
