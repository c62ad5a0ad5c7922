"""The moved-checkout case as a user meets it: the task interpreter the run would test with
is gone, so ``vulnbench run`` exits non-zero with one line saying why, before any model call;
``--no-tests`` still runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VULNBENCH = [sys.executable, "-m", "vulnbench.cli.main"]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VULNBENCH, *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **env}, timeout=300,
                          check=False)


def test_a_moved_checkout_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    gone = tmp_path / "old-checkout" / ".venv-runtime" / "bin" / "python"
    env = {"VULNBENCH_RUNTIME": str(gone), "VULNBENCH_ALLOW_UNSANDBOXED": "1"}
    args = ["run", "--out", str(tmp_path / "r"), "--model", "mock", "--n", "1", "--k", "1",
            "--limit", "1", "--analyzer", "bandit", "--sandbox", "subprocess",
            "--no-progress"]
    proc = cli(*args, env=env)
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert lines[0].startswith(f"error: VULNBENCH_RUNTIME={gone} is not a Python interpreter")
    assert "--no-tests" in lines[0]
    assert not (tmp_path / "r").exists()
    static = cli(*args, "--no-tests", env=env)
    assert static.returncode == 0, static.stderr
