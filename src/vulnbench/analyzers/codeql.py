"""CodeQL, when the ``codeql`` CLI is on PATH: one database per language over the batch folder
(``database create``), the security query suite (``database analyze``), SARIF 2.1.0 in."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vulnbench.analyzers._tools import last_line, stage, tool_version, triage
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.records import Finding, Severity

HINT = ("codeql is not on PATH: download the CodeQL bundle from "
        "https://github.com/github/codeql-action/releases and put its codeql/ folder on PATH")
_CWE_TAG = re.compile(r"external/cwe/cwe-0*(\d+)", re.IGNORECASE)
_LEVEL: dict[str, Severity] = {"error": "high", "warning": "medium", "note": "low",
                               "none": "low"}
SUITES = {"python": "codeql/python-queries:codeql-suites/python-security-extended.qls",
          "c": "codeql/cpp-queries:codeql-suites/cpp-security-extended.qls"}


def _rule_index(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    tool = run.get("tool") or {}
    for component in [tool.get("driver") or {}, *(tool.get("extensions") or [])]:
        for rule in component.get("rules") or []:
            if "id" in rule:
                rules[rule["id"]] = rule
    return rules


def _severity(result: dict[str, Any], rule: dict[str, Any]) -> Severity:
    sec = (rule.get("properties") or {}).get("security-severity")
    try:
        score = float(str(sec))
        return "high" if score >= 7.0 else "medium" if score >= 4.0 else "low"
    except (TypeError, ValueError):
        level = result.get("level") or (rule.get("defaultConfiguration") or {}).get("level")
        return _LEVEL.get(str(level or "warning"), "medium")


def parse_sarif(doc: dict[str, Any], tool: str = "codeql") -> dict[str, list[Finding]]:
    """Findings per artifact file name from a SARIF 2.1.0 log (any tool; CWE ids from the
    rules' ``external/cwe/cwe-NNN`` tags or a ``cwe`` property)."""
    out: dict[str, list[Finding]] = {}
    for run in doc.get("runs") or []:
        rules = _rule_index(run)
        artifacts = run.get("artifacts") or []
        for result in run.get("results") or []:
            rule_id = result.get("ruleId") or (result.get("rule") or {}).get("id")
            if rule_id is None and isinstance(result.get("ruleIndex"), int):
                driver_rules = ((run.get("tool") or {}).get("driver") or {}).get("rules") or []
                if result["ruleIndex"] < len(driver_rules):
                    rule_id = driver_rules[result["ruleIndex"]].get("id")
            rule = rules.get(rule_id or "", {})
            props = rule.get("properties") or {}
            tags = [*(props.get("tags") or []), *((result.get("properties") or {}).get("tags")
                                                  or [])]
            cwes = sorted({f"CWE-{int(m)}" for t in tags for m in _CWE_TAG.findall(str(t))},
                          key=lambda c: int(c[4:]))
            for loc in result.get("locations") or [{}]:
                phys = loc.get("physicalLocation") or {}
                art = phys.get("artifactLocation") or {}
                uri = art.get("uri")
                if uri is None and isinstance(art.get("index"), int) and art["index"] < len(
                        artifacts):
                    uri = (artifacts[art["index"]].get("location") or {}).get("uri")
                if not uri:
                    continue
                line = (phys.get("region") or {}).get("startLine")
                out.setdefault(Path(str(uri)).name, []).append(Finding(
                    tool=tool, rule_id=str(rule_id or "?"), cwe=cwes,
                    line=line if isinstance(line, int) else None,
                    severity=_severity(result, rule),
                    message=str((result.get("message") or {}).get("text", ""))[:500]))
    return out


class CodeQLAnalyzer(Analyzer):
    name = "codeql"
    languages = frozenset({"python", "c"})

    def unavailable(self) -> str:
        return "" if shutil.which("codeql") else HINT

    def version(self) -> str:
        exe = shutil.which("codeql")
        return tool_version(exe, "version", "--format=terse") if exe else "missing"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        exe = shutil.which("codeql")
        if exe is None:
            return self.missing(batch)
        results, todo = triage(batch, self.languages, "codeql")
        by_lang: dict[str, list[AnalysisInput]] = {}
        for item in todo:
            by_lang.setdefault(item.language, []).append(item)
        for lang, items in by_lang.items():
            with tempfile.TemporaryDirectory(prefix="vb-codeql-") as tmp:
                src, db, sarif = Path(tmp, "src"), Path(tmp, "db"), Path(tmp, "out.sarif")
                src.mkdir()
                staged = stage(items, src)
                create = [exe, "database", "create", str(db), f"--source-root={src}",
                          f"--language={'cpp' if lang == 'c' else lang}", "--overwrite"]
                if lang == "c":
                    create.append("--command=sh -c 'for f in *.c; do gcc -c \"$f\" || true; "
                                  "done'")
                try:
                    for cmd in (create, [exe, "database", "analyze", str(db), SUITES[lang],
                                         "--format=sarif-latest", f"--output={sarif}"]):
                        proc = subprocess.run(cmd, capture_output=True, text=True,
                                              check=False, timeout=3600)
                        if proc.returncode != 0:
                            raise OSError(last_line(proc.stderr or proc.stdout))
                    found = parse_sarif(json.loads(sarif.read_text(encoding="utf-8")))
                except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
                    for item in items:
                        results[item.id].error = f"codeql failed: {str(exc)[:300]}"
                    continue
                for name, findings in found.items():
                    sid = staged.names.get(name)
                    if sid is not None:
                        results[sid].findings.extend(findings)
        return [results[item.id] for item in batch]
