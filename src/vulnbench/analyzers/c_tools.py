"""C analyzers: GCC's static analyzer (``gcc -fanalyzer``, CWE tags in its diagnostics) and
cppcheck (``--xml``, a cwe attribute per error). Each runs once per chunk of programs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from vulnbench.analyzers._tools import last_line, stage, tool_version, triage
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.records import Finding, Severity

_GCC_LINE = re.compile(
    r"^(?P<file>[^:\s]+\.c):(?P<line>\d+):(?:\d+:)? (?P<kind>warning|error): (?P<msg>.*?)"
    r"(?: \[CWE-(?P<cwe>\d+)\])?(?: \[(?P<flag>-W[^\]]+)\])?$")


class _CAnalyzer(Analyzer):
    languages = frozenset({"c"})
    program = ""
    hint = ""

    def exe(self) -> str | None:
        return shutil.which(self.program)

    def unavailable(self) -> str:
        return "" if self.exe() else self.hint

    def version(self) -> str:
        exe = self.exe()
        return tool_version(exe, "--version") if exe else "missing"

    def run(self, exe: str, folder: Path, names: list[str]) -> dict[str, AnalysisResult]:
        raise NotImplementedError

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        exe = self.exe()
        if exe is None:
            return self.missing(batch)
        results, todo = triage(batch, self.languages, self.name)
        if not todo:
            return [results[item.id] for item in batch]
        with tempfile.TemporaryDirectory(prefix=f"vb-{self.name}-") as tmp:
            staged = stage(todo, Path(tmp))
            try:
                by_name = self.run(exe, Path(tmp), list(staged.names))
            except (subprocess.TimeoutExpired, OSError, ET.ParseError) as exc:
                why = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else str(exc)
                for item in todo:
                    results[item.id].error = f"{self.name} failed: {why[:300]}"
                return [results[item.id] for item in batch]
            for name, res in by_name.items():
                sid = staged.names.get(name)
                if sid is not None:
                    results[sid].findings, results[sid].error = res.findings, res.error
        return [results[item.id] for item in batch]


def parse_gcc(text: str, names: Sequence[str]) -> dict[str, AnalysisResult]:
    out = {n: AnalysisResult(n) for n in names}
    for line in text.splitlines():
        m = _GCC_LINE.match(line.strip())
        if not m or Path(m["file"]).name not in out:
            continue
        res = out[Path(m["file"]).name]
        if m["kind"] == "error":
            res.error = res.error or f"gcc: {m['msg'][:200]}"
            continue
        flag = m["flag"] or ""
        if not flag.startswith("-Wanalyzer") and not m["cwe"]:
            continue  # ordinary compiler warnings are not security findings
        res.findings.append(Finding(
            tool="gcc-analyzer", rule_id=flag.lstrip("-W") or "analyzer",
            cwe=[f"CWE-{int(m['cwe'])}"] if m["cwe"] else [], line=int(m["line"]),
            severity="high" if m["cwe"] else "medium", message=m["msg"][:500]))
    return out


class GccAnalyzer(_CAnalyzer):
    name = "gcc-analyzer"
    program = "gcc"
    hint = "gcc is not installed (gcc >= 10 has -fanalyzer): apt-get install gcc"

    def run(self, exe: str, folder: Path, names: list[str]) -> dict[str, AnalysisResult]:
        jobs = max(1, len(os.sched_getaffinity(0)))
        groups = [names[i::jobs] for i in range(jobs) if names[i::jobs]]
        procs = [subprocess.Popen(
            [exe, "-c", "-fanalyzer", "-fdiagnostics-plain-output", "-fno-diagnostics-color",
             *group],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            errors="replace") for group in groups]
        text = ""
        for proc in procs:
            _, err = proc.communicate(timeout=3600)
            text += err
        return parse_gcc(text, names)


def parse_cppcheck(xml_text: str, names: Sequence[str]) -> dict[str, AnalysisResult]:
    out = {n: AnalysisResult(n) for n in names}
    root = ET.fromstring(xml_text)
    sev: dict[str, Severity] = {"error": "high", "warning": "medium", "portability": "low",
                                "style": "low", "performance": "low"}
    for err in root.iter("error"):
        loc = err.find("location")
        if loc is None:
            continue
        name = Path(loc.get("file", "")).name
        if name not in out:
            continue
        eid = err.get("id", "?")
        if eid in ("syntaxError", "internalAstError", "preprocessorErrorDirective"):
            out[name].error = f"cppcheck: {eid}: {err.get('msg', '')[:200]}"
            continue
        if err.get("severity") in ("information", "style", "performance"):
            continue
        cwe = err.get("cwe")
        out[name].findings.append(Finding(
            tool="cppcheck", rule_id=eid, cwe=[f"CWE-{int(cwe)}"] if cwe else [],
            line=int(loc.get("line", "0")) or None,
            severity=sev.get(err.get("severity", ""), "medium"),
            message=err.get("msg", "")[:500]))
    return out


class CppcheckAnalyzer(_CAnalyzer):
    name = "cppcheck"
    program = "cppcheck"
    hint = "cppcheck is not installed: apt-get install cppcheck (scripts/setup.sh does it)"

    def run(self, exe: str, folder: Path, names: list[str]) -> dict[str, AnalysisResult]:
        jobs = max(1, len(os.sched_getaffinity(0)))
        proc = subprocess.run(
            [exe, "--xml", "--xml-version=2", "--enable=warning,portability", "-q",
             f"-j{jobs}", "--language=c", "--suppress=missingIncludeSystem", *names],
            cwd=folder, capture_output=True, text=True, errors="replace", check=False,
            timeout=3600)
        start = proc.stderr.find("<?xml")
        if start < 0:
            raise OSError(last_line(proc.stderr))
        return parse_cppcheck(proc.stderr[start:], names)
