"""Meta's CodeShield insecure-code detector (PyPI ``codeshield``), both layers: its regex
patterns and its semgrep rules. codeshield pins semgrep, so it lives in the semgrep
environment (``.venv-semgrep``) and runs there as one subprocess per batch."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from vulnbench.analyzers._tools import last_line, semgrep_python, stage, triage
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.analyzers.semgrep import parse_cwes
from vulnbench.cwe import refine_cwes
from vulnbench.records import Finding, Severity

DRIVER = Path(__file__).with_name("_codeshield_driver.py")
HINT = ("codeshield is not installed: run scripts/setup.sh, or "
        "`.venv-semgrep/bin/pip install codeshield` (it needs semgrep's environment)")
_SEVERITY: dict[str, Severity] = {"ERROR": "high", "WARNING": "medium", "INFO": "low",
                                  "ADVICE": "low", "HIGH": "high", "LOW": "low"}


@cache
def _version(python: str) -> str:
    proc = subprocess.run([python, "-c", "import importlib.metadata as m; "
                           "print(m.version('codeshield'), m.version('semgrep'))"],
                          capture_output=True, text=True, check=False, timeout=120)
    if proc.returncode != 0:
        return ""
    cs, sg = proc.stdout.split()
    return f"codeshield-{cs}+semgrep-{sg}"


def _python() -> str | None:
    py = semgrep_python()
    return py if py and _version(py) else None


def _finding(issue: dict[str, Any]) -> Finding:
    rule = str(issue.get("rule") or "?").rsplit(".", 1)[-1]
    sev = str(issue.get("severity") or "WARNING").rsplit(".", 1)[-1].upper()
    return Finding(tool="codeshield", rule_id=f"{issue.get('layer', '?')}:{rule}",
                   cwe=refine_cwes("codeshield", rule, parse_cwes(issue.get("cwe"))),
                   line=issue.get("line") if isinstance(issue.get("line"), int) else None,
                   severity=_SEVERITY.get(sev, "medium"),
                   message=str(issue.get("message", ""))[:500])


class CodeShieldAnalyzer(Analyzer):
    name = "codeshield"
    languages = frozenset({"python", "c"})

    def unavailable(self) -> str:
        return "" if _python() else HINT

    def version(self) -> str:
        py = _python()
        return _version(py) if py else "missing"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        python = _python()
        if python is None:
            return self.missing(batch)
        results, todo = triage(batch, self.languages, "codeshield")
        if not todo:
            return [results[item.id] for item in batch]
        with tempfile.TemporaryDirectory(prefix="vb-codeshield-") as tmp:
            staged = stage(todo, Path(tmp))
            lang = {f"s{i}": item.language for i, item in enumerate(todo)}
            spec = {"folder": tmp, "files": [{"name": n, "language": lang[n.split(".")[0]]}
                                             for n in staged.names]}
            try:
                proc = subprocess.run([python, str(DRIVER)], input=json.dumps(spec),
                                      capture_output=True, text=True, check=False,
                                      timeout=3600, cwd=tmp)
                report = json.loads(proc.stdout.strip().splitlines()[-1])
                if "__error__" in report:
                    raise ValueError(report["__error__"])
            except (subprocess.TimeoutExpired, ValueError, IndexError) as exc:
                why = ("timed out" if isinstance(exc, subprocess.TimeoutExpired)
                       else last_line(str(exc) or proc.stderr))
                for item in todo:
                    results[item.id].error = f"codeshield failed: {why}"
                return [results[item.id] for item in batch]
            for name, issues in report.items():
                sample_id = staged.names.get(name)
                if sample_id is not None:
                    results[sample_id].findings.extend(_finding(i) for i in issues)
        return [results[item.id] for item in batch]
