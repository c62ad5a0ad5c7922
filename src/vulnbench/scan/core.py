"""Inputs, the parallel batched run of the analyzers, and the per-program result."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from vulnbench.analyzers import AnalysisInput, Analyzer
from vulnbench.analyzers._tools import MAX_BYTES
from vulnbench.errors import VulnbenchError
from vulnbench.jsonl import lines
from vulnbench.records import Finding, Severity

LANG_BY_SUFFIX = {".py": "python", ".c": "c", ".h": "c"}
SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
SKIP_DIRS = {".git", ".venv", "__pycache__", "node_modules", ".mypy_cache", ".tox"}


@dataclass
class ScanItem:
    id: str
    language: str
    code: str = ""
    path: str = ""  # source file (relative as given) for SARIF locations
    error: str = ""  # why the program could not be read or analyzed


@dataclass
class ScanResult:
    id: str
    path: str
    language: str
    status: str  # "ok" or "error"
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ScanReport:
    results: list[ScanResult]
    analyzers: dict[str, str]  # name -> version
    unavailable: dict[str, str] = field(default_factory=dict)  # name -> why

    def to_json(self) -> dict[str, object]:
        return {
            "analyzers": self.analyzers, "unavailable": self.unavailable,
            "results": {r.id: {"path": r.path, "language": r.language, "status": r.status,
                               "errors": r.errors,
                               "findings": [f.model_dump() for f in r.findings]}
                        for r in self.results},
        }


def _read_file(path: Path, shown: str) -> ScanItem:
    lang = LANG_BY_SUFFIX.get(path.suffix.lower(), "")
    item = ScanItem(shown, lang, path=shown)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            item.error = f"file too large ({size} bytes > {MAX_BYTES})"
            return item
        data = path.read_bytes()
    except OSError as exc:
        item.error = f"cannot read: {exc.strerror or exc}"
        return item
    try:
        item.code = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        item.error = f"not UTF-8 text (byte {exc.start})"
    return item


def _jsonl(path: Path) -> list[ScanItem]:
    items = []
    # vulnbench.jsonl's line split: a raw U+2028 inside a JSON string is not a line break
    for n, line in lines(path.read_text(encoding="utf-8-sig", errors="replace")):
        try:
            row = json.loads(line)
            sid, code = str(row["id"]), row["code"]
            if not isinstance(code, str):
                raise TypeError("code is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            items.append(ScanItem(f"{path.name}:{n}", "", path=str(path),
                                  error=f"bad JSONL line {n}: {exc}"))
            continue
        item = ScanItem(sid, str(row.get("language", "python")), code, path=f"{sid}")
        if len(code.encode("utf-8", "replace")) > MAX_BYTES:
            item.error, item.code = f"program too large (> {MAX_BYTES} bytes)", ""
        items.append(item)
    return items


def collect_inputs(paths: Iterable[Path]) -> list[ScanItem]:
    """Files (``.py``, ``.c``, ``.h``), folders (recursively) and ``.jsonl`` files."""
    items: list[ScanItem] = []
    for path in paths:
        if not path.exists():
            raise VulnbenchError(f"no such file or folder: {path}")
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.suffix.lower() in LANG_BY_SUFFIX and not (
                        set(f.relative_to(path).parts[:-1]) & SKIP_DIRS):
                    items.append(_read_file(f, str(f)))
        elif path.suffix.lower() == ".jsonl":
            items.extend(_jsonl(path))
        else:
            item = _read_file(path, str(path))
            if not item.language:
                item.error = f"unsupported file type {path.suffix or '(none)'}"
            items.append(item)
    seen: dict[str, int] = {}
    for item in items:  # ids must be unique: the analyzers map results back by id
        if item.id in seen:
            seen[item.id] += 1
            item.id = f"{item.id}#{seen[item.id]}"
        else:
            seen[item.id] = 0
    return items


def _syntax_error(item: ScanItem) -> str:
    if item.language != "python":
        return ""
    try:
        ast.parse(item.code)
    except SyntaxError as exc:
        return f"syntax error: {exc.msg} (line {exc.lineno})"
    except ValueError as exc:  # e.g. NUL bytes
        return f"syntax error: {exc}"
    return ""


def run_scan(items: Sequence[ScanItem], analyzers: Sequence[Analyzer]) -> ScanReport:
    """Every available analyzer once over the whole batch, analyzers in parallel."""
    results = {i.id: ScanResult(i.id, i.path or i.id, i.language,
                                "error" if i.error else "ok",
                                errors=[i.error] if i.error else []) for i in items}
    for item in items:
        if not item.error and (err := _syntax_error(item)):
            results[item.id].errors.append(err)  # still analyzed: semgrep parses partially
            results[item.id].status = "error"
    usable = [i for i in items if not i.error]
    unavailable = {a.name: why for a in analyzers if (why := a.unavailable())}
    running = [a for a in analyzers if a.name not in unavailable]

    def one(analyzer: Analyzer) -> tuple[Analyzer, list[tuple[str, list[Finding], str]]]:
        batch = [AnalysisInput(i.id, i.code, i.language) for i in usable
                 if i.language in analyzer.languages]
        try:
            out = analyzer.analyze(batch)
        except VulnbenchError as exc:
            return analyzer, [(b.id, [], str(exc)) for b in batch]
        return analyzer, [(r.id, r.findings, r.error) for r in out]

    with ThreadPoolExecutor(max_workers=max(1, len(running))) as pool:
        for analyzer, out in pool.map(one, running):
            for sid, findings, error in out:
                res = results[sid]
                res.findings.extend(findings)
                if error:
                    res.errors.append(f"{analyzer.name}: {error}")
                    if not findings:
                        res.status = "error"
    for res in results.values():
        res.findings.sort(key=lambda f: (f.line or 0, f.tool, f.rule_id))
    return ScanReport([results[i.id] for i in items],
                      {a.name: a.version() for a in running}, unavailable)


def exit_code(report: ScanReport, fail_on: Severity | None) -> int:
    """1 when a finding reaches ``fail_on``; 0 otherwise."""
    if fail_on is None:
        return 0
    floor = SEVERITY_RANK[fail_on]
    hit = any(SEVERITY_RANK.get(f.severity, 2) >= floor
              for r in report.results for f in r.findings)
    return 1 if hit else 0
