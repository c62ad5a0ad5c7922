"""Loud failure: a run whose tests cannot run says so and exits non-zero instead of reporting
numbers made of ``sandbox_error`` verdicts. Checked before any model call (the task interpreter
and the sandbox probe) and after assessment (what the verdicts say)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from vulnbench.errors import VulnbenchError
from vulnbench.results import ConditionResult
from vulnbench.sandbox.base import Sandbox
from vulnbench.sandbox.probe import probe

# verdicts that say our side failed, not the model's code
BROKEN = ("sandbox_error", "runtime_error")
MAX_BROKEN_SHARE = 0.5


class RunFailedError(VulnbenchError):
    """The run's tests could not run: its figures would not measure the model."""

    exit_code = 1


def runtime_problem() -> str | None:
    """Why the task interpreter named by ``VULNBENCH_RUNTIME`` cannot start (a moved or
    deleted checkout), or None. Without this, the sandbox would fall back to another
    interpreter or fail every test as ``sandbox_error``."""
    named = os.environ.get("VULNBENCH_RUNTIME")
    if not named:
        return None
    path = Path(named)
    if not path.is_file() or not os.access(path, os.X_OK):
        return (f"VULNBENCH_RUNTIME={named} is not a Python interpreter that can start (was the "
                "checkout or its runtime moved?); point it at one, unset it, or run with "
                "--no-tests")
    return None


def sandbox_spec(sandbox: Sandbox | None) -> str:
    """Which backend runs the tests and which protections a probe saw active inside it;
    raises :class:`RunFailedError` when the task interpreter or the probe cannot start."""
    if sandbox is None:
        return "tests not run"
    problem = runtime_problem()
    if problem:
        raise RunFailedError(problem)
    with tempfile.TemporaryDirectory(prefix="vb-probe-") as host_dir:
        report = probe(sandbox, host_dir)
    if not report.verified:
        why = "; ".join(report.failed)
        raise RunFailedError(f"the {sandbox.name} sandbox cannot run the task interpreter "
                             f"({why}); check `vulnbench sandbox check`, or run with --no-tests")
    label = "" if sandbox.isolated else " (NO ISOLATION)"
    return f"{sandbox.name}{label}: {report.summary()}"


def check_verdicts(conditions: Iterable[ConditionResult], tests_run: bool) -> None:
    """More than half the assessed samples with a broken verdict fail the run (after its
    outputs are written, so they can be read)."""
    if not tests_run:
        return
    counts: Counter[str] = Counter()
    for cond in conditions:
        counts.update({k: v for k, v in cond.verdict_status.items() if k != "not_assessed"})
    total = sum(counts.values())
    broken = sum(counts[k] for k in BROKEN)
    if total and broken / total > MAX_BROKEN_SHARE:
        kinds = ", ".join(f"{counts[k]} {k}" for k in BROKEN if counts[k])
        raise RunFailedError(f"{broken} of {total} assessed samples could not be tested ({kinds}):"
                             " the figures would not measure the model; see the verdicts in "
                             "samples.jsonl, `vulnbench sandbox check`, or run with --no-tests")
