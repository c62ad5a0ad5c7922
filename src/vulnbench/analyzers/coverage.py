"""Which CWEs the enabled analyzers can report, per language: the one place that answers
"could static analysis flag this task's weakness at all?". Where it cannot and the task has no
security test, a "secure" verdict only means that nothing was found.

Sources: vulnbench's semgrep pack (the rule modules the YAML files are generated from),
bandit's own rule tables (its blacklists, and the CWE each plugin names in its source), the
CWE tags of GCC's ``-Wanalyzer-*`` warnings (GCC manual; the taint checker is not enabled) and
``cppcheck --errorlist``. Rules whose findings never count (bandit's reminders, see
``assess.verdict``) are left out. CodeShield's and CodeQL's rule sets are not enumerated:
``unenumerated`` names them so a report can say so."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from functools import cache

from vulnbench.cwe import in_family, refine_cwes
from vulnbench.records import Finding, Task

# GCC's -Wanalyzer-* warnings of its default checkers and the CWE each is tagged with
GCC_ANALYZER: dict[str, tuple[int, ...]] = {
    "allocation-size": (131,), "double-fclose": (1341,), "double-free": (415,),
    "exposure-through-output-file": (532,), "exposure-through-uninit-copy": (200,),
    "fd-double-close": (1341,), "fd-leak": (775,), "file-leak": (775,),
    "free-of-non-heap": (590,), "imprecise-fp-arithmetic": (1339,),
    "infinite-recursion": (674,), "malloc-leak": (401,), "mismatching-deallocation": (762,),
    "null-argument": (476,), "null-dereference": (476,),
    "out-of-bounds": (124, 125, 127, 787), "possible-null-argument": (690,),
    "possible-null-dereference": (690,), "shift-count-negative": (695,),
    "shift-count-overflow": (190,), "unsafe-call-within-signal-handler": (479,),
    "use-after-free": (416,), "use-of-pointer-in-stale-stack-frame": (562,),
    "use-of-uninitialized-value": (457,), "va-arg-type-mismatch": (686,),
    "va-list-exhausted": (685,), "va-list-leak": (401,), "putenv-of-auto-var": (686,),
}
UNENUMERATED = frozenset({"codeshield", "codeql"})
_CWE_REF = re.compile(r"Cwe\.([A-Z_]+)")


def _counts(tool: str, rule_id: str) -> bool:
    return _finding_counts(Finding(tool=tool, rule_id=rule_id))


def _finding_counts(finding: Finding) -> bool:
    """With policy "any" every finding counts but the analyzers' reminders."""
    from vulnbench.analyzers import informational

    return not informational(finding)


@cache
def semgrep_cwes(language: str) -> frozenset[str]:
    """CWEs named by the rules of vulnbench's semgrep pack for ``language``."""
    from vulnbench.analyzers.rules.generate import packs
    from vulnbench.analyzers.semgrep import parse_cwes

    out: set[str] = set()
    for pack in packs().values():
        for rules in pack.values():
            for rule in rules:
                if language in rule.get("languages", ()):
                    cwes = parse_cwes(rule.get("metadata", {}).get("cwe"))
                    out.update(refine_cwes("semgrep", str(rule["id"]), cwes))
    return frozenset(out)


@cache
def bandit_rules() -> dict[str, frozenset[str]]:
    """bandit's rule id -> the CWEs it reports (after ``refine_cwes``), read from bandit itself:
    blacklist entries carry their CWE; a plugin names it in its function (or, when the issue
    is built in a helper, in its module). Empty when bandit is not installed."""
    try:
        from bandit.core import extension_loader, issue
    except ImportError:
        return {}
    manager = extension_loader.MANAGER
    raw: dict[str, set[int]] = {}
    for entries in manager.blacklist.values():
        for entry in entries:
            raw.setdefault(str(entry["id"]), set()).add(int(entry["cwe"]))
    for plugin in manager.plugins:
        func = plugin.plugin
        test_id = getattr(func, "_test_id", None)
        if test_id is None:
            continue
        try:
            names = _CWE_REF.findall(inspect.getsource(func)) or _CWE_REF.findall(
                inspect.getsource(inspect.getmodule(func)))  # type: ignore[arg-type]
        except (OSError, TypeError):
            continue
        raw.setdefault(str(test_id), set()).update(
            int(getattr(issue.Cwe, n)) for n in names if isinstance(getattr(issue.Cwe, n, None),
                                                                     int))
    return {rid: frozenset(refine_cwes("bandit", rid, [f"CWE-{n}" for n in sorted(cwes)
                                                       if n]))
            for rid, cwes in raw.items()}


@cache
def bandit_cwes() -> frozenset[str]:
    """CWEs of the bandit rules whose findings count as vulnerabilities."""
    return frozenset(c for rid, cwes in bandit_rules().items() if _counts("bandit", rid)
                     for c in cwes)


@cache
def cppcheck_cwes() -> frozenset[str]:
    """CWEs of the checks ``cppcheck --errorlist`` lists at a severity vulnbench counts (see
    ``c_tools.parse_cppcheck``); empty when cppcheck is not installed."""
    exe = shutil.which("cppcheck")
    if exe is None:
        return frozenset()
    try:
        proc = subprocess.run([exe, "--errorlist"], capture_output=True, text=True,
                              check=False, timeout=120, errors="replace")
        root = ET.fromstring(proc.stdout)
    except (OSError, subprocess.TimeoutExpired, ET.ParseError):
        return frozenset()
    return frozenset(f"CWE-{int(e.get('cwe', '0'))}" for e in root.iter("error")
                     if e.get("cwe", "0").isdigit() and int(e.get("cwe", "0"))
                     and e.get("severity") not in ("information", "style", "performance"))


@cache
def lint_cwes(name: str) -> frozenset[str]:
    """CWEs of the counted codes of the ``ruff`` / ``dlint`` analyzers' own CWE tables."""
    from vulnbench.analyzers import dlint, ruff_security

    table = {"ruff": ruff_security.CWE, "dlint": dlint.CWE}[name]
    return frozenset(c for code, cwes in table.items() if _counts(name, code) for c in cwes)


def analyzer_cwes(name: str, language: str) -> frozenset[str]:
    """CWEs analyzer ``name`` can report on ``language`` programs (empty when unknown)."""
    if name in ("ruff", "dlint"):
        return lint_cwes(name) if language == "python" else frozenset()
    if name == "semgrep":
        return semgrep_cwes(language)
    if name == "bandit":
        return bandit_cwes() if language == "python" else frozenset()
    if name == "gcc-analyzer" and language == "c":
        return frozenset(f"CWE-{n}" for cwes in GCC_ANALYZER.values() for n in cwes)
    if name == "cppcheck" and language == "c":
        return cppcheck_cwes()
    if name.startswith("llm:"):  # a model is asked to choose among a fixed list
        from vulnbench.analyzers.llm import choices

        return frozenset(cwe for cwe, _ in choices())
    return frozenset()


def reportable_cwes(analyzers: Iterable[str], language: str) -> frozenset[str]:
    """CWEs the ``analyzers`` can report on ``language`` programs, all of them together."""
    out: set[str] = set()
    for name in analyzers:
        out |= analyzer_cwes(name, language)
    return frozenset(out)


def unenumerated(analyzers: Iterable[str]) -> list[str]:
    """The analyzers among ``analyzers`` whose reportable CWEs are not known here."""
    return sorted(set(analyzers) & UNENUMERATED)


def covers(analyzers: Iterable[str], task: Task) -> bool:
    """Whether some enabled analyzer reports a CWE in the family of one of the task's CWEs
    (the ``target`` policy's match, ``cwe.in_family``)."""
    reportable = reportable_cwes(analyzers, task.language)
    return any(in_family([cwe], task.cwe) for cwe in reportable)
