"""``vulnbench repair`` from the command line, on a scripted MOCK model (plumbing): it takes
run's options, leaves out tasks it cannot prompt with a note, writes repair.json/repair.md,
resumes, and fails cleanly on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import assert_clean_error, cli
from vulnbench.datasets import load_dataset
from vulnbench.sandbox.backends import find_bwrap

TASK = next(t for t in load_dataset("demo").tasks if t.id == "demo-cwe089-user-lookup")


def dataset(tmp_path: Path) -> Path:
    """The demo task, and a copy without an insecure reference (repair cannot prompt it)."""
    path = tmp_path / "tasks.jsonl"
    bare = TASK.model_copy(update={"id": "no-insecure", "insecure_reference": ""})
    path.write_text(TASK.model_dump_json() + "\n" + bare.model_dump_json() + "\n")
    return path


@pytest.mark.skipif(find_bwrap() is None, reason="no bwrap")
def test_repair_command_writes_figures_and_resumes(tmp_path: Path) -> None:
    script = tmp_path / "mock.json"
    script.write_text(json.dumps({TASK.id: [f"```python\n{TASK.secure_reference}```"]}))
    out = tmp_path / "r"
    args = ("repair", "--out", str(out), "--dataset", str(dataset(tmp_path)), "--model",
            f"mock:{script}", "--n", "1", "--k", "1", "--analyzer", "bandit", "--explain",
            "--no-progress")
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stderr.split())
    assert "1 task(s) have no insecure reference or explanation" in text
    assert "repaired 1" in text and "SEC@1 1.000" in text
    figures = json.loads((out / "repair.json").read_text())
    assert figures["conditions"][0]["style"] == "repair-explain"
    assert figures["conditions"][0]["tasks"] == 1
    assert (out / "repair.md").is_file() and (out / "results.json").is_file()
    again = cli(*args)
    assert again.returncode == 0 and "0 new" not in again.stderr  # the run's own line
    assert json.loads((out / "repair.json").read_text()) == figures
    report = cli("report", str(out))
    assert report.returncode == 0 and "repair.md" in report.stderr


def test_repair_options_mirror_run(tmp_path: Path) -> None:
    proc = cli("repair", "--help")
    assert proc.returncode == 0
    for option in ("--explain", "--completion", "--n", "--limit", "--task", "--temperature",
                   "--base-url", "--no-tests"):
        assert option in proc.stdout
    assert "--style" not in proc.stdout and "--retrieval-top" not in proc.stdout


def test_repair_needs_insecure_code(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text(TASK.model_copy(update={"insecure_reference": ""}).model_dump_json() + "\n")
    proc = cli("repair", "--out", str(tmp_path / "r"), "--dataset", str(path), "--model", "mock")
    assert_clean_error(proc, "has an insecure reference, which repair needs")
    assert not (tmp_path / "r").exists()


def test_repair_unknown_model(tmp_path: Path) -> None:
    proc = cli("repair", "--out", str(tmp_path / "r"), "--model", "gpt5000", "--no-tests")
    assert_clean_error(proc, "unknown model backend 'gpt5000'")
