"""Syntax validation: Python through ``ast``; C through ``gcc -fsyntax-only``."""

from __future__ import annotations

import ast
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from vulnbench.errors import ToolMissingError


def check_syntax(code: str, language: str) -> str | None:
    """None when ``code`` parses; otherwise a one-line reason."""
    if not code.strip():
        return "empty program"
    if language == "python":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(code)
        except SyntaxError as err:
            return f"line {err.lineno}: {err.msg}" if err.lineno else str(err.msg)
        except (ValueError, RecursionError, MemoryError) as err:
            return f"{type(err).__name__}: {err}"
        return None
    if language == "c":
        return _check_c(code)
    raise ValueError(f"no syntax check for language {language!r}")


def _check_c(code: str) -> str | None:
    gcc = shutil.which("gcc")
    if gcc is None:
        raise ToolMissingError("C syntax checks need gcc: apt-get install gcc")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "sample.c"
        src.write_text(code, encoding="utf-8", errors="replace")
        try:
            proc = subprocess.run([gcc, "-fsyntax-only", "-w", str(src)], capture_output=True,
                                  text=True, errors="replace", timeout=60, check=False)
        except subprocess.TimeoutExpired:
            return "gcc -fsyntax-only took longer than 60s"
    if proc.returncode == 0:
        return None
    first = next((line for line in proc.stderr.splitlines() if "error" in line), proc.stderr)
    return first.replace(str(src), "sample.c").strip()[:300]
