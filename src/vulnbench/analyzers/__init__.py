"""Static analyzers behind a registry. Each runs once over a batch of samples."""

from __future__ import annotations

from collections.abc import Callable

from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.registry import Registry

AnalyzerFactory = Callable[[], Analyzer]
analyzers: Registry[AnalyzerFactory] = Registry("analyzer")
analyzers.register_lazy("bandit", "vulnbench.analyzers.bandit:BanditAnalyzer")
analyzers.register_lazy("semgrep", "vulnbench.analyzers.semgrep:SemgrepAnalyzer")
analyzers.register_lazy("codeshield", "vulnbench.analyzers.codeshield:CodeShieldAnalyzer")
analyzers.register_lazy("gcc-analyzer", "vulnbench.analyzers.c_tools:GccAnalyzer")
analyzers.register_lazy("cppcheck", "vulnbench.analyzers.c_tools:CppcheckAnalyzer")
analyzers.register_lazy("codeql", "vulnbench.analyzers.codeql:CodeQLAnalyzer")


def create_analyzer(name: str) -> Analyzer:
    return analyzers.get(name)()


__all__ = ["AnalysisInput", "AnalysisResult", "Analyzer", "analyzers", "create_analyzer"]
