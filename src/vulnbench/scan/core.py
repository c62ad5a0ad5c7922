"""The parallel batched run of the analyzers, the per-program result and the gate. The gate
fails closed: a program that was not fully analyzed (unreadable, binary, too large, a syntax
error, an analyzer that crashed on it, no analyzer for its language) is *unscanned* and fails
it unless the caller allows that."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from vulnbench.analyzers import AnalysisInput, Analyzer
from vulnbench.analyzers.runner import run_analyzers
from vulnbench.postprocess.syntax import python_syntax_error
from vulnbench.records import Finding, Severity
from vulnbench.scan.inputs import ScanItem

SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
EXIT_PASSED, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNSCANNED = 0, 1, 2, 3
# an analyzer's staged copy of a program (<tmp>/vb-semgrep-x1y2/s0.py, .../src/s3.c): messages
# name the user's file instead; any other mention of the work folder is masked
_WORK = r"[^\s'\"`]*[/\\]vb-[a-z]+(?:-[a-z]+)*-[a-z0-9_]{8}"  # tempfile.mkdtemp(prefix="vb-x-")
_STAGED = re.compile(rf"(?P<file>{_WORK}[/\\](?:[\w.-]+[/\\])*s\d+\.(?:py|c|txt)\b)|{_WORK}")


@dataclass
class ScanResult:
    id: str
    path: str
    language: str
    status: str  # "ok", or "error" when ``errors`` says why it was not (fully) analyzed
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    where: str = ""  # how messages name the program: the user's path (or JSONL line and id)


@dataclass
class Gate:
    """The verdict: exit code, and the programs left unscanned (allowed or not)."""

    code: int
    description: str
    unscanned: list[ScanResult]
    allowed: bool  # --allow-unscanned: unscanned programs are warnings, not failures

    @property
    def complete(self) -> bool:
        """False when something went unscanned and that was not allowed (SARIF's
        executionSuccessful)."""
        return self.allowed or not self.unscanned

    def to_json(self) -> dict[str, object]:
        return {"exit_code": self.code, "description": self.description,
                "allow_unscanned": self.allowed,
                "unscanned": [{"program": r.where, "reasons": r.errors} for r in self.unscanned]}


@dataclass
class ScanReport:
    results: list[ScanResult]
    analyzers: dict[str, str]  # name -> version
    unavailable: dict[str, str] = field(default_factory=dict)  # name -> why

    def to_json(self, gate: Gate | None = None) -> dict[str, object]:
        return {
            "analyzers": self.analyzers, "unavailable": self.unavailable,
            "gate": (gate or evaluate(self)).to_json(),
            "results": {r.id: {"path": r.path, "language": r.language, "status": r.status,
                               "errors": r.errors,
                               "findings": [f.model_dump() for f in r.findings]}
                        for r in self.results},
        }


def one_line(text: str) -> str:
    """Whitespace runs (newlines in a tool's message) to one space, other control
    characters escaped: a message, or a file name, prints as exactly one line."""
    text = " ".join(text.split())
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def tool_error(tool: str, error: str, shown: str) -> str:
    """``tool: message`` naming the user's file where the tool named its staged copy."""
    text = one_line(_STAGED.sub(lambda m: shown if m["file"] else "<work folder>", error))
    return text if text.startswith((f"{tool}:", f"{tool} ")) else f"{tool}: {text}"


def _uncovered(item: ScanItem, running: Sequence[Analyzer], unavailable: dict[str, str],
               asked: Sequence[Analyzer]) -> str:
    if any(item.language in a.languages for a in running):
        return ""
    lang = item.language or "this language"
    missing = [a.name for a in asked if a.name in unavailable and item.language in a.languages]
    if missing:
        return f"no analyzer for {lang} could run ({', '.join(missing)} unavailable)"
    return f"no analyzer for {lang} among {', '.join(a.name for a in running) or 'none'}"


def run_scan(items: Sequence[ScanItem], analyzers: Sequence[Analyzer]) -> ScanReport:
    """Every available analyzer once over the whole batch (analyzers/runner.py: analyzers in
    parallel, a crash or a missing result is an error for the program, never clean)."""
    results = {i.id: ScanResult(i.id, i.path or i.id, i.language, "ok",
                                errors=[i.error] if i.error else [],
                                where=one_line(i.where or i.path or i.id)) for i in items}
    usable = [i for i in items if not i.error]
    unavailable = {a.name: why for a in analyzers if (why := a.unavailable())}
    running = [a for a in analyzers if a.name not in unavailable]
    for item in usable:
        if item.language == "python" and (err := python_syntax_error(item.code)):
            results[item.id].errors.append(err)  # still analyzed: semgrep parses partially
        if why := _uncovered(item, running, unavailable, analyzers):
            results[item.id].errors.append(why)

    inputs = [AnalysisInput(i.id, i.code, i.language) for i in usable]
    for sid, out in run_analyzers(inputs, running).items():
        res = results[sid]
        res.findings.extend(out.findings)
        res.errors.extend(tool_error(name, error, res.path) for name, error in out.errors)
    for res in results.values():
        res.findings.sort(key=lambda f: (f.line or 0, f.tool, f.rule_id))
        res.errors = [one_line(e) for e in res.errors]
        res.status = "error" if res.errors else "ok"
    return ScanReport([results[i.id] for i in items],
                      {a.name: a.version() for a in running}, unavailable)


def evaluate(report: ScanReport, fail_on: Severity | None = None,
             allow_unscanned: bool = False) -> Gate:
    """Exit 1 when a finding reaches ``fail_on`` (it wins: a real vulnerability is the more
    useful news), else 3 when a program went unscanned and that is not allowed, else 0."""
    unscanned = [r for r in report.results if r.errors]
    hits = 0 if fail_on is None else sum(
        SEVERITY_RANK.get(f.severity, 2) >= SEVERITY_RANK[fail_on]
        for r in report.results for f in r.findings)
    if hits:
        return Gate(EXIT_FINDINGS, f"{hits} finding(s) at or above {fail_on}", unscanned,
                    allow_unscanned)
    if unscanned and not allow_unscanned:
        return Gate(EXIT_UNSCANNED, f"{len(unscanned)} program(s) not fully scanned",
                    unscanned, False)
    what = f"; {len(unscanned)} not fully scanned, allowed" if unscanned else ""
    return Gate(EXIT_PASSED, f"passed{what}", unscanned, allow_unscanned)


def exit_code(report: ScanReport, fail_on: Severity | None,
              allow_unscanned: bool = False) -> int:
    """The gate's exit code (see :func:`evaluate`)."""
    return evaluate(report, fail_on, allow_unscanned).code
