"""SARIF 2.1.0 output for ``vulnbench scan``: a ``vulnbench-scan`` run first, carrying the gate
(one notification per unscanned program), then one run per analyzer with its rules (CWE tags),
results with a physical location and its own per-program errors as notifications.

All runs come from one process, so each carries the same invocation: ``exitCode`` is the
command's exit code and ``executionSuccessful`` is false when a program went unscanned and
``--allow-unscanned`` was not given (consumers read it as "this analysis is incomplete").
Allowed unscanned programs are ``warning`` notifications, the others ``error``."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from vulnbench import __version__
from vulnbench.cwe import cwe_name
from vulnbench.scan.core import Gate, ScanReport, evaluate

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/vulnbench/vulnbench"
_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


def _uri(path: str) -> str:
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _note(level: str, text: str, path: str) -> dict[str, Any]:
    return {"level": level, "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(path)}}}]}


def _is_tools(err: str, tool: str) -> bool:
    return err.startswith((f"{tool}:", f"{tool} "))


def _results(report: ScanReport, tool: str) -> tuple[dict[str, dict[str, Any]],
                                                       list[dict[str, Any]]]:
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
                                   "cwe": [f"{c}: {cwe_name(c)}".rstrip(": ") for c in f.cwe]},
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
    return rules, results


def to_sarif(report: ScanReport, gate: Gate | None = None) -> dict[str, Any]:
    gate = gate or evaluate(report)
    level = "warning" if gate.allowed else "error"

    def invocation(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"executionSuccessful": gate.complete, "exitCode": gate.code,
                 "exitCodeDescription": gate.description, "toolExecutionNotifications": notes}]

    unscanned = [_note(level, f"{r.where}: not scanned: {'; '.join(r.errors)}", r.path)
                 for r in gate.unscanned]
    runs: list[dict[str, Any]] = [{
        "tool": {"driver": {"name": "vulnbench-scan", "version": __version__,
                            "informationUri": INFO_URI, "rules": []}},
        "invocations": invocation(unscanned), "results": []}]
    tools = sorted({f.tool for r in report.results for f in r.findings} | set(report.analyzers))
    for tool in tools:
        rules, results = _results(report, tool)
        notes = [_note(level, err, res.path) for res in report.results for err in res.errors
                 if _is_tools(err, tool)]
        runs.append({
            "tool": {"driver": {"name": tool, "version": report.analyzers.get(tool, "unknown"),
                                "informationUri": INFO_URI, "rules": list(rules.values())}},
            "invocations": invocation(notes),
            "results": results,
        })
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": runs}
