"""Locating external analysis programs and running one over a folder of programs."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vulnbench.analyzers.base import AnalysisInput, AnalysisResult

# Programs bigger than this are not handed to a tool: a per-sample error instead.
MAX_BYTES = 1_000_000
PACKAGE_DIR = Path(__file__).resolve().parent
RULES_DIR = PACKAGE_DIR / "rules"
SUFFIX = {"python": ".py", "c": ".c"}
SEMGREP_ENV = "VULNBENCH_SEMGREP"


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def beside_virtualenv(name: str) -> Path | None:
    """``NAME`` next to the active virtualenv (``.venv`` and ``.venv-semgrep`` side by side,
    as scripts/setup.sh lays them out); None outside a virtualenv. Never the source tree: an
    installed wheel has none."""
    if sys.prefix == sys.base_prefix:
        return None
    return Path(sys.prefix).parent / name


def find_tool(env_var: str, program: str, venv_name: str) -> str | None:
    """A tool living in an environment of its own, looked up in this order: ``$ENV_VAR``
    (when set, it alone counts: a wrong path is not silently replaced), ``program`` on PATH,
    then ``VENV_NAME/bin/program`` beside the active virtualenv."""
    env = os.environ.get(env_var)
    if env:
        return env if _executable(Path(env)) else None
    if on_path := shutil.which(program):
        return on_path
    venv = beside_virtualenv(venv_name)
    if venv is not None and _executable(venv / "bin" / program):
        return str(venv / "bin" / program)
    return None


def not_found_reason(env_var: str, program: str, venv_name: str) -> str:
    """Every place :func:`find_tool` looked, for the error that says it found nothing."""
    env = os.environ.get(env_var)
    venv = beside_virtualenv(venv_name)
    beside = f"{venv}/bin/{program}" if venv else f"{venv_name} beside a virtualenv (none active)"
    return (f"{env_var}={env} is not an executable file" if env else
            f"not in ${env_var} (unset), on PATH, nor at {beside}")


def find_semgrep() -> str | None:
    """The semgrep program (see :func:`find_tool`). semgrep lives in its own environment
    because its pins clash with llama-cpp-python's server extra."""
    return find_tool(SEMGREP_ENV, "semgrep", ".venv-semgrep")


def semgrep_hint() -> str:
    """What to do when :func:`find_semgrep` finds nothing, naming every place it looked."""
    why = not_found_reason(SEMGREP_ENV, "semgrep", ".venv-semgrep")
    return (f"semgrep is not found: {why}; install it in an environment of its own "
            "(`python3 -m venv .venv-semgrep && .venv-semgrep/bin/pip install semgrep` next to "
            "your virtualenv, as scripts/setup.sh does) or put semgrep on PATH or set "
            f"{SEMGREP_ENV}=/path/to/semgrep")


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
