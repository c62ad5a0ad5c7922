"""Helpers for the public-loader tests: write JSON Lines, and run the whole pipeline on a
``SOURCE:PATH`` dataset with the replay backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vulnbench.models.base import BackendOptions
from vulnbench.pipeline import RunOptions, run
from vulnbench.results import Results


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def run_replay(tmp_path: Path, spec: str, texts: dict[str, str], *, run_tests: bool = False,
               analyzers: list[str] | None = None, style: str = "code"
               ) -> tuple[Results, list[dict[str, Any]]]:
    """Replay ``texts`` (task id -> sample 0) through ``vulnbench.pipeline.run``; returns the
    results and the rows of ``samples.jsonl``."""
    replay = write_jsonl(tmp_path / "replay.jsonl", [
        {"task_id": tid, "sample_index": 0, "text": text} for tid, text in texts.items()])
    out = tmp_path / "run"
    results = run(RunOptions(
        out=out, dataset=spec, models=[f"replay:{replay}"], temperatures=[0.0], n=1, ks=[1],
        style=style, progress=False, bootstrap_reps=50, run_tests=run_tests,
        analyzers=analyzers if analyzers is not None else [], backend=BackendOptions()),
        echo=lambda _: None)
    rows = [json.loads(line) for line in (out / "samples.jsonl").open(encoding="utf-8")]
    return results, rows
