"""SARIF 2.1.0 output for ``vulnbench scan``: one run per analyzer, rules with their CWE tags,
results with a physical location; per-program errors as tool execution notifications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vulnbench.cwe import cwe_name
from vulnbench.scan.core import ScanReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


def _uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return p.as_posix()


def to_sarif(report: ScanReport) -> dict[str, Any]:
    tools = sorted({f.tool for r in report.results for f in r.findings} | set(report.analyzers))
    runs: list[dict[str, Any]] = []
    for tool in tools:
        rules: dict[str, dict[str, Any]] = {}
        results: list[dict[str, Any]] = []
        for res in report.results:
            for f in res.findings:
                if f.tool != tool:
                    continue
                if f.rule_id not in rules:
                    rules[f.rule_id] = {
                        "id": f.rule_id,
                        "shortDescription": {"text": (f.message or f.rule_id)[:200]},
                        "properties": {"tags": ["security", *f.cwe],
                                       "cwe": [f"{c}: {cwe_name(c)}".rstrip(": ")
                                               for c in f.cwe]},
                    }
                results.append({
                    "ruleId": f.rule_id,
                    "ruleIndex": list(rules).index(f.rule_id),
                    "level": _LEVEL.get(f.severity, "warning"),
                    "message": {"text": f.message or f.rule_id},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": _uri(res.path)},
                        "region": {"startLine": max(1, f.line or 1)}}}],
                    "properties": {"cwe": f.cwe, "severity": f.severity, "sampleId": res.id},
                })
        notifications = [
            {"level": "error", "message": {"text": err},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(res.path)}}}]}
            for res in report.results for err in res.errors
            if err.startswith(f"{tool}:")]
        runs.append({
            "tool": {"driver": {"name": tool, "version": report.analyzers.get(tool, "unknown"),
                                "informationUri": "https://github.com/vulnbench/vulnbench",
                                "rules": list(rules.values())}},
            "invocations": [{"executionSuccessful": True,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        })
    input_errors = [{"level": "error", "message": {"text": err},
                     "locations": [{"physicalLocation": {"artifactLocation":
                                                         {"uri": _uri(res.path)}}}]}
                    for res in report.results for err in res.errors
                    if not any(err.startswith(f"{t}:") for t in tools)]
    if input_errors or not runs:
        runs.append({"tool": {"driver": {"name": "vulnbench-scan", "rules": []}},
                     "invocations": [{"executionSuccessful": True,
                                      "toolExecutionNotifications": input_errors}],
                     "results": []})
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": runs}
