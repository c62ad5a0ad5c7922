"""The run folders a comparison reads: each must be a finished generation run (results.json
with a run spec, and its store), and all must be of one dataset, the same tasks by content
hash; otherwise their figures are not comparable and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from vulnbench.errors import VulnbenchError
from vulnbench.harden.compare import folder_counts
from vulnbench.metrics.aggregate import TaskCounts
from vulnbench.report.html.folder import is_pipeline_results
from vulnbench.report.html.page import folder_kinds
from vulnbench.results import Results

__all__ = ["LoadedRun", "check_same_dataset", "load_runs"]


@dataclass(frozen=True)
class LoadedRun:
    """A run folder: its results.json and, per condition label, the per-task counts of the
    combined verdicts (what its report scored, read from its store)."""

    name: str
    path: Path
    results: Results
    counts: dict[str, list[TaskCounts]]


def _results(folder: Path) -> Results:
    """The folder's generation results, or an error naming what the folder is instead."""
    path = folder / "results.json"
    if not folder.is_dir():
        raise VulnbenchError(f"{folder} is not a folder; vulnbench compare takes run folders "
                             "written by vulnbench run")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise VulnbenchError(f"{folder} is not a generation run: no readable results.json "
                             "(vulnbench compare takes folders written by vulnbench run)"
                             ) from None
    docs = {"results.json": doc}
    if not is_pipeline_results(docs):
        kinds = sorted(folder_kinds(None, docs)) or ["unknown"]
        raise VulnbenchError(f"{folder} is not a generation run: its results.json has no run "
                             f"spec and conditions (a {'/'.join(kinds)} folder); vulnbench "
                             "compare takes folders written by vulnbench run")
    try:
        return Results.model_validate(doc)
    except ValidationError as err:
        raise VulnbenchError(f"{path} does not match the results.json schema: "
                             f"{err.errors()[0]['msg']}") from None


def check_same_dataset(runs: Sequence[tuple[str, Results]]) -> None:
    """Refuse runs of different datasets, naming each run's dataset, hash and task count."""
    specs = [(name, r.run_spec) for name, r in runs]
    ident = {(s.dataset_hash, s.task_count) for _, s in specs}
    if len(ident) <= 1:
        return
    described = "; ".join(f"{name}: dataset {s.dataset!r}, {s.task_count} tasks, hash "
                          f"{s.dataset_hash[:12]}" for name, s in specs)
    raise VulnbenchError(
        "vulnbench compare needs runs of the same dataset (the same tasks, by content hash), "
        f"and these differ: {described}. Their figures are over different tasks, so a "
        "leaderboard or a paired difference of them would not compare like with like; "
        "nothing was written. Re-run them with the same --dataset, --task and --limit.")


def _names(folders: Sequence[Path]) -> list[str]:
    """Folder names, or their paths where two share a name."""
    names = [f.name or str(f) for f in folders]
    return [str(f) if names.count(n) > 1 else n for f, n in zip(folders, names, strict=True)]


def load_runs(folders: Sequence[Path]) -> list[LoadedRun]:
    """Every folder's results and counts, after the checks above (all before any store is
    read, so a refusal is quick)."""
    if len(folders) < 1:
        raise VulnbenchError("vulnbench compare needs at least one run folder")
    if len({f.resolve() for f in folders}) < len(folders):
        raise VulnbenchError("a run folder is given twice: "
                             + ", ".join(str(f) for f in folders))
    names = _names(folders)
    results = [_results(f) for f in folders]
    check_same_dataset(list(zip(names, results, strict=True)))
    runs = []
    for name, folder, res in zip(names, folders, results, strict=True):
        counts, _ = folder_counts(folder)
        missing = {c.condition for c in res.conditions} - set(counts)
        if missing:
            raise VulnbenchError(f"{folder}: results.json and its store disagree (conditions "
                                 f"{sorted(missing)} not scored there); run vulnbench report "
                                 f"{folder} first")
        runs.append(LoadedRun(name=name, path=folder, results=res,
                              counts={label: c[1] for label, c in counts.items()}))
    return runs
