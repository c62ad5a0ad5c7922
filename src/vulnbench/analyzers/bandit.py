"""Bandit over a whole batch: the programs are written to one folder and bandit runs once,
its JSON report mapped back to the programs by file name. Bandit reports a CWE per issue."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.analyzers.fixed_values import fixed_shell_command, numeric_sql
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
# A shell command built only from literals and shlex.quote'd pieces (os.system("cls" if nt else
# "clear"), f"convert {shlex.quote(src)} ..."): nothing can inject into it, so bandit's
# shell-call findings on it are marked with this note and kept as evidence only.
SHELL_RULES = frozenset({"B602", "B605"})
FIXED_COMMAND = "fixed command (only literals and shlex.quote): "
# bandit's B105 reads any dict value under a "password" key as the password: a MongoDB
# projection {"password_hash": 0} or a flag {"password": False} has no secret in it
_FLAG_VALUE = re.compile(r"^Possible hardcoded password: '(0|1|-1|True|False|None)'$")
# SQL built from numbers (int(), len(), min/max of them, arithmetic) and literals: B608
# reports the string building, but nothing textual can reach the query
SQL_RULES = frozenset({"B608"})
SAFE_SQL = "only numbers and literals reach this query: "

@cache
def _bandit_version() -> str:
    try:
        import bandit
    except ImportError:
        raise MissingDependencyError("the bandit analyzer", "bandit", "all") from None
    # +vb3: vulnbench marks shell / SQL findings on fixed commands and numeric SQL (the
    # version is part of the findings cache key)
    return f"{bandit.__version__}+vb3"


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
                or finding.rule_id in INFORMATIONAL_RULES
                or (finding.rule_id in SHELL_RULES
                    and finding.message.startswith(FIXED_COMMAND))
                or (finding.rule_id in SQL_RULES and finding.message.startswith(SAFE_SQL))
                or (finding.rule_id == "B105" and bool(_FLAG_VALUE.match(finding.message))))

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
            codes = {item.id: item.code for item in python}
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
                    finding = _finding(issue)
                    if (finding.rule_id in SHELL_RULES and finding.line is not None
                            and fixed_shell_command(codes[sample_id], finding.line)):
                        finding.message = (FIXED_COMMAND + finding.message)[:500]
                    elif (finding.rule_id in SQL_RULES and finding.line is not None
                            and numeric_sql(codes[sample_id], finding.line)):
                        finding.message = (SAFE_SQL + finding.message)[:500]
                    results[sample_id].findings.append(finding)
            for err_entry in report.get("errors", []):
                sample_id = names.get(Path(err_entry.get("filename", "")).name)
                if sample_id is not None:
                    results[sample_id].error = str(err_entry.get("reason", "error"))[:300]
        return [results[item.id] for item in batch]
