"""Run a task's functional and security tests against one sample inside a sandbox."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Literal, cast, get_args

from vulnbench.records import AssessmentStatus, Task, TestOutcome, TestStatus
from vulnbench.sandbox.base import Limits, Sandbox

SUITES: tuple[tuple[Literal["functional", "security"], str], ...] = (
    ("functional", "test_functional.py"), ("security", "test_security.py"))


# distribution name -> module name, for runtime libraries whose names differ
IMPORT_NAMES = {"pyyaml": "yaml", "pyjwt": "jwt", "beautifulsoup4": "bs4"}


@dataclass
class TestRun:
    status: AssessmentStatus
    outcomes: list[TestOutcome] = field(default_factory=list)
    detail: str = ""


def _harness_source(name: str) -> str:
    return resources.files("vulnbench.sandbox").joinpath(name).read_text("utf-8")


def run_task_tests(sandbox: Sandbox, task: Task, code: str,
                   limits: Limits | None = None) -> TestRun:
    """Write the sample as ``solution.py`` beside the task's tests and run them."""
    limits = limits or Limits()
    suites = [(suite, name, getattr(task, f"{suite}_test")) for suite, name in SUITES
              if getattr(task, f"{suite}_test").strip()]
    if not suites:
        return TestRun("not_assessed")
    files: dict[str, str | bytes] = {"_vb_harness.py": _harness_source("harness.py")}
    if task.language == "c":
        files.update({"solution.c": code, "vbc.py": _harness_source("vbc.py")})
        # sanitizers reserve terabytes of address space: no RLIMIT_AS (memory_mb=0)
        limits = dataclasses.replace(limits, memory_mb=0, wall_seconds=max(limits.wall_seconds,
                                                                           60))
    else:
        files["solution.py"] = code
    files.update({name: source for _, name, source in suites})
    preload = ",".join(IMPORT_NAMES.get(r.lower(), r.lower()) for r in task.runtime)
    argv = [sandbox.python(), "-I", "-B", "_vb_harness.py", "--preload", preload,
            *[name for _, name, _ in suites]]
    result = sandbox.run(argv, files, limits, collect=["_vb_results.json"])
    if result.status == "timeout":
        return TestRun("timeout", detail=f"no result within {limits.wall_seconds}s")
    raw = result.files.get("_vb_results.json")
    if raw is None or result.status != "ok" or result.exit_code != 0:
        # only a harness that finished normally wrote results a sample could not have forged
        tail = (result.stderr or result.stdout).strip()[-300:]
        return TestRun("sandbox_error", detail=f"{result.status}, exit {result.exit_code}: {tail}")
    try:
        per_file = json.loads(raw)
    except ValueError:
        return TestRun("sandbox_error", detail="unreadable test results")
    if not isinstance(per_file, dict):
        return TestRun("sandbox_error", detail="unreadable test results")
    outcomes = [
        _outcome(suite, item)
        for suite, name, _ in suites for item in _items(per_file.get(name))
    ]
    return TestRun("assessed", outcomes)


_STATUSES: frozenset[str] = frozenset(get_args(TestStatus))


def _items(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        return [{"name": "<results>", "status": "error", "detail": "suite reported nothing"}]
    return [item if isinstance(item, dict) else {"name": "?", "status": "error"}
            for item in value]


def _outcome(suite: Literal["functional", "security"], item: dict[str, object]) -> TestOutcome:
    status = item.get("status", "error")
    return TestOutcome(
        suite=suite, name=str(item.get("name", "?"))[:200],
        status=cast(TestStatus, status) if status in _STATUSES else "error",
        detail=str(item.get("detail", ""))[:800],
    )
