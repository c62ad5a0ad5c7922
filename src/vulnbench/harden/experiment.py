"""``vulnbench harden compare``: every prompting defence on the same tasks with the same sample
budget, then one table. It is two ordinary runs (resumable, each its own run folder) and a
comparison of their stores:

- ``DIR/security``: the security tasks under each defence as a prompt style (``code`` is "none",
  the paper's plain completion); exact de-duplication, so the security rate is SecCoder's
  secure share of valid, de-duplicated codes;
- ``DIR/humaneval``: HumanEval under the defences that can prompt it (those needing a text
  prompt or a CWE cannot), for the utility cost (pass@1).

Every sample goes through the run store: an interrupted comparison resumes where it stopped,
and a larger ``--n`` or more tasks only add samples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from vulnbench.datasets import load_dataset
from vulnbench.errors import VulnbenchError
from vulnbench.models.base import BackendOptions
from vulnbench.pipeline.options import OptionError, RunOptions
from vulnbench.records import Task

if TYPE_CHECKING:
    from vulnbench.harden.compare import Comparison

# "none" first: the baseline every other defence is paired with
DEFENCES = ("code", "secure-instruction", "cwe-aware", "one-shot", "retrieval:random",
            "retrieval:bm25", "retrieval:dense")
# HumanEval has no text prompt and no CWE: these defences cannot prompt it
NEEDS_TEXT_OR_CWE = ("text", "cwe-aware", "one-shot")


@dataclass
class CompareOptions:
    out: Path
    models: list[str] = field(default_factory=lambda: ["local"])
    dataset: str = "builtin"
    defences: list[str] = field(default_factory=lambda: list(DEFENCES))
    baseline: str = "code"
    n: int = 2
    temperature: float = 0.4  # SecCoder's setting
    top_p: float = 0.95
    max_tokens: int = 256
    seed: int = 0
    ks: list[int] = field(default_factory=lambda: [1])
    limit: int | None = None
    task_ids: list[str] = field(default_factory=list)
    one_per_cwe: bool = False
    humaneval: str | None = "humaneval"  # None: no utility run
    humaneval_limit: int | None = 50
    humaneval_n: int = 1
    retrieval_setting: str = "loo"
    retrieval_top: int = 1
    retrieval_store: str | None = None
    retrieval_embedder: str | None = None
    sandbox: str = "bwrap"
    backend: BackendOptions = field(default_factory=BackendOptions)
    progress: bool = False
    reps: int = 2000

    def __post_init__(self) -> None:
        if self.baseline not in self.defences:
            raise OptionError(f"--baseline {self.baseline} must be one of the defences "
                              f"({', '.join(self.defences)})")
        if len(self.models) != 1:
            raise OptionError("--model: a comparison is of one model (compare models with "
                              "separate --out folders)")


def one_per_cwe(tasks: Sequence[Task], min_tasks: int = 2) -> list[Task]:
    """One task (the first) per language and CWE that has at least ``min_tasks`` tasks, so
    that leave-one-out retrieval has a demonstration of the task's own CWE to find and every
    weakness weighs the same in the table."""
    counts = Counter((t.language, t.cwe[0] if t.cwe else "") for t in tasks)
    chosen: dict[tuple[str, str], Task] = {}
    for task in tasks:
        key = (task.language, task.cwe[0] if task.cwe else "")
        if counts[key] >= min_tasks and key not in chosen:
            chosen[key] = task
    return list(chosen.values())


def _run_options(opts: CompareOptions, out: Path, dataset: str, styles: list[str], n: int,
                 task_ids: list[str], limit: int | None, dedup: str) -> RunOptions:
    return RunOptions(
        out=out, dataset=dataset, models=list(opts.models), temperatures=[opts.temperature],
        style=",".join(styles), n=n, ks=list(opts.ks), top_p=opts.top_p,
        max_tokens=opts.max_tokens, seed=opts.seed, limit=limit, task_ids=task_ids,
        dedup=dedup,  # type: ignore[arg-type]
        sandbox=opts.sandbox, backend=opts.backend, progress=opts.progress,
        retrieval_setting=opts.retrieval_setting, retrieval_top=opts.retrieval_top,
        retrieval_store=opts.retrieval_store, retrieval_embedder=opts.retrieval_embedder)


def security_options(opts: CompareOptions) -> RunOptions:
    task_ids = list(opts.task_ids)
    if opts.one_per_cwe:
        pool = load_dataset(opts.dataset).tasks
        if task_ids:
            pool = [t for t in pool if t.id in set(task_ids)]
        task_ids = [t.id for t in one_per_cwe(pool)]
        if not task_ids:
            raise VulnbenchError(f"--one-per-cwe: no CWE of {opts.dataset} has two tasks")
    return _run_options(opts, opts.out / "security", opts.dataset, list(opts.defences),
                        opts.n, task_ids, opts.limit, "exact")


def humaneval_options(opts: CompareOptions) -> RunOptions | None:
    if opts.humaneval is None:
        return None
    styles = [s for s in opts.defences if s not in NEEDS_TEXT_OR_CWE]
    return replace(_run_options(opts, opts.out / "humaneval", opts.humaneval, styles,
                                opts.humaneval_n, [], opts.humaneval_limit, "none"), ks=[1])


def run_comparison(opts: CompareOptions, echo: Callable[[str], None] = print) -> Path:
    """Run (or resume) both runs, then write ``comparison.json``, ``comparison.md`` and
    ``report.html``."""
    from vulnbench.harden.compare import compare_runs
    from vulnbench.pipeline import run as run_pipeline

    security = security_options(opts)
    utility = humaneval_options(opts)
    chosen = len(security.task_ids) or security.limit or "all"
    echo(f"security run: {chosen} task(s) x {len(opts.defences)} "
         f"defence(s) x n={opts.n} -> {security.out}")
    run_pipeline(security, echo=echo)
    if utility is not None:
        echo(f"utility run: HumanEval ({utility.limit or 'all'} problems) x "
             f"{len(utility.styles)} defence(s) x n={utility.n} -> {utility.out}")
        run_pipeline(utility, echo=echo)
    comparison = compare_runs(security.out, utility.out if utility else None,
                              baseline=opts.baseline, ks=tuple(opts.ks), reps=opts.reps)
    return write_comparison(opts.out, comparison)


def write_comparison(out: Path, comparison: Comparison) -> Path:
    """``comparison.json``, ``comparison.md`` and ``report.html`` (read back from the JSON,
    as ``vulnbench report`` re-writes it) in ``out``; returns the Markdown's path."""
    from vulnbench.harden.compare import render_markdown
    from vulnbench.report.html import write_folder_page

    (out / "comparison.json").write_text(comparison.to_json() + "\n")
    (out / "comparison.md").write_text(render_markdown(comparison))
    write_folder_page(out)
    return out / "comparison.md"
