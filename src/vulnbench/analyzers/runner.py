"""The one way to run analyzers over a batch: each analyzer once per chunk of the programs in
its languages, analyzers in parallel (each is its own tool process, so threads suffice), same
code analyzed once, findings optionally cached by code hash and tool version. One error policy
for runs, scan, dataset check and the benchmarks: a program an analyzer could not judge (the
tool's own error, a crash, no result for it) carries that analyzer's error; it is never a
silent clean result."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from vulnbench.analyzers.base import AnalysisInput, Analyzer
from vulnbench.errors import VulnbenchError
from vulnbench.records import Finding

CHUNK = 500  # programs per analyzer call: bounds a tool process's memory and temp files
# the default analyzers of every command (run, scan, dataset check, benchmarks), each used for
# the languages it covers
DEFAULT_ANALYZERS: tuple[str, ...] = ("bandit", "semgrep", "gcc-analyzer", "cppcheck")


def default_analyzers(languages: Iterable[str] | None = None) -> list[str]:
    """The default analyzers, restricted to those covering one of ``languages`` (all when
    None): a Python-only input does not ask for the C tools."""
    if languages is None:
        return list(DEFAULT_ANALYZERS)
    from vulnbench.analyzers import create_analyzer

    wanted = set(languages)
    return [n for n in DEFAULT_ANALYZERS if create_analyzer(n).languages & wanted]


class FindingsCache(Protocol):
    """Where findings are kept per (code hash, tool, tool version); the run store is one."""

    def cached_findings(self, code_hash: str, tool: str, tool_key: str
                        ) -> list[Finding] | None: ...

    def cache_findings(self, code_hash: str, tool: str, tool_key: str,
                       findings: list[Finding]) -> None: ...


@dataclass
class InputResult:
    """Every analyzer's findings for one program, and ``(analyzer, message)`` for each analyzer
    that could not (fully) judge it."""

    id: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def crash_message(exc: Exception) -> str:
    return str(exc) if isinstance(exc, VulnbenchError) else (
        f"crashed ({type(exc).__name__}: {exc})")


def run_analyzers(inputs: Sequence[AnalysisInput], analyzers: Sequence[Analyzer],
                  cache: FindingsCache | None = None,
                  versions: Mapping[str, str] | None = None) -> dict[str, InputResult]:
    """Results per input id, findings in the order of ``analyzers``. ``cache`` needs
    ``versions`` (name -> version; computed here when missing); error results are not
    cached, so the next run tries again."""
    if cache is not None and versions is None:
        versions = {a.name: a.version() for a in analyzers}
    hashes = {i.id: code_hash(i.code) for i in inputs}
    # per analyzer: code hash -> (findings, error); cached entries are filled in up front
    judged: dict[str, dict[str, tuple[list[Finding], str]]] = {}
    todo: dict[str, dict[str, AnalysisInput]] = {}
    for analyzer in analyzers:
        known = judged[analyzer.name] = {}
        pending = todo[analyzer.name] = {}
        for item in inputs:
            h = hashes[item.id]
            if item.language not in analyzer.languages or h in known or h in pending:
                continue
            hit = (cache.cached_findings(h, analyzer.name, versions[analyzer.name])
                   if cache is not None and versions is not None else None)
            if hit is None:
                pending[h] = AnalysisInput(h, item.code, item.language)
            else:
                known[h] = (hit, "")

    def one(analyzer: Analyzer) -> dict[str, tuple[list[Finding], str]]:
        batch = list(todo[analyzer.name].values())
        out: dict[str, tuple[list[Finding], str]] = {}
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start:start + CHUNK]
            try:
                results = {r.id: r for r in analyzer.analyze(chunk)}
            except Exception as exc:  # a crash leaves its chunk unjudged, never clean
                why = crash_message(exc)
                out.update((b.id, ([], why)) for b in chunk)
                continue
            for b in chunk:
                r = results.get(b.id)
                out[b.id] = ((r.findings, r.error) if r is not None
                             else ([], "returned no result for this program"))
        return out

    busy = [a for a in analyzers if todo[a.name]]
    with ThreadPoolExecutor(max_workers=max(1, len(busy))) as pool:
        for analyzer, fresh in zip(busy, pool.map(one, busy), strict=True):
            judged[analyzer.name].update(fresh)
            if cache is not None and versions is not None:
                for h, (findings, error) in fresh.items():
                    if not error:
                        cache.cache_findings(h, analyzer.name, versions[analyzer.name],
                                             findings)
    out: dict[str, InputResult] = {}
    for item in inputs:
        res = out[item.id] = InputResult(item.id)
        for analyzer in analyzers:
            got = judged[analyzer.name].get(hashes[item.id])
            if got is None:
                continue  # not its language: the analyzer abstains
            res.findings.extend(got[0])
            if got[1]:
                res.errors.append((analyzer.name, got[1]))
    return out
