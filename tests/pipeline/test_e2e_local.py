"""End to end on the REAL embedded model (Gemma 3 270M through llama-cpp-python): the
demo run the README shows (3 tasks, 2 samples each), then the same command again, which must
reuse every generation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed")

pytestmark = pytest.mark.slow


def test_local_model_three_tasks_two_samples_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "vulnbench.cli.main", "run", "--dataset", "demo", "--model",
           "local", "--n", "2", "--limit", "3", "--out", str(out), "--max-tokens", "128",
           "--no-progress"]
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env,
                           check=False)
    assert first.returncode == 0, first.stderr
    results = json.loads((out / "results.json").read_text())
    metrics = results["conditions"][0]["metrics"]
    for name in ("pass@1", "vulnerable@1", "secure@1"):
        assert isinstance(metrics[name]["value"], float), name
        assert 0.0 <= metrics[name]["value"] <= 1.0
    assert metrics["pass@3"]["value"] is None  # n = 2 < k = 3 is undefined, not dropped
    assert results["stats"] == {**results["stats"], "new_generations": 6,
                                "reused_generations": 0}
    assert results["run_spec"]["models"][0]["id"] == "local"
    assert results["run_spec"]["models"][0]["params"]["model_file"].endswith(".gguf")
    samples = [json.loads(line) for line in (out / "samples.jsonl").open()]
    assert len(samples) == 6
    assert all(s["raw"].strip() for s in samples)
    assert "vulnbench headline" in first.stdout

    second = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env,
                            check=False)
    assert second.returncode == 0, second.stderr
    again = json.loads((out / "results.json").read_text())
    assert again["stats"]["new_generations"] == 0
    assert again["stats"]["reused_generations"] == 6
    assert "loading model" not in second.stderr  # nothing left to generate: no model load
    assert again["conditions"] == results["conditions"]
