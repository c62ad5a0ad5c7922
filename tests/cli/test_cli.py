"""The command line as a user meets it: bad input gives one actionable line, a non-zero exit
and no traceback; a killed run resumes without repeating finished model calls."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vulnbench.sandbox.backends import find_bwrap

VULNBENCH = [sys.executable, "-m", "vulnbench.cli.main"]


def cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300
        ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([*VULNBENCH, *args], capture_output=True, text=True, env=full_env,
                          timeout=timeout, check=False)


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    text = " ".join(proc.stderr.split())
    for needle in needles:
        assert needle in text, proc.stderr


def test_unknown_model(tmp_path: Path) -> None:
    proc = cli("run", "--out", str(tmp_path / "r"), "--model", "gpt5000", "--no-tests")
    assert_clean_error(proc, "unknown model backend 'gpt5000'", "local", "openai")


def test_unknown_style(tmp_path: Path) -> None:
    proc = cli("run", "--out", str(tmp_path / "r"), "--model", "mock", "--style", "poetic")
    assert_clean_error(proc, "unknown prompt style 'poetic'", "cwe-aware")


def test_malformed_dataset(tmp_path: Path) -> None:
    bad = tmp_path / "tasks.jsonl"
    bad.write_text('{"id": "t1", "cwe": ["CWE-89"], "code_prompt": "def f():\\n"}\n{"id": \n')
    proc = cli("run", "--out", str(tmp_path / "r"), "--model", "mock", "--dataset", str(bad))
    assert_clean_error(proc, f"{bad}:2", "invalid JSON")


def test_dataset_with_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "tasks.jsonl"
    bad.write_text('{"id": "t1", "cwe": ["SQLi"], "code_prompt": "def f():\\n"}\n')
    proc = cli("run", "--out", str(tmp_path / "r"), "--model", "mock", "--dataset", str(bad))
    assert_clean_error(proc, f"{bad}:1", "'t1'", "cwe")


def test_unreachable_endpoint_keeps_nothing_broken(tmp_path: Path) -> None:
    proc = cli("run", "--out", str(tmp_path / "r"), "--model", "openai:some-model",
               "--base-url", "http://127.0.0.1:9/v1", "--max-retries", "1", "--limit", "1",
               "--n", "1", "--no-tests", env={"OPENAI_API_KEY": "sk-test-secret-123"})
    assert_clean_error(proc, "cannot reach http://127.0.0.1:9/v1")
    assert "sk-test-secret-123" not in proc.stderr + proc.stdout
    store = tmp_path / "r" / "run.sqlite"
    assert store.exists()  # the run directory is usable for a later resume


def test_missing_api_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    proc = subprocess.run([*VULNBENCH, "run", "--out", str(tmp_path / "r"), "--model",
                           "openai:gpt-4o-mini", "--no-tests", "--limit", "1"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert_clean_error(proc, "OPENAI_API_KEY")


def test_bad_temperature_list(tmp_path: Path) -> None:
    proc = cli("run", "--out", str(tmp_path / "r"), "--temperature", "0,hot")
    assert_clean_error(proc, "--temperature")


def test_list_and_schema() -> None:
    proc = cli("list", "styles")
    assert proc.returncode == 0
    assert set(proc.stdout.split()) >= {"code", "text", "cwe-aware", "secure-instruction",
                                        "one-shot"}
    schema = cli("schema")
    assert json.loads(schema.stdout)["title"] == "Results"


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT COUNT(*) FROM generations").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_kill_9_then_resume(tmp_path: Path, mock_script: Path) -> None:
    """A real SIGKILL mid-generation; the rerun makes only the missing model calls and ends
    with the same metrics as an uninterrupted run."""
    args = ["run", "--model", f"mock:{mock_script}", "--n", "3", "--limit", "4",
            "--temperature", "0", "--no-progress", "--analyzer", "bandit"]
    calls_a, calls_b = tmp_path / "calls_a.txt", tmp_path / "calls_b.txt"
    out = tmp_path / "killed"
    proc = subprocess.Popen([*VULNBENCH, *args, "--out", str(out)],
                            env={**os.environ, "VULNBENCH_MOCK_DELAY": "0.4",
                                 "VULNBENCH_MOCK_CALLS": str(calls_a)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while _rows(out / "run.sqlite") < 4:
        assert proc.poll() is None, "run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = _rows(out / "run.sqlite")
    assert 4 <= stored < 12

    resumed = cli(*args, "--out", str(out), env={"VULNBENCH_MOCK_CALLS": str(calls_b)})
    assert resumed.returncode == 0, resumed.stderr
    stats = json.loads((out / "results.json").read_text())["stats"]
    assert stats["reused_generations"] == stored
    assert stats["new_generations"] == 12 - stored
    first = set(calls_a.read_text().splitlines())
    second = calls_b.read_text().splitlines()
    assert len(second) == 12 - stored
    # a call made just before the kill may not have been committed; nothing committed repeats
    assert len(first & set(second)) <= 1

    clean = cli(*args, "--out", str(tmp_path / "clean"))
    assert clean.returncode == 0, clean.stderr
    a = json.loads((out / "results.json").read_text())["conditions"]
    b = json.loads((tmp_path / "clean" / "results.json").read_text())["conditions"]
    assert a == b


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_report_rescores_from_the_store(tmp_path: Path, mock_script: Path) -> None:
    out = tmp_path / "r"
    first = cli("run", "--model", f"mock:{mock_script}", "--n", "2", "--limit", "2",
                "--out", str(out), "--no-progress", "--analyzer", "bandit")
    assert first.returncode == 0, first.stderr
    before = json.loads((out / "results.json").read_text())
    (out / "report.md").unlink()
    again = cli("report", str(out))
    assert again.returncode == 0, again.stderr
    after = json.loads((out / "results.json").read_text())
    assert after["stats"]["new_generations"] == 0
    assert after["stats"]["reused_generations"] == 4
    assert after["conditions"] == before["conditions"]
    assert (out / "report.md").exists()
    missing = cli("report", str(tmp_path / "nothing"))
    assert_clean_error(missing, "no run store")
