"""What a run was asked to do (from the CLI or the Python API)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vulnbench.models.base import BackendOptions

# what vulnbench's combined static policy runs (C tools only see C samples); a tool that is
# missing is reported once and skipped
DEFAULT_ANALYZERS = ("bandit", "semgrep", "gcc-analyzer", "cppcheck")


@dataclass
class RunOptions:
    out: Path
    dataset: str = "demo"
    models: list[str] = field(default_factory=lambda: ["local"])
    # empty: none given (0.2 for models; a replay file's name must carry its own)
    temperatures: list[float] = field(default_factory=list)
    style: str = "code"
    n: int = 5
    top_p: float = 0.95
    max_tokens: int = 256
    stop: list[str] = field(default_factory=list)
    seed: int = 0
    limit: int | None = None
    task_ids: list[str] = field(default_factory=list)
    ks: list[int] = field(default_factory=lambda: [1, 3, 5])
    policy: Literal["target", "any"] = "target"
    dedup: Literal["none", "exact", "fuzzy"] = "none"
    analyzers: list[str] = field(default_factory=lambda: list(DEFAULT_ANALYZERS))
    sandbox: str = "bwrap"
    run_tests: bool = True
    backend: BackendOptions = field(default_factory=BackendOptions)
    progress: bool = True
    bootstrap_reps: int = 1000


def options_to_json(opts: RunOptions) -> str:
    data = dataclasses.asdict(opts)
    data["out"] = str(opts.out)
    return json.dumps(data)


def options_from_json(text: str, out: Path) -> RunOptions:
    data = json.loads(text)
    data["out"] = out
    data["backend"] = BackendOptions(**data["backend"])
    return RunOptions(**data)


def condition_label(model: str, temperature: float) -> str:
    return f"{model}@T{temperature:g}"
