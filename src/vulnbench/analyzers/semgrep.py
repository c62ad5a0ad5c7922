"""semgrep OSS with vulnbench's own rule pack (``analyzers/rules``), one semgrep process per
chunk of programs. semgrep lives in its own environment (``.venv-semgrep``) and is called as a
program: it pins dependencies that clash with the model backends."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from vulnbench.analyzers._tools import (
    RULES_DIR,
    find_semgrep,
    last_line,
    rules_hash,
    semgrep_hint,
    stage,
    tool_version,
    triage,
)
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.cwe import refine_cwes
from vulnbench.postprocess.syntax import python_syntax_error
from vulnbench.records import Finding, Severity

CHUNK = 1000
_SEVERITY: dict[str, Severity] = {"ERROR": "high", "WARNING": "medium", "INFO": "low",
                                  "HIGH": "high", "MEDIUM": "medium", "LOW": "low",
                                  "CRITICAL": "high"}
_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)


def parse_cwes(value: object) -> list[str]:
    """``"CWE-89: Improper ..."`` or a list of such -> ``["CWE-89"]`` (order kept, unique)."""
    items: Iterable[object] = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        for num in _CWE.findall(str(item or "")):
            cwe = f"CWE-{int(num)}"
            if cwe not in out:
                out.append(cwe)
    return out


def semgrep_finding(result: dict[str, Any], tool: str = "semgrep") -> Finding:
    extra = result.get("extra") or {}
    meta = extra.get("metadata") or {}
    rule_id = str(result.get("check_id", "?")).rsplit(".", 1)[-1]
    severity = str(meta.get("severity") or extra.get("severity") or "WARNING").upper()
    confidence = str(meta.get("confidence") or "MEDIUM").upper()
    return Finding(
        tool=tool, rule_id=rule_id,
        cwe=refine_cwes(tool, rule_id, parse_cwes(meta.get("cwe") or meta.get("cwe_id"))),
        line=(result.get("start") or {}).get("line"),
        severity=_SEVERITY.get(severity, "medium"),
        confidence=_SEVERITY.get(confidence, "medium"),
        message=str(extra.get("message", ""))[:500],
    )


def run_semgrep(exe: str, config: Sequence[str], folder: Path, timeout: float = 3600,
                jobs: int | None = None) -> dict[str, Any]:
    """One semgrep process over ``folder``; its JSON report (raises ValueError when there is
    none, subprocess.TimeoutExpired on timeout)."""
    jobs = jobs or max(1, len(os.sched_getaffinity(0)))
    cmd = [exe, "scan", "--json", "--metrics=off", "--disable-version-check", "-q",
           "--no-git-ignore", "--timeout", "30", "--max-target-bytes", "0", "-j", str(jobs)]
    for c in config:
        cmd += ["--config", c]
    cmd.append(str(folder))
    env = {**os.environ, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False,
                          timeout=timeout, cwd=folder, env=env)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise ValueError(last_line(proc.stderr or proc.stdout)) from None
    if not isinstance(report, dict):
        raise ValueError("semgrep report is not a JSON object")
    return report


def collect(report: dict[str, Any], names: dict[str, str],
            results: dict[str, AnalysisResult], tool: str) -> None:
    """Map a semgrep JSON report back onto the samples by file name. A staged file semgrep
    did not list as scanned, or a fatal error naming no file, leaves the sample in error: an
    unanalyzed program must never read as a clean one."""
    scanned = (report.get("paths") or {}).get("scanned")
    if isinstance(scanned, list):
        seen = {Path(str(p)).name for p in scanned}
        for name in set(names) - seen:
            results[names[name]].error = f"{tool}: file was not scanned"
    for err in report.get("errors", []):
        if err.get("level") == "error" and names.get(Path(str(err.get("path", ""))).name) is None:
            for every in names.values():
                results[every].error = f"{tool}: " + str(err.get("message", "error"))[:200]
    for res in report.get("results", []):
        sample_id = names.get(Path(str(res.get("path", ""))).name)
        if sample_id is not None:
            results[sample_id].findings.append(semgrep_finding(res, tool))
    for err in report.get("errors", []):
        # parse problems come as warnings (the rest of the file is still scanned): the sample
        # keeps its findings but is marked, so a broken program is never a clean bill
        sample_id = names.get(Path(str(err.get("path", ""))).name)
        if sample_id is not None:
            kind = err.get("type")
            kind = kind[0] if isinstance(kind, list) and kind else kind
            results[sample_id].error = f"{tool}: {kind or 'error'}: " + str(
                err.get("message", ""))[:200]


class SemgrepAnalyzer(Analyzer):
    name = "semgrep"
    languages = frozenset({"python", "c"})

    def __init__(self, rules: Path | None = None) -> None:
        self.rules = rules or RULES_DIR

    def unavailable(self) -> str:
        return "" if find_semgrep() else semgrep_hint()

    def version(self) -> str:
        exe = find_semgrep()
        tool = tool_version(exe, "--disable-version-check", "--version") if exe else "missing"
        return f"{tool}+rules-{rules_hash(self.rules)}"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        exe = find_semgrep()
        if exe is None:
            return self.missing(batch)
        results, todo = triage(batch, self.languages, "semgrep")
        for item in todo:
            if item.language == "python" and (err := python_syntax_error(item.code)):
                results[item.id].error = err  # semgrep recovers silently: say so
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start:start + CHUNK]
            with tempfile.TemporaryDirectory(prefix="vb-semgrep-") as tmp:
                staged = stage(chunk, Path(tmp))
                try:
                    report = run_semgrep(exe, [str(self.rules)], Path(tmp))
                except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
                    why = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else str(exc)
                    for item in chunk:
                        results[item.id].error = f"semgrep failed: {why}"
                    continue
                collect(report, staged.names, results, self.name)
        return [results[item.id] for item in batch]
