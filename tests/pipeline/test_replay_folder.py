"""``--model replay:DIR`` over SALLM's published generation files: one condition per file,
model and temperature from the file name, resumable, and gaps reported (not silently
dropped). Fixtures are written here in SALLM's exact shapes, with our own prompts and code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.models.sallm_shapes import (
    IDS,
    SAFE,
    UNSAFE,
    chat_completion,
    generation_record,
    text_list,
    write_dataset,
    write_jsonl,
)
from vulnbench.errors import VulnbenchError
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.results import Results

GPT4 = "dataset_gpt-4_0.0.jsonl"
STARCODER = "dataset_bigcode_starcoder_0.8.jsonl"


def write_outputs(folder: Path, ids: list[str] = IDS) -> Path:
    """gpt-4 (chat, body only): sample 0 safe, sample 1 unsafe; starcoder (prompt +
    completion): both unsafe."""
    write_jsonl(folder / GPT4, [
        generation_record(t, chat_completion([SAFE[t], UNSAFE[t]])) for t in ids])
    write_jsonl(folder / STARCODER, [
        generation_record(t, text_list(t, [UNSAFE[t], UNSAFE[t]])) for t in ids])
    return folder


def replay(tmp_path: Path, model: str, *, temperatures: list[float] | None = None,
           messages: list[str] | None = None, analyzers: list[str] | None = None) -> Results:
    dataset = tmp_path / "PythonDataset" / "dataset.jsonl"
    if not dataset.is_file():
        write_dataset(tmp_path)
    return run(RunOptions(
        out=tmp_path / "run", dataset=f"sallm:{dataset}", models=[model],
        temperatures=temperatures or [], n=2, ks=[1, 2], progress=False, bootstrap_reps=50,
        run_tests=False, analyzers=analyzers or [], backend=BackendOptions()),
        echo=(messages.append if messages is not None else lambda _: None))


def samples(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "samples.jsonl").open(encoding="utf-8")]


def test_cli_folder_is_one_condition_per_file(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path)
    folder = write_outputs(tmp_path / "Generation" / "Output")
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "vulnbench.cli.main", "run", "--dataset", f"sallm:{dataset}",
           "--model", f"replay:{folder}", "--n", "2", "--k", "1,2", "--no-tests",
           "--analyzer", "bandit", "--out", str(out), "--no-progress"]
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "results.json").read_text())
    conds = {c["condition"]: c for c in doc["conditions"]}
    assert {(c["model"], c["temperature"]) for c in conds.values()} == {
        ("gpt-4", 0.0), ("bigcode_starcoder", 0.8)}
    assert set(conds) == {"gpt-4@T0", "bigcode_starcoder@T0.8"}
    assert all(c["samples"] == 6 and c["tasks"] == 3 for c in conds.values())
    spec = doc["run_spec"]
    assert spec["temperatures"] == [0.8, 0.0]  # in file-name order: bigcode_..., gpt-4
    assert {(m["params"]["model"], m["params"]["temperature"], Path(m["params"]["file"]).name)
            for m in spec["models"]} == {("gpt-4", "0", GPT4), ("bigcode_starcoder", "0.8",
                                                                STARCODER)}
    # the outputs reached the right conditions: every starcoder sample is the unsafe code,
    # gpt-4's sample 0 the safe one
    vulnerable = {label: c["static_metrics"]["vulnerable@1"]["value"]
                  for label, c in conds.items()}
    assert vulnerable["bigcode_starcoder@T0.8"] == pytest.approx(1.0, abs=1e-5)
    assert vulnerable["gpt-4@T0"] < vulnerable["bigcode_starcoder@T0.8"]
    rows = samples(out)
    by_key = {(r["condition"], r["task_id"], r["sample_index"]): r for r in rows}
    assert by_key[("gpt-4@T0", IDS[1], 1)]["raw"] == UNSAFE[IDS[1]]
    assert "12 new and 0 reused generations" in " ".join(proc.stderr.split())

    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600,
                           check=False)
    assert again.returncode == 0, again.stderr
    assert "0 new and 12 reused generations" in " ".join(again.stderr.split())


def test_body_only_chat_answers_compile(tmp_path: Path) -> None:
    """SALLM's chat answers are the function body only; joined to a prompt that ends with
    the docstring's closing quotes (no newline), every one must compile."""
    write_outputs(tmp_path / "out")
    replay(tmp_path, f"replay:{tmp_path / 'out' / GPT4}")
    rows = samples(tmp_path / "run")
    assert len(rows) == 6
    bad = [(r["task_id"], r["sample_index"], r["status"], r["error"]) for r in rows
           if r["status"] != "ok" or not r["compiles_repaired"]]
    assert bad == []


def test_completion_lists_compile(tmp_path: Path) -> None:
    write_outputs(tmp_path / "out")
    replay(tmp_path, f"replay:{tmp_path / 'out' / STARCODER}")
    rows = samples(tmp_path / "run")
    assert len(rows) == 6 and all(r["status"] == "ok" for r in rows)


def test_single_file_takes_the_temperature_in_its_name(tmp_path: Path) -> None:
    write_outputs(tmp_path / "out")
    messages: list[str] = []
    results = replay(tmp_path, f"replay:{tmp_path / 'out' / STARCODER}", temperatures=[0.5],
                     messages=messages)
    assert [(c.condition, c.model, c.temperature) for c in results.conditions] == [
        ("bigcode_starcoder@T0.8", "bigcode_starcoder", 0.8)]
    assert results.run_spec.temperatures == [0.8]
    assert any("temperature 0.8 from the file name" in m for m in messages)


def test_plain_files_need_a_temperature(tmp_path: Path) -> None:
    folder = write_outputs(tmp_path / "out")
    plain = write_jsonl(folder / "mine.jsonl", [
        {"task_id": t, "sample_index": i, "text": SAFE[t]} for t in IDS for i in range(2)])
    with pytest.raises(VulnbenchError, match=r"mine\.jsonl: the file name carries no "
                                             r"temperature.*--temperature"):
        replay(tmp_path, f"replay:{folder}")
    results = replay(tmp_path, f"replay:{folder}", temperatures=[0.2])
    assert sorted((c.condition, c.temperature) for c in results.conditions) == [
        ("bigcode_starcoder@T0.8", 0.8), ("gpt-4@T0", 0.0), (f"replay:{plain}@T0.2", 0.2)]


def test_two_files_giving_one_condition_are_an_error(tmp_path: Path) -> None:
    folder = write_outputs(tmp_path / "out")
    (folder / "dataset_gpt-4_0.jsonl").write_text((folder / GPT4).read_text())
    with pytest.raises(VulnbenchError, match=r"condition gpt-4@T0 comes twice .*"
                                             r"dataset_gpt-4_0\.0\.jsonl and .*"
                                             r"dataset_gpt-4_0\.jsonl"):
        replay(tmp_path, f"replay:{folder}")


def test_gaps_are_reported_and_the_rest_is_scored(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    write_jsonl(folder / GPT4, [
        generation_record(IDS[0], chat_completion([SAFE[IDS[0]], UNSAFE[IDS[0]]])),
        generation_record(IDS[1], chat_completion([SAFE[IDS[1]]])),
        {**generation_record(IDS[2], chat_completion(["    pass\n"] * 2)),
         "id": "Matching_Author_A_cwe999_0.py"},
    ])
    messages: list[str] = []
    results = replay(tmp_path, f"replay:{folder}", messages=messages)
    text = "\n".join(messages)
    assert f"no outputs for 1 of 3 task(s), not scored in this condition: {IDS[2]}" in text
    assert f"fewer than 2 samples for 1 task(s) (samples there): {IDS[1]} (1)" in text
    assert "the dataset does not have, ignored: Matching_Author_A_cwe999_0.py" in text
    cond = results.conditions[0]
    assert (cond.tasks, cond.samples) == (2, 3)
    again = replay(tmp_path, f"replay:{folder}")
    assert (again.stats.new_generations, again.stats.reused_generations) == (0, 3)


def test_a_file_for_another_dataset_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    write_jsonl(folder / GPT4, [{"task_id": "other-task", "text": "x = 1"}])
    with pytest.raises(VulnbenchError, match="no outputs for any of the 3 task"):
        replay(tmp_path, f"replay:{folder}")
