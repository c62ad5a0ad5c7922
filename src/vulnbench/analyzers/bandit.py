"""Bandit over a whole batch: the programs are written to one folder and bandit runs once,
its JSON report mapped back to the programs by file name. Bandit reports a CWE per issue."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.cwe import refine_cwes
from vulnbench.errors import MissingDependencyError
from vulnbench.records import Finding, Severity, normalize_cwe

_LEVEL: dict[str, Severity] = {"LOW": "low", "MEDIUM": "medium", "HIGH": "high"}
# Reminders that fire on safe code too: import checks (B401-B415), a subprocess call without a
# shell (B603, B606), a program named without its full path (B607: the list-argv form
# recommended against injection, e.g. ["git", "log"]; a PATH-hijack concern, not injection),
# a server bound to all interfaces (B104: a deployment choice, the norm in containers) and
# assert (B101). Kept as evidence, never a verdict.
INFORMATIONAL_PREFIXES = ("B4",)
INFORMATIONAL_RULES = frozenset({"B603", "B606", "B607", "B104", "B101"})


@cache
def _bandit_version() -> str:
    try:
        import bandit
    except ImportError:
        raise MissingDependencyError("the bandit analyzer", "bandit", "all") from None
    return str(bandit.__version__)


def _finding(issue: dict[str, Any]) -> Finding:
    cwe_id = (issue.get("issue_cwe") or {}).get("id")
    return Finding(
        tool="bandit", rule_id=str(issue.get("test_id", "?")),
        cwe=refine_cwes("bandit", str(issue.get("test_id", "?")),
                        [normalize_cwe(cwe_id)] if cwe_id else []),
        line=issue.get("line_number"),
        severity=_LEVEL.get(str(issue.get("issue_severity")).upper(), "medium"),
        confidence=_LEVEL.get(str(issue.get("issue_confidence")).upper(), "medium"),
        message=str(issue.get("issue_text", ""))[:500],
    )


class BanditAnalyzer(Analyzer):
    name = "bandit"

    @classmethod
    def informational(cls, finding: Finding) -> bool:
        return (finding.rule_id.startswith(INFORMATIONAL_PREFIXES)
                or finding.rule_id in INFORMATIONAL_RULES)

    def version(self) -> str:
        return _bandit_version()

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        _bandit_version()
        results = {item.id: AnalysisResult(item.id) for item in batch}
        python = [item for item in batch if item.language == "python"]
        for item in batch:
            if item.language != "python":
                results[item.id].error = f"bandit does not analyze {item.language} programs"
        if not python:
            return [results[item.id] for item in batch]
        with tempfile.TemporaryDirectory(prefix="vb-bandit-") as tmp:
            names: dict[str, str] = {}
            for i, item in enumerate(python):
                name = f"s{i}.py"
                Path(tmp, name).write_text(item.code, encoding="utf-8", errors="replace")
                names[name] = item.id
            # --ignore-nosec: a "# nosec" comment written by the model must not hide an issue
            try:
                proc = subprocess.run(
                    [sys.executable, "-m", "bandit", "-f", "json", "-q", "--ignore-nosec",
                     "-r", tmp],
                    capture_output=True, text=True, errors="replace", check=False,
                    timeout=3600, cwd=tmp,
                )
                report = json.loads(proc.stdout)
                if not isinstance(report, dict):
                    raise ValueError("bandit report is not a JSON object")
            except (subprocess.TimeoutExpired, ValueError) as exc:
                if isinstance(exc, subprocess.TimeoutExpired):
                    err = "timed out"
                else:
                    err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                for item in python:
                    results[item.id].error = f"bandit failed: {err[:300]}"
                return [results[item.id] for item in batch]
            for issue in report.get("results", []):
                sample_id = names.get(Path(issue.get("filename", "")).name)
                if sample_id is not None:
                    results[sample_id].findings.append(_finding(issue))
            for err_entry in report.get("errors", []):
                sample_id = names.get(Path(err_entry.get("filename", "")).name)
                if sample_id is not None:
                    results[sample_id].error = str(err_entry.get("reason", "error"))[:300]
        return [results[item.id] for item in batch]
