"""What the linter-based analyzers (ruff's security rules, dlint) share: the programs of a batch
staged into one folder, ONE linter process over them (the file names passed explicitly, so no
exclude pattern can skip one silently), its report mapped back per program. A program the
linter could not parse carries the analyzer's error, never a clean result."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from vulnbench.analyzers._tools import last_line, stage, triage
from vulnbench.analyzers.base import AnalysisInput, AnalysisResult
from vulnbench.records import Finding

TIMEOUT = 3600
# the linter's report -> (file name, finding) pairs and (file name, error) pairs; raises
# ValueError when the report cannot be read at all
Parser = Callable[[str, str], tuple[list[tuple[str, Finding]], list[tuple[str, str]]]]


def table_hash(table: Mapping[str, Sequence[str]], informational: frozenset[str]) -> str:
    """A short digest of a rule -> CWE table and its informational rules: part of the cache
    key, so a mapping edit re-analyzes instead of serving findings with stale CWEs."""
    text = repr(sorted((k, list(v)) for k, v in table.items())) + repr(sorted(informational))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def lint_batch(batch: Sequence[AnalysisInput], tool: str, command: Sequence[str],
               parse: Parser) -> list[AnalysisResult]:
    """Run ``command + [file names]`` once in a folder holding the Python programs of
    ``batch``; ``parse(stdout, stderr)`` reads the report. Any failure of the process itself
    (non-zero exit, unreadable report, timeout) is every program's error."""
    results, todo = triage(batch, frozenset({"python"}), tool)
    if not todo:
        return [results[item.id] for item in batch]
    with tempfile.TemporaryDirectory(prefix=f"vb-{tool}-") as tmp:
        staged = stage(todo, Path(tmp))
        why = ""
        try:
            proc = subprocess.run([*command, *sorted(staged.names)], capture_output=True,
                                  text=True, errors="replace", check=False, timeout=TIMEOUT,
                                  cwd=tmp)
            if proc.returncode != 0:
                why = f"exit {proc.returncode}: {last_line(proc.stderr or proc.stdout)}"
            else:
                found, errors = parse(proc.stdout, proc.stderr)
        except subprocess.TimeoutExpired:
            why = "timed out"
        except (ValueError, OSError) as exc:
            why = str(exc)[:300] or type(exc).__name__
        if why:
            for item in todo:
                results[item.id].error = f"{tool} failed: {why}"
            return [results[item.id] for item in batch]
        for name, finding in found:
            if (sample_id := staged.names.get(Path(name).name)) is not None:
                results[sample_id].findings.append(finding)
        for name, error in errors:
            sample_id = staged.names.get(Path(name).name)
            if sample_id is not None and not results[sample_id].error:  # the first one says it
                results[sample_id].error = error
    return [results[item.id] for item in batch]
