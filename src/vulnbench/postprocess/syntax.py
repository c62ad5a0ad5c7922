"""Syntax validation, the one check every layer uses (processing, repair, analyzers, scan):
Python through ``ast``; C through ``gcc -fsyntax-only``."""

from __future__ import annotations

import ast
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from vulnbench.errors import ToolMissingError


def python_parse_error(code: str) -> Exception | None:
    """Why ``ast`` cannot parse ``code`` (NUL bytes are a ValueError; deep nesting a
    RecursionError), or None when it parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        return err
    return None


def python_syntax_error(code: str) -> str:
    """The reason as analyzers and scan print it, empty when ``code`` parses; never
    "line None" (some errors have no line)."""
    err = python_parse_error(code)
    if err is None:
        return ""
    if isinstance(err, SyntaxError):
        return f"syntax error: {err.msg}" + (f" (line {err.lineno})" if err.lineno else "")
    return f"syntax error: {err}"


def check_syntax(code: str, language: str) -> str | None:
    """None when ``code`` parses; otherwise a one-line reason."""
    if not code.strip():
        return "empty program"
    if language == "python":
        err = python_parse_error(code)
        if err is None:
            return None
        if isinstance(err, SyntaxError):
            return f"line {err.lineno}: {err.msg}" if err.lineno else str(err.msg)
        return f"{type(err).__name__}: {err}"
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
