"""``vulnbench classify`` on a typer app that registers the command (as cli/main.py does),
with the FAKE model backends of the runner's tests (plumbing only: no real model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.classify.fakes import use_fakes, write_tasks
from vulnbench.cli.classify import classify
from vulnbench.errors import DatasetError, VulnbenchError

app = typer.Typer()
app.command("classify")(classify)
app.command("unused")(lambda: None)  # two commands: the first argument names the command


@pytest.fixture(autouse=True)
def _fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fakes(monkeypatch)


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    return write_tasks(tmp_path / "tasks.jsonl")


def test_detect_prints_headline_and_writes_outputs(tmp_path: Path, dataset: Path) -> None:
    out = tmp_path / "o"
    res = CliRunner().invoke(app, ["classify", "--task", "detect", "--dataset", str(dataset),
                                   "--model", "fake-scripted", "--out", str(out),
                                   "--concurrency", "1", "--no-progress"])
    assert res.exit_code == 0, res.output
    # answers V,N,V,V against V,N,V,N: accuracy 3/4; F1 0.8 and 2/3, macro 0.7333
    assert "detect: accuracy 0.750, macro F1 0.733, unparseable 0 of 4 answers" in res.output
    assert f"results in {out}/results.json" in res.output
    assert json.loads((out / "results.json").read_text())["task"] == "detect"
    assert (out / "report.md").is_file()


def test_options_reach_the_runner(tmp_path: Path, dataset: Path) -> None:
    out = tmp_path / "o"
    res = CliRunner().invoke(app, ["classify", "--task", "cwe", "--dataset", str(dataset),
                                   "--model", "fake-scripted", "--out", str(out), "--n", "2",
                                   "--temperature", "0.5", "--max-tokens", "20",
                                   "--task-id", "sql", "--task-id", "path", "--no-chat"])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "results.json").read_text())
    assert (doc["n"], doc["temperature"], doc["max_tokens"]) == (2, 0.5, 20)
    assert doc["rendering"] == "completion"  # --no-chat
    assert {i["task_id"] for i in doc["items"]} == {"sql", "path"}
    assert doc["summary"]["n"] == 4 and doc["summary"]["accuracy"] == 1.0
    assert "cwe: accuracy 1.000" in res.output


def test_bad_input_is_a_vulnbench_error(tmp_path: Path, dataset: Path) -> None:
    res = CliRunner().invoke(app, ["classify", "--task", "poem", "--out", str(tmp_path / "o")])
    assert isinstance(res.exception, VulnbenchError)
    assert "--task must be detect or cwe" in str(res.exception)
    res = CliRunner().invoke(app, ["classify", "--task", "cwe", "--dataset", str(dataset),
                                   "--model", "fake-scripted", "--out", str(tmp_path / "o"),
                                   "--task-id", "util"])
    assert isinstance(res.exception, DatasetError)
    assert "no task usable for --task cwe" in str(res.exception)
    assert not (tmp_path / "o").exists()
