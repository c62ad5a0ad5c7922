"""Ctrl-C (a real SIGINT to a real CLI process) exits 130 with one line saying what is kept,
never 0: a script running vulnbench must not mistake an interrupted run for a finished one."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vulnbench.sandbox.backends import find_bwrap

VULNBENCH = [sys.executable, "-m", "vulnbench.cli.main"]


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM generations").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def interrupt(args: list[str], ready: Callable[[subprocess.Popen[str]], bool],
              env: dict[str, str] | None = None) -> tuple[int, str]:
    """Start ``vulnbench ARGS``, send SIGINT once ``ready``, return (exit code, stderr)."""
    # a shell that starts the suite in the background (``(make test &)``) hands it SIGINT
    # ignored, and a Python started so never sees Ctrl-C: give the command the default, as a
    # terminal's foreground process has
    proc = subprocess.Popen([*VULNBENCH, *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not ready(proc):
            assert proc.poll() is None, "the command ended before it could be interrupted"
            assert time.monotonic() < deadline, "the command never got going"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


def test_ctrl_c_during_a_run_exits_130_and_the_rerun_resumes(
        tmp_path: Path, mock_script: Path) -> None:
    out = tmp_path / "r"
    args = ["run", "--out", str(out), "--model", f"mock:{mock_script}", "--n", "3",
            "--limit", "4", "--temperature", "0", "--no-tests", "--no-progress",
            "--analyzer", "bandit"]
    # 1.5 s per call leaves seconds of work to interrupt even on a busy machine
    code, err = interrupt(args, lambda _: _rows(out / "run.sqlite") >= 2,
                          env={"VULNBENCH_MOCK_DELAY": "1.5"})
    assert code == 130, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == ("interrupted: the run folder keeps every finished sample; "
                                    "run the same command again to resume")
    kept = _rows(out / "run.sqlite")
    assert 2 <= kept < 12
    assert not (out / "results.json").exists()  # no report of a run that did not finish

    again = subprocess.run([*VULNBENCH, *args], capture_output=True, text=True, timeout=300,
                           check=False)
    assert again.returncode == 0, again.stderr
    stats = json.loads((out / "results.json").read_text())["stats"]
    assert stats["reused_generations"] == kept
    assert stats["new_generations"] == 12 - kept


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_ctrl_c_during_sandbox_run_exits_130(tmp_path: Path) -> None:
    program = tmp_path / "slow.py"
    program.write_text("import time\ntime.sleep(60)\n")
    started = time.monotonic()
    # a child process (the sandbox, or its runtime probe) means the command is running
    code, err = interrupt(["sandbox", "run", str(program), "--timeout", "60"],
                          lambda proc: bool(_children(proc.pid)))
    assert code == 130, err
    assert err.splitlines()[-1] == "interrupted"
    assert "Traceback" not in err
    assert time.monotonic() - started < 50  # not waiting out the program
