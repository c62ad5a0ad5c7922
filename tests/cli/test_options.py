"""Options out of range fail before anything is written (one line naming the option and what it
accepts, exit 2, no run folder); what the user typed prints literally; ``sandbox run`` exits
like the program it ran."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vulnbench.cli.main import main
from vulnbench.cli.sandbox import exit_code
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline.options import OptionError, RunOptions
from vulnbench.sandbox.backends import find_bwrap
from vulnbench.sandbox.base import RunResult

VULNBENCH = [sys.executable, "-m", "vulnbench.cli.main"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VULNBENCH, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "80", **(env or {})}, check=False)


def in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``vulnbench ARGS`` through main() (exit code, stderr), without a process per case."""
    old = sys.argv
    sys.argv = ["vulnbench", *args]
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = old
    code = info.value.code
    return code if isinstance(code, int) else 1, capsys.readouterr().err


BAD_RUN_OPTIONS = [
    (["--temperature", "5"], "--temperature", "[0, 2]"),
    (["--temperature", "-1"], "--temperature", "[0, 2]"),
    (["--temperature", "nan"], "--temperature", "got nan"),
    (["--temperature", "0.2,inf"], "--temperature", "got inf"),
    (["--top-p", "0"], "--top-p", "(0, 1]"),
    (["--top-p", "1.5"], "--top-p", "(0, 1]"),
    (["--top-p", "nan"], "--top-p", "(0, 1]"),
    (["--max-tokens", "0"], "--max-tokens", ">= 1"),
    (["--limit", "-1"], "--limit", ">= 1"),
    (["--limit", "0"], "--limit", ">= 1"),
    (["--n", "0"], "--n", ">= 1"),
    (["--k", "1,0"], "--k", ">= 1"),
    (["--k", ","], "--k", ">= 1"),
    (["--timeout", "-1"], "--timeout", "> 0"),
    (["--timeout", "inf"], "--timeout", "> 0"),
    (["--concurrency", "0"], "--concurrency", ">= 1"),
    (["--max-retries", "-1"], "--max-retries", ">= 0"),
    (["--seed", "-1"], "--seed", "[0, "),
    (["--stop", ""], "--stop", "non-empty"),
    (["--policy", "all"], "--policy", "'target' or 'any'"),
    (["--dedup", "fast"], "--dedup", "'exact'"),
    (["--base-url", "localhost:8000/v1"], "--base-url", "http://"),
    (["--api-key-env", ""], "--api-key-env", "environment variable"),
]


@pytest.mark.parametrize(("args", "option", "accepted"), BAD_RUN_OPTIONS,
                         ids=[" ".join(c[0]) for c in BAD_RUN_OPTIONS])
def test_bad_run_option_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], option: str,
    accepted: str
) -> None:
    out = tmp_path / "r"
    code, err = in_process(capsys, "run", "--out", str(out), "--model", "mock", "--no-tests",
                           "--no-progress", *args)
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"error: {option} must be "), err
    assert accepted in err
    assert not out.exists()  # no run folder, so no run.sqlite for report to trip over


def test_out_must_be_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "file"
    out.write_text("not a run")
    code, err = in_process(capsys, "run", "--out", str(out), "--model", "mock", "--no-tests")
    assert code == 2 and "--out must be a folder" in err
    assert out.read_text() == "not a run"


def test_python_api_is_checked_too(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"--temperature must be .*\[0, 2\].*got 5"):
        RunOptions(out=tmp_path / "r", temperatures=[0.2, 5.0])
    with pytest.raises(OptionError, match="--model must be one or more model names"):
        RunOptions(out=tmp_path / "r", models=[])
    with pytest.raises(ValueError, match="--concurrency"):
        RunOptions(out=tmp_path / "r", backend=BackendOptions(concurrency=0))
    opts = RunOptions(out=tmp_path / "r")
    opts.limit = 0  # changed after construction: validate() again
    with pytest.raises(OptionError, match="--limit"):
        opts.validate()
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_sandbox_run_timeout(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             value: str) -> None:
    program = tmp_path / "p.py"
    program.write_text("print('hi')\n")
    code, err = in_process(capsys, "sandbox", "run", str(program), "--timeout", value)
    assert code == 2 and err.startswith("error: --timeout must be a number of seconds > 0")


# --- what the user typed prints literally -----------------------------------------------------

@pytest.fixture
def mute_server() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    sock.close()


def test_model_names_and_paths_print_literally(tmp_path: Path, mute_server: str) -> None:
    # "openai:x: no answer ..." held the emoji code ":x:"; "[bold]" was a style tag
    out = tmp_path / "[bold]run[/bold]"
    proc = cli("run", "--out", str(out), "--model", "openai:x", "--base-url", mute_server,
               "--timeout", "0.5", "--max-retries", "0", "--n", "1", "--limit", "1",
               "--no-tests", "--analyzer", "bandit", env={"OPENAI_API_KEY": "sk-test"})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "loading model openai:x ...\n" in proc.stderr
    assert f"error: openai:x: no answer from {mute_server}" in proc.stderr
    assert "\N{CROSS MARK}" not in proc.stderr

    missing = tmp_path / "[bold]nothing[/]"
    proc = cli("report", str(missing))
    assert proc.returncode == 2
    assert f"error: {missing} holds no run store" in " ".join(proc.stderr.split())


def test_error_messages_print_literally(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    code, err = in_process(capsys, "run", "--out", str(tmp_path / "r"), "--model",
                           "[red]mock[/red]:thumbs_up:")
    assert code == 2
    assert "'[red]mock[/red]'" in err and "\N{THUMBS UP SIGN}" not in err


# --- vulnbench sandbox run exits like its program ---------------------------------------------

@pytest.mark.parametrize(("status", "code", "expected"), [
    ("ok", 0, 0), ("ok", 3, 3), ("ok", None, 1),
    ("timeout", -9, 124), ("timeout", None, 124),
    ("killed", -11, 139), ("killed", 139, 139), ("killed", None, 137), ("oom", -9, 137),
    ("oom", 1, 137), ("error", None, 125),
])
def test_exit_code_mapping(status: str, code: int | None, expected: int) -> None:
    result = RunResult(status, code, "", "", 0.1)  # type: ignore[arg-type]
    assert exit_code(result) == expected


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
@pytest.mark.parametrize(("source", "expected", "status"), [
    ("print('fine')\n", 0, "ok"),
    ("import sys\nsys.exit(3)\n", 3, "ok"),
    ("import time\ntime.sleep(30)\n", 124, "timeout"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", 139, "killed"),
])
def test_sandbox_run_exit_codes(tmp_path: Path, source: str, expected: int,
                                status: str) -> None:
    program = tmp_path / "p.py"
    program.write_text(source)
    proc = cli("sandbox", "run", str(program), "--timeout", "2")
    assert proc.returncode == expected, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"status: {status} ")


@pytest.mark.parametrize("command", [["schema"], ["dataset", "export", "demo"]])
def test_out_file_is_checked_first(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   command: list[str]) -> None:
    code, err = in_process(capsys, *command, "--out", str(tmp_path))
    assert code == 2 and err == f"error: --out must be a file, got the folder {tmp_path}\n"
    code, err = in_process(capsys, *command, "--out", str(tmp_path / "no" / "x.json"))
    assert code == 2 and "--out must be a file in an existing folder" in err


def test_report_on_a_folder_stored_with_a_bad_option(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A run folder left by a version that did not check options: one line, no traceback."""
    from vulnbench.pipeline.options import options_to_json
    from vulnbench.store import RunStore

    out = tmp_path / "old"
    saved = json.loads(options_to_json(RunOptions(out=out)))
    saved["temperatures"] = [5.0]
    out.mkdir()
    store = RunStore(out / "run.sqlite")
    store.set_meta("options", json.dumps(saved))
    store.close()
    code, err = in_process(capsys, "report", str(out))
    assert code == 2, err
    assert err == (f"error: {out} was run with an option out of range (--temperature must be "
                   "a finite number in [0, 2] (or a comma-separated sweep of them), got 5); "
                   "start a new run folder\n")
