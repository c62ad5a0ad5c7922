"""Pysa (Meta's interprocedural taint analyzer, PyPI ``pyre-check``) with vulnbench's own
models (``analyzers/pysa_models``): it follows request data through helper functions, class
attributes and module-level objects, which semgrep OSS's intraprocedural taint does not.

One ``pyre analyze`` per chunk over a temp project holding every sample as its own module.
Pysa lives in its own environment (``.venv-pysa``, scripts/setup.sh) with the libraries whose
types the models name, cut down to stubs (scripts/pysa-stubs.sh): with the libraries' sources
on its search path Pysa analyzes them too (minutes per run, and it crashed writing results)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from vulnbench.analyzers._tools import (
    PACKAGE_DIR,
    find_tool,
    last_line,
    not_found_reason,
    stage,
    tool_version,
    triage,
)
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult, Analyzer
from vulnbench.cwe import refine_cwes
from vulnbench.postprocess.syntax import python_syntax_error
from vulnbench.records import Finding

PYSA_ENV = "VULNBENCH_PYSA"
MODELS_DIR = PACKAGE_DIR / "pysa_models"
CHUNK = 1000
TIMEOUT = 3600
# rule code (taint.config) -> rule id, CWEs
RULES: dict[int, tuple[str, list[str]]] = {
    5089: ("pysa-sql-injection", ["CWE-89"]),
    5078: ("pysa-command-injection", ["CWE-78"]),
    5178: ("pysa-subprocess-shell", ["CWE-78"]),
    5094: ("pysa-code-injection", ["CWE-94", "CWE-95"]),
    5022: ("pysa-path-traversal", ["CWE-22"]),
    5502: ("pysa-deserialization", ["CWE-502"]),
    5918: ("pysa-ssrf", ["CWE-918"]),
    5601: ("pysa-open-redirect", ["CWE-601"]),
    5079: ("pysa-xss", ["CWE-79"]),
    5336: ("pysa-template-injection", ["CWE-1336", "CWE-94"]),
    5090: ("pysa-ldap-injection", ["CWE-90"]),
    5643: ("pysa-xpath-injection", ["CWE-643"]),
    5611: ("pysa-xxe", ["CWE-611"]),
    5113: ("pysa-header-injection", ["CWE-113"]),
    5117: ("pysa-log-injection", ["CWE-117"]),
    5333: ("pysa-regex-injection", ["CWE-1333", "CWE-730"]),
}
SCALAR = {"scalar", "integer", "float", "bool"}
SAFE_YAML = ("SafeLoader", "BaseLoader")  # CSafeLoader, CBaseLoader too


def find_pysa() -> str | None:
    """The ``pyre`` program: ``$VULNBENCH_PYSA`` (alone when set), ``pyre`` on PATH, then
    ``.venv-pysa/bin/pyre`` beside the active virtualenv. ``pyre.bin`` and ``pyrefly`` must
    sit in the same folder (pyre looks them up on PATH; we put that folder first)."""
    return find_tool(PYSA_ENV, "pyre", ".venv-pysa")


def pysa_home(exe: str) -> Path:
    """The environment ``exe`` belongs to (holds lib/pyre_check/typeshed and stubs/)."""
    return Path(exe).parent.parent


def pysa_hint() -> str:
    why = not_found_reason(PYSA_ENV, "pyre", ".venv-pysa")
    return (f"pysa (pyre-check) is not found: {why}; install it with scripts/setup.sh (it makes "
            ".venv-pysa with pyre-check, the libraries the models name and their stubs) or "
            f"set {PYSA_ENV}=/path/to/.venv-pysa/bin/pyre")


def _stubs(exe: str) -> Path:
    return pysa_home(exe) / "stubs"


@cache
def models_hash(folder: Path = MODELS_DIR) -> str:
    """sha256 over the model files: a model edit changes the cache key."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".pysa", ".config")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def write_project(folder: Path, exe: str, models: Path) -> None:
    """The pyre and pyrefly configurations of a temp project whose sources are ``src/``."""
    home = pysa_home(exe)
    stubs = str(_stubs(exe))
    # Meta's generic propagation models (dict.get returns the dict's taint, not the key's...)
    # from the installed pyre-check: no source, sink or rule of theirs
    common = home / "lib" / "pyre_check" / "taint" / "common"
    paths = [str(models)] + ([str(common)] if common.is_dir() else [])
    config = {"source_directories": ["src"], "taint_models_path": paths,
              "typeshed": str(home / "lib" / "pyre_check" / "typeshed"),
              "search_path": [stubs]}
    (folder / ".pyre_configuration").write_text(json.dumps(config), encoding="utf-8")
    # without a pyrefly.toml pyrefly resolves no call inside the sample functions
    (folder / "pyrefly.toml").write_text(
        f'project-includes = ["src"]\nsearch-path = ["src", {json.dumps(stubs)}]\n'
        'site-package-path = []\nuntyped-def-behavior = "check-and-infer-return-type"\n',
        encoding="utf-8")


def run_pysa(exe: str, folder: Path, models: Path = MODELS_DIR,
             timeout: float = TIMEOUT) -> list[dict[str, Any]]:
    """One ``pyre analyze`` over ``folder/src``; the issues of its taint output (raises
    ValueError when there is none, subprocess.TimeoutExpired on timeout). ``--no-verify``:
    models of a library no sample imports are skipped instead of failing the run."""
    write_project(folder, exe, models)
    out = folder / "out"
    env = {**os.environ, "PATH": f"{Path(exe).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [exe, "--noninteractive", "analyze", "--no-verify", "--save-results-to", str(out)],
        capture_output=True, text=True, errors="replace", check=False, timeout=timeout,
        cwd=folder, env=env)
    report = out / "taint-output.json"
    if proc.returncode != 0 or not report.is_file():
        raise ValueError(f"exit {proc.returncode}: " + last_line(proc.stderr or proc.stdout))
    issues: list[dict[str, Any]] = []
    for line in report.read_text(encoding="utf-8", errors="replace").splitlines():
        entry = json.loads(line) if line.strip() else {}
        if entry.get("kind") == "issue":
            issues.append(entry["data"])
    return issues


def _features(issue: dict[str, Any], kind: str) -> set[str]:
    """The values of the ``via-KIND``/``always-via-KIND`` features of an issue."""
    out: set[str] = set()
    for feature in issue.get("features") or []:
        for key, value in feature.items():
            if key in (f"via-{kind}", f"always-via-{kind}"):
                out.add(str(value))
    return out


def keep(code: int, issue: dict[str, Any], source: str = "") -> bool:
    """Conditions a model cannot state, read from the features its sink adds at the call: a
    subprocess command counts only with shell=True (ViaValueOf[shell]; an argv list without a
    shell is not injection), lxml parsing in a program whose XMLParser is built with
    resolve_entities=False (and never True) is not XXE, yaml.load given a safe loader
    (ViaTypeOf[Loader]) is safe, and data converted to a number on every path (Pysa's
    ``always-type: scalar``) is safe."""
    always = {str(f.get("always-type")) for f in issue.get("features") or []}
    if always & SCALAR:
        return False  # int(...)/float(...) on every path: a number injects nothing
    if code == 5178:
        return "True" in _features(issue, "value")
    if code == 5611 and "resolve_entities=False" in source:
        return "resolve_entities=True" in source
    if code == 5502:
        return not any(safe in typ for typ in _features(issue, "type") for safe in SAFE_YAML)
    return True


def to_finding(code: int, issue: dict[str, Any]) -> Finding:
    rule_id, cwes = RULES.get(code, (f"pysa-{code}", []))
    return Finding(tool="pysa", rule_id=rule_id, cwe=refine_cwes("pysa", rule_id, cwes),
                   line=issue.get("line"), severity="high", confidence="medium",
                   message=f"{issue.get('message', '')} (in {issue.get('callable', '?')})"[:500])


def collect(issues: list[dict[str, Any]], names: dict[str, str],
            results: dict[str, AnalysisResult], sources: dict[str, str] | None = None) -> None:
    """Issues onto samples by file name (``src/s3.py``), one finding per rule and line;
    issues inside the library stubs (file ``*``) are dropped."""
    seen: set[tuple[str, int, object]] = set()
    for issue in issues:
        name = Path(str(issue.get("filename", ""))).name
        sample = names.get(name)
        if sample is None:
            continue
        code = int(issue.get("code", 0))
        if not keep(code, issue, (sources or {}).get(name, "")):
            continue
        key = (sample, code, issue.get("line"))
        if key not in seen:
            seen.add(key)
            results[sample].findings.append(to_finding(code, issue))


class PysaAnalyzer(Analyzer):
    name = "pysa"
    languages = frozenset({"python"})

    def __init__(self, models: Path | None = None) -> None:
        self.models = models or MODELS_DIR

    def unavailable(self) -> str:
        exe = find_pysa()
        if exe is None:
            return pysa_hint()
        if not _stubs(exe).is_dir():
            return (f"pysa's library stubs are missing ({_stubs(exe)}): run scripts/setup.sh "
                    "(or scripts/pysa-stubs.sh)")
        return ""

    def version(self) -> str:
        exe = find_pysa()
        tool = tool_version(exe, "--version") if exe else "missing"
        tool = tool.replace("Client version:", "").strip()
        stamp = _stubs(exe) / ".stamp" if exe else None
        stubs = stamp.read_text().strip() if stamp is not None and stamp.is_file() else "none"
        return f"pyre-check {tool}+models-{models_hash(self.models)}+stubs-{stubs}"

    def analyze(self, batch: Sequence[AnalysisInput]) -> list[AnalysisResult]:
        exe = find_pysa()
        if exe is None or self.unavailable():
            return self.missing(batch)
        results, todo = triage(batch, self.languages, "pysa")
        ok: list[AnalysisInput] = []
        for item in todo:  # a file pyrefly cannot parse must not sink the batch
            if err := python_syntax_error(item.code):
                results[item.id].error = err
            else:
                ok.append(item)
        for start in range(0, len(ok), CHUNK):
            chunk = ok[start:start + CHUNK]
            with tempfile.TemporaryDirectory(prefix="vb-pysa-") as tmp:
                src = Path(tmp, "src")
                src.mkdir()
                staged = stage(chunk, src)
                try:
                    issues = run_pysa(exe, Path(tmp), self.models)
                except (subprocess.TimeoutExpired, ValueError, OSError) as exc:
                    why = "timed out" if isinstance(exc, subprocess.TimeoutExpired) else str(exc)
                    for item in chunk:
                        results[item.id].error = f"pysa failed: {why}"
                    continue
                collect(issues, staged.names, results,
                        {name: item.code for name, item in zip(staged.names, chunk, strict=True)})
        return [results[item.id] for item in batch]
