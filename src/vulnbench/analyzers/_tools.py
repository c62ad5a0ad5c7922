"""Locating external analysis programs and running one over a folder of programs."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vulnbench.analyzers.base import AnalysisInput, AnalysisResult

# Programs bigger than this are not handed to a tool: a per-sample error instead.
MAX_BYTES = 1_000_000
PACKAGE_DIR = Path(__file__).resolve().parent
RULES_DIR = PACKAGE_DIR / "rules"
# src/vulnbench/analyzers -> repository root (editable install / source checkout)
REPO_ROOT = PACKAGE_DIR.parents[2]
SUFFIX = {"python": ".py", "c": ".c"}

SEMGREP_HINT = ("semgrep is not installed: run scripts/setup.sh (it creates .venv-semgrep), or "
                "`python3 -m venv .venv-semgrep && .venv-semgrep/bin/pip install semgrep`, or "
                "set VULNBENCH_SEMGREP to a semgrep executable")


def _venv_semgrep_dirs() -> list[Path]:
    return [REPO_ROOT / ".venv-semgrep", Path.cwd() / ".venv-semgrep"]


def find_semgrep() -> str | None:
    """``$VULNBENCH_SEMGREP``, then ``.venv-semgrep/bin/semgrep`` of the repository (or the
    current folder), then ``semgrep`` on PATH."""
    env = os.environ.get("VULNBENCH_SEMGREP")
    if env:
        return env if Path(env).is_file() and os.access(env, os.X_OK) else None
    for venv in _venv_semgrep_dirs():
        exe = venv / "bin" / "semgrep"
        if exe.is_file() and os.access(exe, os.X_OK):
            return str(exe)
    return shutil.which("semgrep")


def semgrep_python() -> str | None:
    """The Python interpreter of the environment semgrep lives in (for codeshield)."""
    exe = find_semgrep()
    if exe is None:
        return None
    candidate = Path(exe).resolve().parent / "python"
    if not candidate.exists():
        candidate = Path(exe).parent / "python"
    return str(candidate) if candidate.exists() else None


@cache
@cache
def tool_version(exe: str, *args: str) -> str:
    """First line of ``exe ARGS`` (cached per process). Update checks are switched off: with
    no network, semgrep's would hang until its own timeout."""
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
    try:
        proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120,
                              check=False, errors="replace", env=env)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    text = (proc.stdout or proc.stderr).strip().splitlines()
    return text[0].strip() if text else "unknown"


@cache
def rules_hash(folder: Path = RULES_DIR) -> str:
    """sha256 over the rule files (names and contents): a rule edit changes the cache key."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.yaml")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Staged:
    """Programs written into a folder, with the file name -> sample id map."""

    folder: Path
    names: dict[str, str]


def stage(batch: Sequence[AnalysisInput], folder: Path, prefix: str = "s") -> Staged:
    names: dict[str, str] = {}
    for i, item in enumerate(batch):
        name = f"{prefix}{i}{SUFFIX.get(item.language, '.txt')}"
        Path(folder, name).write_text(item.code, encoding="utf-8", errors="replace")
        names[name] = item.id
    return Staged(folder, names)


def too_large(item: AnalysisInput) -> str:
    size = len(item.code.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        return f"program too large to analyze ({size} bytes > {MAX_BYTES})"
    return ""


def triage(batch: Sequence[AnalysisInput], languages: frozenset[str], tool: str
           ) -> tuple[dict[str, AnalysisResult], list[AnalysisInput]]:
    """One result per program, pre-filled with an error for the programs ``tool`` cannot take
    (another language, too large); returns the results and the programs left to analyze."""
    results = {item.id: AnalysisResult(item.id) for item in batch}
    todo: list[AnalysisInput] = []
    for item in batch:
        if item.language not in languages:
            results[item.id].error = f"{tool} does not analyze {item.language}"
        elif err := too_large(item):
            results[item.id].error = err
        else:
            todo.append(item)
    return results, todo


def last_line(text: str) -> str:
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "no output"
