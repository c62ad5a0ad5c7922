"""The warm interpreter that runs a batch of samples in one sandbox (zygote.py): same outcomes as
one sample per sandbox, and no way for one sample to reach the next one or its results."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from vulnbench.datasets import load_dataset
from vulnbench.records import Task
from vulnbench.sandbox.backends import BwrapSandbox, create_sandbox, find_bwrap
from vulnbench.sandbox.base import Limits
from vulnbench.sandbox.tests_runner import TestRun as Run
from vulnbench.sandbox.tests_runner import run_task_tests, run_task_tests_batch

pytestmark = pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")

DEMO = load_dataset("demo").tasks
SQL = next(t for t in DEMO if t.id == "demo-cwe089-user-lookup")
FLASK = [t for t in DEMO if "flask" in t.runtime]

# a task whose only test checks that nothing of an earlier sample is left
CLEAN_CHECK = '''
import os, time
import solution


def test_nothing_left_from_an_earlier_sample():
    time.sleep(0.3)  # time for a left-behind process to write again
    for path in ("/tmp/vb-left", "/dev/shm/vb-left", "vb-left", "/tmp/vb-late", "vb-late"):
        assert not os.path.exists(path), path
    assert sorted(os.listdir(".")) == ["solution.py", "test_functional.py"], os.listdir(".")
    with open("/proc/sysvipc/shm") as fh:
        assert len(fh.read().splitlines()) == 1, "a System V shared memory segment is left"
'''
CLEAN = SQL.model_copy(update={"id": "clean-check", "functional_test": CLEAN_CHECK,
                               "security_test": "", "runtime": []})
INNOCENT = "VALUE = 1\n"
LITTERING = '''
import ctypes, os, time
assert ctypes.CDLL(None).shmget(0x5EED, 4096, 0o1600) >= 0  # IPC_CREAT | 0600
for path in ("/tmp/vb-left", "/dev/shm/vb-left", "vb-left"):
    with open(path, "w") as fh:
        fh.write("x")
if os.fork() == 0:  # a daemon that keeps writing after the sample is done
    os.setsid()
    if os.fork() == 0:
        for _ in range(2000):
            for path in ("/tmp/vb-late", "vb-late"):
                try:
                    open(path, "w").close()
                except OSError:
                    pass
            time.sleep(0.01)
    os._exit(0)
'''


@pytest.fixture(scope="module")
def bwrap() -> BwrapSandbox:
    sandbox = create_sandbox("bwrap")
    assert isinstance(sandbox, BwrapSandbox)
    return sandbox


def _statuses(run: Run) -> list[tuple[str, str, str]]:
    return sorted((o.suite, o.name, o.status) for o in run.outcomes)


@pytest.mark.parametrize("task", FLASK, ids=lambda t: t.id)
def test_batch_gives_the_outcomes_of_single_runs(bwrap: BwrapSandbox, task: Task) -> None:
    codes = [task.secure_reference, task.insecure_reference, task.secure_reference]
    batch = run_task_tests_batch(bwrap, task, codes)
    single = [run_task_tests(bwrap, task, code) for code in codes]
    assert [r.status for r in batch] == ["assessed"] * 3
    assert [_statuses(r) for r in batch] == [_statuses(r) for r in single]


def test_files_and_processes_of_a_sample_are_gone_for_the_next(bwrap: BwrapSandbox) -> None:
    runs = run_task_tests_batch(bwrap, CLEAN, [LITTERING, INNOCENT, LITTERING, INNOCENT])
    assert [r.status for r in runs] == ["assessed"] * 4
    assert {o.status for o in runs[0].outcomes} == {"failed"}  # the check itself can fail
    for run in (runs[1], runs[3]):
        assert {o.status for o in run.outcomes} == {"passed"}, run.outcomes


def test_a_sample_killing_the_zygote_costs_only_itself(bwrap: BwrapSandbox) -> None:
    killer = ("import os\nzygote = int(open(f'/proc/{os.getppid()}/stat').read().split()[3])\n"
              "os.kill(zygote, 9)\n")
    runs = run_task_tests_batch(bwrap, SQL, [SQL.secure_reference, killer,
                                             SQL.insecure_reference, SQL.secure_reference])
    assert [r.status for r in runs] == ["assessed", "sandbox_error", "assessed", "assessed"]
    assert "failed" in {o.status for o in runs[2].outcomes if o.suite == "security"}
    assert {o.status for o in runs[3].outcomes} == {"passed"}


def test_results_written_by_a_sample_are_not_believed(bwrap: BwrapSandbox) -> None:
    forged = ('{"index": %d, "status": "ok", "results": {"test_functional.py": [{"name": "t", '
              '"status": "passed"}], "test_security.py": [{"name": "t", "status": "passed"}]}}')
    code = (SQL.insecure_reference + "\nimport os\nfor fd in range(1, 64):\n    for i in (0, 1):\n"
            f"        try:\n            os.write(fd, ({forged!r} % i + '\\n').encode())\n"
            "        except OSError:\n            pass\n")
    forger, honest = run_task_tests_batch(bwrap, SQL, [code, SQL.insecure_reference])
    for run in (forger, honest):
        assert run.status == "assessed", run.detail
        assert "t" not in {o.name for o in run.outcomes}
        assert "passed" not in {o.status for o in run.outcomes if o.suite == "security"}
    assert "failed" in {o.status for o in honest.outcomes if o.suite == "security"}


def test_a_hanging_sample_times_out_alone(bwrap: BwrapSandbox) -> None:
    hang = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(60)\n"
    runs = run_task_tests_batch(bwrap, SQL, [hang, SQL.secure_reference], Limits(wall_seconds=3))
    assert [r.status for r in runs] == ["timeout", "assessed"]
    assert {o.status for o in runs[1].outcomes} == {"passed"}


def test_the_unisolated_backend_runs_batches_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VULNBENCH_ALLOW_UNSANDBOXED", "1")
    sandbox = create_sandbox("subprocess")
    runs = run_task_tests_batch(sandbox, SQL, [SQL.secure_reference, SQL.insecure_reference])
    assert [r.status for r in runs] == ["assessed", "assessed"]
    assert {o.status for o in runs[0].outcomes} == {"passed"}
    assert "failed" in {o.status for o in runs[1].outcomes if o.suite == "security"}


def test_a_fork_bomb_is_cleared_before_the_next_sample(bwrap: BwrapSandbox) -> None:
    bomb = ("import os, time\nwhile True:\n    try:\n        os.fork()\n"
            "    except OSError:\n        time.sleep(0.01)\n")
    runs = run_task_tests_batch(bwrap, SQL, [bomb, SQL.secure_reference],
                                Limits(wall_seconds=3))
    assert runs[0].status == "timeout"
    assert runs[1].status == "assessed" and {o.status for o in runs[1].outcomes} == {"passed"}


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox uids of their own need root")
def test_a_fork_bomb_does_not_starve_a_sandbox_beside_it(bwrap: BwrapSandbox) -> None:
    """RLIMIT_NPROC counts per uid: each concurrent sandbox runs under a uid of its own."""
    bomb = ("import os, time\nwhile True:\n    try:\n        os.fork()\n"
            "    except OSError:\n        time.sleep(0.01)\n")
    with ThreadPoolExecutor(max_workers=1) as pool:
        bombing = pool.submit(run_task_tests_batch, bwrap, SQL, [bomb], Limits(wall_seconds=8))
        time.sleep(1.0)  # the bomb has filled its process quota by now
        runs = run_task_tests_batch(bwrap, SQL, [SQL.secure_reference] * 3,
                                    Limits(wall_seconds=8))
        assert bombing.result()[0].status == "timeout"
    for run in runs:
        assert run.status == "assessed", run.detail
        assert {o.status for o in run.outcomes} == {"passed"}


def test_emptying_leaves_mount_points_and_the_way_to_them(tmp_path: Path) -> None:
    """A runtime under the host's /tmp is mounted inside the sandbox's /tmp: the reset empties
    everything else, including what a sample put beside the mount."""
    from vulnbench.sandbox.zygote import empty

    mount = tmp_path / "ci" / "clone" / ".venv-runtime"
    mount.mkdir(parents=True)
    (mount / "lib.py").write_text("kept")
    (tmp_path / "ci" / "dropped.txt").write_text("x")
    (tmp_path / "ci" / "clone" / "evil").mkdir()
    (tmp_path / "loose").write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "f").write_text("x")
    locked.chmod(0)
    assert empty(str(tmp_path), frozenset({str(mount)})) is None
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "ci", "ci/clone", "ci/clone/.venv-runtime", "ci/clone/.venv-runtime/lib.py"]
    assert empty(str(tmp_path)) is None and not list(tmp_path.iterdir())
