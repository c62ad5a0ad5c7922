"""The demo dataset's proof (secure references pass both suites, insecure ones pass the
functional suite and fail the security suite, inside bwrap) and samples that try to break the
test harness."""

from __future__ import annotations

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.records import Task
from vulnbench.sandbox import tests_runner
from vulnbench.sandbox.backends import BwrapSandbox, create_sandbox, find_bwrap
from vulnbench.sandbox.base import Limits
from vulnbench.sandbox.tests_runner import run_task_tests

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")

DEMO = load_dataset("demo").tasks
SQL = next(t for t in DEMO if t.id == "demo-cwe089-user-lookup")


@pytest.fixture(scope="module")
def bwrap() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    return sandbox


def _by_suite(run: tests_runner.TestRun, suite: str) -> dict[str, str]:
    return {o.name: o.status for o in run.outcomes if o.suite == suite}


@pytest.mark.parametrize("task", DEMO, ids=lambda t: t.id)
def test_secure_reference_passes_both_suites(bwrap: BwrapSandbox, task: Task) -> None:
    run = run_task_tests(bwrap, task, task.secure_reference)
    assert run.status == "assessed", run.detail
    functional, security = _by_suite(run, "functional"), _by_suite(run, "security")
    assert functional and security
    assert set(functional.values()) == {"passed"}, run.outcomes
    assert set(security.values()) == {"passed"}, run.outcomes


@pytest.mark.parametrize("task", DEMO, ids=lambda t: t.id)
def test_insecure_reference_fails_only_security(bwrap: BwrapSandbox, task: Task) -> None:
    run = run_task_tests(bwrap, task, task.insecure_reference)
    assert run.status == "assessed", run.detail
    functional, security = _by_suite(run, "functional"), _by_suite(run, "security")
    assert set(functional.values()) == {"passed"}, run.outcomes
    assert "failed" in security.values(), run.outcomes


def test_suite_names_match_the_test_functions(bwrap: BwrapSandbox) -> None:
    run = run_task_tests(bwrap, SQL, SQL.secure_reference)
    assert _by_suite(run, "functional") == {"test_existing_user": "passed",
                                            "test_unknown_user": "passed"}
    assert set(_by_suite(run, "security")) == {"test_tautology_injection",
                                               "test_union_injection"}


@pytest.mark.parametrize("code", ["import sys\nsys.exit(0)\n", "raise SystemExit('bye')\n",
                                  "import os\nos._exit(0)\n", "import os\nos._exit(3)\n",
                                  "raise KeyboardInterrupt\n", "def get_user(:\n"])
def test_exit_at_import_gives_error_outcomes(bwrap: BwrapSandbox, code: str) -> None:
    run = run_task_tests(bwrap, SQL, code)
    assert run.status == "assessed", run.detail
    assert {o.suite for o in run.outcomes} == {"functional", "security"}
    assert {o.status for o in run.outcomes} == {"error"}, run.outcomes


def test_hanging_sample_is_a_timeout(bwrap: BwrapSandbox) -> None:
    code = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(60)\n"
    run = run_task_tests(bwrap, SQL, code, Limits(wall_seconds=2))
    assert run.status == "timeout"


def test_slow_test_is_a_per_test_timeout_outcome(bwrap: BwrapSandbox) -> None:
    code = SQL.secure_reference.replace(
        "    conn = sqlite3.connect(db_path)",
        "    if username == 'carol':\n        while True:\n            pass\n"
        "    conn = sqlite3.connect(db_path)")
    run = run_task_tests(bwrap, SQL, code, Limits(wall_seconds=60, cpu_seconds=60))
    assert run.status == "assessed"
    assert _by_suite(run, "functional") == {"test_existing_user": "passed",
                                            "test_unknown_user": "timeout"}


def test_sample_killing_the_harness_is_a_sandbox_error(bwrap: BwrapSandbox) -> None:
    run = run_task_tests(bwrap, SQL, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    assert run.status == "sandbox_error"


def test_forged_results_are_not_believed(bwrap: BwrapSandbox) -> None:
    forged = ('{"test_functional.py": [{"name": "test_existing_user", "status": "passed"}], '
              '"test_security.py": [{"name": "test_tautology_injection", "status": "passed"}]}')
    code = (SQL.insecure_reference + "\nimport os, signal\n"
            f"open('_vb_results.json', 'w').write({forged!r})\n"
            "os.kill(os.getppid(), signal.SIGKILL)\n")
    run = run_task_tests(bwrap, SQL, code)
    assert run.status == "sandbox_error"


def test_sample_cannot_rewrite_the_security_tests(bwrap: BwrapSandbox) -> None:
    code = (SQL.insecure_reference
            + "\nopen('test_security.py', 'w').write('def test_nothing():\\n    pass\\n')\n")
    run = run_task_tests(bwrap, SQL, code)
    assert run.status == "assessed"
    security = _by_suite(run, "security")
    # either the rewrite is refused (test files are not writable by the sandbox user) or it
    # comes too late: the original security tests run, never the sample's replacement
    assert "test_nothing" not in security
    assert "passed" not in security.values()


def test_bogus_statuses_from_a_sample_become_errors(bwrap: BwrapSandbox) -> None:
    """The sample writes its own 'results' up the harness pipe and leaves at once."""
    code = ("import os, json\n"
            "payload = json.dumps([{'name': 'x', 'status': 'pwned'}, 7]).encode()\n"
            "for fd in range(3, 64):\n"
            "    try:\n"
            "        os.write(fd, payload)\n"
            "    except OSError:\n"
            "        pass\n"
            "os._exit(0)\n")
    run = run_task_tests(bwrap, SQL, code)
    assert run.status == "assessed", run.detail
    assert {o.status for o in run.outcomes} == {"error"}


def test_task_without_tests_is_not_assessed(bwrap: BwrapSandbox) -> None:
    bare = SQL.model_copy(update={"functional_test": "", "security_test": ""})
    assert run_task_tests(bwrap, bare, SQL.secure_reference).status == "not_assessed"
