"""Run a task's functional and security tests against one sample inside a sandbox."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Literal, TypeVar, cast, get_args

from vulnbench.outcomes import TestRun
from vulnbench.records import Task, TestOutcome, TestStatus
from vulnbench.sandbox.base import Limits, Sandbox, disk_note
from vulnbench.sandbox.envs import EnvBuildError, task_runtime
from vulnbench.sandbox.runtime import Runtime

SUITES: tuple[tuple[Literal["functional", "security"], str], ...] = (
    ("functional", "test_functional.py"), ("security", "test_security.py"))


BATCH_MAX = 16  # samples per sandbox
T = TypeVar("T")

# distribution name -> module name, for runtime libraries whose names differ
IMPORT_NAMES = {"pyyaml": "yaml", "pyjwt": "jwt", "beautifulsoup4": "bs4"}


def _harness_source(name: str) -> str:
    return resources.files("vulnbench.sandbox").joinpath(name).read_text("utf-8")


def plan_batches(items: Sequence[T], task_of: Callable[[T], str], workers: int,
                 most: int = BATCH_MAX) -> list[list[T]]:
    """Group samples by task (one sandbox and warm interpreter per group), in batches small
    enough to keep ``workers`` busy and to report results as they come."""
    by_task: dict[str, list[T]] = {}
    for item in items:
        by_task.setdefault(task_of(item), []).append(item)
    size = max(1, min(most, -(-len(items) // (workers * 2))))
    return [group[i:i + size] for group in by_task.values() for i in range(0, len(group), size)]


def run_task_tests(sandbox: Sandbox, task: Task, code: str,
                   limits: Limits | None = None) -> TestRun:
    """Run the task's tests against one sample."""
    return run_task_tests_batch(sandbox, task, [code], limits)[0]


def run_task_tests_batch(sandbox: Sandbox, task: Task, codes: Sequence[str],
                         limits: Limits | None = None) -> list[TestRun]:
    """Run the task's tests against each sample, in one sandbox with a warm interpreter that
    forks per sample (``zygote.py``); ``limits`` apply per sample. The task's ``requirements``
    select its own environment (``envs.py``; one that cannot be built ends every sample as
    ``runtime_error``) and its ``files`` are laid into the work dir before each sample. When the
    batch breaks off (a sample killed the zygote, or a reset could not be verified), the sample
    that was running takes the blame and the samples not yet started run again in a fresh
    sandbox."""
    limits = limits or Limits()
    suites = [(suite, name, getattr(task, f"{suite}_test")) for suite, name in SUITES
              if getattr(task, f"{suite}_test").strip()]
    if not suites:
        return [TestRun("not_assessed") for _ in codes]
    if task.language == "c":
        # sanitizers reserve terabytes of address space: no RLIMIT_AS (memory_mb=0)
        limits = dataclasses.replace(limits, memory_mb=0,
                                     wall_seconds=max(limits.wall_seconds, 60))
    try:
        runtime = task_runtime(task, sandbox)
    except EnvBuildError as err:  # our side, not the sample's: neither functional nor not
        return [TestRun("runtime_error", detail=str(err)) for _ in codes]
    runs: list[TestRun | None] = [None] * len(codes)
    pending = list(range(len(codes)))
    while pending:
        done, reason = _run_zygote(sandbox, task, [codes[i] for i in pending], suites, limits,
                                   runtime)
        if not done:  # nothing started: no point in trying again
            for i in pending:
                runs[i] = TestRun("sandbox_error", detail=reason)
            break
        for local, run in done.items():
            runs[pending[local]] = run
        pending = [i for i in pending if runs[i] is None]
    return [run or TestRun("sandbox_error") for run in runs]


def _run_zygote(sandbox: Sandbox, task: Task, codes: list[str],
                suites: list[tuple[Literal["functional", "security"], str, str]],
                limits: Limits, runtime: Runtime | None = None
                ) -> tuple[dict[int, TestRun], str]:
    """One sandbox, one zygote: a TestRun for each sample it got to (by position), and why it
    stopped early (empty when it did not)."""
    files: dict[str, str | bytes] = {
        "_vb_zygote.py": _harness_source("zygote.py"),
        "_vb_harness.py": _harness_source("harness.py"),
        "_vb_guard.py": _harness_source("guard.py"),
    }
    extra = {name: source for _, name, source in suites}
    if task.language == "c":
        extra["vbc.py"] = _harness_source("vbc.py")
    # binary assets travel base64 in the JSON batch; the zygote lays them out per sample
    assets = {f.path: base64.b64encode(f.data()).decode("ascii") for f in task.files}
    files["_vb_batch.json"] = json.dumps({"codes": list(codes), "files": extra,
                                          "assets": assets})
    preload = ",".join(IMPORT_NAMES.get(r.lower(), r.lower()) for r in task.runtime)
    argv = [sandbox.python(runtime), "-I", "-B", "_vb_zygote.py", "--preload", preload,
            "--solution", "solution.c" if task.language == "c" else "solution.py",
            "--seconds", str(limits.wall_seconds), *(["--isolated"] if sandbox.private_pids
                                                     else []),
            "--disk", json.dumps(sandbox.disk_caps(limits)),
            "--disk-files", str(limits.disk_files), *[name for _, name, _ in suites]]
    batch_limits = dataclasses.replace(
        limits, wall_seconds=limits.wall_seconds * len(codes) + 30,
        output_bytes=limits.output_bytes * len(codes))
    result = sandbox.run(argv, files, batch_limits, runtime=runtime, guard=False)
    done: dict[int, TestRun] = {}
    running: int | None = None
    reason = ""
    for line in result.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        if "start" in message:
            running = int(message["start"])
        elif "index" in message:
            done[int(message["index"])] = _test_run(message, suites)
            running = None
        elif "abort" in message:
            reason = f"sandbox reset failed: {message['abort']}"
    if running is not None and running not in done:
        tail = (result.stderr or "").strip()[-300:]
        if result.status == "timeout":
            done[running] = TestRun("timeout", detail="the sandbox stopped answering")
        else:
            done[running] = TestRun("sandbox_error", detail=(
                f"the test process was killed during this sample ({result.status}, exit "
                f"{result.exit_code}): {tail}"))
    if not done and not reason:
        tail = (result.stderr or result.stdout).strip()[-300:]
        reason = f"the sandbox ended before any sample ran ({result.status}, exit " \
                 f"{result.exit_code}): {tail}"
    return done, reason


def _test_run(message: dict[str, object],
              suites: list[tuple[Literal["functional", "security"], str, str]]) -> TestRun:
    status = message.get("status")
    detail = str(message.get("detail", ""))
    disk = message.get("disk")
    note = ""
    if isinstance(disk, dict):
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            note = disk_note(disk)
    if status == "timeout":
        return TestRun("timeout", detail="; ".join(filter(None, (detail, note))))
    per_file = message.get("results")
    if status != "ok" or not isinstance(per_file, dict):
        return TestRun("sandbox_error", detail="; ".join(
            filter(None, (detail or "unreadable test results", note))))
    outcomes = [_outcome(suite, item)
                for suite, name, _ in suites for item in _items(per_file.get(name))]
    if note:  # every outcome of a sample that reached a disk cap says so (and the verdict)
        for o in outcomes:
            room = 800 - len(note) - 3
            o.detail = f"{o.detail[:room]} [{note}]" if o.detail else note
    return TestRun("assessed", outcomes, detail=note)


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
