"""Loud failure: a run whose tests cannot run (the task interpreter is gone, the sandbox probe
cannot start, most verdicts broken) stops with one line and a non-zero exit code instead of
reporting figures; --no-tests runs are not judged. No isolation needed: the subprocess
sandbox, a scripted MOCK model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.pipeline.health import RunFailedError, check_verdicts
from vulnbench.results import ConditionResult
from vulnbench.sandbox.backends import SubprocessSandbox

TASKS = ["demo-cwe089-user-lookup"]


@pytest.fixture(autouse=True)
def _unsandboxed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mock's output (``return None``) is harmless to run without isolation."""
    monkeypatch.setenv("VULNBENCH_ALLOW_UNSANDBOXED", "1")


def options(out: Path, **kw: Any) -> RunOptions:
    base: dict[str, Any] = dict(out=out, models=["mock"], temperatures=[0.2], n=1, ks=[1],
                                task_ids=TASKS, progress=False, bootstrap_reps=20,
                                sandbox="subprocess", analyzers=[], backend=BackendOptions())
    base.update(kw)
    return RunOptions(**base)


def test_a_moved_task_interpreter_fails_before_any_work(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "moved-checkout" / ".venv-runtime" / "bin" / "python"
    monkeypatch.setenv("VULNBENCH_RUNTIME", str(gone))
    out = tmp_path / "r"
    with pytest.raises(RunFailedError) as err:
        run(options(out), echo=lambda _: None)
    assert err.value.exit_code == 1
    assert f"VULNBENCH_RUNTIME={gone} is not a Python interpreter" in str(err.value)
    assert "\n" not in str(err.value) and not out.exists()
    # static assessment only does not need it
    done = run(options(out, run_tests=False), echo=lambda _: None)
    assert done.stats.new_generations == 1


def test_a_sandbox_probe_that_cannot_start_fails_the_run(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SubprocessSandbox, "python",
                        lambda self, runtime=None: str(tmp_path / "gone" / "python"))
    with pytest.raises(RunFailedError, match=r"the subprocess sandbox cannot run the task "
                                             r"interpreter .*probe did not run"):
        run(options(tmp_path / "r"), echo=lambda _: None)


def _cond(**status: int) -> ConditionResult:
    return ConditionResult.model_construct(verdict_status=status)


def test_mostly_broken_verdicts_fail_the_run() -> None:
    with pytest.raises(RunFailedError, match=r"^3 of 5 assessed samples could not be tested "
                                             r"\(2 sandbox_error, 1 runtime_error\)"):
        check_verdicts([_cond(assessed=1, sandbox_error=2), _cond(assessed=1, runtime_error=1,
                                                                  not_assessed=7)], True)
    check_verdicts([_cond(assessed=2, sandbox_error=2)], True)  # half is not most
    check_verdicts([_cond(not_assessed=4)], True)  # nothing assessed: nothing to judge
    check_verdicts([_cond(sandbox_error=4)], False)  # --no-tests


def test_a_healthy_run_with_tests_passes(tmp_path: Path) -> None:
    results = run(options(tmp_path / "r"), echo=lambda _: None)
    assert results.run_spec.sandbox.startswith("subprocess (NO ISOLATION): verified:")
    assert results.conditions[0].verdict_status.get("sandbox_error", 0) == 0
