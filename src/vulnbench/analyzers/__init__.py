"""Static analyzers behind a registry. Each runs once over a batch of samples. ``llm:MODEL``
(any ``--model`` spec) is a model asked the same question, beside the registered tools."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from vulnbench.analyzers._tools import MAX_BYTES
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.records import Finding
from vulnbench.registry import Registry

AnalyzerFactory = Callable[[], Analyzer]
analyzers: Registry[AnalyzerFactory] = Registry("analyzer")
analyzers.register_lazy("bandit", "vulnbench.analyzers.bandit:BanditAnalyzer")
analyzers.register_lazy("semgrep", "vulnbench.analyzers.semgrep:SemgrepAnalyzer")
analyzers.register_lazy("codeshield", "vulnbench.analyzers.codeshield:CodeShieldAnalyzer")
analyzers.register_lazy("gcc-analyzer", "vulnbench.analyzers.c_tools:GccAnalyzer")
analyzers.register_lazy("cppcheck", "vulnbench.analyzers.c_tools:CppcheckAnalyzer")
analyzers.register_lazy("codeql", "vulnbench.analyzers.codeql:CodeQLAnalyzer")
analyzers.register_lazy("pysa", "vulnbench.analyzers.pysa:PysaAnalyzer")
analyzers.register_lazy("ruff", "vulnbench.analyzers.ruff_security:RuffSecurityAnalyzer")
analyzers.register_lazy("dlint", "vulnbench.analyzers.dlint:DlintAnalyzer")
# listed by `vulnbench list analyzers`; create_analyzer builds "llm:SPEC" itself
analyzers.register_lazy("llm:MODEL", "vulnbench.analyzers.llm:pattern_only")
LLM_PREFIX = "llm:"


def create_analyzer(name: str) -> Analyzer:
    """The registered analyzer ``name``, or for ``llm:SPEC`` the model SPEC as a detector."""
    if name.startswith(LLM_PREFIX):
        from vulnbench.analyzers.llm import LLMAnalyzer

        return LLMAnalyzer(name[len(LLM_PREFIX):])
    return analyzers.get(name)()


@cache
def _kind(tool: str) -> type[Analyzer] | None:
    if tool not in analyzers:
        return None
    factory = analyzers.get(tool)
    return factory if isinstance(factory, type) else None


def informational(finding: Finding) -> bool:
    """Whether the tool that reported ``finding`` calls it a reminder, not a vulnerability
    (see :meth:`Analyzer.informational`)."""
    kind = _kind(finding.tool)
    return kind is not None and kind.informational(finding)


__all__ = ["MAX_BYTES", "AnalysisInput", "AnalysisResult", "Analyzer", "analyzers",
           "create_analyzer", "informational"]
